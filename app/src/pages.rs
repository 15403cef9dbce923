//! One module per page of the UI.

mod account;
mod enrol;
mod home;
mod invite;
mod login;
mod not_found;
mod registry;
mod repository;
mod repository_or_tag;
mod reset;
mod setup;
mod storage;
pub(crate) mod tag;
mod users;
mod verify;

pub use account::AccountPage;
pub use enrol::EnrolPage;
pub use home::HomePage;
pub use invite::InvitePage;
pub use login::LoginPage;
pub use not_found::NotFound;
pub use registry::RegistryPage;
pub use repository_or_tag::RepositoryOrTagPage;
pub use reset::ResetPage;
pub use setup::SetupPage;
pub use storage::StoragePage;
pub use users::UsersPage;
pub use verify::VerifyPage;

/// A route parameter for a page's `<Title>`, never panicking. leptos_axum
/// reads the title on its own after the first chunk is streamed; under load
/// (32 connections on 2 cores) the parameters' memo could not be read at
/// that moment about once in 500 requests, the read panicked and the
/// connection dropped. The value seen when the page was built stands in.
pub(crate) fn title_param(key: &'static str) -> impl Fn() -> String + Clone + Send + Sync + 'static {
    use leptos::prelude::{With, WithUntracked};
    let params = leptos_router::hooks::use_params_map();
    let first = params.with_untracked(|p| p.get(key).unwrap_or_default());
    move || params.try_with(|p| p.get(key)).flatten().unwrap_or_else(|| first.clone())
}

/// A route parameter or query value, read so that it never panics. On the
/// server, Leptos's `<Suspense>` walks its children again from an effect it
/// spawns (to find resources read late); under load that walk can run after
/// the response is done and the page's memos are gone, and a plain `read()`
/// panicked there. Then this is `None`, and the walk's output is discarded.
pub(crate) fn key_of(map: leptos::prelude::Memo<leptos_router::params::ParamsMap>, key: &str) -> Option<String> {
    use leptos::prelude::With;
    map.try_with(|m| m.get(key)).flatten()
}
