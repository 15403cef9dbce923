//! Reestr's isomorphic crate: the pages and components (rendered on the
//! server and hydrated in the browser), the DTOs both sides share, and the
//! server functions between them.

pub mod api;
#[cfg(feature = "ssr")]
pub mod assets;
pub mod client_cache;
pub mod components;
#[cfg(feature = "ssr")]
pub mod contract;
pub mod error;
pub mod format;
pub mod model;
pub mod pages;
pub mod paths;
mod routes;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::{Lazy, ParamSegment, SsrMode, StaticSegment, WildcardSegment};

use crate::pages::NotFound;
use crate::routes::{
    Account, Enrol, Home, Invite, Login, Registry, RepositoryOrTag, Reset, Setup, Storage, Users, Verify,
};

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    // The security-headers layer's nonce, so Leptos's inline scripts run
    // under the Content-Security-Policy.
    #[cfg(feature = "ssr")]
    if let Some(model::CspNonce(nonce)) =
        use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<model::CspNonce>().cloned())
    {
        provide_context(leptos::nonce::Nonce::from_value(nonce));
    }
    #[cfg(feature = "ssr")]
    let stylesheet = assets::stylesheet(&options);
    #[cfg(not(feature = "ssr"))]
    let stylesheet = String::new();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <link rel="stylesheet" href=stylesheet />
                <script type="module" src="/passkeys.js"></script>
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The application: layout and routes. Every route streams in order: the
/// head, header, breadcrumbs and headings go out at once, each section
/// follows when its data is in, and the result is complete HTML without
/// JavaScript (out-of-order streaming would leave sections in `<template>`s
/// that only a script moves into place). The status is decided before the
/// stream starts, by the server (`http::page_status`).
///
/// The account and users pages render whole (`SsrMode::Async`): they read
/// only Reestr's own database, and clear a one-time cookie (a token or
/// invitation link just made) with a header that only an unstreamed
/// response can still carry once their data is in.
///
/// An earlier in-order attempt sometimes never finished a body. The cause
/// was leptos-rs/leptos#4773: building the route list suppresses resource
/// loading process-wide, and the integration tests built one per router
/// while other routers served; the list is now built once per process.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    view! {
        <Title formatter=|text: String| {
            if text.is_empty() { "Reestr".to_string() } else { format!("{text} · Reestr") }
        } />
        <Router>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <header class="top">
                <A href="/" attr:class="brand">"Reestr"</A>
                <span class="tagline">"container registry browser"</span>
                <UserMenu />
            </header>
            <main id="main" tabindex="-1">
                <Routes fallback=|| view! { <NotFound /> }>
                    <Route path=StaticSegment("") view={Lazy::<Home>::new()} ssr=SsrMode::InOrder />
                    <Route path=StaticSegment("login") view={Lazy::<Login>::new()} ssr=SsrMode::InOrder />
                    <Route path=(StaticSegment("login"), StaticSegment("verify")) view={Lazy::<Verify>::new()} ssr=SsrMode::InOrder />
                    <Route path=(StaticSegment("login"), StaticSegment("enrol")) view={Lazy::<Enrol>::new()} ssr=SsrMode::InOrder />
                    <Route path=StaticSegment("setup") view={Lazy::<Setup>::new()} ssr=SsrMode::InOrder />
                    <Route path=StaticSegment("account") view={Lazy::<Account>::new()} ssr=SsrMode::Async />
                    <Route path=(StaticSegment("admin"), StaticSegment("users")) view={Lazy::<Users>::new()} ssr=SsrMode::Async />
                    <Route path=(StaticSegment("invite"), ParamSegment("token")) view={Lazy::<Invite>::new()} ssr=SsrMode::InOrder />
                    <Route path=(StaticSegment("reset"), ParamSegment("token")) view={Lazy::<Reset>::new()} ssr=SsrMode::InOrder />
                    <Route
                        path=(StaticSegment("registries"), ParamSegment("registry"))
                        view={Lazy::<Registry>::new()}
                        ssr=SsrMode::InOrder
                    />
                    <Route
                        path=(StaticSegment("registries"), ParamSegment("registry"), StaticSegment("storage"))
                        view={Lazy::<Storage>::new()}
                        ssr=SsrMode::InOrder
                    />
                    <Route
                        path=(
                            StaticSegment("registries"),
                            ParamSegment("registry"),
                            StaticSegment("repositories"),
                            WildcardSegment("path"),
                        )
                        view={Lazy::<RepositoryOrTag>::new()}
                        ssr=SsrMode::InOrder
                    />
                </Routes>
            </main>
        </Router>
    }
}

/// Who is signed in, their account, and signing out (a form, so it works
/// without JavaScript). Nothing on the login and setup pages.
#[component]
fn UserMenu() -> impl IntoView {
    let viewer = Resource::new(|| (), |()| api::whoami());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match viewer.await {
                    Ok(Some(v)) if v.open => view! {
                        <span class="user-menu"><span class="badge warn" title="access: open — no login required">"open access"</span></span>
                    }.into_any(),
                    Ok(Some(v)) => view! {
                        <nav class="user-menu" aria-label="Account">
                            {v.grants.is_admin().then(|| view! { <a href="/admin/users">"Users"</a> })}
                            <a href="/account">{v.username}</a>
                            <form method="post" action="/auth/logout">
                                <button type="submit" class="link-button">"Sign out"</button>
                            </form>
                        </nav>
                    }.into_any(),
                    _ => ().into_any(),
                }
            })}
        </Suspense>
    }
}
