//! The page for addresses that name nothing.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

/// Shown for unknown routes; says where to go instead.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found" />
        <h1>"Nothing here"</h1>
        <p>"This address names no page. " <A href="/">"Back to the registries"</A></p>
    }
}
