//! `/login`: a plain form posted to `/auth/login`, so it works without
//! JavaScript; errors come back as a code in the query (`?error=`), the
//! page to return to as `?next=`.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// What an `?error=` code says.
pub(crate) fn error_message(code: &str) -> Option<&'static str> {
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

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let error = move || query.read().get("error").and_then(|c| error_message(&c));
    let next = move || query.read().get("next").unwrap_or_default();
    view! {
        <Title text="Sign in" />
        <section class="auth-card" aria-labelledby="login-heading">
            <h1 id="login-heading">"Sign in to Reestr"</h1>
            {move || error().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <form method="post" action="/auth/login" class="auth-form">
                <input type="hidden" name="next" value=next />
                <label class="field">
                    <span>"Username"</span>
                    <input name="username" autocomplete="username webauthn" required autofocus />
                </label>
                <label class="field">
                    <span>"Password"</span>
                    <input type="password" name="password" autocomplete="current-password" required />
                </label>
                <button type="submit" class="primary">"Sign in"</button>
            </form>
            <div class="passkey-only passkey-login">
                <p class="or">"or"</p>
                <button type="button" data-passkey="login">"Sign in with a passkey"</button>
                <p class="hint">"With a username above, only that account's passkeys are offered."</p>
                <p id="passkey-status" role="status" aria-live="polite"></p>
            </div>
        </section>
    }
}
