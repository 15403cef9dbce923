//! `/reset/{token}`: someone holding a password reset link (issued by an
//! administrator) chooses a new password; every session of that account
//! ends and this browser is signed in.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::components::{FormError, NewPasswordFields};

#[component]
pub fn ResetPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || super::key_of(params, "token").unwrap_or_default();
    view! {
        <Title text="New password" />
        <section class="auth-card" aria-labelledby="reset-heading">
            <h1 id="reset-heading">"Choose a new password"</h1>
            <p>"This link works once. Every browser signed in to this account is signed out; this one is signed in."</p>
            <FormError />
            <form method="post" action="/auth/reset" class="auth-form">
                <input type="hidden" name="token" value=token />
                <NewPasswordFields />
                <button type="submit" class="primary">"Set the password"</button>
            </form>
        </section>
    }
}
