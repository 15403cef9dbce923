//! The banner every access form shows for its `?error=` code: the forms
//! post to `/auth/…`, which redirects back with a code, never with text.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// What an `?error=` code says.
pub fn error_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "invalid" => "Wrong username or password.",
        "throttled" => "Too many failed attempts. Wait a few minutes, then try again.",
        "token" => "The setup token is wrong or has expired. Use the one printed in the server log.",
        "password" => "The password must have at least 12 characters.",
        "mismatch" => "The two passwords differ.",
        "username" => "A username has 1 to 64 letters, digits, dots, dashes, underscores or @.",
        "done" => "Reestr is already set up: sign in.",
        "store" => "The user database did not answer. Try again; if it persists, see the server log.",
        "name" => "A name needs 1 to 100 characters.",
        "invite" => "This invitation link is wrong, used or expired. Ask an administrator for a new one.",
        "taken" => "That username is taken.",
        "role" => "Unknown role.",
        "last-admin" => "Reestr needs at least one administrator: make someone else an administrator first.",
        "yourself" => "You cannot remove yourself.",
        "passkey" => "The passkey did not work. Try again, or sign in with your password.",
        _ => return None,
    })
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
