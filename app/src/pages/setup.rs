//! `/setup`: the first run. Creates the first administrator, guarded by the
//! one-time setup token the server printed in its log.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::login::error_message;

#[component]
pub fn SetupPage() -> impl IntoView {
    let query = use_query_map();
    let error = move || query.read().get("error").and_then(|c| error_message(&c));
    view! {
        <Title text="Set up" />
        <section class="auth-card" aria-labelledby="setup-heading">
            <h1 id="setup-heading">"Set up Reestr"</h1>
            <p>
                "Create the first administrator. The setup token is in the server log, on the line "
                <code>"first run: open /setup"</code>"; it works once."
            </p>
            {move || error().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <form method="post" action="/auth/setup" class="auth-form">
                <label class="field">
                    <span>"Setup token"</span>
                    <input name="token" autocomplete="off" required spellcheck="false" />
                </label>
                <label class="field">
                    <span>"Username"</span>
                    <input name="username" autocomplete="username" required />
                </label>
                <label class="field">
                    <span>"Password (12 characters or more)"</span>
                    <input type="password" name="password" autocomplete="new-password" minlength="12" required />
                </label>
                <label class="field">
                    <span>"Password again"</span>
                    <input type="password" name="password2" autocomplete="new-password" minlength="12" required />
                </label>
                <button type="submit" class="primary">"Create administrator"</button>
            </form>
        </section>
    }
}
