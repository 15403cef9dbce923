//! `/invite/{token}`: an invited user chooses their password; the account
//! (name and role chosen by the administrator) is created and signed in.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::components::{AuthCard, NewPasswordFields};

#[component]
pub fn InvitePage() -> impl IntoView {
    let params = use_params_map();
    let token = move || super::key_of(params, "token").unwrap_or_default();
    view! {
        <AuthCard title="Join" heading="Join Reestr"
            blurb="You were invited. Choose a password; you can add a passkey afterwards on your account page.">
            <form method="post" action="/auth/invite" class="auth-form">
                <input type="hidden" name="token" value=token />
                <NewPasswordFields />
                <button type="submit" class="primary">"Create my account"</button>
            </form>
        </AuthCard>
    }
}
