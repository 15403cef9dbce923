//! `/login/verify`: the second step of a password sign-in on an account
//! with an authenticator app: its six-digit code, or a recovery code.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::AuthCard;

#[component]
pub fn VerifyPage() -> impl IntoView {
    let query = use_query_map();
    let next = move || super::key_of(query, "next").unwrap_or_else(|| "/".to_string());
    view! {
        <AuthCard title="Sign-in code" heading="Enter your sign-in code"
            blurb="Open your authenticator app and enter the code it shows for Reestr. Lost the app? Enter one of your recovery codes.">
            <form method="post" action="/auth/login/verify" class="auth-form">
                <input type="hidden" name="next" value=next />
                <label class="field">
                    <span>"Code"</span>
                    <input name="code" autocomplete="one-time-code" autocapitalize="off" spellcheck="false" required autofocus />
                </label>
                <button type="submit" class="primary">"Sign in"</button>
            </form>
        </AuthCard>
    }
}
