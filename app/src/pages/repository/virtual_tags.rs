//! The tags table for long tag lists, once the page has hydrated: every
//! matching name is fetched in one call, but only the rows in view (plus a
//! margin) exist in the DOM, and their details load in batches as they
//! scroll in. Rows have one fixed height, so a row's position is its index
//! times that height and the scrollbar is exact for 10,000 tags. The
//! scroll position is kept in the URL (`?page=&at=`), so Back returns to it and
//! the link reopens the same place — also without JavaScript, as the paged
//! table.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::tags_table::{Columns, PAGE_JUMP, TagCells, TagHead, event_row, move_target, row_action};
use crate::api::{PAGE_SIZE, get_tag_rows, list_tag_names};
use crate::components::{ErrorBox, pull_command};
use crate::model::{TagQuery, TagSummary};

/// Height of one row in CSS pixels; `style/main.css` fixes rows of
/// `table.tags-virtual` to it.
const ROW_HEIGHT: f64 = 41.0;
/// The sticky heading row above the first row.
const HEAD_HEIGHT: f64 = 41.0;
/// Rows rendered beyond each edge of the view.
const OVERSCAN: usize = PAGE_JUMP * 2;
/// Rows asked for in one call (the server allows 100).
const BATCH: usize = 50;
/// Quiet time after scrolling before rows are fetched and the URL updated.
const SETTLE: Duration = Duration::from_millis(90);

/// Where the table starts: the exact row the URL recorded (`at`) when it
/// lies on the page the URL names, else that page's first row.
pub(super) fn start_index(page: u32, at: Option<String>) -> usize {
    let first = (page.saturating_sub(1) as usize).saturating_mul(PAGE_SIZE as usize);
    at.and_then(|a| a.parse::<usize>().ok())
        .filter(|a| (first..first + PAGE_SIZE as usize).contains(a))
        .unwrap_or(first)
}

/// Loads the names, then shows the table.
#[component]
pub(super) fn VirtualTags(
    registry: String,
    repository: String,
    query: TagQuery,
    columns: Columns,
    host: String,
    plain_http: bool,
    start: usize,
) -> impl IntoView {
    let names = {
        let (registry, repository, query) = (registry.clone(), repository.clone(), query.clone());
        LocalResource::new(move || list_tag_names(registry.clone(), repository.clone(), query.clone()))
    };
    move || {
        let (registry, repository, host) = (registry.clone(), repository.clone(), host.clone());
        match names.get() {
            None => view! {
                <div class="table-wrap tags-virtual-wrap" aria-busy="true">
                    <p class="loading">"Loading every tag name…"</p>
                </div>
            }
            .into_any(),
            Some(Ok(n)) => {
                let names = Arc::new(n.names);
                view! { <VirtualTable registry repository names columns host plain_http start /> }.into_any()
            }
            Some(Err(error)) => view! { <ErrorBox error /> }.into_any(),
        }
    }
}

