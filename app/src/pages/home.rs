//! `/`: one card per configured registry with its health.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::{ResyncRegistry, get_overview};
use crate::components::ErrorBox;
use crate::format;
use crate::model::{HealthStatus, RegistryOverview};
use crate::paths;

/// The registry cards.
#[component]
pub fn HomePage() -> impl IntoView {
    let resync = ServerAction::<ResyncRegistry>::new();
    let query = use_query_map();
    // Quick filter: `?status=healthy` or `?status=attention`.
    let only = move || crate::pages::key_of(query, "status").unwrap_or_default();
    // A finished resync reloads the cards.
    let overview = crate::client_cache::resource("overview", move || resync.version().get(), |_| get_overview());
    // Only administrators may resync; others do not see the button.
    let viewer = Resource::new(|| (), |()| crate::api::whoami());
    let toast = move || {
        resync.value().get().map(|r| match r {
            Ok(r) if r.ok => ("toast ok", format!("{}: {}", r.registry.display_name, r.message)),
            Ok(r) => ("toast warn", format!("{}: {}", r.registry.display_name, r.message)),
            Err(e) => ("toast bad", e.to_string()),
        })
    };
    view! {
        <Title text="Registries" />
        <h1>"Registries"</h1>
        <div class="toast-region" role="status" aria-live="polite">
            {move || toast().map(|(class, text)| view! { <p class=class>{text}</p> })}
        </div>
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Checking registries…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(list) if list.is_empty() => view! {
                        <div class="empty">
                            <p>"No registries are configured."</p>
                            <p>"Add one to " <code>"registries.yaml"</code> " and restart Reestr."</p>
                        </div>
                    }.into_any(),
                    Ok(list) => {
                        let grants = viewer.await.ok().flatten().map(|v| v.grants).unwrap_or_default();
                        let attention = list.iter().filter(|o| o.health.status != HealthStatus::Healthy).count();
                        let filter = only();
                        let shown: Vec<RegistryOverview> = list
                            .into_iter()
                            .filter(|o| match filter.as_str() {
                                "healthy" => o.health.status == HealthStatus::Healthy,
                                "attention" => o.health.status != HealthStatus::Healthy,
                                _ => true,
                            })
                            .collect();
                        let link = |key: &str, label: String| {
                            let href = if key.is_empty() { "/".to_string() } else { format!("/?status={key}") };
                            let current = (filter == key).then_some("true");
                            view! { <a href=href aria-current=current>{label}</a> }
                        };
                        view! {
                            {(attention > 0).then(|| view! {
                                <p class="banner" role="alert">
                                    {if attention == 1 { "1 registry needs attention: ".to_string() } else { format!("{attention} registries need attention: ") }}
                                    "authentication failed, required API operations missing, or unreachable. The cards below say which, and what to do."
                                </p>
                            })}
                            <nav class="view-switch quick-filters" aria-label="Filter registries">
                                {link("", "All".to_string())}
                                {link("healthy", "Healthy".to_string())}
                                {link("attention", format!("Needs attention ({attention})"))}
                            </nav>
                            {if shown.is_empty() {
                                view! { <p class="empty">"No registry in this state. "<a href="/">"Show all"</a></p> }.into_any()
                            } else {
                                view! {
                                    <ul class="cards">
                                        {shown.into_iter().map(|o| {
                                            let can_resync = grants.role_in(&o.registry.id) == Some(crate::model::Role::Admin);
                                            view! { <RegistryCard overview=o resync can_resync /> }
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// One registry: name, endpoint, auth mode, API document and health.
#[component]
fn RegistryCard(overview: RegistryOverview, resync: ServerAction<ResyncRegistry>, can_resync: bool) -> impl IntoView {
    let RegistryOverview { registry, health, storage } = overview;
    let href = paths::registry_page(&registry.id);
    let missing: Vec<String> =
        registry.operations.iter().filter(|op| op.required && !op.found).map(|op| op.operation.clone()).collect();
    let status = health.status;
    let found = registry.operations.iter().filter(|op| op.found).count();
    let total = registry.operations.len();
    let operations = registry.operations.clone();
    let id = registry.id.clone();
    view! {
        <li class="card" data-registry=registry.id.clone()>
            <div class="card-head">
                <h2><a href=href>{registry.display_name.clone()}</a></h2>
                <span class=format!("badge {}", status.css())>{status.label()}</span>
            </div>
            {registry.description.clone().map(|d| view! { <p class="description">{d}</p> })}
            <dl class="facts">
                <dt>"Endpoint"</dt><dd><code>{registry.base_url.clone()}</code></dd>
                <dt>"Auth"</dt><dd>{registry.auth_mode.clone()}</dd>
                <dt>"API"</dt><dd>{registry.api_document.clone()}</dd>
                <dt>"Synced"</dt>
                <dd><time datetime=registry.synced_at.clone()>{format::when(&registry.synced_at)}</time></dd>
                <dt>"Checked"</dt>
                <dd>
                    <time datetime=health.checked_at.clone()>{format::when(&health.checked_at)}</time>
                    {format!(" · {} ms", health.latency_ms)}
                </dd>
                {storage.map(|s| view! {
                    <dt>"Stored"</dt>
                    <dd>
                        <a href=paths::storage_page(&registry.id)>{format::bytes(s.bytes)}</a>
                        {format!(" · {} repositories · {} tags · counted ", s.repositories, s.tags)}
                        <time datetime=s.computed_at.clone()>{format::when(&s.computed_at)}</time>
                    </dd>
                })}
            </dl>
            {(status != HealthStatus::Healthy).then(|| view! {
                <p class="health-message" role="status">
                    {health.message.clone().unwrap_or_default()}
                    {(!missing.is_empty()).then(|| format!(" Missing: {}.", missing.join(", ")))}
                </p>
            })}
            <details class="operations">
                <summary>{format!("API operations: {found} of {total} found")}</summary>
                <ul>
                    {operations.into_iter().map(|op| {
                        let (class, mark) = match (op.found, op.required) {
                            (true, _) if !op.drift.is_empty() => ("absent", "drifted"),
                            (true, _) => ("found", "found"),
                            (false, true) => ("missing", "missing (required)"),
                            (false, false) => ("absent", "absent (optional)"),
                        };
                        view! {
                            <li class=class>
                                {(op.api == "catalogue").then_some("catalogue API: ")}
                                <code>{op.operation}</code> " " <strong>{mark}</strong> " " <span>{op.detail}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </details>
            {can_resync.then(|| view! {
                <ActionForm action=resync attr:class="resync">
                    <input type="hidden" name="registry" value=id />
                    <button
                        type="submit"
                        disabled=move || resync.pending().get()
                        on:click=super::users::confirm_click("Resync this registry? Its API document is loaded again and every cached listing is dropped, on every replica.")
                    >"Resync schema"</button>
                </ActionForm>
            })}
        </li>
    }
}
