//! Property tests (proptest) of every parser of what a registry or a client
//! sends: `WWW-Authenticate` challenges, `Link` headers, token answers,
//! manifests and image configurations, API documents through the
//! normaliser, references, repository paths, cursors and configuration
//! YAML. Whatever arrives, each returns a value or a clear error: no panic.
//! A fixed case budget keeps them in the README's test command.

use proptest::prelude::*;
use reqwest::header::{HeaderMap, HeaderValue, LINK, WWW_AUTHENTICATE};
use serde_json::Value;

/// Cases per property: enough to reach the branches, quick in CI.
const CASES: u32 = 384;

fn config() -> ProptestConfig {
    ProptestConfig { cases: CASES, failure_persistence: None, ..ProptestConfig::default() }
}

/// Keys the parsers look for, so generated documents reach past the top.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "openapi",
            "swagger",
            "info",
            "version",
            "paths",
            "components",
            "schemas",
            "definitions",
            "parameters",
            "responses",
            "requestBody",
            "content",
            "schema",
            "$ref",
            "get",
            "operationId",
            "servers",
            "url",
            "type",
            "items",
            "properties",
            "nullable",
            "mediaType",
            "schemaVersion",
            "manifests",
            "layers",
            "config",
            "digest",
            "size",
            "platform",
            "annotations",
            "history",
            "created",
            "token",
            "access_token",
            "expires_in",
        ])
        .prop_map(String::from),
        "[a-z/{}]{1,8}",
    ]
}

/// Any JSON value up to a few levels deep, biased towards the keys above.
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        prop::sample::select(vec![
            "2.0",
            "3.0.3",
            "3.1.0",
            "#/components/schemas/x",
            "#/definitions/x",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.oci.image.index.v1+json",
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "/v2/{name}/tags/list",
            "string",
            "object",
        ])
        .prop_map(|s| Value::String(s.to_string())),
        ".{0,16}".prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 96, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, 0..8).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A document-shaped value: a version key, then anything.
fn document() -> impl Strategy<Value = Value> {
    (prop::sample::select(vec![("openapi", "3.0.3"), ("openapi", "3.1.0"), ("swagger", "2.0")]), json()).prop_map(
        |((k, v), rest)| {
            let mut doc = match rest {
                Value::Object(m) => m,
                other => [("paths".to_string(), other)].into_iter().collect(),
            };
            doc.insert(k.to_string(), Value::String(v.to_string()));
            Value::Object(doc)
        },
    )
}

fn header(name: reqwest::header::HeaderName, value: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(value) {
        headers.insert(name, v);
    }
    headers
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn challenges_parse_or_are_refused_clearly(
        scheme in prop::sample::select(vec!["Bearer", "Basic", "bearer", "Negotiate", ""]),
        params in prop::collection::vec(("[a-z]{1,8}", "[ -~]{0,40}", any::<bool>()), 0..5),
        raw in "[ -~]{0,120}",
    ) {
        let built: Vec<String> = params
            .iter()
            .map(|(k, v, quoted)| if *quoted { format!("{k}=\"{}\"", v.replace(['"', '\\'], "")) } else { format!("{k}={v}") })
            .collect();
        for text in [format!("{scheme} {}", built.join(", ")), raw] {
            if let Err(e) = super::token::parse_challenge(&header(WWW_AUTHENTICATE, &text)) {
                prop_assert!(!e.to_string().is_empty());
            }
        }
    }

    #[test]
    fn link_headers_give_a_next_url_or_an_error(
        path in "/v2/[a-z0-9_/]{0,30}",
        query in "[a-z0-9=&]{0,20}",
        raw in "[ -~]{0,120}",
    ) {
        let current = url::Url::parse("https://registry.example/v2/_catalog?n=100").map_err(|e| TestCaseError::fail(e.to_string()))?;
        // A well-formed relative next link resolves against the current page.
        let target = if query.is_empty() { path.clone() } else { format!("{path}?{query}") };
        let next = super::pagination::next_link(&header(LINK, &format!("<{target}>; rel=\"next\"")), &current);
        let next = next.map_err(TestCaseError::fail)?.ok_or_else(|| TestCaseError::fail("no next link"))?;
        prop_assert_eq!((next.host_str(), next.path()), (Some("registry.example"), path.as_str()));
        // Anything else: a URL or a clear error, never a panic.
        if let Err(e) = super::pagination::next_link(&header(LINK, &raw), &current) {
            prop_assert!(!e.is_empty());
        }
    }

    #[test]
    fn token_answers_manifests_and_configs_never_panic(value in json(), bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let text = value.to_string();
        for body in [text.as_bytes(), bytes.as_slice()] {
            let _ = super::token::parse_token_response(body);
            let _ = super::manifest::parse_config(body);
            for content_type in ["application/vnd.oci.image.manifest.v1+json", "application/vnd.oci.image.index.v1+json", "text/plain", ""] {
                if let Err(e) = super::manifest::parse_manifest(content_type, body) {
                    prop_assert!(!e.to_string().is_empty());
                }
            }
        }
    }

    #[test]
    fn api_documents_are_normalised_or_refused(doc in document()) {
        let mut repaired = doc.clone();
        let _ = super::normalize::repair_common_mistakes(&mut repaired);
        let _ = super::normalize::swagger2_to_openapi30(doc.clone());
        let _ = super::normalize::openapi31_to_openapi30(doc.clone());
        let text = doc.to_string();
        if let Err(e) = super::document::parse_document(text.as_bytes()) {
            prop_assert!(!e.to_string().is_empty());
        }
        if let Ok(yaml) = serde_yaml_ng::to_string(&doc) {
            let _ = super::document::parse_document(yaml.as_bytes());
        }
    }

    #[test]
    fn references_paths_and_cursors_are_checked_without_panic(text in ".{0,200}", ascii in "[ -~]{0,200}") {
        for s in [text.as_str(), ascii.as_str()] {
            if super::reference::validate_reference(s).is_ok() {
                prop_assert!(super::reference::is_digest(s) || super::reference::is_tag(s), "{s:?}");
            }
            let _ = super::reference::validate_repository(s);
            let _ = app::paths::parse_repo_path(s);
            let _ = app::paths::Subject::of_page(s);
            match crate::catalog::parse_cursor(Some(s)) {
                Ok(offset) => prop_assert!(s.is_empty() || s.parse::<u64>() == Ok(offset), "{s:?}"),
                Err(e) => prop_assert!(e.contains("not a cursor")),
            }
        }
    }

    #[test]
    fn configuration_text_loads_or_says_where_it_is_wrong(value in json(), raw in ".{0,300}") {
        let env = |_: &str| None;
        let yaml = serde_yaml_ng::to_string(&value).unwrap_or_default();
        for text in [yaml.as_str(), raw.as_str()] {
            if let Err(e) = crate::config::load_str(text, "registries.yaml", std::path::Path::new("/nonexistent"), &env) {
                prop_assert!(!e.0.is_empty() && e.0.iter().all(|m| !m.message.is_empty()));
            }
        }
    }
}
