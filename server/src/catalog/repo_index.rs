//! A registry's repositories as the registry page reads them: the listing
//! merged with the last storage report, deduplicated and sorted by name,
//! built once per (listing, report) pair; and the order a query selects
//! from it, remembered per query. A warm page then clones its 50 rows, not
//! the whole catalogue (100,000 names took tens of milliseconds to copy,
//! sort and search on every request). Like the tag orders, each entry keeps
//! a `Weak` to what it was built from and is used only while that very
//! allocation is current (a `Weak` also keeps the address from being
//! reused).

use std::any::Any;
use std::sync::{Arc, Weak};

use app::model::{RepoQuery, RepositorySummary, StorageReport};
use time::OffsetDateTime;

use super::filter;

/// Rows held by all remembered indexes together.
const CAPACITY_ROWS: u64 = 400_000;
/// Positions held by all remembered query orders together (4 bytes each).
const CAPACITY_POSITIONS: u64 = 2_000_000;

/// A registry's repositories, in name order, with what the storage count knows.
#[derive(Debug)]
pub struct Rows {
    listing: Weak<dyn Any + Send + Sync>,
    report: Option<Weak<StorageReport>>,
    pub rows: Vec<RepositorySummary>,
    /// Their names and descriptions, laid out for search.
    text: filter::SearchText,
    /// Whether query orders over these rows are worth remembering (not for
    /// rows built for one request).
    remembered: bool,
}

impl Rows {
    /// Rows built for one request only (never remembered).
    pub fn once(all: Vec<RepositorySummary>, report: Option<&StorageReport>) -> Self {
        Self { remembered: false, ..Self::new(Weak::<()>::new(), None, merged(all, report)) }
    }

    fn new(
        listing: Weak<dyn Any + Send + Sync>,
        report: Option<Weak<StorageReport>>,
        rows: Vec<RepositorySummary>,
    ) -> Self {
        let text = filter::SearchText::new(&rows);
        Self { listing, report, rows, text, remembered: true }
    }
}

/// Positions in [`Rows::rows`], in the order a query selects.
#[derive(Debug)]
struct Order {
    rows: Weak<Rows>,
    positions: Arc<Vec<u32>>,
}

trait Weighed {
    fn weight(&self) -> u64;
}

impl Weighed for Rows {
    fn weight(&self) -> u64 {
        (self.rows.len() as u64).max(1)
    }
}

impl Weighed for Order {
    fn weight(&self) -> u64 {
        (self.positions.len() as u64).max(1)
    }
}

#[derive(Debug, Clone)]
struct ByLen;

impl<V: Weighed> quick_cache::Weighter<String, Arc<V>> for ByLen {
    fn weight(&self, key: &String, value: &Arc<V>) -> u64 {
        value.weight() + key_weight(key)
    }
}

impl<V: Weighed> quick_cache::Weighter<(String, String), Arc<V>> for ByLen {
    fn weight(&self, key: &(String, String), value: &Arc<V>) -> u64 {
        value.weight() + key_weight(&key.0) + key_weight(&key.1)
    }
}

/// A key's bytes in the unit of the weights (a position: four bytes), so a
/// long query's key counts against the memo, not only its positions.
fn key_weight(key: &str) -> u64 {
    (key.len() as u64).div_ceil(4)
}

/// Remembered indexes and query orders, for every registry of this process.
#[derive(Debug)]
pub struct RepoIndexes {
    rows: quick_cache::sync::Cache<String, Arc<Rows>, ByLen>,
    orders: quick_cache::sync::Cache<(String, String), Arc<Order>, ByLen>,
}

impl Default for RepoIndexes {
    fn default() -> Self {
        Self {
            rows: quick_cache::sync::Cache::with_weighter(64, CAPACITY_ROWS, ByLen),
            orders: quick_cache::sync::Cache::with_weighter(1024, CAPACITY_POSITIONS, ByLen),
        }
    }
}

fn same<T: ?Sized, U>(weak: &Weak<T>, arc: &Arc<U>) -> bool {
    std::ptr::addr_eq(weak.as_ptr(), Arc::as_ptr(arc))
}

impl RepoIndexes {
    /// The rows of `registry` for this `listing` and `report`: remembered,
    /// or built with `summaries` and merged with the report.
    pub fn rows<L: Any + Send + Sync>(
        &self,
        registry: &str,
        listing: &Arc<L>,
        report: Option<&Arc<StorageReport>>,
        summaries: impl FnOnce(&L) -> Vec<RepositorySummary>,
    ) -> Arc<Rows> {
        if let Some(known) = self.rows.get(registry)
            && same(&known.listing, listing)
            && match (&known.report, report) {
                (Some(w), Some(r)) => same(w, r),
                (None, None) => true,
                _ => false,
            }
        {
            return known;
        }
        let listing_weak: Weak<dyn Any + Send + Sync> = Arc::downgrade(listing) as Weak<dyn Any + Send + Sync>;
        let rows = merged(summaries(listing), report.map(Arc::as_ref));
        let built = Arc::new(Rows::new(listing_weak, report.map(Arc::downgrade), rows));
        self.rows.insert(registry.to_string(), built.clone());
        built
    }

