//! Image labels as a table, shared by the tag page and the repository
//! page. A value that is an http(s) URL (`org.opencontainers.image.source`,
//! `…url`, `…documentation`) is a link that leaves no referrer.

use std::collections::BTreeMap;

use leptos::prelude::*;

#[component]
pub fn LabelTable(labels: BTreeMap<String, String>, #[prop(into)] label: String) -> impl IntoView {
    view! {
        <div class="table-wrap" role="region" aria-label=label tabindex="0">
            <table class="labels">
                <tbody>
                    {labels.into_iter().map(|(k, v)| {
                        let link = (v.starts_with("https://") || v.starts_with("http://")) && !v.contains(char::is_whitespace);
                        view! {
                            <tr>
                                <th scope="row"><code>{k}</code></th>
                                <td>
                                    {if link {
                                        let href = v.clone();
                                        view! { <a href=href rel="noopener noreferrer nofollow">{v}</a> }.into_any()
                                    } else {
                                        v.into_any()
                                    }}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
