//! URLs of Reestr's pages and how repository paths are read back.
//!
//! Repository names contain slashes (`team/sub/app`), so a repository or tag
//! cannot be one path segment. Pages use `/-/` as the separator (a path
//! component of a repository name must start with a letter or digit, so `-`
//! never is one). The REST API also accepts `{repo}/tags` and
//! `{repo}/tags/{tag}`, as its documented shape.

use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};

/// Characters escaped in one path segment (a tag, a registry id).
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// Same, but slashes separate the parts of a repository name and stay.
const REPOSITORY: &AsciiSet =
    &CONTROLS.add(b' ').add(b'"').add(b'#').add(b'%').add(b'<').add(b'>').add(b'?').add(b'`').add(b'{').add(b'}');

fn seg(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}

fn repo(s: &str) -> String {
    utf8_percent_encode(s.trim_matches('/'), REPOSITORY).to_string()
}

/// `/registries/{id}`
pub fn registry_page(registry: &str) -> String {
    format!("/registries/{}", seg(registry))
}

/// `/registries/{id}/repositories/{repo}`
///
/// A name the parser would read as something else (`big/tags`,
/// `a/tags/b`) gets the `/-` separator: `…/repositories/big/tags/-`.
pub fn repository_page(registry: &str, repository: &str) -> String {
    let plain = parse_repo_path(repository) == Some(RepoPath::Repository { repository: repository.to_string() });
    let separator = if plain { "" } else { "/-" };
    format!("/registries/{}/repositories/{}{separator}", seg(registry), repo(repository))
}

/// `/registries/{id}/storage`
pub fn storage_page(registry: &str) -> String {
    format!("/registries/{}/storage", seg(registry))
}

/// `/registries/{id}/repositories/{repo}/-/tags/{tag}`
pub fn tag_page(registry: &str, repository: &str, reference: &str) -> String {
    format!("/registries/{}/repositories/{}/-/tags/{}", seg(registry), repo(repository), seg(reference))
}

/// `base` with the non-empty `params` as its query (`?q=app&sort=pulls`).
pub fn with_query<V: AsRef<str>>(base: &str, params: &[(&str, V)]) -> String {
    let query: Vec<String> = params
        .iter()
        .filter(|(_, v)| !v.as_ref().is_empty())
        .map(|(k, v)| format!("{k}={}", utf8_percent_encode(v.as_ref(), QUERY_VALUE)))
        .collect();
    if query.is_empty() { base.to_string() } else { format!("{base}?{}", query.join("&")) }
}

/// Escaped in query values.
const QUERY_VALUE: &AsciiSet = &SEGMENT.add(b'&').add(b'=').add(b'+');

/// What a path below `…/repositories/` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepoPath {
    /// The repository itself (its page, or its tag list in the REST API).
    Repository { repository: String },
    /// The repository's tag list, asked for explicitly.
    Tags { repository: String },
    /// One tag (or digest) of the repository.
    Tag { repository: String, reference: String },
    /// `{repo}/-/referrers/{digest}`: what refers to a manifest.
    Referrers { repository: String, digest: String },
    /// `{repo}/-/sbom/{digest}`: the SBOM an artifact carries.
    Sbom { repository: String, digest: String },
    /// `{repo}/-/readme`: the README, rendered.
    Readme { repository: String },
}

/// Reads the part of a URL after `…/repositories/`.
///
/// Rules, in order: a `-` segment separates the repository from `tags` or
/// `tags/{tag}`; otherwise `…/tags/{tag}` is a tag, `…/tags` is the tag list;
/// otherwise the whole path is the repository. Returns `None` for an empty
/// repository name or a malformed `/-/` suffix.
pub fn parse_repo_path(path: &str) -> Option<RepoPath> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let join = |parts: &[&str]| -> Option<String> { if parts.is_empty() { None } else { Some(parts.join("/")) } };
    if let Some(dash) = segments.iter().position(|s| *s == "-") {
        let repository = join(&segments[..dash])?;
        return match &segments[dash + 1..] {
            [] => Some(RepoPath::Repository { repository }),
            ["tags"] => Some(RepoPath::Tags { repository }),
            ["tags", tag] => Some(RepoPath::Tag { repository, reference: (*tag).to_string() }),
            ["referrers", digest] => Some(RepoPath::Referrers { repository, digest: (*digest).to_string() }),
            ["sbom", digest] => Some(RepoPath::Sbom { repository, digest: (*digest).to_string() }),
            ["readme"] => Some(RepoPath::Readme { repository }),
            _ => None,
        };
    }
    match segments.as_slice() {
        [rest @ .., "tags", tag] if !rest.is_empty() => {
            Some(RepoPath::Tag { repository: rest.join("/"), reference: (*tag).to_string() })
        }
        [rest @ .., "tags"] if !rest.is_empty() => Some(RepoPath::Tags { repository: rest.join("/") }),
        all => join(all).map(|repository| RepoPath::Repository { repository }),
    }
}

