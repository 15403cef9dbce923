//! `/registries/{id}`: the repositories of one registry, page by page.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::{PAGE_SIZE, get_registry, list_repositories};
use crate::components::{ErrorBox, Pagination};
use crate::{format, paths};

/// Reads `?page=` (from 1); anything else means the first page.
pub(crate) fn page_from_query() -> impl Fn() -> u32 + Copy + Send + Sync + 'static {
    let query = use_query_map();
    move || query.read().get("page").and_then(|p| p.parse::<u32>().ok()).filter(|p| *p >= 1).unwrap_or(1)
}

/// The repository list of one registry.
#[component]
pub fn RegistryPage() -> impl IntoView {
    let params = use_params_map();
    let registry = move || params.read().get("registry").unwrap_or_default();
    let page = page_from_query();
    let summary = Resource::new(registry, get_registry);
    let repos = Resource::new(move || (registry(), page()), |(r, p)| list_repositories(r, p));

    view! {
        <Title text=move || registry() />
        <nav class="crumbs" aria-label="Breadcrumb">
            <A href="/">"Registries"</A>
            <span aria-current="page">{registry}</span>
        </nav>
        <Suspense fallback=|| view! { <h1>"Repositories"</h1> }>
            {move || Suspend::new(async move {
                match summary.await {
                    Ok(s) => view! {
                        <h1>{s.display_name}</h1>
                        {s.description.map(|d| view! { <p class="description">{d}</p> })}
                    }.into_any(),
                    Err(error) => view! { <h1>"Repositories"</h1> <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
        <section aria-labelledby="repos-heading">
            <h2 id="repos-heading">"Repositories"</h2>
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading repositories…"</p> }>
                {move || Suspend::new(async move {
                    let reg = registry();
                    match repos.await {
                        Ok(p) if p.items.is_empty() && p.offset == 0 => view! {
                            <p class="empty">"This registry has no repositories yet. Push an image to see it here."</p>
                        }.into_any(),
                        Ok(p) => {
                            let total = p.total;
                            let has_next = p.next_cursor.is_some();
                            let first = p.offset + 1;
                            let last = p.offset + p.items.len() as u64;
                            view! {
                                <p class="count">
                                    {match total {
                                        Some(t) => format!("{first}–{last} of {t} repositories"),
                                        None => format!("{first}–{last}"),
                                    }}
                                </p>
                                <ul class="repo-list">
                                    {p.items.into_iter().map(|r| {
                                        let href = paths::repository_page(&reg, &r.name);
                                        let pulls = r.pull_count.map(|n| format!("{} pulls", format::count(n)));
                                        let stars = r.star_count.map(|n| format!("{} stars", format::count(n)));
                                        let meta = [pulls, stars].into_iter().flatten().collect::<Vec<_>>().join(" · ");
                                        view! {
                                            <li>
                                                <A href=href>{r.name}</A>
                                                {(!meta.is_empty()).then(|| view! { <span class="repo-meta">{meta}</span> })}
                                                {r.description.map(|d| view! { <p class="repo-description">{d}</p> })}
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                                {p.partial.map(|why| view! { <p class="partial" role="status">"Incomplete listing: "{why}</p> })}
                                <Pagination base=paths::registry_page(&reg) page=page() per_page=PAGE_SIZE total has_next />
                            }.into_any()
                        }
                        Err(error) => view! { <ErrorBox error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
