//! One module per page of the UI.

mod account;
mod home;
mod invite;
mod login;
mod not_found;
mod registry;
mod repository;
mod repository_or_tag;
mod setup;
mod storage;
mod tag;
mod users;

pub use account::AccountPage;
pub use home::HomePage;
pub use invite::InvitePage;
pub use login::LoginPage;
pub use not_found::NotFound;
pub use registry::RegistryPage;
pub use repository_or_tag::RepositoryOrTagPage;
pub use setup::SetupPage;
pub use storage::StoragePage;
pub use users::UsersPage;
