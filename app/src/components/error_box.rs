//! An inline error for one section of a page, and the same for the data a
//! whole page is about, which also becomes the page's HTTP status.

use leptos::prelude::*;

use crate::error::AppError;

/// Shows an error where the data would have been; the rest of the page stays.
#[component]
pub fn ErrorBox(error: AppError) -> impl IntoView {
    view! {
        <div class="error-box" role="alert">
            <strong>{error.kind.title()}</strong>
            <p>{error.message}</p>
        </div>
    }
}

/// The error of the data a page is about (the registry of a registry page,
/// the repository of a repository page, the manifest of a tag page): shown
/// like [`ErrorBox`], and answered with the status the REST API gives the
/// same error (an unknown registry, repository or tag is 404; an upstream
/// failure 502, 503 or 504). A failing side section keeps its page 200.
#[component]
pub fn PageError(error: AppError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>()
        && let Ok(status) = http::StatusCode::from_u16(error.kind.status())
    {
        response.set_status(status);
    }
    view! { <ErrorBox error /> }
}
