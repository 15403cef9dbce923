//! What a list shows while its first rows load: placeholder rows of a
//! table row's height, so the page does not jump when the rows arrive.
//! Pages stream in order, so the server never sends these; they show on
//! client-side navigation to a page whose data is not in yet.

use leptos::prelude::*;

/// `rows` placeholder rows, announced as loading `what`.
#[component]
pub fn Skeleton(what: &'static str, rows: usize) -> impl IntoView {
    view! {
        <div class="skeleton-rows" role="status" aria-busy="true" aria-label=format!("Loading {what}…")>
            {(0..rows).map(|_| view! { <div class="skeleton-row"><span class="skeleton"></span></div> }).collect_view()}
        </div>
    }
}