/// The scrolling table over `names`.
#[component]
fn VirtualTable(
    registry: String,
    repository: String,
    names: Arc<Vec<String>>,
    columns: Columns,
    host: String,
    plain_http: bool,
    start: usize,
) -> impl IntoView {
    let total = names.len();
    let start = start.min(total.saturating_sub(1));
    let wrap = NodeRef::<leptos::html::Div>::new();
    let scroll_top = RwSignal::new(start as f64 * ROW_HEIGHT);
    let viewport = RwSignal::new(640.0_f64);
    let focus = RwSignal::new(start);
    let rows = RwSignal::new(HashMap::<String, TagSummary>::new());
    let pending = StoredValue::new(HashSet::<String>::new());
    let settle_generation = StoredValue::new(0_u64);

    let window = Memo::new(move |_| {
        let top = (scroll_top.get() - HEAD_HEIGHT).max(0.0);
        let first = (top / ROW_HEIGHT).floor() as usize;
        let last = ((top + viewport.get()) / ROW_HEIGHT).ceil() as usize;
        (first.saturating_sub(OVERSCAN).min(total), last.saturating_add(OVERSCAN).min(total))
    });

    // Measure the view and jump to the starting row once mounted.
    Effect::new(move |_| {
        if let Some(el) = wrap.get() {
            viewport.set(f64::from(el.client_height()));
            el.set_scroll_top((start as f64 * ROW_HEIGHT) as i32);
            scroll_top.set(f64::from(el.scroll_top()));
        }
    });

    // When scrolling settles: fetch the rows in view that are not loaded,
    // and record the position in the URL.
    {
        let (registry, repository, names) = (registry.clone(), repository.clone(), names.clone());
        Effect::new(move |_| {
            let (first, last) = window.get();
            let generation = settle_generation.get_value().wrapping_add(1);
            settle_generation.set_value(generation);
            let (registry, repository, names) = (registry.clone(), repository.clone(), names.clone());
            set_timeout(
                move || {
                    if settle_generation.get_value() != generation {
                        return;
                    }
                    let missing: Vec<String> = rows.with_untracked(|loaded| {
                        pending.with_value(|p| {
                            names[first..last]
                                .iter()
                                .filter(|n| !loaded.contains_key(*n) && !p.contains(*n))
                                .cloned()
                                .collect()
                        })
                    });
                    for batch in missing.chunks(BATCH) {
                        load(registry.clone(), repository.clone(), batch.to_vec(), rows, pending);
                    }
                    let top = (scroll_top.get_untracked() - HEAD_HEIGHT).max(0.0);
                    remember_position(((top / ROW_HEIGHT).round() as usize).min(total.saturating_sub(1)));
                },
                SETTLE,
            );
        });
    }

    let on_scroll = move |_| {
        let Some(el) = wrap.get() else { return };
        // A focused row about to leave the DOM hands focus to the table's
        // region first (Chrome otherwise shifts the scroll position when
        // the focused row goes); the keys then continue from the focused index.
        let top = f64::from(el.scroll_top());
        let index = (((top - HEAD_HEIGHT).max(0.0)) / ROW_HEIGHT) as usize;
        let seen = (viewport.get_untracked() / ROW_HEIGHT) as usize;
        let focused = focus.get_untracked();
        if (focused + OVERSCAN < index || focused > index + seen + OVERSCAN) && row_has_focus() {
            let options = web_sys::FocusOptions::new();
            options.set_prevent_scroll(true);
            let _ = el.focus_with_options(&options);
        }
        scroll_top.set(top);
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        let row = event_row(&ev);
        if let Some(row) = &row
            && row_action(&ev, row)
        {
            return;
        }
        let current = row
            .and_then(|r| r.get_attribute("data-index"))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| focus.get_untracked());
        let Some(target) = move_target(&ev.key(), current, total) else { return };
        ev.prevent_default();
        focus.set(target);
        if let Some(el) = wrap.get() {
            let top = target as f64 * ROW_HEIGHT;
            let seen_from = f64::from(el.scroll_top());
            let seen_height = f64::from(el.client_height()) - HEAD_HEIGHT;
            if top < seen_from {
                el.set_scroll_top(top as i32);
            } else if top + ROW_HEIGHT > seen_from + seen_height {
                el.set_scroll_top((top + ROW_HEIGHT - seen_height) as i32);
            }
            scroll_top.set(f64::from(el.scroll_top()));
        }
        focus_row(target, 3);
    };

    let visible = {
        let names = names.clone();
        move || {
            let (first, last) = window.get();
            names[first..last].iter().enumerate().map(|(i, n)| (first + i, n.clone())).collect::<Vec<_>>()
        }
    };
    let above = move || format!("height: {}px", window.get().0 as f64 * ROW_HEIGHT);
    let below = move || format!("height: {}px", (total - window.get().1) as f64 * ROW_HEIGHT);
    let height = format!("height: min(70vh, {}px)", (total as f64 * ROW_HEIGHT + HEAD_HEIGHT + 2.0).ceil());
    let column_count = columns.count();

    view! {
        <div
            class="table-wrap tags-virtual-wrap"
            role="region"
            aria-label="Tags table"
            tabindex="-1"
            style=height
            node_ref=wrap
            on:scroll=on_scroll
            on:keydown=on_key
        >
            <table class="tags tags-virtual" aria-rowcount=total + 1 data-virtual="true">
                <TagHead columns />
                <tbody>
                    <tr class="spacer" aria-hidden="true" style=above><td colspan=column_count></td></tr>
                    <For each=visible key=|(_, name)| name.clone() let((index, name))>
                        {
                            let pull = pull_command("docker", &host, &repository, &name, plain_http);
                            let (registry, repository) = (registry.clone(), repository.clone());
                            let cells_name = name.clone();
                            view! {
                                <tr
                                    data-tag=name.clone()
                                    data-pull=pull
                                    data-index=index
                                    aria-rowindex=index + 2
                                    tabindex=move || if focus.get() == index { "0" } else { "-1" }
                                >
                                    {move || match rows.with(|m| m.get(&cells_name).cloned()) {
                                        Some(tag) => view! {
                                            <TagCells registry=registry.clone() repository=repository.clone() tag columns />
                                        }.into_any(),
                                        None => view! {
                                            <th scope="row">
                                                <a href=crate::paths::tag_page(&registry, &repository, &cells_name)>{cells_name.clone()}</a>
                                            </th>
                                            <td colspan=column_count - 1><span class="skeleton" aria-hidden="true"></span></td>
                                        }.into_any(),
                                    }}
                                </tr>
                            }
                        }
                    </For>
                    <tr class="spacer" aria-hidden="true" style=below><td colspan=column_count></td></tr>
                </tbody>
            </table>
        </div>
    }
}

