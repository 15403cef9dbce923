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

/// The names and descriptions of a listing laid end to end in one buffer,
/// in listing order, for fuzzy search. Scoring 100,000 repositories spent
/// most of its time waiting for memory while it visited 200,000 separately
/// allocated strings; one contiguous buffer streams through the cache.
#[derive(Debug, Default)]
pub struct SearchText {
    text: String,
    /// Per repository: its name's and its description's byte ranges in `text`.
    spans: Vec<[(u32, u32); 2]>,
    /// Whether all of `text` is ASCII (nucleo then reads bytes as they are).
    ascii: bool,
}

impl SearchText {
    pub fn new(all: &[RepositorySummary]) -> Self {
        let bytes: usize = all.iter().map(|r| r.name.len() + r.description.as_deref().map_or(0, str::len)).sum();
        let mut text = String::with_capacity(bytes);
        let mut push = |s: &str| {
            let start = text.len();
            text.push_str(s);
            // A listing past 4 GiB of text is searched as empty strings, not wrongly.
            (u32::try_from(start).unwrap_or(0), u32::try_from(text.len()).unwrap_or(0))
        };
        let spans = all.iter().map(|r| [push(&r.name), push(r.description.as_deref().unwrap_or(""))]).collect();
        let ascii = text.is_ascii();
        Self { text, spans, ascii }
    }

    /// Repository `i`'s name (`which` 0) or description (1), as nucleo
    /// reads it: ASCII as it is, anything else as characters in `buf`.
    fn get<'a>(&'a self, i: usize, which: usize, buf: &'a mut Vec<char>) -> Utf32Str<'a> {
        let (start, end) = self.spans.get(i).map_or((0, 0), |s| s[which]);
        let s = self.text.get(start as usize..end as usize).unwrap_or("");
        if self.ascii { Utf32Str::Ascii(s.as_bytes()) } else { Utf32Str::new(s, buf) }
    }
}

/// Repositories per thread below which search stays on one thread.
const MIN_PER_THREAD: usize = 16_384;

