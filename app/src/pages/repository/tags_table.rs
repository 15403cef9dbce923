//! The tags table's parts shared by the paged table (server-rendered, works
//! without JavaScript) and the virtual one: filter form, hidden-tags note,
//! one row, and the keys that move between rows.

use leptos::prelude::*;
use leptos_router::components::Form;

use crate::components::copy_to_clipboard;
use crate::format;
use crate::model::{TagQuery, TagSort, TagSummary};
use crate::paths;

/// Rows a PageUp/PageDown moves.
pub(super) const PAGE_JUMP: usize = 10;

/// The tags table's optional columns: a catalogue API's push and pull
/// times, a registry scanner's findings; each shows only when some row has it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Columns {
    pub pushed: bool,
    pub pulled: bool,
    pub scans: bool,
}

impl Columns {
    pub fn of(items: &[TagSummary]) -> Self {
        Self {
            pushed: items.iter().any(|t| t.pushed.is_some()),
            pulled: items.iter().any(|t| t.pulled.is_some()),
            scans: items.iter().any(|t| t.vulnerabilities.is_some()),
        }
    }

    /// How many columns the table has.
    pub fn count(self) -> usize {
        5 + usize::from(self.pushed) + usize::from(self.pulled) + usize::from(self.scans)
    }
}

/// The tag-table query parameters a link keeps.
pub(super) fn keep_params(q: &TagQuery) -> Vec<(&'static str, String)> {
    let sort = if q.sort == TagSort::Name { String::new() } else { q.sort.key().to_string() };
    vec![("q", q.q.clone()), ("sort", sort), ("artifacts", if q.artifacts { "1".into() } else { String::new() })]
}

