//! Reusable pieces of the pages.

mod error_box;
mod pagination;

pub use error_box::ErrorBox;
pub use pagination::Pagination;
