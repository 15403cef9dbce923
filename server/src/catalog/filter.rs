//! Search, filters and sort orders over a whole listing, before it is cut
//! into pages: fuzzy search over repository names with `nucleo-matcher`
//! (helix's matcher: fast, path-aware scoring), natural order for tags.

use std::cmp::Ordering;

use app::model::{RepoQuery, RepoSort, RepositorySummary, TagQuery, TagSort, is_artifact_tag};
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// An RFC 3339 time (any offset, any fraction), for comparing.
pub fn instant(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text.trim(), &Rfc3339).ok()
}

/// The repositories `query` selects, in its order. `now` anchors "updated
/// within"; repositories whose update time or signature is unknown do not
/// pass those filters.
pub fn repositories(all: Vec<RepositorySummary>, query: &RepoQuery, now: OffsetDateTime) -> Vec<RepositorySummary> {
    let namespace = query.namespace.trim().trim_end_matches('/');
    let since = query.updated.map(|r| now - time::Duration::days(r.days() as i64));
    let in_namespace = |r: &RepositorySummary| {
        let namespace_ok =
            namespace.is_empty() || r.name.strip_prefix(namespace).is_some_and(|rest| rest.starts_with('/'));
        let recent_ok = since.is_none_or(|since| r.updated.as_deref().and_then(instant).is_some_and(|u| u >= since));
        let signed_ok = query.signed.is_none_or(|want| r.signed == Some(want));
        namespace_ok && recent_ok && signed_ok
    };
    let mut scored: Vec<(u32, RepositorySummary)> = if query.q.trim().is_empty() {
        all.into_iter().filter(in_namespace).map(|r| (0, r)).collect()
    } else {
        let pattern = Pattern::parse(query.q.trim(), CaseMatching::Ignore, Normalization::Smart);
        let mut matcher = Matcher::new(Config::DEFAULT.match_paths());
        let mut buf = Vec::new();
        all.into_iter()
            .filter(in_namespace)
            .filter_map(|r| {
                let by_name = pattern.score(Utf32Str::new(&r.name, &mut buf), &mut matcher);
                // A description match counts, below any name match.
                let by_description = r
                    .description
                    .as_deref()
                    .and_then(|d| pattern.score(Utf32Str::new(d, &mut buf), &mut matcher))
                    .map(|s| s / 4);
                by_name.or(by_description).map(|score| (score, r))
            })
            .collect()
    };
    let searching = !query.q.trim().is_empty();
    scored.sort_by(|(sa, a), (sb, b)| match query.sort {
        RepoSort::Name if searching => sb.cmp(sa).then_with(|| a.name.cmp(&b.name)),
        RepoSort::Name => a.name.cmp(&b.name),
        RepoSort::Pulls => b.pull_count.cmp(&a.pull_count).then_with(|| a.name.cmp(&b.name)),
        RepoSort::Updated => {
            let (ua, ub) = (a.updated.as_deref().and_then(instant), b.updated.as_deref().and_then(instant));
            ub.cmp(&ua).then_with(|| a.name.cmp(&b.name))
        }
        RepoSort::Size => b.stored_bytes.cmp(&a.stored_bytes).then_with(|| a.name.cmp(&b.name)),
    });
    scored.into_iter().map(|(_, r)| r).collect()
}

/// The tag names `query` selects, in its order, and how many artifact tags
/// were left out.
pub fn tags(all: &[String], query: &TagQuery) -> (Vec<String>, u64) {
    let needle = query.q.trim().to_lowercase();
    let mut hidden = 0;
    let mut out: Vec<String> = all
        .iter()
        .filter(|t| {
            let artifact = is_artifact_tag(t);
            if artifact && !query.artifacts {
                hidden += 1;
                return false;
            }
            needle.is_empty() || t.to_lowercase().contains(&needle)
        })
        .cloned()
        .collect();
    out.sort_by(|a, b| natural(a, b));
    if query.sort == TagSort::NameDesc {
        out.reverse();
    }
    out.dedup();
    (out, hidden)
}

