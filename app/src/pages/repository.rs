//! The repository page: summary, pull commands and the tags table. The
//! table is keyboard-driven: arrow keys or j/k move between rows (one tab
//! stop, roving tabindex), Home/End and PageUp/PageDown jump, Enter opens
//! the tag, `c` copies its pull command, `/` focuses the filter. Filter,
//! sort and the artifact-tag toggle are a GET form: shareable URLs, and
//! they work without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

mod tags_table;
mod virtual_tags;

use super::registry::page_from_query;
use crate::api::{PAGE_SIZE, get_readme, get_registry, get_repository, list_tags};
use crate::components::{ErrorBox, LabelTable, Pagination, PullCommands, Skeleton, pull_command};
use crate::model::{RegistrySummary, TagQuery, TagSort, TagSummary};
use crate::paths;
use crate::{client_cache, format};
use tags_table::{Columns, HiddenNote, TagFilter, TagHead, TagRow, keep_params, on_table_key};
use virtual_tags::{VirtualTags, start_index};

/// Loads what a repository page opened from a link asks for first (its
/// summary and first page of tags), with the same keys as its resources.
pub(crate) fn prefetch(registry: String, repository: String) {
    let page = (registry.clone(), repository.clone(), TagQuery::default(), 1_u32);
    client_cache::prefetch("tags", page, |(r, n, q, p)| list_tags(r, n, q, p));
    client_cache::prefetch("repository", (registry, repository), |(r, n)| get_repository(r, n));
}

