//! The tag page: manifest, platforms, layers and configuration labels.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use leptos_router::hooks::use_query_map;

use crate::api::{get_registry, get_sbom, get_tag, list_referrers};
use crate::components::{ErrorBox, LabelTable, PullCommands};
use crate::error::AppError;
use crate::model::{ImageDetail, Referrer, ReferrerKind, RegistrySummary, Sbom, TagDetail};
use crate::paths;
use crate::{client_cache, format};

/// Loads what a tag page opened from a link asks for first (its manifest
/// and referrers), with the same keys as its resources.
pub(crate) fn prefetch(registry: String, repository: String, reference: String) {
    let key = (registry, repository, reference);
    client_cache::prefetch("referrers", key.clone(), |(r, n, t)| list_referrers(r, n, t));
    client_cache::prefetch("tag", key, |(r, n, t)| get_tag(r, n, t));
}

/// One tag (or digest) of a repository.
#[component]
pub fn TagView(registry: String, repository: String, reference: String) -> impl IntoView {
    let key = (registry.clone(), repository.clone(), reference.clone());
    let body_repository = repository.clone();
    // Created with the page, not inside a suspended section, so SSR knows every resource it awaits.
    let summary = client_cache::resource(
        "registry",
        {
            let registry = registry.clone();
            move || registry.clone()
        },
        get_registry,
    );
    let referrers_key = key.clone();
    let detail = client_cache::resource("tag", move || key.clone(), |(r, n, t)| get_tag(r, n, t));
    // Referrers by the page's reference (the server resolves it to a digest),
    // and the SBOM the URL asks for: both known when the page starts.
    let referrers =
        client_cache::resource("referrers", move || referrers_key.clone(), |(r, n, t)| list_referrers(r, n, t));
    let query = use_query_map();
    let sbom_key = {
        let (registry, repository) = (registry.clone(), repository.clone());
        move || (registry.clone(), repository.clone(), crate::pages::key_of(query, "sbom"))
    };
    let sbom = client_cache::resource("sbom", sbom_key, |(r, n, d)| async move {
        match d {
            Some(d) => get_sbom(r, n, d).await.map(Some),
            None => Ok(None),
        }
    });
    let registry_href = paths::registry_page(&registry);
    let repository_href = paths::repository_page(&registry, &repository);
    let full = format!("{repository}:{reference}");
    view! {
        <Title text=full.clone() />
        <nav class="crumbs" aria-label="Breadcrumb">
            <A href="/" exact=true>"Registries"</A>
            <A href=registry_href exact=true>{registry}</A>
            <A href=repository_href exact=true>{repository}</A>
            <span aria-current="page">{reference}</span>
        </nav>
        <h1 class="repo-name">{full}</h1>
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading manifest…"</p> }>
            {move || {
                let repository = body_repository.clone();
                Suspend::new(async move {
                    match detail.await {
                        Ok(d) => view! { <TagBody repository detail=d summary referrers sbom /> }.into_any(),
                        Err(error) => view! { <ErrorBox error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn TagBody(
    repository: String,
    detail: TagDetail,
    summary: Resource<Result<RegistrySummary, AppError>>,
    referrers: Resource<Result<Vec<Referrer>, AppError>>,
    sbom: Resource<Result<Option<Sbom>, AppError>>,
) -> impl IntoView {
    let TagDetail { digest, media_type, is_index, images, attestations, reference, vulnerabilities, .. } = detail;
    let (pull_repository, pull_digest) = (repository.clone(), digest.clone());
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let (repository, reference, digest) = (pull_repository.clone(), reference.clone(), pull_digest.clone());
                Suspend::new(async move {
                    summary.await.ok().map(|s| {
                        // A digest reference pulls by digest only.
                        let tag = if reference.starts_with("sha256:") { digest.clone() } else { reference };
                        view! {
                            <PullCommands host=s.pull_host repository tag digest=Some(digest) plain_http=s.plain_http />
                        }
                    })
                })
            }}
        </Suspense>
        <section aria-labelledby="manifest-heading">
            <h2 id="manifest-heading">"Manifest"</h2>
            <dl class="facts">
                <dt>"Digest"</dt><dd><code class="digest">{digest}</code></dd>
                <dt>"Media type"</dt><dd><code>{media_type}</code></dd>
                <dt>"Kind"</dt>
                <dd>{if is_index { format!("Index of {} images", images.len()) } else { "Single image".to_string() }}</dd>
                {vulnerabilities.map(|v| {
                    let scanned = v.scanned.clone();
                    let by = v.scanner.clone().map(|s| format!("by {s}"));
                    view! {
                        <dt>"Vulnerabilities"</dt>
                        <dd class="vulnerabilities">
                            <crate::components::Findings v />
                            " " <span class="muted">{by}{scanned.map(|t| view! { ", " <time datetime=t.clone()>{format::when(&t)}</time> })}</span>
                        </dd>
                    }
                })}
            </dl>
        </section>
        {is_index.then(|| view! { <PlatformMatrix images=images.clone() /> })}
        {images.into_iter().map(|image| view! { <ImageSection image /> }).collect_view()}
        {(!attestations.is_empty()).then(|| view! {
            <section aria-labelledby="attestations-heading">
                <h2 id="attestations-heading">"Attestations"</h2>
                <ul>
                    {attestations.into_iter().map(|a| view! {
                        <li><code>{a.digest}</code> " " {format::bytes(a.size)}</li>
                    }).collect_view()}
                </ul>
            </section>
        })}
        <Referrers referrers sbom />
    }
}

/// SBOMs, signatures and attestations that refer to the manifest; loaded
/// on its own, so a registry that fails here still shows the image.
#[component]
fn Referrers(
    referrers: Resource<Result<Vec<Referrer>, AppError>>,
    sbom: Resource<Result<Option<Sbom>, AppError>>,
) -> impl IntoView {
    let query = use_query_map();
    let open = move || crate::pages::key_of(query, "sbom");
    view! {
        <section aria-labelledby="referrers-heading">
            <h2 id="referrers-heading">"Referrers"</h2>
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Looking for SBOMs and signatures…"</p> }>
                {move || Suspend::new(async move {
                    match referrers.await {
                        Ok(list) if list.is_empty() => view! {
                            <p class="empty">"No SBOMs, signatures or attestations refer to this manifest. Attach one with `cosign attach sbom` or `oras attach`."</p>
                        }.into_any(),
                        Ok(list) => view! { <ReferrerTable list open=open() sbom /> }.into_any(),
                        Err(error) => view! { <ErrorBox error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn ReferrerTable(
    list: Vec<Referrer>,
    open: Option<String>,
    sbom: Resource<Result<Option<Sbom>, AppError>>,
) -> impl IntoView {
    let viewer = open.filter(|d| list.iter().any(|r| r.kind == ReferrerKind::Sbom && &r.digest == d));
    view! {
        <div class="table-wrap" role="region" aria-label="Referrers table" tabindex="0">
        <table class="referrers">
            <thead>
                <tr>
                    <th scope="col">"Kind"</th>
                    <th scope="col">"Type"</th>
                    <th scope="col">"Digest"</th>
                    <th scope="col" class="num">"Size"</th>
                    <th scope="col">"Found by"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>
                {list.into_iter().map(|r| {
                    let open_href = format!("?sbom={}#sbom", r.digest);
                    view! {
                        <tr data-kind=r.kind.label()>
                            <td><span class=format!("badge badge-{}", r.kind.label().to_lowercase())>{r.kind.label()}</span></td>
                            <td><code>{r.artifact_type.clone().unwrap_or_else(|| r.media_type.clone())}</code></td>
                            <td><code title=r.digest.clone()>{format::short_digest(&r.digest)}</code></td>
                            <td class="num">{format::bytes(r.size)}</td>
                            <td>{r.source.label()}{r.tag.map(|t| view! { " " <code>{t}</code> })}</td>
                            <td>{(r.kind == ReferrerKind::Sbom).then(|| view! { <a href=open_href>"Open SBOM"</a> })}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        </div>
        {viewer.map(|digest| view! { <SbomViewer digest sbom /> })}
    }
}

/// One SBOM: format, package count, and a filterable package list.
#[component]
fn SbomViewer(digest: String, sbom: Resource<Result<Option<Sbom>, AppError>>) -> impl IntoView {
    view! {
        <section id="sbom" class="sbom" aria-labelledby="sbom-heading">
            <h3 id="sbom-heading">"SBOM " <code>{format::short_digest(&digest)}</code></h3>
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Reading the SBOM…"</p> }>
                {move || Suspend::new(async move {
                    match sbom.await {
                        Ok(Some(s)) => view! { <SbomPackages sbom=s /> }.into_any(),
                        Ok(None) => ().into_any(),
                        Err(error) => view! { <ErrorBox error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn SbomPackages(sbom: Sbom) -> impl IntoView {
    let filter = RwSignal::new(String::new());
    let Sbom { format: kind, name, packages, package_count } = sbom;
    let shown = packages.len();
    let packages = StoredValue::new(packages);
    let summary = format!(
        "{kind}{} · {package_count} package{}{}",
        name.map(|n| format!(" · {n}")).unwrap_or_default(),
        if package_count == 1 { "" } else { "s" },
        if (shown as u64) < package_count { format!(" (first {shown} listed)") } else { String::new() }
    );
    view! {
        <p class="sbom-summary">{summary}</p>
        <label class="filter">
            <span>"Filter packages"</span>
            <input type="search" placeholder="name, version, license or purl"
                on:input=move |ev| filter.set(event_target_value(&ev)) prop:value=filter />
        </label>
        <div class="table-wrap" role="region" aria-label="Packages table" tabindex="0">
        <table class="packages">
            <thead>
                <tr>
                    <th scope="col">"Package"</th>
                    <th scope="col">"Version"</th>
                    <th scope="col">"License"</th>
                    <th scope="col">"purl"</th>
                </tr>
            </thead>
            <tbody>
                {move || {
                    let needle = filter.get().to_lowercase();
                    packages.with_value(|all| {
                        all.iter()
                            .filter(|p| {
                                needle.is_empty()
                                    || [Some(&p.name), p.version.as_ref(), p.license.as_ref(), p.purl.as_ref()]
                                        .into_iter()
                                        .flatten()
                                        .any(|f| f.to_lowercase().contains(&needle))
                            })
                            .map(|p| view! {
                                <tr>
                                    <th scope="row">{p.name.clone()}</th>
                                    <td>{p.version.clone()}</td>
                                    <td>{p.license.clone()}</td>
                                    <td><code>{p.purl.clone()}</code></td>
                                </tr>
                            })
                            .collect_view()
                    })
                }}
            </tbody>
        </table>
        </div>
    }
}

/// Anchor for one image section.
fn image_anchor(image: &ImageDetail) -> String {
    format!("image-{}", image.digest.replace(':', "-"))
}

#[component]
fn PlatformMatrix(images: Vec<ImageDetail>) -> impl IntoView {
    view! {
        <section aria-labelledby="platforms-heading">
            <h2 id="platforms-heading">"Platforms"</h2>
            <div class="table-wrap" role="region" aria-label="Platforms table" tabindex="0">
            <table class="platforms">
                <thead>
                    <tr>
                        <th scope="col">"OS"</th>
                        <th scope="col">"Architecture"</th>
                        <th scope="col">"Variant"</th>
                        <th scope="col">"Digest"</th>
                        <th scope="col" class="num">"Size"</th>
                    </tr>
                </thead>
                <tbody>
                    {images.into_iter().filter_map(|image| {
                        let anchor = format!("#{}", image_anchor(&image));
                        image.platform.map(|p| view! {
                            <tr>
                                <td>{p.os}</td>
                                <td>{p.architecture}</td>
                                <td>{p.variant.unwrap_or_default()}</td>
                                <td><a href=anchor><code>{format::short_digest(&p.digest)}</code></a></td>
                                <td class="num">{format::bytes(image.total_size)}</td>
                            </tr>
                        })
                    }).collect_view()}
                </tbody>
            </table>
            </div>
        </section>
    }
}

#[component]
fn ImageSection(image: ImageDetail) -> impl IntoView {
    let anchor = image_anchor(&image);
    let heading =
        image.platform.as_ref().map(|p| p.label()).unwrap_or_else(|| match (&image.os, &image.architecture) {
            (Some(os), Some(arch)) => format!("{os}/{arch}"),
            _ => "Image".to_string(),
        });
    let (layers_label, labels_label) = (format!("Layers of {heading}"), format!("Labels of {heading}"));
    let ImageDetail {
        digest,
        media_type,
        config,
        layers,
        total_size,
        created,
        labels,
        entrypoint,
        cmd,
        env,
        working_dir,
        user,
        history,
        ..
    } = image;
    // Only what the configuration sets; "(none set)" when it sets nothing.
    let config_rows: Vec<(&str, String)> = [
        ("Entrypoint", (!entrypoint.is_empty()).then(|| shell_words(&entrypoint))),
        ("Command", (!cmd.is_empty()).then(|| shell_words(&cmd))),
        ("Working directory", working_dir),
        ("User", user),
    ]
    .into_iter()
    .filter_map(|(name, value)| value.map(|v| (name, v)))
    .collect();
    let config_rows =
        if config_rows.is_empty() { vec![("Run settings", "(none set)".to_string())] } else { config_rows };
    view! {
        <section class="image" id=anchor>
            <h2>{heading}</h2>
            <dl class="facts">
                <dt>"Manifest digest"</dt><dd><code class="digest">{digest}</code></dd>
                <dt>"Media type"</dt><dd><code>{media_type}</code></dd>
                <dt>"Config digest"</dt><dd><code class="digest">{config.digest}</code></dd>
                <dt>"Created"</dt>
                <dd>{created.map(|c| view! { <time datetime=c.clone()>{format::when(&c)}</time> })}</dd>
                <dt>"Total size"</dt><dd class="total-size">{format::bytes(total_size)}</dd>
            </dl>
            <h3>"Layers"</h3>
            <div class="table-wrap" role="region" aria-label=layers_label tabindex="0">
            <table class="layers">
                <thead>
                    <tr>
                        <th scope="col">"#"</th>
                        <th scope="col">"Digest"</th>
                        <th scope="col">"Media type"</th>
                        <th scope="col" class="num">"Size"</th>
                    </tr>
                </thead>
                <tbody>
                    {layers.into_iter().enumerate().map(|(i, l)| view! {
                        <tr>
                            <td>{i + 1}</td>
                            <td><code title=l.digest.clone()>{format::short_digest(&l.digest)}</code></td>
                            <td><code>{l.media_type}</code></td>
                            <td class="num">{format::bytes(l.size)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            </div>
            <h3>"Configuration"</h3>
            <dl class="facts">
                {config_rows.into_iter().map(|(name, value)| view! { <dt>{name}</dt><dd><code>{value}</code></dd> }).collect_view()}
            </dl>
            <h4>"Environment"</h4>
            {if env.is_empty() {
                view! { <p class="empty">"No environment variables."</p> }.into_any()
            } else {
                view! { <ul class="env">{env.into_iter().map(|e| view! { <li><code>{e}</code></li> }).collect_view()}</ul> }.into_any()
            }}
            <h4>"History"</h4>
            {if history.is_empty() {
                view! { <p class="empty">"The configuration records no build history."</p> }.into_any()
            } else {
                view! {
                    <ol class="history">
                        {history.into_iter().map(|h| view! {
                            <li class:empty-layer=h.empty_layer>
                                <code>{h.created_by.or(h.comment).unwrap_or_else(|| "(no command recorded)".into())}</code>
                                {h.created.map(|c| view! { " " <time datetime=c.clone()>{format::when(&c)}</time> })}
                            </li>
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
            <h3>"Labels"</h3>
            {if labels.is_empty() {
                view! { <p class="empty">"No labels in the image configuration."</p> }.into_any()
            } else {
                view! { <LabelTable labels label=labels_label /> }.into_any()
            }}
        </section>
    }
}

/// `["/bin/sh", "-c", "echo hi"]` as a shell would read it back.
fn shell_words(parts: &[String]) -> String {
    parts
        .iter()
        .map(|p| {
            if !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b"/._-=:,+@%".contains(&b)) {
                p.clone()
            } else {
                format!("'{}'", p.replace('\'', "'\\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::shell_words;

    #[test]
    fn commands_are_quoted_only_where_needed() {
        let parts = ["/bin/sh", "-c", "echo it's"].map(String::from);
        assert_eq!(shell_words(&parts), "/bin/sh -c 'echo it'\\''s'");
        assert_eq!(shell_words(&["/bin/app".to_string()]), "/bin/app");
    }
}
