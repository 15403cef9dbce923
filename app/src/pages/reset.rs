//! `/reset/{token}`: someone holding a password reset link (issued by an
//! administrator) chooses a new password; every session of that account
//! ends and this browser is signed in.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::components::{AuthCard, NewPasswordFields};

#[component]
pub fn ResetPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || super::key_of(params, "token").unwrap_or_default();
    view! {
        <AuthCard title="New password" heading="Choose a new password"
            blurb="This link works once. Every browser signed in to this account is signed out; this one is signed in.">
            <form method="post" action="/auth/reset" class="auth-form">
                <input type="hidden" name="token" value=token />
                <NewPasswordFields />
                <button type="submit" class="primary">"Set the password"</button>
            </form>
        </AuthCard>
    }
}
