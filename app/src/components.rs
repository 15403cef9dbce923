//! Reusable pieces of the pages.

mod auth_card;
mod authenticator_setup;
mod copy;
mod error_box;
mod findings;
mod form_error;
mod labels;
mod pagination;
mod pull_commands;
mod skeleton;

pub use auth_card::AuthCard;
pub use authenticator_setup::AuthenticatorSetup;
pub use copy::{CopyButton, copy_to_clipboard};
pub use error_box::ErrorBox;
pub use findings::Findings;
pub use form_error::{FormError, NewPasswordFields};
pub use labels::LabelTable;
pub use pagination::Pagination;
pub use pull_commands::{PullCommands, pull_command};
pub use skeleton::Skeleton;
