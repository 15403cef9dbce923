//! `/registries/{id}/storage`: what a registry stores, counted once per
//! blob. The report comes from a background job; while it runs the page
//! shows its progress (announced politely) and checks again every two
//! seconds. The chart of the largest repositories is an SVG drawn on the
//! server, with the same figures in a table beside it.

use std::time::Duration;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::get_storage;
use crate::components::ErrorBox;
use crate::model::{RepoStorage, StorageProgress, StorageReport, StorageStatus};
use crate::{format, paths};

/// Bars in the chart.
const CHART_BARS: usize = 10;
/// Rows in the table of repositories.
const TABLE_ROWS: usize = 50;

#[component]
pub fn StoragePage() -> impl IntoView {
    let params = use_params_map();
    let registry = move || crate::pages::key_of(params, "registry").unwrap_or_default();
    let status = Resource::new(registry, get_storage);
    // While the job runs, ask again every two seconds.
    Effect::new(move |_| {
        if let Some(Ok(StorageStatus {
            progress: StorageProgress::Running { .. } | StorageProgress::Elsewhere, ..
        })) = status.get()
        {
            set_timeout(move || status.refetch(), Duration::from_secs(2));
        }
    });
    view! {
        <Title text={
            let registry = super::title_param("registry");
            move || format!("Storage · {}", registry())
        } />
        <nav class="crumbs" aria-label="Breadcrumb">
            <A href="/">"Registries"</A>
            <A href=move || paths::registry_page(&registry()) exact=true>{registry}</A>
            <span aria-current="page">"Storage"</span>
        </nav>
        <h1>"Storage"</h1>
        <Transition fallback=|| view! { <p class="loading" aria-busy="true">"Loading the storage report…"</p> }>
            {move || Suspend::new(async move {
                match status.await {
                    Ok(s) => view! {
                        <Progress progress=s.progress.clone() has_report=s.report.is_some() />
                        {s.report.map(|r| view! { <Report report=r /> })}
                    }.into_any(),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Progress(progress: StorageProgress, has_report: bool) -> impl IntoView {
    let percent = progress.percent();
    let text = match &progress {
        StorageProgress::Running { done, total } => format!(
            "Counting: {done} of {total} repositories ({}%).{}",
            percent.unwrap_or(0),
            if has_report { " The figures below are from the previous count." } else { "" }
        ),
        StorageProgress::Elsewhere => "Another Reestr replica is counting; its result will show here.".into(),
        StorageProgress::Failed { message } => format!("The last count failed: {message}"),
        StorageProgress::Idle => "Not counted yet.".into(),
        StorageProgress::Done => String::new(),
    };
    let bar = match progress {
        StorageProgress::Running { done, total } => Some(view! {
            <progress max=total.max(1) value=done aria-label="Repositories counted"></progress>
        }),
        _ => None,
    };
    view! {
        <div class="storage-progress" role="status" aria-live="polite">
            {bar}
            {(!text.is_empty()).then(|| view! { <p>{text}</p> })}
        </div>
    }
}

#[component]
fn Report(report: StorageReport) -> impl IntoView {
    let registry = report.registry.clone();
    let summary = format!(
        "{} in {} distinct blobs, reached by {} tags in {} repositories.",
        format::bytes(report.total_bytes),
        report.blobs,
        report.tags,
        report.repositories.len()
    );
    let top: Vec<RepoStorage> = report.repositories.iter().take(CHART_BARS).cloned().collect();
    let rows: Vec<RepoStorage> = report.repositories.iter().take(TABLE_ROWS).cloned().collect();
    let more = report.repositories.len().saturating_sub(TABLE_ROWS);
    view! {
        <p class="storage-total">
            <strong>{format::bytes(report.total_bytes)}</strong>
            " stored · counted "<time datetime=report.computed_at.clone()>{format::when(&report.computed_at)}</time>
        </p>
        <p class="description">{summary}" Shared blobs count once for the registry; each repository's "
            <em>"unique"</em>" bytes are what deleting it alone would free."</p>
        <div class="storage-grid">
            <figure class="chart">
                <Chart repos=top />
                <figcaption>"The largest repositories: unique bytes solid, shared bytes pale."</figcaption>
            </figure>
            <div class="table-wrap" role="region" aria-label="Repositories by size" tabindex="0">
                <table>
                    <caption class="visually-hidden">"Repositories by stored bytes"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Repository"</th>
                            <th scope="col" class="num">"Size"</th>
                            <th scope="col" class="num">"Unique"</th>
                            <th scope="col" class="num">"Shared"</th>
                            <th scope="col" class="num">"Tags"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {rows.into_iter().map(|r| view! {
                            <tr>
                                <th scope="row"><a href=paths::repository_page(&registry, &r.name)>{r.name.clone()}</a></th>
                                <td class="num">{format::bytes(r.bytes)}</td>
                                <td class="num">{format::bytes(r.unique_bytes)}</td>
                                <td class="num">{format::bytes(r.shared_bytes)}</td>
                                <td class="num">{r.tags}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </div>
        {(more > 0).then(|| view! { <p class="count">{format!("… and {more} smaller repositories.")}</p> })}
        <h2>"Largest images"</h2>
        <ol class="largest">
            {report.largest_images.into_iter().map(|i| {
                let href = paths::tag_page(&report.registry, &i.repository, &i.tag);
                view! { <li><a href=href>{format!("{}:{}", i.repository, i.tag)}</a>" "<span class="muted">{format::bytes(i.bytes)}</span></li> }
            }).collect_view()}
        </ol>
        {(!report.problems.is_empty()).then(|| view! {
            <details class="problems">
                <summary>{format!("{} could not be read (counted as empty)", report.problems.len())}</summary>
                <ul>{report.problems.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
            </details>
        })}
    }
}

/// Horizontal bars, one per repository, scaled to the largest: a picture of
/// the table beside it, which holds the links and exact figures.
#[component]
fn Chart(repos: Vec<RepoStorage>) -> impl IntoView {
    const WIDTH: f64 = 560.0;
    const LABEL: f64 = 200.0;
    const BAR: f64 = 22.0;
    const GAP: f64 = 8.0;
    let max = repos.iter().map(|r| r.bytes).max().unwrap_or(1).max(1) as f64;
    let height = (repos.len() as f64 * (BAR + GAP)).max(BAR);
    let scale = (WIDTH - LABEL - 70.0) / max;
    view! {
        <svg class="bars" viewBox=format!("0 0 {WIDTH} {height}") role="img" aria-label="Largest repositories by stored bytes">
            {repos.into_iter().enumerate().map(|(i, r)| {
                let y = i as f64 * (BAR + GAP);
                let unique = r.unique_bytes as f64 * scale;
                let shared = r.shared_bytes as f64 * scale;
                let name = if r.name.chars().count() > 26 {
                    format!("…{}", r.name.chars().rev().take(25).collect::<Vec<_>>().into_iter().rev().collect::<String>())
                } else {
                    r.name.clone()
                };
                let n = |v: f64| format!("{v:.1}");
                view! {
                    <g>
                        <text x=n(LABEL - 8.0) y=n(y + BAR * 0.7) text-anchor="end" class="bar-label">{name}</text>
                        <rect x=n(LABEL) y=n(y) width=n(unique.max(1.0)) height=n(BAR) class="bar-unique"></rect>
                        <rect x=n(LABEL + unique) y=n(y) width=n(shared) height=n(BAR) class="bar-shared"></rect>
                        <text x=n(LABEL + unique + shared + 6.0) y=n(y + BAR * 0.7) class="bar-value">{format::bytes(r.bytes)}</text>
                    </g>
                }
            }).collect_view()}
        </svg>
    }
}