/// One repository: summary, pull commands and its tags.
#[component]
pub fn RepositoryView(registry: String, repository: String) -> impl IntoView {
    let page = page_from_query();
    let query = use_query_map();
    let tag_query = move || {
        let q = |key: &str| crate::pages::key_of(query, key);
        TagQuery {
            q: q("q").unwrap_or_default(),
            artifacts: q("artifacts").is_some_and(|v| v == "1" || v == "true"),
            sort: q("sort").and_then(|s| TagSort::from_key(&s)).unwrap_or_default(),
        }
    };
    let (reg, repo) = (registry.clone(), repository.clone());
    let tags = client_cache::resource(
        "tags",
        move || (reg.clone(), repo.clone(), tag_query(), page()),
        |(r, n, q, p)| list_tags(r, n, q, p),
    );
    let summary = client_cache::resource(
        "repository",
        {
            let (reg, repo) = (registry.clone(), repository.clone());
            move || (reg.clone(), repo.clone())
        },
        |(r, n)| get_repository(r, n),
    );
    let registry_summary = client_cache::resource(
        "registry",
        {
            let reg = registry.clone();
            move || reg.clone()
        },
        get_registry,
    );
    // The README loads after the page (it can be long and needs one more
    // upstream call); `?readme=1` renders it on the server for browsers
    // without JavaScript.
    let want_readme = RwSignal::new(query.read_untracked().get("readme").is_some_and(|v| v == "1"));
    // Once hydrated, long tag lists switch to the virtual table.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| {
        want_readme.set(true);
        hydrated.set(true);
    });
    let readme = client_cache::resource(
        "readme",
        {
            let (reg, repo) = (registry.clone(), repository.clone());
            move || (reg.clone(), repo.clone(), want_readme.get())
        },
        |(r, n, want)| async move { if want { get_readme(r, n).await } else { Ok(None) } },
    );
    let base = paths::repository_page(&registry, &repository);
    let registry_href = paths::registry_page(&registry);
    let (row_registry, row_repository) = (registry.clone(), repository.clone());

    // From anywhere on the page but a form field: `/` focuses the tag
    // filter, `j` enters the tags table at its first row.
    let slash = window_event_listener(leptos::ev::keydown, |ev| {
        let key = ev.key();
        if !(key == "/" || key == "j") || ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        let typing = ev
            .target()
            .and_then(|t| leptos::wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
            .is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
        if typing {
            return;
        }
        let in_table = ev
            .target()
            .and_then(|t| leptos::wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
            .and_then(|e| e.closest("table.tags").ok().flatten())
            .is_some();
        let target = match key.as_str() {
            "/" => document().get_element_by_id("tag-filter"),
            _ if in_table => None,
            _ => document().query_selector("table.tags tbody tr[tabindex=\"0\"]").ok().flatten(),
        };
        if let Some(el) = target.and_then(|e| leptos::wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok()) {
            ev.prevent_default();
            let _ = el.focus();
        }
    });
    on_cleanup(move || slash.remove());

    view! {
        <Title text=repository.clone() />
        <nav class="crumbs" aria-label="Breadcrumb">
            <A href="/">"Registries"</A>
            <A href=registry_href exact=true>{registry}</A>
            <span aria-current="page">{repository.clone()}</span>
        </nav>
        <h1 class="repo-name">{repository}</h1>
        <Suspense fallback=|| view! { <p class="repo-facts placeholder" aria-hidden="true">"\u{a0}"</p> }>
            {move || Suspend::new(async move {
                match summary.await {
                    Ok(r) => {
                        let facts = [
                            r.pull_count.map(|n| format!("{} pulls", format::count(n))),
                            r.star_count.map(|n| format!("{} stars", format::count(n))),
                            r.artifact_count.map(|n| format!("{n} artifacts")),
                            r.updated.as_deref().map(|u| format!("updated {}", format::when(u))),
                        ];
                        let facts = facts.into_iter().flatten().collect::<Vec<_>>().join(" · ");
                        view! {
                            {r.description.map(|d| view! { <p class="description">{d}</p> })}
                            {(!facts.is_empty()).then(|| view! { <p class="repo-facts">{facts}</p> })}
                            {r.labels_tag.clone().filter(|_| !r.labels.is_empty()).map(|tag| view! {
                                <details class="repo-labels">
                                    <summary>{format!("Labels of {tag} ({})", r.labels.len())}</summary>
                                    <LabelTable labels=r.labels.clone() label=format!("Labels of {tag}") />
                                </details>
                            })}
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
        {move || {
            if want_readme.get() {
                view! {
                    <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading the README…"</p> }>
                        {move || Suspend::new(async move {
                            match readme.await {
                                Ok(Some(html)) => view! {
                                    <section class="readme-box" aria-labelledby="readme-heading">
                                        <h2 id="readme-heading" class="readme-heading">"README"</h2>
                                        <div class="readme" inner_html=html></div>
                                    </section>
                                }.into_any(),
                                Ok(None) => ().into_any(),
                                Err(error) => view! { <ErrorBox error /> }.into_any(),
                            }
                        })}
                    </Suspense>
                }.into_any()
            } else {
                view! { <noscript><p><a href="?readme=1">"Show the README"</a></p></noscript> }.into_any()
            }
        }}
        <section aria-labelledby="tags-heading">
            <h2 id="tags-heading">"Tags"</h2>
            {
                let base = base.clone();
                move || view! { <TagFilter base=base.clone() query=tag_query() /> }
            }
            // A Transition: paging keeps the rows shown until the next ones arrive.
            <Transition fallback=|| view! { <Skeleton what="tags" rows=12 /> }>
                {
                    let (registry, repository) = (row_registry, row_repository);
                    move || {
                        let (registry, repository, base) = (registry.clone(), repository.clone(), base.clone());
                        let hydrated = hydrated.get();
                        Suspend::new(async move {
                            let q = tag_query();
                            let reg_summary = registry_summary.await.ok();
                            match tags.await {
                                Ok(p) if p.items.is_empty() && p.offset == 0 => {
                                    let hint = if q.q.is_empty() {
                                        "No tags. Push a tag to this repository to see it here."
                                    } else {
                                        "No tag matches the filter."
                                    };
                                    view! {
                                        <p class="empty">{hint}</p>
                                        <HiddenNote base=base.clone() query=q.clone() hidden=p.hidden />
                                    }.into_any()
                                }
                                Ok(p) => {
                                    let has_next = p.next_cursor.is_some();
                                    let columns = Columns::of(&p.items);
                                    let sample = p.items.iter().find(|t| t.name == "latest").or(p.items.first()).cloned();
                                    let keep = keep_params(&q);
                                    let host = reg_summary.as_ref().map(|s| s.pull_host.clone()).unwrap_or_default();
                                    let plain_http = reg_summary.as_ref().is_some_and(|s| s.plain_http);
                                    view! {
                                        {sample.zip(reg_summary.clone()).map(|(t, s): (TagSummary, RegistrySummary)| view! {
                                            <h3 class="pull-heading">"Pull " <code>{t.name.clone()}</code></h3>
                                            <PullCommands host=s.pull_host repository=repository.clone() tag=t.name digest=t.digest plain_http=s.plain_http />
                                        })}
                                        <p class="count" role="status">
                                            {p.total.map(|t| if t == 1 { "1 tag".to_string() } else { format!("{t} tags") })}
                                        </p>
                                        <HiddenNote base=base.clone() query=q.clone() hidden=p.hidden />
                                        <p class="keys">"Keys: j enters the table; ↑/↓ or j/k move, Enter opens, c copies the pull command, / filters."</p>
                                        <p id="tag-status" class="visually-hidden" role="status" aria-live="polite"></p>
                                        {if hydrated && p.total.is_some_and(|t| t > u64::from(PAGE_SIZE)) {
                                            view! {
                                                <VirtualTags registry=registry.clone() repository=repository.clone() query=q.clone() columns host plain_http start=start_index(page(), query.try_with_untracked(|q| q.get("at")).flatten()) />
                                            }.into_any()
                                        } else {
                                            view! {
                                                <div class="table-wrap" role="region" aria-label="Tags table" tabindex="0">
                                                <table class="tags" on:keydown=move |ev| on_table_key(&ev)>
                                                    <TagHead columns />
                                                    <tbody>
                                                        {p.items.into_iter().enumerate().map(|(i, t)| {
                                                            let pull = pull_command("docker", &host, &repository, &t.name, plain_http);
                                                            view! {
                                                                <TagRow registry=registry.clone() repository=repository.clone() tag=t columns first=i == 0 pull />
                                                            }
                                                        }).collect_view()}
                                                    </tbody>
                                                </table>
                                                </div>
                                                <Pagination base page=page() per_page=PAGE_SIZE total=p.total has_next keep />
                                            }.into_any()
                                        }}
                                    }.into_any()
                                }
                                Err(error) => view! { <ErrorBox error /> }.into_any(),
                            }
                        })
                    }
                }
            </Transition>
        </section>
    }
}