    /// Positions of the rows `query` selects, in its order: remembered per
    /// registry and query for these very rows.
    pub fn select(&self, registry: &str, rows: &Arc<Rows>, query: &RepoQuery, now: OffsetDateTime) -> Arc<Vec<u32>> {
        if !rows.remembered {
            return Arc::new(filter::repositories(&rows.rows, &rows.text, query, now));
        }
        // "Updated within" moves with the clock: then the minute is part of the key.
        let minute = query.updated.map(|_| now.unix_timestamp() / 60);
        let key = (
            registry.to_string(),
            format!(
                "{}\u{0}{}\u{0}{:?}\u{0}{:?}\u{0}{:?}\u{0}{:?}",
                query.q.trim(),
                query.namespace.trim(),
                query.updated,
                query.signed,
                query.sort,
                minute
            ),
        );
        if let Some(order) = self.orders.get(&key)
            && same(&order.rows, rows)
        {
            return order.positions.clone();
        }
        let positions = Arc::new(filter::repositories(&rows.rows, &rows.text, query, now));
        self.orders.insert(key, Arc::new(Order { rows: Arc::downgrade(rows), positions: positions.clone() }));
        positions
    }
}

/// `all` sorted by name without duplicates, with sizes, tag counts,
/// signatures and (where the registry gives none) update times from the
/// storage report.
fn merged(mut all: Vec<RepositorySummary>, report: Option<&StorageReport>) -> Vec<RepositorySummary> {
    all.sort_by(|a, b| a.name.cmp(&b.name));
    all.dedup_by(|a, b| a.name == b.name);
    if let Some(report) = report {
        let counted: std::collections::HashMap<&str, &app::model::RepoStorage> =
            report.repositories.iter().map(|r| (r.name.as_str(), r)).collect();
        for r in &mut all {
            if let Some(c) = counted.get(r.name.as_str()) {
                r.stored_bytes = Some(c.bytes);
                r.tag_count = Some(c.tags);
                r.signed = Some(c.signed_images > 0);
                if r.updated.is_none() {
                    r.updated = c.newest.clone();
                }
            }
        }
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::RepoSort;

    fn names(list: &[&str]) -> Vec<RepositorySummary> {
        list.iter().map(|n| RepositorySummary::named(*n)).collect()
    }

    #[test]
    fn rows_are_sorted_deduplicated_and_rebuilt_for_a_new_listing_or_report() {
        let indexes = RepoIndexes::default();
        let first = Arc::new(vec!["b", "a", "b"]);
        let build = |l: &Vec<&str>| names(l);
        let a = indexes.rows("r", &first, None, build);
        let names_of = |rows: &Rows| rows.rows.iter().map(|r| r.name.clone()).collect::<Vec<_>>();
        assert_eq!(names_of(&a), ["a", "b"]);
        let again = indexes.rows("r", &first, None, |_| panic!("the same listing is not rebuilt"));
        assert!(Arc::ptr_eq(&a, &again));
        // A report arriving is a new index, with its sizes.
        let counted = app::model::RepoStorage {
            name: "b".into(),
            bytes: 42,
            unique_bytes: 42,
            shared_bytes: 0,
            tags: 1,
            blobs: 1,
            images: 1,
            signed_images: 0,
            newest: None,
        };
        let report = Arc::new(StorageReport {
            registry: "r".into(),
            computed_at: "2026-12-06T00:00:00Z".into(),
            total_bytes: 42,
            blobs: 1,
            tags: 1,
            repositories: vec![counted],
            largest_images: Vec::new(),
            problems: Vec::new(),
        });
        let with = indexes.rows("r", &first, Some(&report), build);
        assert_eq!(with.rows[1].stored_bytes, Some(42));
        // A refreshed listing (another allocation) is built afresh.
        let second = Arc::new(vec!["c"]);
        assert_eq!(names_of(&indexes.rows("r", &second, Some(&report), build)), ["c"]);
    }

    #[test]
    fn an_order_is_reused_for_its_rows_and_query_only() {
        let indexes = RepoIndexes::default();
        let now = OffsetDateTime::now_utc();
        let listing = Arc::new(vec!["team/app", "team/db", "other/app"]);
        let rows = indexes.rows("r", &listing, None, |l| names(l));
        let q = RepoQuery { q: "app".into(), ..RepoQuery::default() };
        let a = indexes.select("r", &rows, &q, now);
        assert!(Arc::ptr_eq(&a, &indexes.select("r", &rows, &q, now)), "the same query reuses its order");
        let picked: Vec<&str> = a.iter().map(|&i| rows.rows[i as usize].name.as_str()).collect();
        assert_eq!(picked, ["other/app", "team/app"]);
        let by_name = RepoQuery { sort: RepoSort::Name, ..RepoQuery::default() };
        assert_eq!(indexes.select("r", &rows, &by_name, now).len(), 3);
        // New rows, same query: computed again against them.
        let fresh = indexes.rows("r", &Arc::new(vec!["app"]), None, |l| names(l));
        assert_eq!(*indexes.select("r", &fresh, &q, now), [0]);
        // Rows built for one request are searched, not remembered.
        let once = Arc::new(Rows::once(names(&["x/app", "y"]), None));
        let (a, b) = (indexes.select("r", &once, &q, now), indexes.select("r", &once, &q, now));
        assert!(!Arc::ptr_eq(&a, &b) && *a == [0]);
    }
}
