//! Following `Link: <…>; rel="next"` (RFC 8288) to the end of a listing,
//! as the OCI Distribution API, GitHub and Harbor paginate.

use reqwest::header::{HeaderMap, LINK};
use url::Url;

/// The next page's URL, resolved against the current one, if the response
/// has a `rel="next"` link. A malformed header is an error, not the end.
pub fn next_link(headers: &HeaderMap, current: &Url) -> Result<Option<Url>, String> {
    let mut next = None;
    for value in headers.get_all(LINK) {
        let text = value.to_str().map_err(|_| "the Link header is not ASCII".to_string())?;
        let links = parse_link_header::parse_with_rel(text).map_err(|e| format!("unreadable Link header: {e:?}"))?;
        if let Some(link) = links.get("next") {
            let url = current.join(&link.raw_uri).map_err(|e| format!("bad next link `{}`: {e}", link.raw_uri))?;
            next = Some(url);
        }
    }
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

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
