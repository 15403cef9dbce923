//! The repository page: pull commands and the tags table.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::registry::page_from_query;
use crate::api::{PAGE_SIZE, get_repository, list_tags};
use crate::components::{ErrorBox, Pagination};
use crate::format;
use crate::model::TagSummary;
use crate::paths;

/// One repository: its tags with digest, size, platforms and creation time.
#[component]
pub fn RepositoryView(registry: String, repository: String) -> impl IntoView {
    let page = page_from_query();
    let (reg, repo) = (registry.clone(), repository.clone());
    let tags = Resource::new(move || (reg.clone(), repo.clone(), page()), |(r, n, p)| list_tags(r, n, p));
    let summary = Resource::new(
        {
            let (reg, repo) = (registry.clone(), repository.clone());
            move || (reg.clone(), repo.clone())
        },
        |(r, n)| get_repository(r, n),
    );
    let base = paths::repository_page(&registry, &repository);
    let registry_href = paths::registry_page(&registry);
    let (row_registry, row_repository) = (registry.clone(), repository.clone());

    view! {
        <Title text=repository.clone() />
        <nav class="crumbs" aria-label="Breadcrumb">
            <A href="/">"Registries"</A>
            <A href=registry_href>{registry}</A>
            <span aria-current="page">{repository.clone()}</span>
        </nav>
        <h1 class="repo-name">{repository}</h1>
        <Suspense fallback=|| ()>
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
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
        <section aria-labelledby="tags-heading">
            <h2 id="tags-heading">"Tags"</h2>
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading tags…"</p> }>
                {
                    let (registry, repository) = (row_registry, row_repository);
                    move || {
                        let (registry, repository, base) = (registry.clone(), repository.clone(), base.clone());
                        Suspend::new(async move {
                            match tags.await {
                                Ok(p) if p.items.is_empty() && p.offset == 0 => view! {
                                    <p class="empty">"No tags. Push a tag to this repository to see it here."</p>
                                }.into_any(),
                                Ok(p) => {
                                    let has_next = p.next_cursor.is_some();
                                    let times = p.items.iter().any(|t| t.pushed.is_some() || t.pulled.is_some());
                                    view! {
                                        <p class="count">{p.total.map(|t| if t == 1 { "1 tag".to_string() } else { format!("{t} tags") })}</p>
                                        <table class="tags">
                                            <thead>
                                                <tr>
                                                    <th scope="col">"Tag"</th>
                                                    <th scope="col">"Digest"</th>
                                                    <th scope="col" class="num">"Size"</th>
                                                    <th scope="col">"Platforms"</th>
                                                    <th scope="col">"Created"</th>
                                                    {times.then(|| view! {
                                                        <th scope="col">"Pushed"</th>
                                                        <th scope="col">"Pulled"</th>
                                                    })}
                                                </tr>
                                            </thead>
                                            <tbody>
                                                {p.items.into_iter().map(|t| view! {
                                                    <TagRow registry=registry.clone() repository=repository.clone() tag=t times />
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                        <Pagination base page=page() per_page=PAGE_SIZE total=p.total has_next />
                                    }.into_any()
                                }
                                Err(error) => view! { <ErrorBox error /> }.into_any(),
                            }
                        })
                    }
                }
            </Suspense>
        </section>
    }
}

/// One row of the tags table; a tag whose manifest failed still shows, with its error.
#[component]
fn TagRow(registry: String, repository: String, tag: TagSummary, times: bool) -> impl IntoView {
    let time = |t: Option<String>| t.map(|t| view! { <time datetime=t.clone()>{format::when(&t)}</time> });
    let (pushed, pulled) = (time(tag.pushed.clone()), time(tag.pulled.clone()));
    let href = paths::tag_page(&registry, &repository, &tag.name);
    let size = match tag.size {
        Some(s) => Some(format::bytes(s)),
        None => format::size_range(tag.platforms.iter().filter_map(|p| p.size)),
    };
    let platforms = tag.platforms.iter().map(|p| p.label()).collect::<Vec<_>>().join(", ");
    let name = tag.name.clone();
    view! {
        <tr data-tag=tag.name.clone()>
            <th scope="row"><A href=href>{name}</A></th>
            <td>
                {tag.digest.clone().map(|d| view! { <code title=d.clone()>{format::short_digest(&d)}</code> })}
            </td>
            <td class="num">{size}</td>
            <td>{platforms}</td>
            <td>
                {tag.created.clone().map(|c| view! { <time datetime=c.clone()>{format::when(&c)}</time> })}
                {tag.error.clone().map(|e| view! { <span class="row-error" role="status">{e.to_string()}</span> })}
            </td>
            {times.then(|| view! { <td>{pushed}</td> <td>{pulled}</td> })}
        </tr>
    }
}
