//! `/invite/{token}`: an invited user chooses their password; the account
//! (name and role chosen by the administrator) is created and signed in.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::components::{FormError, NewPasswordFields};

#[component]
pub fn InvitePage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    view! {
        <Title text="Join" />
        <section class="auth-card" aria-labelledby="invite-heading">
            <h1 id="invite-heading">"Join Reestr"</h1>
            <p>"You were invited. Choose a password; you can add a passkey afterwards on your account page."</p>
            <FormError />
            <form method="post" action="/auth/invite" class="auth-form">
                <input type="hidden" name="token" value=token />
                <NewPasswordFields />
                <button type="submit" class="primary">"Create my account"</button>
            </form>
        </section>
    }
}
