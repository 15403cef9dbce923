//! Where a listing's next page is, in each way registries say it: a
//! `Link: <…>; rel="next"` header (RFC 8288: OCI Distribution, GitHub), a
//! next URL in the body (Docker Hub), page numbers with a total
//! (`X-Total-Count`: Harbor), or an opaque cursor in the body.

use reqwest::header::{HeaderMap, LINK};
use url::Url;

use super::fields::Record;
use crate::config::{Field, PageStyle};

/// What the pager knows after reading one page.
#[derive(Debug, Clone, Copy)]
pub struct PageSeen {
    /// Items on this page.
    pub items: usize,
    /// Items on every page so far, this one included.
    pub so_far: u64,
    /// Items asked for per page.
    pub size: u32,
}

/// The number of items in the whole listing, when the answer says:
/// the style's total header, else the mapped `total` field.
pub fn total(style: &PageStyle, headers: &HeaderMap, page: &Record<'_>) -> Option<u64> {
    let from_header = match style {
        PageStyle::PageNumber { total_header: Some(h), .. } => {
            headers.get(h.as_ref()).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok())
        }
        _ => None,
    };
    from_header.or_else(|| page.count(Field::Total))
}

/// The next page's URL, or `None` at the end. Malformed pagination data
/// is an error, never a silent end.
pub fn next_page(
    style: &PageStyle,
    current: &Url,
    headers: &HeaderMap,
    page: &Record<'_>,
    seen: PageSeen,
    total: Option<u64>,
) -> Result<Option<Url>, String> {
    match style {
        PageStyle::Link => next_link(headers, current),
        PageStyle::NextUrl { field } => match page.text_at(field) {
            None => Ok(None),
            Some(next) => current.join(&next).map(Some).map_err(|e| format!("bad next URL `{next}`: {e}")),
        },
        PageStyle::Cursor { param, field } => Ok(page.text_at(field).map(|cursor| with_query(current, param, &cursor))),
        PageStyle::PageNumber { param, .. } => {
            let done = seen.items == 0
                || match total {
                    Some(t) => seen.so_far >= t,
                    None => seen.items < seen.size as usize,
                };
            if done {
                return Ok(None);
            }
            let number = current
                .query_pairs()
                .find(|(k, _)| k == param.as_ref())
                .map(|(_, v)| v.parse::<u64>().map_err(|_| format!("page number `{v}` is not a number")))
                .transpose()?
                .unwrap_or(1);
            Ok(Some(with_query(current, param, &(number + 1).to_string())))
        }
    }
}

/// `url` with query parameter `name` set to `value` (replaced, not added).
pub(super) fn with_query(url: &Url, name: &str, value: &str) -> Url {
    let kept: Vec<(String, String)> =
        url.query_pairs().filter(|(k, _)| k != name).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    let mut next = url.clone();
    {
        let mut q = next.query_pairs_mut();
        q.clear();
        for (k, v) in &kept {
            q.append_pair(k, v);
        }
        q.append_pair(name, value);
    }
    next
}