/// Positions in `all` (which is in name order) of the repositories `query`
/// selects, in its order; `text` is [`SearchText::new`] of `all`. `now`
/// anchors "updated within"; repositories whose update time or signature is
/// unknown do not pass those filters. Only positions are produced: the
/// caller clones the rows of one page.
pub fn repositories<'a>(
    all: &'a [RepositorySummary],
    text: &SearchText,
    query: &RepoQuery,
    now: OffsetDateTime,
) -> Vec<u32> {
    let namespace = query.namespace.trim().trim_end_matches('/');
    let since = query.updated.map(|r| now - time::Duration::days(r.days() as i64));
    let selected = |r: &RepositorySummary| {
        let namespace_ok =
            namespace.is_empty() || r.name.strip_prefix(namespace).is_some_and(|rest| rest.starts_with('/'));
        let recent_ok = since.is_none_or(|since| r.updated.as_deref().and_then(instant).is_some_and(|u| u >= since));
        let signed_ok = query.signed.is_none_or(|want| r.signed == Some(want));
        namespace_ok && recent_ok && signed_ok
    };
    let candidates = all.iter().enumerate().filter(|(_, r)| selected(r)).map(|(i, r)| (i as u32, r));
    let q = query.q.trim();
    // Every sort below is stable over name order, so ties stay by name.
    let mut picked: Vec<(u32, &RepositorySummary)> = if q.is_empty() {
        candidates.collect()
    } else {
        let pattern = Pattern::parse(q, CaseMatching::Ignore, Normalization::Smart);
        let candidates: Vec<(u32, &RepositorySummary)> = candidates.collect();
        let score = |part: &[(u32, &'a RepositorySummary)]| -> Vec<(u32, u32, &'a RepositorySummary)> {
            let mut matcher = Matcher::new(Config::DEFAULT.match_paths());
            let mut buf = Vec::new();
            part.iter()
                .filter_map(|&(i, r)| {
                    let by_name = pattern.score(text.get(i as usize, 0, &mut buf), &mut matcher);
                    // A description match counts, below any name match.
                    let by_description = || {
                        let d = text.get(i as usize, 1, &mut buf);
                        if d.is_empty() {
                            return None;
                        }
                        pattern.score(d, &mut matcher).map(|s| s / 4)
                    };
                    by_name.or_else(by_description).map(|score| (score, i, r))
                })
                .collect()
        };
        // A long listing is scored on every core, in consecutive parts, so
        // the parts joined in order keep name order.
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let parts = cores.min(candidates.len() / MIN_PER_THREAD).max(1);
        let mut scored: Vec<(u32, u32, &RepositorySummary)> = if parts == 1 {
            score(&candidates)
        } else {
            let size = candidates.len().div_ceil(parts);
            std::thread::scope(|s| {
                let mut chunks = candidates.chunks(size);
                let first = chunks.next().unwrap_or_default();
                let others: Vec<_> = chunks.map(|part| s.spawn(move || score(part))).collect();
                let mut all = score(first);
                for handle in others {
                    match handle.join() {
                        Ok(part) => all.extend(part),
                        Err(panic) => std::panic::resume_unwind(panic),
                    }
                }
                all
            })
        };
        if query.sort == RepoSort::Name {
            scored.sort_by_key(|(score, _, _)| std::cmp::Reverse(*score));
        }
        scored.into_iter().map(|(_, i, r)| (i, r)).collect()
    };
    match query.sort {
        RepoSort::Name => {}
        RepoSort::Pulls => picked.sort_by_key(|(_, r)| std::cmp::Reverse(r.pull_count)),
        RepoSort::Updated => {
            picked.sort_by_cached_key(|(_, r)| std::cmp::Reverse(r.updated.as_deref().and_then(instant)))
        }
        RepoSort::Size => picked.sort_by_key(|(_, r)| std::cmp::Reverse(r.stored_bytes)),
    }
    picked.into_iter().map(|(i, _)| i).collect()
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

    /// The names `query` selects from `all` (sorted by name first, as the index keeps them).
    fn select(mut all: Vec<RepositorySummary>, query: &RepoQuery, now: OffsetDateTime) -> Vec<String> {
        all.sort_by(|a, b| a.name.cmp(&b.name));
        repositories(&all, &SearchText::new(&all), query, now)
            .into_iter()
            .map(|i| all[i as usize].name.clone())
            .collect()
    }

    #[test]
    fn fuzzy_search_ranks_close_matches_first_and_drops_the_rest() {
        let all = vec![repo("team/app", None), repo("bulk/repo-0001", None), repo("team/sub/multi", None)];
        let q = RepoQuery { q: "tmapp".into(), ..RepoQuery::default() };
        assert_eq!(select(all.clone(), &q, OffsetDateTime::now_utc()), ["team/app"]);
        let q = RepoQuery { q: "multi".into(), namespace: "team".into(), ..RepoQuery::default() };
        assert_eq!(select(all.clone(), &q, OffsetDateTime::now_utc()).len(), 1);
        let q = RepoQuery { namespace: "bulk".into(), ..RepoQuery::default() };
        assert_eq!(select(all, &q, OffsetDateTime::now_utc()).len(), 1);
    }

    #[test]
    fn descriptions_match_below_names_and_non_ascii_text_is_searched() {
        let with = |name: &str, description: &str| RepositorySummary {
            description: Some(description.into()),
            ..RepositorySummary::named(name)
        };
        let all = vec![with("tools/misc", "Ünïcode helpers"), with("unicode/core", "plain"), repo("zeta", None)];
        let q = RepoQuery { q: "unicode".into(), ..RepoQuery::default() };
        assert_eq!(select(all, &q, OffsetDateTime::now_utc()), ["unicode/core", "tools/misc"]);
    }

    #[test]
    fn a_long_listing_searched_in_parts_keeps_name_order_among_equal_scores() {
        let all: Vec<RepositorySummary> =
            (0..4 * MIN_PER_THREAD).map(|i| RepositorySummary::named(format!("team/app-{i:06}"))).collect();
        let q = RepoQuery { q: "app".into(), ..RepoQuery::default() };
        let found = select(all.clone(), &q, OffsetDateTime::now_utc());
        let expected: Vec<String> = all.iter().map(|r| r.name.clone()).collect();
        assert_eq!(found, expected, "every name matches equally, so name order stands");
        let q = RepoQuery { q: "app-065535".into(), ..RepoQuery::default() };
        assert_eq!(select(all, &q, OffsetDateTime::now_utc()).first().map(String::as_str), Some("team/app-065535"));
    }

    #[test]
    fn sorting_by_pulls_puts_unknown_counts_last() {
        let all = vec![repo("a", None), repo("b", Some(5)), repo("c", Some(50))];
        let q = RepoQuery { sort: RepoSort::Pulls, ..RepoQuery::default() };
        assert_eq!(select(all, &q, OffsetDateTime::now_utc()), ["c", "b", "a"]);
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
        let names = |q: RepoQuery| -> Vec<String> { select(all.clone(), &q, now) };
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
