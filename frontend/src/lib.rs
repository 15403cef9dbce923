//! The browser entry: hydrates the server-rendered page (`hydrate_lazy`:
//! each page is a lazily loaded route, see `app::routes`).

// The release (LTO) build computes the layout of the pages' nested view
// types, deeper than the default limit of 128 for the repository page.
#![recursion_limit = "256"]

/// Called by the generated JS once the WASM is loaded.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_lazy(app::App);
}
