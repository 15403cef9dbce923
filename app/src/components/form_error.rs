//! The banner every access form shows for its `?error=` code: the forms
//! post to `/auth/…`, which redirects back with a code, never with text.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// What an `?error=` code says.
pub fn error_message(code: &str) -> Option<&'static str> {
    crate::model::FormError::from_key(code).map(crate::model::FormError::message)
}

/// The `?error=` banner, when the query has a known code.
#[component]
pub fn FormError() -> impl IntoView {
    let query = use_query_map();
    let error = move || query.read().get("error").and_then(|c| error_message(&c));
    move || error().map(|e| view! { <p class="form-error" role="alert">{e}</p> })
}

/// A new password, twice (setup and invitations).
#[component]
pub fn NewPasswordFields() -> impl IntoView {
    view! {
        <label class="field">
            <span>"Password (12 characters or more)"</span>
            <input type="password" name="password" autocomplete="new-password" minlength="12" required />
        </label>
        <label class="field">
            <span>"Password again"</span>
            <input type="password" name="password2" autocomplete="new-password" minlength="12" required />
        </label>
    }
}
