//! The tag page: manifest, platforms, layers and configuration labels.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::get_tag;
use crate::components::ErrorBox;
use crate::format;
use crate::model::{ImageDetail, TagDetail};
use crate::paths;

/// One tag (or digest) of a repository.
#[component]
pub fn TagView(registry: String, repository: String, reference: String) -> impl IntoView {
    let key = (registry.clone(), repository.clone(), reference.clone());
    let detail = Resource::new(move || key.clone(), |(r, n, t)| get_tag(r, n, t));
    let registry_href = paths::registry_page(&registry);
    let repository_href = paths::repository_page(&registry, &repository);
    let full = format!("{repository}:{reference}");
    view! {
        <Title text=full.clone() />
        <nav class="crumbs" aria-label="Breadcrumb">
            <A href="/">"Registries"</A>
            <A href=registry_href>{registry}</A>
            <A href=repository_href>{repository}</A>
            <span aria-current="page">{reference}</span>
        </nav>
        <h1 class="repo-name">{full}</h1>
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading manifest…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) => view! { <TagBody detail=d /> }.into_any(),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn TagBody(detail: TagDetail) -> impl IntoView {
    let TagDetail { digest, media_type, is_index, images, attestations, .. } = detail;
    view! {
        <section aria-labelledby="manifest-heading">
            <h2 id="manifest-heading">"Manifest"</h2>
            <dl class="facts">
                <dt>"Digest"</dt><dd><code class="digest">{digest}</code></dd>
                <dt>"Media type"</dt><dd><code>{media_type}</code></dd>
                <dt>"Kind"</dt>
                <dd>{if is_index { format!("Index of {} images", images.len()) } else { "Single image".to_string() }}</dd>
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
    let ImageDetail { digest, media_type, config, layers, total_size, created, labels, .. } = image;
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
            <h3>"Labels"</h3>
            {if labels.is_empty() {
                view! { <p class="empty">"No labels in the image configuration."</p> }.into_any()
            } else {
                view! {
                    <table class="labels">
                        <tbody>
                            {labels.into_iter().map(|(k, v)| view! {
                                <tr><th scope="row"><code>{k}</code></th><td>{v}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}
