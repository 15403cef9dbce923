//! Copying to the clipboard: a button that says it worked, and the helper
//! keyboard shortcuts use.

use leptos::prelude::*;

/// Puts `text` on the clipboard (browser only; a no-op during SSR).
pub fn copy_to_clipboard(text: &str) {
    #[cfg(target_arch = "wasm32")]
    if let Some(window) = web_sys::window() {
        // The promise settles on its own; a refusal leaves the text selectable on the page.
        let _ = window.navigator().clipboard().write_text(text);
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = text;
}

/// A "Copy" button for `text`; `label` names what it copies for screen readers.
#[component]
pub fn CopyButton(text: String, label: String) -> impl IntoView {
    let copied = RwSignal::new(false);
    let on_click = move |_| {
        copy_to_clipboard(&text);
        copied.set(true);
        set_timeout(move || copied.set(false), std::time::Duration::from_secs(2));
    };
    view! {
        <button type="button" class="copy" aria-label=format!("Copy {label}") on:click=on_click>
            {move || if copied.get() { "Copied" } else { "Copy" }}
        </button>
        <span class="visually-hidden" role="status" aria-live="polite">{move || copied.get().then_some("Copied to the clipboard")}</span>
    }
}
