//! One module per page of the UI.

mod home;
mod not_found;
mod registry;
mod repository;
mod repository_or_tag;
mod storage;
mod tag;

pub use home::HomePage;
pub use not_found::NotFound;
pub use registry::RegistryPage;
pub use repository_or_tag::RepositoryOrTagPage;
pub use storage::StoragePage;