/// `v1.9` before `v1.10`; ties broken byte-wise so the order is total.
fn natural(a: &str, b: &str) -> Ordering {
    natord::compare(a, b).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::Recency;

    fn repo(name: &str, pulls: Option<u64>) -> RepositorySummary {
        RepositorySummary { pull_count: pulls, ..RepositorySummary::named(name) }
    }

    #[test]
    fn fuzzy_search_ranks_close_matches_first_and_drops_the_rest() {
        let all = vec![repo("team/app", None), repo("bulk/repo-0001", None), repo("team/sub/multi", None)];
        let q = RepoQuery { q: "tmapp".into(), ..RepoQuery::default() };
        let names: Vec<String> =
            repositories(all.clone(), &q, OffsetDateTime::now_utc()).into_iter().map(|r| r.name).collect();
        assert_eq!(names, ["team/app"]);
        let q = RepoQuery { q: "multi".into(), namespace: "team".into(), ..RepoQuery::default() };
        assert_eq!(repositories(all.clone(), &q, OffsetDateTime::now_utc()).len(), 1);
        let q = RepoQuery { namespace: "bulk".into(), ..RepoQuery::default() };
        assert_eq!(repositories(all, &q, OffsetDateTime::now_utc()).len(), 1);
    }

    #[test]
    fn sorting_by_pulls_puts_unknown_counts_last() {
        let all = vec![repo("a", None), repo("b", Some(5)), repo("c", Some(50))];
        let q = RepoQuery { sort: RepoSort::Pulls, ..RepoQuery::default() };
        let names: Vec<String> = repositories(all, &q, OffsetDateTime::now_utc()).into_iter().map(|r| r.name).collect();
        assert_eq!(names, ["c", "b", "a"]);
    }

    #[test]
    fn activity_filters_keep_only_known_recent_or_signed_repositories() {
        let now = OffsetDateTime::parse("2026-11-28T12:00:00Z", &Rfc3339).unwrap_or(OffsetDateTime::UNIX_EPOCH);
        let with = |name: &str, updated: Option<&str>, signed: Option<bool>| RepositorySummary {
            updated: updated.map(str::to_string),
            signed,
            ..RepositorySummary::named(name)
        };
        let all = vec![
            with("fresh", Some("2026-11-27T23:00:00+02:00"), Some(true)),
            with("month", Some("2026-11-01T00:00:00.123456Z"), Some(false)),
            with("old", Some("2020-01-01T00:00:00Z"), Some(true)),
            with("unknown", None, None),
        ];
        let names =
            |q: RepoQuery| -> Vec<String> { repositories(all.clone(), &q, now).into_iter().map(|r| r.name).collect() };
        assert_eq!(names(RepoQuery { updated: Some(Recency::Week), ..RepoQuery::default() }), ["fresh"]);
        assert_eq!(names(RepoQuery { updated: Some(Recency::Month), ..RepoQuery::default() }), ["fresh", "month"]);
        assert_eq!(names(RepoQuery { signed: Some(true), ..RepoQuery::default() }), ["fresh", "old"]);
        assert_eq!(names(RepoQuery { signed: Some(false), ..RepoQuery::default() }), ["month"]);
        // Newest first, whatever the offset or fraction; unknown last.
        assert_eq!(
            names(RepoQuery { sort: RepoSort::Updated, ..RepoQuery::default() }),
            ["fresh", "month", "old", "unknown"]
        );
    }

    #[test]
    fn tags_sort_naturally_and_artifact_tags_hide_until_asked_for() {
        let hex = "e9d431e37eb92514675109235593db3ed0a8dfb4b8e5e67dea68ee3b1187853a";
        let all: Vec<String> = ["v1.10", "v1.9", "latest", &format!("sha256-{hex}"), &format!("sha256-{hex}.sig")]
            .map(String::from)
            .into();
        let (shown, hidden) = tags(&all, &TagQuery::default());
        assert_eq!((shown, hidden), (vec!["latest".to_string(), "v1.9".into(), "v1.10".into()], 2));
        let (shown, hidden) = tags(&all, &TagQuery { artifacts: true, sort: TagSort::NameDesc, ..TagQuery::default() });
        assert_eq!((shown.len(), hidden, shown[0].as_str()), (5, 0, "v1.10"));
        let (shown, _) = tags(&all, &TagQuery { q: "V1.".into(), ..TagQuery::default() });
        assert_eq!(shown, ["v1.9", "v1.10"]);
    }
}
