//! `/setup`: the first run. Creates the first administrator, guarded by the
//! one-time setup token the server printed in its log.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::{FormError, NewPasswordFields};

#[component]
pub fn SetupPage() -> impl IntoView {
    view! {
        <Title text="Set up" />
        <section class="auth-card" aria-labelledby="setup-heading">
            <h1 id="setup-heading">"Set up Reestr"</h1>
            <p>
                "Create the first administrator. The setup token is in the server log, on the line "
                <code>"first run: open /setup"</code>"; it works once."
            </p>
            <FormError />
            <form method="post" action="/auth/setup" class="auth-form">
                <label class="field">
                    <span>"Setup token"</span>
                    <input name="token" autocomplete="off" required spellcheck="false" />
                </label>
                <label class="field">
                    <span>"Username"</span>
                    <input name="username" autocomplete="username" required />
                </label>
                <NewPasswordFields />
                <button type="submit" class="primary">"Create administrator"</button>
            </form>
        </section>
    }
}
