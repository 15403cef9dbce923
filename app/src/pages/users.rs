//! `/admin/users`: administrators invite users (a one-time link; the
//! invitee chooses the password), issue password reset links (likewise),
//! change roles, remove users and revoke invitations, and require a second
//! factor of password sign-ins. Plain forms, so all of it works without
//! JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::get_users;
use crate::components::{CopyButton, ErrorBox, FormError};
use crate::format;
use crate::model::Role;

#[component]
pub fn UsersPage() -> impl IntoView {
    let admin = Resource::new(|| (), |()| get_users());
    view! {
        <Title text="Users" />
        <h1>"Users"</h1>
        <FormError />
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match admin.await {
                    Ok(a) => view! {
                        <section aria-labelledby="invite-heading">
                            <h2 id="invite-heading">"Invite someone"</h2>
                            {a.new_invitation.clone().map(|link| view! {
                                <div class="new-token" role="status">
                                    <p>"Send this link to the new user. It works once, for 7 days, and is not shown again."</p>
                                    <code class="token" data-testid="invitation-link">{link.clone()}</code>
                                    " " <CopyButton text=link label="Copy link".to_string() />
                                </div>
                            })}
                            <form method="post" action="/auth/users" class="inline-form">
                                <label class="field">
                                    <span>"Username"</span>
                                    <input name="username" required maxlength="64" autocomplete="off" />
                                </label>
                                <label class="field">
                                    <span>"Role"</span>
                                    <select name="role">
                                        <option value="viewer" selected>"Viewer: browse"</option>
                                        <option value="admin">"Administrator: also users and resyncs"</option>
                                    </select>
                                </label>
                                <button type="submit">"Create invitation"</button>
                            </form>
                        </section>
                        <section aria-labelledby="users-heading">
                            <h2 id="users-heading">"Everyone"</h2>
                            <p class="hint">"A role applies to every registry, or only to the registries named beside it (ids from registries.yaml, separated by commas); other registries do not exist for that user. Users and invitations need an administrator of every registry."</p>
                            {a.new_reset.clone().map(|r| view! {
                                <div class="new-token" role="status">
                                    <p>{format!("Send this link to {}. It sets a new password once, within 24 hours, and is not shown again; their sessions end when it is used.", r.username)}</p>
                                    <code class="token" data-testid="reset-link">{r.url.clone()}</code>
                                    " " <CopyButton text=r.url label="Copy link".to_string() />
                                </div>
                            })}
                            <div class="table-wrap" role="region" aria-label="Users table" tabindex="0">
                            <table>
                                <thead><tr>
                                    <th scope="col">"User"</th><th scope="col">"Role"</th><th scope="col">"Sign-in"</th>
                                    <th scope="col">"Joined"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                </tr></thead>
                                <tbody>
                                    {a.users.into_iter().map(|u| {
                                        let role_action = format!("/auth/users/{}/role", u.id);
                                        let remove_action = format!("/auth/users/{}/remove", u.id);
                                        let role_label = format!("Role of {}", u.username);
                                        let registries_label = format!("Registries of {}", u.username);
                                        let shown_role = u.role;
                                        let shown_registries = if u.grants.everywhere.is_some() { String::new() } else { u.grants.registries.keys().cloned().collect::<Vec<_>>().join(", ") };
                                        let described = u.grants.describe();
                                        let scoped = !u.grants.registries.is_empty();
                                        let remove_label = format!("Remove {}", u.username);
                                        let reset_action = format!("/auth/users/{}/reset", u.id);
                                        let reset_label = format!("Password reset link for {}", u.username);
                                        let methods = [
                                            u.has_password.then(|| "password".to_string()),
                                            u.second_factor.then(|| "authenticator app".to_string()),
                                            (u.passkeys > 0).then(|| format!("{} passkey{}", u.passkeys, if u.passkeys == 1 { "" } else { "s" })),
                                        ].into_iter().flatten().collect::<Vec<_>>().join(", ");
                                        view! {
                                            <tr>
                                                <th scope="row">{u.username.clone()}{u.is_you.then(|| view! { " " <span class="badge ok">"you"</span> })}</th>
                                                <td>
                                                    <form method="post" action=role_action class="row-form">
                                                        <select name="role" aria-label=role_label>
                                                            <option value="viewer" selected=shown_role == Role::Viewer>"Viewer"</option>
                                                            <option value="admin" selected=shown_role == Role::Admin>"Administrator"</option>
                                                        </select>
                                                        <input type="text" name="registries" value=shown_registries aria-label=registries_label
                                                            placeholder="every registry" size="14" maxlength="2000" />
                                                        <button type="submit">"Save"</button>
                                                    </form>
                                                    {scoped.then(|| view! { <small class="hint" data-testid="grants">{described}</small> })}
                                                </td>
                                                <td>{methods}</td>
                                                <td>{format::unix(u.created_at)}</td>
                                                <td class="actions">
                                                    <form method="post" action=reset_action>
                                                        <button type="submit" aria-label=reset_label>"Reset link"</button>
                                                    </form>
                                                    {(!u.is_you).then(|| view! {
                                                        <form method="post" action=remove_action.clone() on:submit=confirm_first("Remove this user? Their sessions, tokens and passkeys end too.")>
                                                            <button type="submit" class="danger" aria-label=remove_label.clone()>"Remove"</button>
                                                        </form>
                                                    })}
                                                </td>
                                            </tr>
                                        }.into_any()
                                    }).collect_view()}
                                </tbody>
                            </table>
                            </div>
                        </section>
                        <section id="sign-in-policy" aria-labelledby="policy-heading">
                            <h2 id="policy-heading">"Sign-in policy"</h2>
                            <form method="post" action="/auth/settings/second-factor" class="auth-form account-form">
                                <label class="check">
                                    <input type="checkbox" name="required" value="on" checked=a.second_factor_required />
                                    <span>"Require two-step verification for password sign-ins"</span>
                                </label>
                                <p class="hint">"Users without an authenticator app set one up at their next password sign-in. A passkey already counts as two steps; sessions already signed in stay."</p>
                                <button type="submit">"Save policy"</button>
                            </form>
                        </section>
                        {(!a.invitations.is_empty()).then(|| view! {
                            <section aria-labelledby="invitations-heading">
                                <h2 id="invitations-heading">"Pending invitations"</h2>
                                <div class="table-wrap" role="region" aria-label="Invitations table" tabindex="0">
                                <table>
                                    <thead><tr><th scope="col">"User"</th><th scope="col">"Role"</th><th scope="col">"Invited by"</th><th scope="col">"Expires"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                                    <tbody>
                                        {a.invitations.into_iter().map(|i| {
                                            let action = format!("/auth/invitations/{}/revoke", i.id);
                                            let label = format!("Revoke the invitation of {}", i.username);
                                            view! {
                                                <tr>
                                                    <th scope="row">{i.username.clone()}</th>
                                                    <td>{i.role.key()}</td>
                                                    <td>{i.created_by.clone()}</td>
                                                    <td>{format::unix(i.expires_at)}</td>
                                                    <td><form method="post" action=action><button type="submit" class="danger" aria-label=label>"Revoke"</button></form></td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                </div>
                            </section>
                        })}
                    }.into_any(),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Asks before a destructive form is sent (with JavaScript; without it the
/// form goes straight away).
pub(crate) fn confirm_first(message: &'static str) -> impl Fn(leptos::ev::SubmitEvent) + 'static {
    move |ev| {
        if !confirmed(message) {
            ev.prevent_default();
        }
    }
}

/// The same on a submit button's click, for forms that handle their own
/// submit event (`ActionForm`): a refused click submits nothing.
pub(crate) fn confirm_click(message: &'static str) -> impl Fn(leptos::ev::MouseEvent) + 'static {
    move |ev| {
        if !confirmed(message) {
            ev.prevent_default();
        }
    }
}

fn confirmed(message: &str) -> bool {
    web_sys::window().and_then(|w| w.confirm_with_message(message).ok()).unwrap_or(true)
}
