//! `/invite/{token}`: an invited user chooses their password; the account
//! (name and role chosen by the administrator) is created and signed in.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::login::error_message;

#[component]
pub fn InvitePage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let error = move || query.read().get("error").and_then(|c| error_message(&c));
    view! {
        <Title text="Join" />
        <section class="auth-card" aria-labelledby="invite-heading">
            <h1 id="invite-heading">"Join Reestr"</h1>
            <p>"You were invited. Choose a password; you can add a passkey afterwards on your account page."</p>
            {move || error().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <form method="post" action="/auth/invite" class="auth-form">
                <input type="hidden" name="token" value=token />
                <label class="field">
                    <span>"Password (12 characters or more)"</span>
                    <input type="password" name="password" autocomplete="new-password" minlength="12" required />
                </label>
                <label class="field">
                    <span>"Password again"</span>
                    <input type="password" name="password2" autocomplete="new-password" minlength="12" required />
                </label>
                <button type="submit" class="primary">"Create my account"</button>
            </form>
        </section>
    }
}
