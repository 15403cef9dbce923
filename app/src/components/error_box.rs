//! An inline error for one section of a page. The page's HTTP status is
//! decided by the server before the page streams (`http::page_status`).

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