/// The next page's URL, resolved against the current one, if the response
/// has a `rel="next"` link. A malformed header is an error, not the end.
pub fn next_link(headers: &HeaderMap, current: &Url) -> Result<Option<Url>, String> {
    let mut next = None;
    for value in headers.get_all(LINK) {
        let text = value.to_str().map_err(|_| "the Link header is not ASCII".to_string())?;
        if text.trim().is_empty() {
            continue;
        }
        let links = http_link::parse_link_header(text, current).map_err(|e| format!("unreadable Link header: {e}"))?;
        if let Some(link) = links.into_iter().find(|l| l.rel == "next") {
            next = Some(link.target);
        }
    }
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;
    use serde_json::json;
    use std::borrow::Cow;

    fn harbor() -> PageStyle {
        PageStyle::PageNumber {
            param: Cow::Borrowed("page"),
            size_param: Cow::Borrowed("page_size"),
            total_header: Some(Cow::Borrowed("X-Total-Count")),
        }
    }

    fn seen(items: usize, so_far: u64) -> PageSeen {
        PageSeen { items, so_far, size: 2 }
    }

    #[test]
    fn page_numbers_advance_until_the_total_is_read() -> Result<(), String> {
        let url = Url::parse("http://h/api/v2.0/repositories?page_size=2&page=1").map_err(|e| e.to_string())?;
        let mut h = HeaderMap::new();
        h.insert("x-total-count", HeaderValue::from_static("5"));
        let body = json!([]);
        let page = Record::whole(&body);
        let total = total(&harbor(), &h, &page);
        assert_eq!(total, Some(5));
        let next = next_page(&harbor(), &url, &h, &page, seen(2, 2), total)?;
        assert_eq!(next.map(String::from).as_deref(), Some("http://h/api/v2.0/repositories?page_size=2&page=2"));
        assert_eq!(next_page(&harbor(), &url, &h, &page, seen(1, 5), total)?, None);
        // Without a total, a short page is the last; an empty page always is.
        assert_eq!(next_page(&harbor(), &url, &HeaderMap::new(), &page, seen(1, 3), None)?, None);
        assert!(next_page(&harbor(), &url, &HeaderMap::new(), &page, seen(2, 4), None)?.is_some());
        assert_eq!(next_page(&harbor(), &url, &h, &page, seen(0, 2), total)?, None);
        Ok(())
    }

    #[test]
    fn next_urls_and_cursors_come_from_the_body() -> Result<(), String> {
        let url = Url::parse("https://hub/v2/namespaces/x/repositories?page_size=100").map_err(|e| e.to_string())?;
        let body = json!({"next": "/v2/namespaces/x/repositories?page=2&page_size=100", "meta": {"cursor": "abc=="}});
        let page = Record::whole(&body);
        let style = PageStyle::NextUrl { field: Cow::Borrowed("/next") };
        let next = next_page(&style, &url, &HeaderMap::new(), &page, seen(100, 100), None)?;
        assert_eq!(
            next.map(String::from).as_deref(),
            Some("https://hub/v2/namespaces/x/repositories?page=2&page_size=100")
        );
        let cursor = PageStyle::Cursor { field: Cow::Borrowed("/meta/cursor"), param: Cow::Borrowed("after") };
        let next = next_page(&cursor, &url, &HeaderMap::new(), &page, seen(100, 100), None)?;
        assert_eq!(
            next.map(String::from).as_deref(),
            Some("https://hub/v2/namespaces/x/repositories?page_size=100&after=abc%3D%3D")
        );
        let end = json!({"next": null});
        assert_eq!(next_page(&style, &url, &HeaderMap::new(), &Record::whole(&end), seen(3, 103), None)?, None);
        Ok(())
    }

    fn headers(link: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(LINK, HeaderValue::from_static(link));
        h
    }

    #[test]
    fn relative_next_links_resolve_against_the_current_url() -> Result<(), String> {
        let current = Url::parse("http://127.0.0.1:5000/v2/_catalog?n=1000").map_err(|e| e.to_string())?;
        let next = next_link(&headers(r#"</v2/_catalog?last=repo-0999&n=1000>; rel="next""#), &current)?;
        assert_eq!(next.map(String::from).as_deref(), Some("http://127.0.0.1:5000/v2/_catalog?last=repo-0999&n=1000"));
        // A query pair without `=` is a valid URL (parse_link_header refused it).
        let next = next_link(&headers(r#"</v2/_catalog?last=a&flag>; rel="next last""#), &current)?;
        assert_eq!(next.map(String::from).as_deref(), Some("http://127.0.0.1:5000/v2/_catalog?last=a&flag"));
        Ok(())
    }

    #[test]
    fn no_header_or_other_rels_mean_the_end() -> Result<(), String> {
        let current = Url::parse("http://h/v2/_catalog").map_err(|e| e.to_string())?;
        assert_eq!(next_link(&HeaderMap::new(), &current)?, None);
        assert_eq!(next_link(&headers(r#"</x>; rel="prev""#), &current)?, None);
        Ok(())
    }

    #[test]
    fn a_garbled_header_is_an_error() -> Result<(), String> {
        let current = Url::parse("http://h/v2/_catalog").map_err(|e| e.to_string())?;
        assert!(next_link(&headers("garbage without brackets"), &current).is_err());
        Ok(())
    }
}
