//! `/login`: a plain form posted to `/auth/login`, so it works without
//! JavaScript; errors come back as a code in the query (`?error=`), the
//! page to return to as `?next=`.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::FormError;

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    view! {
        <Title text="Sign in" />
        <section class="auth-card" aria-labelledby="login-heading">
            <h1 id="login-heading">"Sign in to Reestr"</h1>
            <FormError />
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
