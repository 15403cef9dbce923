//! `/login`: a plain form posted to `/auth/login`, so it works without
//! JavaScript; errors come back as a code in the query (`?error=`), the
//! page to return to as `?next=`. Above it, a link per single sign-on
//! provider (`/auth/oidc/{id}/start`; `rel="external"`, so the client-side
//! router leaves it to the browser).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::get_sign_in_providers;
use crate::components::FormError;

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let providers = Resource::new(|| (), |()| get_sign_in_providers());
    view! {
        <Title text="Sign in" />
        <section class="auth-card" aria-labelledby="login-heading">
            <h1 id="login-heading">"Sign in to Reestr"</h1>
            <FormError />
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let list = providers.await.unwrap_or_default();
                    if list.is_empty() {
                        return ().into_any();
                    }
                    let signed_out = super::key_of(query, "signed_out")
                        .and_then(|id| list.iter().find(|p| p.id == id).cloned());
                    view! {
                        {signed_out.map(|p| view! {
                            <div class="new-token" role="status">
                                <p>"You are signed out of Reestr."</p>
                                <a href=format!("/auth/oidc/{}/end-session", p.id) rel="external">{format!("Sign out of {} too", p.name)}</a>
                            </div>
                        })}
                        <div class="sso">
                            {list.into_iter().map(|p| {
                                let next = super::key_of(query, "next").unwrap_or_default();
                                let href = format!("/auth/oidc/{}/start?next={}", p.id, url_encode(&next));
                                view! {
                                    <a class="button primary sso-button" href=href rel="external">{format!("Sign in with {}", p.name)}</a>
                                }
                            }).collect_view()}
                            <p class="or">"or with a Reestr account"</p>
                        </div>
                    }.into_any()
                })}
            </Suspense>
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

/// `text` as a query value.
fn url_encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}
