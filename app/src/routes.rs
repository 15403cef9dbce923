//! Each page is a lazily loaded route: built with `cargo leptos build
//! --split`, its code is a WASM module of its own, fetched when the page is
//! first shown (a first visit preloads the shell and that page only), so
//! the front end a visitor downloads grows with the pages they open, not
//! with the whole site. On the server nothing is lazy.

use leptos::prelude::*;
use leptos_router::{LazyRoute, lazy_route};

use crate::pages::{
    AccountPage, EnrolPage, HomePage, InvitePage, LoginPage, RegistryPage, RepositoryOrTagPage, ResetPage, SetupPage,
    StoragePage, UsersPage, VerifyPage,
};

/// Declares a lazy route per page: a unit struct whose view is the page.
macro_rules! lazy_pages {
    ($($(#[$doc:meta])* $route:ident => $page:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(this: Self) -> AnyView {
                let _ = this;
                view! { <$page /> }.into_any()
            }
        }
    )*};
}

lazy_pages! {
    /// `/`
    Home => HomePage;
    /// `/login`
    Login => LoginPage;
    /// `/login/verify`
    Verify => VerifyPage;
    /// `/login/enrol`
    Enrol => EnrolPage;
    /// `/setup`
    Setup => SetupPage;
    /// `/account`
    Account => AccountPage;
    /// `/admin/users`
    Users => UsersPage;
    /// `/invite/{token}`
    Invite => InvitePage;
    /// `/reset/{token}`
    Reset => ResetPage;
    /// `/registries/{id}`
    Registry => RegistryPage;
    /// `/registries/{id}/storage`
    Storage => StoragePage;
    /// `/registries/{id}/repositories/{repo…}` and its tags
    RepositoryOrTag => RepositoryOrTagPage;
}
