//! One page out of a whole listing, with an opaque cursor for the next.

use app::contract::PageRequest;
use app::model::Page;

/// Cuts `page` out of `all` and maps its items. The cursor is the offset of
/// the next page, as text; clients must treat it as opaque.
pub fn slice_page<T, U>(
    all: impl IntoIterator<Item = T, IntoIter: ExactSizeIterator>,
    page: PageRequest,
    map: impl Fn(T) -> U,
) -> Page<U> {
    let all = all.into_iter();
    let total = all.len() as u64;
    let start = page.offset.min(total);
    let end = start.saturating_add(u64::from(page.limit)).min(total);
    let items = all.into_iter().skip(start as usize).take((end - start) as usize).map(map).collect();
    let next_cursor = (end < total).then(|| end.to_string());
    Page { items, next_cursor, total: Some(total), offset: start, partial: None, hidden: 0 }
}

/// Reads a cursor made by [`slice_page`].
pub fn parse_cursor(cursor: Option<&str>) -> Result<u64, String> {
    match cursor {
        None | Some("") => Ok(0),
        Some(c) => c.parse::<u64>().map_err(|_| format!("`{c}` is not a cursor this server issued")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_cover_the_listing_without_overlap() {
        let all: Vec<u32> = (0..5).collect();
        let p1 = slice_page(all.clone(), PageRequest { offset: 0, limit: 2 }, |x| x);
        assert_eq!((p1.items, p1.next_cursor.as_deref(), p1.total), (vec![0, 1], Some("2"), Some(5)));
        let p3 = slice_page(all.clone(), PageRequest { offset: 4, limit: 2 }, |x| x);
        assert_eq!((p3.items, p3.next_cursor), (vec![4], None));
        let beyond = slice_page(all, PageRequest { offset: 99, limit: 2 }, |x| x);
        assert_eq!((beyond.items.len(), beyond.offset), (0, 5));
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        assert_eq!(parse_cursor(None), Ok(0));
        assert_eq!(parse_cursor(Some("50")), Ok(50));
        assert!(parse_cursor(Some("abc")).is_err());
    }
}
