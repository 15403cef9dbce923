//! `/registries/{id}`: the repositories of one registry, searchable,
//! filterable by namespace, sortable, as a table or a grid. Every bit of
//! that state is in the URL query, so a link restores the same view.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Form};
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::{PAGE_SIZE, get_registry, list_repositories};
use crate::components::{ErrorBox, Pagination, Skeleton};
use crate::model::{Recency, RepoQuery, RepoSort, RepositorySummary};
use crate::{client_cache, format, paths};

/// Reads `?page=` (from 1); anything else means the first page.
pub(crate) fn page_from_query() -> impl Fn() -> u32 + Copy + Send + Sync + 'static {
    let query = use_query_map();
    move || crate::pages::key_of(query, "page").and_then(|p| p.parse::<u32>().ok()).filter(|p| *p >= 1).unwrap_or(1)
}

/// How the list is laid out (`?view=grid`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    Table,
    Grid,
}

/// The repository list of one registry.
#[component]
pub fn RegistryPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let registry = move || crate::pages::key_of(params, "registry").unwrap_or_default();
    let page = page_from_query();
    let repo_query = move || {
        let q = |key: &str| crate::pages::key_of(query, key);
        RepoQuery {
            q: q("q").unwrap_or_default(),
            namespace: q("namespace").unwrap_or_default(),
            updated: q("updated").and_then(|u| Recency::from_key(&u)),
            signed: q("signed").and_then(|s| RepoQuery::signed_from_key(&s)),
            sort: q("sort").and_then(|s| RepoSort::from_key(&s)).unwrap_or_default(),
        }
    };
    let layout = move || {
        if crate::pages::key_of(query, "view").as_deref() == Some("grid") { Layout::Grid } else { Layout::Table }
    };
    let summary = client_cache::resource("registry", registry, get_registry);
    let repos = client_cache::resource(
        "repositories",
        move || (registry(), repo_query(), page()),
        |(r, q, p)| list_repositories(r, q, p),
    );

    view! {
        <Title text=super::title_param("registry") />
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
                        <p class="page-links"><a href=paths::storage_page(&s.id)>"Storage used"</a></p>
                    }.into_any(),
                    Err(error) => view! { <h1>"Repositories"</h1> <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
        <section aria-labelledby="repos-heading">
            <h2 id="repos-heading">"Repositories"</h2>
            {move || view! { <SearchForm base=paths::registry_page(&registry()) query=repo_query() layout=layout() /> }}
            // A Transition: paging keeps the rows shown until the next ones arrive.
            <Transition fallback=|| view! { <Skeleton what="repositories" rows=12 /> }>
                {move || Suspend::new(async move {
                    let reg = registry();
                    let q = repo_query();
                    let layout = layout();
                    match repos.await {
                        Ok(p) if p.items.is_empty() && p.offset == 0 => {
                            let base = paths::registry_page(&reg);
                            if q.q.is_empty() && q.namespace.is_empty() && !q.filters_by_activity() {
                                view! { <p class="empty">"This registry has no repositories yet. Push an image to see it here."</p> }.into_any()
                            } else {
                                view! {
                                    <p class="empty">"No repository matches. "<a href=base>"Clear the search and filters"</a>" to see them all."</p>
                                    {p.partial.map(|why| view! { <p class="partial" role="status">{why}</p> })}
                                }.into_any()
                            }
                        }
                        Ok(p) => {
                            let total = p.total;
                            let has_next = p.next_cursor.is_some();
                            let first = p.offset + 1;
                            let last = p.offset + p.items.len() as u64;
                            let keep = keep_params(&q, layout);
                            let base = paths::registry_page(&reg);
                            view! {
                                <p class="count" role="status">
                                    {match total {
                                        Some(t) => format!("{first}–{last} of {t} repositories"),
                                        None => format!("{first}–{last}"),
                                    }}
                                </p>
                                {match layout {
                                    Layout::Table => view! { <RepoTable registry=reg.clone() items=p.items query=q.clone() /> }.into_any(),
                                    Layout::Grid => view! { <RepoGrid registry=reg.clone() items=p.items /> }.into_any(),
                                }}
                                {p.partial.map(|why| view! { <p class="partial" role="status">"Incomplete listing: "{why}</p> })}
                                <Pagination base page=page() per_page=PAGE_SIZE total has_next keep />
                            }.into_any()
                        }
                        Err(error) => view! { <ErrorBox error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// The query parameters a link keeps when it changes only one thing.
fn keep_params(q: &RepoQuery, layout: Layout) -> Vec<(&'static str, String)> {
    let sort = if q.sort == RepoSort::Name { String::new() } else { q.sort.key().to_string() };
    let view = if layout == Layout::Grid { "grid".to_string() } else { String::new() };
    let updated = q.updated.map(|u| u.key().to_string()).unwrap_or_default();
    vec![
        ("q", q.q.clone()),
        ("namespace", q.namespace.clone()),
        ("updated", updated),
        ("signed", q.signed_key().to_string()),
        ("sort", sort),
        ("view", view),
    ]
}

/// Search box, sort order and layout switch; a plain GET form, so it works
/// without JavaScript and its result is a shareable URL.
#[component]
fn SearchForm(base: String, query: RepoQuery, layout: Layout) -> impl IntoView {
    let link = |layout: Layout| paths::with_query(&base, &keep_params(&query, layout));
    let (table_href, grid_href) = (link(Layout::Table), link(Layout::Grid));
    let clear_namespace = {
        let mut q = query.clone();
        q.namespace.clear();
        paths::with_query(&base, &keep_params(&q, layout))
    };
    let namespace = query.namespace.clone();
    let hidden_namespace = (!namespace.is_empty()).then(|| namespace.clone());
    let chip_namespace = hidden_namespace.clone();
    view! {
        <Form method="GET" action=base.clone() attr:class="search-form" attr:role="search">
            <label class="field grow">
                <span>"Search"</span>
                <input type="search" name="q" value=query.q.clone() placeholder="Repository name (fuzzy)" autocomplete="off" data-shortcut="/" />
            </label>
            <label class="field">
                <span>"Sort"</span>
                <select name="sort">
                    {RepoSort::ALL.into_iter().map(|s| view! {
                        <option value=s.key() selected=s == query.sort>{s.label()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span>"Updated"</span>
                <select name="updated">
                    <option value="" selected=query.updated.is_none()>"Any time"</option>
                    {Recency::ALL.into_iter().map(|r| view! {
                        <option value=r.key() selected=query.updated == Some(r)>{r.label()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span>"Signed"</span>
                <select name="signed">
                    <option value="" selected=query.signed.is_none()>"Any"</option>
                    <option value="yes" selected=query.signed == Some(true)>"Signed"</option>
                    <option value="no" selected=query.signed == Some(false)>"Not signed"</option>
                </select>
            </label>
            {hidden_namespace.map(|ns| view! { <input type="hidden" name="namespace" value=ns /> })}
            {(layout == Layout::Grid).then(|| view! { <input type="hidden" name="view" value="grid" /> })}
            <button type="submit">"Apply"</button>
        </Form>
        <div class="list-tools">
            {chip_namespace.map(|ns| view! {
                <span class="chip">"Namespace " <code>{ns}</code> " " <A href=clear_namespace attr:aria-label="Clear the namespace filter">"×"</A></span>
            })}
            <span class="view-switch" role="group" aria-label="Layout">
                <a href=table_href aria-current=(layout == Layout::Table).then_some("true")>"Table"</a>
                <a href=grid_href aria-current=(layout == Layout::Grid).then_some("true")>"Grid"</a>
            </span>
        </div>
    }
}

/// `pulls · stars` facts of one repository, when known.
fn metrics(r: &RepositorySummary) -> String {
    let pulls = r.pull_count.map(|n| format!("{} pulls", format::count(n)));
    let stars = r.star_count.map(|n| format!("{} stars", format::count(n)));
    let stored = r.stored_bytes.map(format::bytes);
    let signed = (r.signed == Some(true)).then(|| "signed".to_string());
    [pulls, stars, stored, signed].into_iter().flatten().collect::<Vec<_>>().join(" · ")
}

#[component]
fn RepoTable(registry: String, items: Vec<RepositorySummary>, query: RepoQuery) -> impl IntoView {
    let base = paths::registry_page(&registry);
    // Columns only for what this registry's API tells.
    let has_description = items.iter().any(|r| r.description.is_some());
    let has_pulls = items.iter().any(|r| r.pull_count.is_some());
    let has_updated = items.iter().any(|r| r.updated.is_some());
    let has_size = items.iter().any(|r| r.stored_bytes.is_some());
    let has_signed = items.iter().any(|r| r.signed.is_some());
    view! {
        <div class="table-wrap" role="region" aria-label="Repositories table" tabindex="0">
        <table class="repos">
            <thead>
                <tr>
                    <th scope="col">"Repository"</th>
                    {has_description.then(|| view! { <th scope="col" class="description-col">"Description"</th> })}
                    {has_pulls.then(|| view! { <th scope="col" class="num">"Pulls"</th> })}
                    {has_updated.then(|| view! { <th scope="col">"Updated"</th> })}
                    {has_size.then(|| view! {
                        <th scope="col" class="num">"Tags"</th>
                        <th scope="col" class="num">"Stored"</th>
                    })}
                    {has_signed.then(|| view! { <th scope="col">"Signed"</th> })}
                </tr>
            </thead>
            <tbody>
                {items.into_iter().map(|r| {
                    let href = paths::repository_page(&registry, &r.name);
                    let namespace = r.name.split_once('/').map(|(ns, _)| ns.to_string());
                    let ns_link = namespace.filter(|ns| *ns != query.namespace).map(|ns| {
                        let mut q = query.clone();
                        q.namespace = ns.clone();
                        let href = paths::with_query(&base, &keep_params(&q, Layout::Table));
                        (href, format!("Show only the {ns} namespace"), ns)
                    });
                    let (enter, leave, focus) = {
                        let (registry, repository) = (registry.clone(), r.name.clone());
                        client_cache::on_intent(move || super::repository::prefetch(registry.clone(), repository.clone()))
                    };
                    view! {
                        <tr>
                            <th scope="row">
                                <a href=href class="repo-link" on:pointerenter=enter on:pointerleave=leave on:focus=focus>{r.name.clone()}</a>
                                {ns_link.map(|(h, label, ns)| view! {
                                    <a href=h class="ns-link" title=label.clone() aria-label=label>{ns}"/*"</a>
                                })}
                            </th>
                            {has_description.then(|| view! { <td class="repo-description description-col">{r.description.clone()}</td> })}
                            {has_pulls.then(|| view! { <td class="num">{r.pull_count.map(format::count)}</td> })}
                            {has_updated.then(|| view! {
                                <td>{r.updated.clone().map(|u| view! { <time datetime=u.clone()>{format::when(&u)}</time> })}</td>
                            })}
                            {has_size.then(|| view! {
                                <td class="num">{r.tag_count}</td>
                                <td class="num">{r.stored_bytes.map(format::bytes)}</td>
                            })}
                            {has_signed.then(|| view! {
                                <td>{(r.signed == Some(true)).then(|| view! { <span class="badge badge-signature" title="At least one of its images has a signature">"Signed"</span> })}</td>
                            })}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        </div>
    }
}

#[component]
fn RepoGrid(registry: String, items: Vec<RepositorySummary>) -> impl IntoView {
    view! {
        <ul class="repo-grid">
            {items.into_iter().map(|r| {
                let href = paths::repository_page(&registry, &r.name);
                let meta = metrics(&r);
                let (enter, leave, focus) = {
                    let (registry, repository) = (registry.clone(), r.name.clone());
                    client_cache::on_intent(move || super::repository::prefetch(registry.clone(), repository.clone()))
                };
                view! {
                    <li>
                        <a href=href class="repo-link" on:pointerenter=enter on:pointerleave=leave on:focus=focus>{r.name.clone()}</a>
                        {r.description.clone().map(|d| view! { <p class="repo-description">{d}</p> })}
                        {(!meta.is_empty()).then(|| view! { <p class="repo-meta">{meta}</p> })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
