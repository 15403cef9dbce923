//! Previous/next links with the page number in the URL query, so every
//! page of a listing has a shareable address.

use leptos::prelude::*;

/// Links to the neighbouring pages of a listing at `base`, keeping the
/// listing's other query parameters (`keep`).
#[component]
pub fn Pagination(
    base: String,
    page: u32,
    per_page: u32,
    total: Option<u64>,
    has_next: bool,
    #[prop(optional)] keep: Vec<(&'static str, String)>,
) -> impl IntoView {
    let pages = total.map(|t| t.div_ceil(u64::from(per_page)).max(1));
    let link = |n: u32| {
        let mut params = keep.clone();
        params.push(("page", n.to_string()));
        crate::paths::with_query(&base, &params)
    };
    let prev = (page > 1).then(|| link(page - 1));
    let next = has_next.then(|| link(page + 1));
    view! {
        <nav class="pagination" aria-label="Pagination">
            {prev.map(|href| view! { <a href=href rel="prev">"← Previous"</a> })}
            <span class="page-of">
                {match pages {
                    Some(n) => format!("Page {page} of {n}"),
                    None => format!("Page {page}"),
                }}
            </span>
            {next.map(|href| view! { <a href=href rel="next">"Next →"</a> })}
        </nav>
    }
}
