//! The filtered, sorted order of a tag listing, remembered per listing and
//! query. Natural-order sorting of 10,000 tag names costs milliseconds; a
//! warm page pays it once per listing (a listing is refreshed at most every
//! 30 s), not once per request. An order is used only with the very listing
//! it was computed from: it keeps a `Weak` to it, which also keeps that
//! listing's address from being reused by another.

use std::sync::{Arc, Weak};

use app::model::{TagQuery, TagSort};

use super::filter;

/// Tag names held by all remembered orders together (~10 MB of names).
const CAPACITY_NAMES: u64 = 200_000;

type Key = (String, String, String, bool, TagSort);

#[derive(Debug)]
struct Order {
    listing: Weak<Vec<String>>,
    names: Arc<Vec<String>>,
    hidden: u64,
}

#[derive(Debug, Clone)]
struct ByNames;

impl quick_cache::Weighter<Key, Arc<Order>> for ByNames {
    fn weight(&self, _key: &Key, order: &Arc<Order>) -> u64 {
        (order.names.len() as u64).max(1)
    }
}

/// Remembered tag orders, for every registry of this process.
#[derive(Debug)]
pub struct TagOrders {
    memo: quick_cache::sync::Cache<Key, Arc<Order>, ByNames>,
}

impl Default for TagOrders {
    fn default() -> Self {
        Self { memo: quick_cache::sync::Cache::with_weighter(1024, CAPACITY_NAMES, ByNames) }
    }
}

impl TagOrders {
    /// The names `query` selects from `listing`, in its order, and how many
    /// artifact tags it hid: [`filter::tags`], remembered.
    pub fn select(
        &self,
        registry: &str,
        repository: &str,
        listing: &Arc<Vec<String>>,
        query: &TagQuery,
    ) -> (Arc<Vec<String>>, u64) {
        let key =
            (registry.to_string(), repository.to_string(), query.q.trim().to_string(), query.artifacts, query.sort);
        if let Some(order) = self.memo.get(&key)
            && std::ptr::eq(order.listing.as_ptr(), Arc::as_ptr(listing))
        {
            return (order.names.clone(), order.hidden);
        }
        let (names, hidden) = filter::tags(listing, query);
        let names = Arc::new(names);
        let order = Order { listing: Arc::downgrade(listing), names: names.clone(), hidden };
        self.memo.insert(key, Arc::new(order));
        (names, hidden)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_is_reused_for_its_listing_only() {
        let orders = TagOrders::default();
        let query = TagQuery { sort: TagSort::Name, ..TagQuery::default() };
        let first = Arc::new(vec!["v1.10".to_string(), "v1.9".to_string()]);
        let (a, _) = orders.select("r", "x", &first, &query);
        let (b, _) = orders.select("r", "x", &first, &query);
        assert!(Arc::ptr_eq(&a, &b), "the same listing reuses the order");
        assert_eq!(*a, ["v1.9", "v1.10"]);
        // A refreshed listing (another allocation) is sorted afresh.
        let second = Arc::new(vec!["v2".to_string(), "v1.9".to_string()]);
        let (c, _) = orders.select("r", "x", &second, &query);
        assert_eq!(*c, ["v1.9", "v2"]);
        // Another query is another order.
        let desc = TagQuery { sort: TagSort::NameDesc, ..TagQuery::default() };
        assert_eq!(*orders.select("r", "x", &second, &desc).0, ["v2", "v1.9"]);
    }
}
