//! A registry scanner's findings for one image, as its API reports them:
//! shown in the tags table and on the tag page, never computed by Reestr.

use leptos::prelude::*;

use crate::format;

/// A scanner's findings: the count of each severity it found, with the
/// scanner's name and the report's time on hover.
#[component]
pub fn Findings(v: crate::model::Vulnerabilities) -> impl IntoView {
    let title = match (&v.scanner, &v.scanned) {
        (Some(s), Some(at)) => format!("Scanned by {s}, {}", format::when(at)),
        (Some(s), None) => format!("Scanned by {s}"),
        (None, Some(at)) => format!("Scanned {}", format::when(at)),
        (None, None) => "Scanned by the registry".to_string(),
    };
    let counts = [("critical", v.critical), ("high", v.high), ("medium", v.medium), ("low", v.low)]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(severity, n)| {
            let class = format!("badge badge-severity severity-{severity}");
            view! { <span class=class>{format!("{n} {severity}")}</span> " " }
        })
        .collect::<Vec<_>>();
    let none =
        counts.is_empty().then(|| view! { <span class="badge badge-severity severity-none">"none found"</span> });
    view! { <span class="findings" title=title aria-label=format!("Vulnerabilities: {}", v.label())>{counts}{none}</span> }
}