/// What a page is about, read from its path: a page answers with the HTTP
/// status of that thing (an unknown registry, repository or tag is 404, an
/// upstream failure 502/503/504), decided by the server before the page
/// starts streaming, since a streamed status cannot change later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// `/registries/{id}` and `/registries/{id}/storage`.
    Registry { registry: String },
    /// `/registries/{id}/repositories/{repo}`.
    Repository { registry: String, repository: String },
    /// `/registries/{id}/repositories/{repo}/-/tags/{tag}`.
    Tag { registry: String, repository: String, reference: String },
}

impl Subject {
    /// The subject of the page at `path` (no query), or `None` for pages
    /// about no one thing (home, account) or that route nowhere (their own
    /// 404 page says so).
    pub fn of_page(path: &str) -> Option<Self> {
        let rest = path.strip_prefix("/registries/")?;
        let (id, rest) = rest.split_once('/').unwrap_or((rest, ""));
        let registry = percent_decode_str(id).decode_utf8().ok()?.into_owned();
        if registry.is_empty() {
            return None;
        }
        if rest.is_empty() || rest == "storage" {
            return Some(Self::Registry { registry });
        }
        let path = percent_decode_str(rest.strip_prefix("repositories/")?).decode_utf8().ok()?;
        match parse_repo_path(&path)? {
            RepoPath::Repository { repository } | RepoPath::Tags { repository } => {
                Some(Self::Repository { registry, repository })
            }
            RepoPath::Tag { repository, reference } => Some(Self::Tag { registry, repository, reference }),
            RepoPath::Referrers { .. } | RepoPath::Sbom { .. } | RepoPath::Readme { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_drop_empty_values_and_escape_the_rest() {
        assert_eq!(with_query("/r", &[("q", ""), ("page", "")]), "/r");
        assert_eq!(with_query("/r", &[("q", "a b&c"), ("sort", "pulls")]), "/r?q=a%20b%26c&sort=pulls");
    }

    #[test]
    fn page_urls_round_trip_through_the_parser() {
        let repo = "team/sub/app";
        let url = repository_page("local", repo);
        assert_eq!(url, "/registries/local/repositories/team/sub/app");
        let rest = url.trim_start_matches("/registries/local/repositories/");
        assert_eq!(parse_repo_path(rest), Some(RepoPath::Repository { repository: repo.into() }));

        let url = tag_page("local", repo, "1.0");
        assert_eq!(url, "/registries/local/repositories/team/sub/app/-/tags/1.0");
        let rest = url.trim_start_matches("/registries/local/repositories/");
        assert_eq!(parse_repo_path(rest), Some(RepoPath::Tag { repository: repo.into(), reference: "1.0".into() }));
    }

    #[test]
    fn a_repository_with_a_tags_component_stays_unambiguous_with_the_separator() {
        assert_eq!(
            parse_repo_path("x/tags/-/tags/tags"),
            Some(RepoPath::Tag { repository: "x/tags".into(), reference: "tags".into() })
        );
        assert_eq!(parse_repo_path("x/tags/-/tags"), Some(RepoPath::Tags { repository: "x/tags".into() }));
    }

    #[test]
    fn repositories_named_like_a_tag_path_get_the_separator() {
        for name in ["big/tags", "a/tags/b"] {
            let url = repository_page("local", name);
            assert_eq!(url, format!("/registries/local/repositories/{name}/-"));
            let rest = url.trim_start_matches("/registries/local/repositories/");
            assert_eq!(parse_repo_path(rest), Some(RepoPath::Repository { repository: name.into() }));
        }
    }

    #[test]
    fn rest_shapes_are_read() {
        assert_eq!(parse_repo_path("library/nginx/tags"), Some(RepoPath::Tags { repository: "library/nginx".into() }));
        assert_eq!(
            parse_repo_path("library/nginx/tags/sha256:abc"),
            Some(RepoPath::Tag { repository: "library/nginx".into(), reference: "sha256:abc".into() })
        );
        assert_eq!(parse_repo_path("nginx"), Some(RepoPath::Repository { repository: "nginx".into() }));
    }

    #[test]
    fn empty_and_malformed_paths_are_refused() {
        assert_eq!(parse_repo_path(""), None);
        assert_eq!(parse_repo_path("tags"), Some(RepoPath::Repository { repository: "tags".into() }));
        assert_eq!(parse_repo_path("-/tags"), None);
        assert_eq!(parse_repo_path("a/-/what/ever"), None);
    }

    #[test]
    fn a_page_path_names_its_subject() {
        let reg = |r: &str| Some(Subject::Registry { registry: r.into() });
        assert_eq!(Subject::of_page("/registries/local"), reg("local"));
        assert_eq!(Subject::of_page("/registries/local/storage"), reg("local"));
        assert_eq!(Subject::of_page("/registries/a%20b"), reg("a b"));
        assert_eq!(
            Subject::of_page(&repository_page("local", "team/sub/app")),
            Some(Subject::Repository { registry: "local".into(), repository: "team/sub/app".into() })
        );
        assert_eq!(
            Subject::of_page(&tag_page("local", "big/tags", "1.0")),
            Some(Subject::Tag { registry: "local".into(), repository: "big/tags".into(), reference: "1.0".into() })
        );
        for none in
            ["/", "/account", "/registries/", "/registries/local/other", "/registries/local/repositories/a/-/readme"]
        {
            assert_eq!(Subject::of_page(none), None, "{none}");
        }
    }
}
