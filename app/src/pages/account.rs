//! `/account`: the signed-in user's passkeys, password (change it: the
//! other sessions end), two-step verification, sessions ("sign out everywhere") and personal API
//! tokens (create: shown once; revoke). Plain forms posted to
//! `/auth/…`, so all of it works without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;

use super::users::confirm_first;
use crate::api::get_account;
use crate::components::{AuthenticatorSetup, CopyButton, ErrorBox, FormError, NewPasswordFields};
use crate::format;

#[component]
pub fn AccountPage() -> impl IntoView {
    let account = Resource::new(|| (), |()| get_account());
    view! {
        <Title text="Account" />
        <h1>"Account"</h1>
        <FormError />
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match account.await {
                    Ok(a) => view! {
                        <p>"Signed in as " <strong>{a.viewer.username.clone()}</strong> " (" {a.viewer.grants.describe()} ")."</p>
                        <section aria-labelledby="passkeys-heading">
                            <h2 id="passkeys-heading">"Passkeys"</h2>
                            <p>"Sign in with a fingerprint, face or security key instead of the password."</p>
                            <div class="inline-form passkey-only">
                                <label class="field">
                                    <span>"New passkey's name"</span>
                                    <input id="passkey-name" maxlength="100" placeholder="Work laptop" />
                                </label>
                                <button type="button" data-passkey="register">"Add a passkey"</button>
                            </div>
                            <p class="no-passkeys">"Adding a passkey needs JavaScript and a browser with WebAuthn."</p>
                            <p id="passkey-status" role="status" aria-live="polite"></p>
                            {if a.passkeys.is_empty() {
                                view! { <p class="empty">"No passkeys yet."</p> }.into_any()
                            } else {
                                view! {
                                    <div class="table-wrap" role="region" aria-label="Passkeys table" tabindex="0">
                                    <table>
                                        <thead><tr><th scope="col">"Name"</th><th scope="col">"Added"</th><th scope="col">"Last used"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                                        <tbody>
                                            {a.passkeys.into_iter().map(|k| {
                                                let rename = format!("/auth/passkeys/{}/rename", k.id);
                                                let remove = format!("/auth/passkeys/{}/remove", k.id);
                                                let rename_label = format!("New name for the passkey {}", k.name);
                                                let remove_label = format!("Remove the passkey {}", k.name);
                                                view! {
                                                    <tr>
                                                        <th scope="row">{k.name.clone()}</th>
                                                        <td>{format::unix(k.created_at)}</td>
                                                        <td>{k.last_used_at.map(format::unix).unwrap_or_else(|| "never".into())}</td>
                                                        <td class="actions">
                                                            <form method="post" action=rename class="row-form">
                                                                <input name="name" maxlength="100" required aria-label=rename_label value=k.name.clone() />
                                                                <button type="submit">"Rename"</button>
                                                            </form>
                                                            <form method="post" action=remove on:submit=confirm_first("Remove this passkey? It will no longer sign you in.")>
                                                                <button type="submit" class="danger" aria-label=remove_label>"Remove"</button>
                                                            </form>
                                                        </td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                    </div>
                                }.into_any()
                            }}
                        </section>
                        <section aria-labelledby="tokens-heading">
                            <h2 id="tokens-heading">"API tokens"</h2>
                            <p>"For scripts: send " <code>"Authorization: Bearer <token>"</code> " to " <code>"/api/…"</code> "."</p>
                            {a.new_token.clone().map(|t| view! {
                                <div class="new-token" role="status">
                                    <p>"Your new token. Copy it now: it is not shown again."</p>
                                    <code class="token" data-testid="new-token">{t.clone()}</code>
                                    " " <CopyButton text=t label="Copy token".to_string() />
                                </div>
                            })}
                            <form method="post" action="/auth/tokens" class="inline-form">
                                <label class="field">
                                    <span>"Token name"</span>
                                    <input name="name" required maxlength="100" placeholder="ci-pipeline" />
                                </label>
                                <label class="field">
                                    <span>"Expires after"</span>
                                    <select name="days">
                                        <option value="30">"30 days"</option>
                                        <option value="90" selected=true>"90 days"</option>
                                        <option value="365">"365 days"</option>
                                    </select>
                                </label>
                                <button type="submit">"Create token"</button>
                            </form>
                            {if a.tokens.is_empty() {
                                view! { <p class="empty">"No API tokens yet."</p> }.into_any()
                            } else {
                                view! {
                                    <div class="table-wrap" role="region" aria-label="API tokens table" tabindex="0">
                                    <table>
                                        <thead><tr><th scope="col">"Name"</th><th scope="col">"Created"</th><th scope="col">"Last used"</th><th scope="col">"Expires"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                                        <tbody>
                                            {a.tokens.into_iter().map(|t| {
                                                let action = format!("/auth/tokens/{}/revoke", t.id);
                                                let label = format!("Revoke the token {}", t.name);
                                                view! {
                                                    <tr>
                                                        <th scope="row">{t.name.clone()}</th>
                                                        <td>{format::unix(t.created_at)}</td>
                                                        <td>{t.last_used_at.map(format::unix).unwrap_or_else(|| "never".into())}</td>
                                                        <td>{format::unix(t.expires_at)}</td>
                                                        <td>
                                                            <form method="post" action=action on:submit=confirm_first("Revoke this token? Scripts using it stop working.")>
                                                                <button type="submit" class="danger" aria-label=label>"Revoke"</button>
                                                            </form>
                                                        </td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                    </div>
                                }.into_any()
                            }}
                        </section>
                        <section aria-labelledby="password-heading">
                            <h2 id="password-heading">"Password"</h2>
                            <PasswordChanged />
                            {if a.has_password {
                                view! {
                                    <p>"Changing it signs out every other browser you are signed in on."</p>
                                    <form method="post" action="/auth/password" class="auth-form account-form">
                                        <label class="field">
                                            <span>"Current password"</span>
                                            <input type="password" name="current" autocomplete="current-password" required />
                                        </label>
                                        <NewPasswordFields />
                                        <button type="submit">"Change password"</button>
                                    </form>
                                }.into_any()
                            } else {
                                view! { <p>"You sign in with passkeys only. An administrator can send you a reset link to set a password."</p> }.into_any()
                            }}
                        </section>
                        {a.has_password.then(|| view! { <TwoStep info=a.second_factor.clone() /> })}
                        <section aria-labelledby="sessions-heading">
                            <h2 id="sessions-heading">"Sessions"</h2>
                            <div class="table-wrap" role="region" aria-label="Sessions table" tabindex="0">
                            <table>
                                <thead><tr><th scope="col">"Browser"</th><th scope="col">"Signed in"</th><th scope="col">"Last seen"</th><th scope="col">"Ends"</th></tr></thead>
                                <tbody>
                                    {a.sessions.into_iter().map(|s| view! {
                                        <tr>
                                            <th scope="row">{s.user_agent.clone()}{s.current.then(|| view! { " " <span class="badge ok">"this one"</span> })}</th>
                                            <td>{format::unix(s.created_at)}</td>
                                            <td>{format::unix(s.last_seen_at)}</td>
                                            <td>{format::unix(s.expires_at)}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            </div>
                            <form method="post" action="/auth/logout-everywhere" on:submit=confirm_first("Sign out of every browser, this one included, and revoke every API token?")>
                                <button type="submit" class="danger">"Sign out everywhere"</button>
                            </form>
                        </section>
                    }.into_any(),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Says the password was just changed (`?changed=password`, where the
/// password forms redirect).
#[component]
fn PasswordChanged() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    move || {
        (query.read().get("changed").as_deref() == Some("password")).then(|| {
            view! { <p class="notice" role="status">"Your password was changed. Every other session of yours has ended."</p> }
        })
    }
}

/// Two-step verification for password sign-ins: set up an authenticator
/// app (QR code or the secret typed in, confirmed with a code), the
/// recovery codes once, turn it off with the password.
#[component]
fn TwoStep(info: crate::model::SecondFactorInfo) -> impl IntoView {
    let body = if info.on {
        let left = info.recovery_codes_left;
        view! {
            <p><span class="badge ok">"On"</span> " Signing in with your password also asks for a code from your authenticator app. "
                {format!("{left} recovery code{} left.", if left == 1 { "" } else { "s" })}</p>
            {info.new_recovery_codes.map(|codes| view! {
                <div class="new-token" role="status">
                    <p>"Recovery codes: each signs you in once if you lose the app. Keep them somewhere safe; they are not shown again."</p>
                    <ul class="recovery-codes" data-testid="recovery-codes">
                        {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
                    </ul>
                </div>
            })}
            {info.required.then(|| view! {
                <p>"Your administrator requires it: turned off, it is set up again at your next password sign-in."</p>
            })}
            <form method="post" action="/auth/totp/disable" class="auth-form account-form">
                <label class="field">
                    <span>"Password, to turn it off"</span>
                    <input type="password" name="password" autocomplete="current-password" required />
                </label>
                <button type="submit" class="danger">"Turn off two-step verification"</button>
            </form>
        }
        .into_any()
    } else if let Some(e) = info.enrolment {
        view! { <AuthenticatorSetup enrolment=e action="/auth/totp/confirm" button="Turn on" /> }.into_any()
    } else {
        view! {
            <p>"Off. With it on, signing in with your password also asks for a code from an authenticator app."</p>
            <form method="post" action="/auth/totp/start">
                <button type="submit">"Set up an authenticator app"</button>
            </form>
        }
        .into_any()
    };
    view! {
        <section id="two-step" aria-labelledby="two-step-heading">
            <h2 id="two-step-heading">"Two-step verification"</h2>
            {body}
        </section>
    }
}