/// Filter box, order, and the switch for referrer and signature tags.
#[component]
pub(super) fn TagFilter(base: String, query: TagQuery) -> impl IntoView {
    view! {
        <Form method="GET" action=base attr:class="search-form" attr:role="search">
            <label class="field grow">
                <span>"Filter tags"</span>
                <input id="tag-filter" type="search" name="q" value=query.q.clone() placeholder="Tag name contains…" autocomplete="off" />
            </label>
            <label class="field">
                <span>"Sort"</span>
                <select name="sort">
                    {TagSort::ALL.into_iter().map(|s| view! {
                        <option value=s.key() selected=s == query.sort>{s.label()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class="check">
                <input type="checkbox" name="artifacts" value="1" checked=query.artifacts />
                <span>"Show signature and referrer tags"</span>
            </label>
            <button type="submit">"Apply"</button>
        </Form>
    }
}

/// Says how many artifact tags the table leaves out, with a link that shows them.
#[component]
pub(super) fn HiddenNote(base: String, query: TagQuery, hidden: u64) -> impl IntoView {
    (hidden > 0).then(|| {
        let mut q = query.clone();
        q.artifacts = true;
        let href = paths::with_query(&base, &keep_params(&q));
        let what = if hidden == 1 {
            "1 signature or referrer tag is hidden. ".to_string()
        } else {
            format!("{hidden} signature and referrer tags are hidden. ")
        };
        view! { <p class="hidden-note">{what}<a href=href>"Show them"</a></p> }
    })
}

/// The row a movement key leads to from `current` of `count` rows; `None`
/// for any other key.
pub(super) fn move_target(key: &str, current: usize, count: usize) -> Option<usize> {
    let last = count.saturating_sub(1);
    Some(match key {
        "ArrowDown" | "j" => current.saturating_add(1).min(last),
        "ArrowUp" | "k" => current.saturating_sub(1),
        "Home" => 0,
        "End" => last,
        "PageDown" => current.saturating_add(PAGE_JUMP).min(last),
        "PageUp" => current.saturating_sub(PAGE_JUMP),
        _ => return None,
    })
}

/// The tags-table row a key event came from, unless a modifier is held.
pub(super) fn event_row(ev: &leptos::ev::KeyboardEvent) -> Option<web_sys::Element> {
    use leptos::wasm_bindgen::JsCast;
    if ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
        return None;
    }
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|e| e.closest("tr[data-tag]").ok().flatten())
}

/// Enter opens the row's tag, `c` copies its pull command; true when handled.
pub(super) fn row_action(ev: &leptos::ev::KeyboardEvent, row: &web_sys::Element) -> bool {
    use leptos::wasm_bindgen::JsCast;
    match ev.key().as_str() {
        "Enter" => {
            if let Some(link) =
                row.query_selector("a").ok().flatten().and_then(|a| a.dyn_into::<web_sys::HtmlElement>().ok())
            {
                ev.prevent_default();
                link.click();
            }
            true
        }
        "c" => {
            if let Some(cmd) = row.get_attribute("data-pull") {
                ev.prevent_default();
                copy_to_clipboard(&cmd);
                if let Some(status) = document().get_element_by_id("tag-status") {
                    status.set_text_content(Some(&format!("Copied: {cmd}")));
                }
            }
            true
        }
        _ => false,
    }
}

/// Keys of the paged table: moves focus between its rows (roving tabindex),
/// opens a tag, copies its pull command.
pub(super) fn on_table_key(ev: &leptos::ev::KeyboardEvent) {
    use leptos::wasm_bindgen::JsCast;
    let Some(row) = event_row(ev) else { return };
    if row_action(ev, &row) {
        return;
    }
    let Some(body) = row.parent_element() else { return };
    let rows = body.children();
    let count = rows.length() as usize;
    let current = (0..rows.length()).position(|i| rows.item(i).is_some_and(|r| r == row)).unwrap_or(0);
    let Some(target) = move_target(&ev.key(), current, count) else { return };
    ev.prevent_default();
    for i in 0..rows.length() {
        if let Some(r) = rows.item(i) {
            let _ = r.set_attribute("tabindex", if i as usize == target { "0" } else { "-1" });
        }
    }
    if let Some(next) = rows.item(target as u32).and_then(|r| r.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = next.focus();
    }
}

/// One row of the paged tags table.
#[component]
pub(super) fn TagRow(
    registry: String,
    repository: String,
    tag: TagSummary,
    columns: Columns,
    first: bool,
    pull: String,
) -> impl IntoView {
    let name = tag.name.clone();
    view! {
        <tr data-tag=name data-pull=pull tabindex=if first { "0" } else { "-1" }>
            <TagCells registry repository tag columns />
        </tr>
    }
}

/// The cells of one tag's row; a tag whose manifest failed still shows, with its error.
#[component]
pub(super) fn TagCells(registry: String, repository: String, tag: TagSummary, columns: Columns) -> impl IntoView {
    let time = |t: Option<String>| t.map(|t| view! { <time datetime=t.clone()>{format::when(&t)}</time> });
    let (pushed, pulled) = (time(tag.pushed.clone()), time(tag.pulled.clone()));
    let href = paths::tag_page(&registry, &repository, &tag.name);
    let size = match tag.size {
        Some(s) => Some(format::bytes(s)),
        None => format::size_range(tag.platforms.iter().filter_map(|p| p.size)),
    };
    let platforms = tag.platforms.iter().map(|p| p.label()).collect::<Vec<_>>().join(", ");
    let name = tag.name.clone();
    let (enter, leave, focus) = {
        let (registry, repository, reference) = (registry.clone(), repository.clone(), tag.name.clone());
        crate::client_cache::on_intent(move || {
            crate::pages::tag::prefetch(registry.clone(), repository.clone(), reference.clone())
        })
    };
    view! {
        <th scope="row">
            <a href=href on:pointerenter=enter on:pointerleave=leave on:focus=focus>{name}</a>
            {tag.signed.then(|| view! { " " <span class="badge badge-signature" title="A cosign signature exists for this digest">"Signed"</span> })}
        </th>
        <td>
            {tag.digest.clone().map(|d| view! { <code title=d.clone()>{format::short_digest(&d)}</code> })}
        </td>
        <td class="num">{size}</td>
        <td>{platforms}</td>
        <td>
            {tag.created.clone().map(|c| view! { <time datetime=c.clone()>{format::when(&c)}</time> })}
            {tag.error.clone().map(|e| view! { <span class="row-error" role="status">{e.to_string()}</span> })}
        </td>
        {columns.pushed.then(|| view! { <td>{pushed}</td> })}
        {columns.pulled.then(|| view! { <td>{pulled}</td> })}
        {columns.scans.then(|| view! { <td>{tag.vulnerabilities.clone().map(|v| view! { <crate::components::Findings v /> })}</td> })}
    }
}

/// The column headings, for both tables.
#[component]
pub(super) fn TagHead(columns: Columns) -> impl IntoView {
    view! {
        <thead>
            <tr>
                <th scope="col">"Tag"</th>
                <th scope="col">"Digest"</th>
                <th scope="col" class="num">"Size"</th>
                <th scope="col">"Platforms"</th>
                <th scope="col">"Created"</th>
                {columns.pushed.then(|| view! { <th scope="col">"Pushed"</th> })}
                {columns.pulled.then(|| view! { <th scope="col">"Pulled"</th> })}
                {columns.scans.then(|| view! { <th scope="col">"Vulnerabilities"</th> })}
            </tr>
        </thead>
    }
}