/// Whether a row of the virtual table has the keyboard focus.
fn row_has_focus() -> bool {
    document().active_element().is_some_and(|e| e.matches("table.tags-virtual tr[data-index]").unwrap_or(false))
}

/// Fetches one batch of rows; a failed batch shows its error on each row.
fn load(
    registry: String,
    repository: String,
    batch: Vec<String>,
    rows: RwSignal<HashMap<String, TagSummary>>,
    pending: StoredValue<HashSet<String>>,
) {
    pending.update_value(|p| p.extend(batch.iter().cloned()));
    spawn_local(async move {
        let result = get_tag_rows(registry, repository, batch.clone()).await;
        rows.update(|loaded| match result {
            Ok(list) => {
                for tag in list {
                    loaded.insert(tag.name.clone(), tag);
                }
            }
            Err(error) => {
                for name in &batch {
                    loaded.insert(name.clone(), TagSummary::failed(name.clone(), error.clone()));
                }
            }
        });
        pending.update_value(|p| {
            for name in &batch {
                p.remove(name);
            }
        });
    });
}

/// Focuses row `index` once it is rendered (a few frames at most).
fn focus_row(index: usize, tries: u8) {
    request_animation_frame(move || {
        use leptos::wasm_bindgen::JsCast;
        let row = document()
            .query_selector(&format!("table.tags-virtual tr[data-index=\"{index}\"]"))
            .ok()
            .flatten()
            .and_then(|r| r.dyn_into::<web_sys::HtmlElement>().ok());
        match row {
            Some(row) => {
                let _ = row.focus();
            }
            None if tries > 0 => focus_row(index, tries - 1),
            None => {}
        }
    });
}

/// Writes the first row in view (`at`) and the page holding it into the
/// URL without navigating, so Back and a shared link return to this place
/// (the page alone, without JavaScript).
fn remember_position(index: usize) {
    let page = index / PAGE_SIZE as usize + 1;
    let Ok(href) = window().location().href() else { return };
    let Ok(url) = web_sys::Url::new(&href) else { return };
    let params = url.search_params();
    if params.get("at").and_then(|a| a.parse::<usize>().ok()) == Some(index) {
        return;
    }
    if page == 1 && index == 0 {
        params.delete("page");
        params.delete("at");
    } else {
        params.set("page", &page.to_string());
        params.set("at", &index.to_string());
    }
    if let Ok(history) = window().history() {
        let _ = history.replace_state_with_url(&leptos::wasm_bindgen::JsValue::NULL, "", Some(&url.href()));
    }
}
