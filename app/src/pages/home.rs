//! `/`: one card per configured registry with its health.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::get_overview;
use crate::components::ErrorBox;
use crate::format;
use crate::model::{HealthStatus, RegistryOverview};
use crate::paths;

/// The registry cards.
#[component]
pub fn HomePage() -> impl IntoView {
    let overview = Resource::new(|| (), |()| get_overview());
    view! {
        <Title text="Registries" />
        <h1>"Registries"</h1>
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Checking registries…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(list) if list.is_empty() => view! {
                        <div class="empty">
                            <p>"No registries are configured."</p>
                            <p>"Add one to " <code>"registries.yaml"</code> " and restart Reestr."</p>
                        </div>
                    }.into_any(),
                    Ok(list) => view! {
                        <ul class="cards">
                            {list.into_iter().map(|o| view! { <RegistryCard overview=o /> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// One registry: name, endpoint, auth mode, API document and health.
#[component]
fn RegistryCard(overview: RegistryOverview) -> impl IntoView {
    let RegistryOverview { registry, health } = overview;
    let href = paths::registry_page(&registry.id);
    let missing: Vec<String> =
        registry.operations.iter().filter(|op| op.required && !op.found).map(|op| op.operation.clone()).collect();
    let status = health.status;
    view! {
        <li class="card" data-registry=registry.id.clone()>
            <div class="card-head">
                <h2><A href=href>{registry.display_name.clone()}</A></h2>
                <span class=format!("badge {}", status.css())>{status.label()}</span>
            </div>
            {registry.description.clone().map(|d| view! { <p class="description">{d}</p> })}
            <dl class="facts">
                <dt>"Endpoint"</dt><dd><code>{registry.base_url.clone()}</code></dd>
                <dt>"Auth"</dt><dd>{registry.auth_mode.clone()}</dd>
                <dt>"API"</dt><dd>{registry.api_document.clone()}</dd>
                <dt>"Checked"</dt>
                <dd>
                    <time datetime=health.checked_at.clone()>{format::when(&health.checked_at)}</time>
                    {format!(" · {} ms", health.latency_ms)}
                </dd>
            </dl>
            {(status != HealthStatus::Healthy).then(|| view! {
                <p class="health-message" role="status">
                    {health.message.clone().unwrap_or_default()}
                    {(!missing.is_empty()).then(|| format!(" Missing: {}.", missing.join(", ")))}
                </p>
            })}
        </li>
    }
}
