//! Loading a registry's OpenAPI document: the shipped OCI Distribution
//! document, a file, or a URL; JSON or YAML.

use std::time::Duration;

use openapiv3::OpenAPI;

use crate::config::DocumentSource;

/// The OCI Distribution document shipped inside the binary.
pub const BUILTIN_OCI: &str = include_str!("oci-distribution.yaml");

/// Largest document Reestr reads (Harbor's is ~200 kB; GitHub's ~10 MB).
const MAX_DOCUMENT_BYTES: u64 = 16 * 1024 * 1024;
const FETCH_TIMEOUT: Duration = Duration::from_secs(15);

/// A parsed document and a name for it.
#[derive(Debug, Clone)]
pub struct ApiDocument {
    pub openapi: OpenAPI,
    /// `OCI Distribution API (read-only subset) 1.1`
    pub title: String,
    /// Mistakes in the document that were repaired to read it.
    pub repairs: Vec<String>,
}

/// Why a document could not be used.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("cannot fetch {url}: {reason}")]
    Fetch { url: String, reason: String },
    #[error("the document is larger than {MAX_DOCUMENT_BYTES} bytes")]
    TooLarge,
    #[error("the document is neither JSON nor YAML: {0}")]
    Syntax(String),
    #[error("{0}")]
    Version(String),
    #[error("not a valid OpenAPI document: {0}")]
    Invalid(String),
}

/// Loads the document a registry's configuration names.
pub async fn load_document(source: &DocumentSource, http: &reqwest::Client) -> Result<ApiDocument, DocumentError> {
    match source {
        DocumentSource::BuiltinOci => parse_document(BUILTIN_OCI.as_bytes()),
        DocumentSource::File(path) => {
            let shown = path.display().to_string();
            let meta = tokio::fs::metadata(path)
                .await
                .map_err(|e| DocumentError::Read { path: shown.clone(), reason: e.to_string() })?;
            if meta.len() > MAX_DOCUMENT_BYTES {
                return Err(DocumentError::TooLarge);
            }
            let bytes =
                tokio::fs::read(path).await.map_err(|e| DocumentError::Read { path: shown, reason: e.to_string() })?;
            parse_document(&bytes)
        }
        DocumentSource::Url(url) => {
            let fail = |reason: String| DocumentError::Fetch { url: url.to_string(), reason };
            let mut resp =
                http.get(url.clone()).timeout(FETCH_TIMEOUT).send().await.map_err(|e| fail(e.to_string()))?;
            if !resp.status().is_success() {
                return Err(fail(format!("HTTP {}", resp.status())));
            }
            if resp.content_length().is_some_and(|n| n > MAX_DOCUMENT_BYTES) {
                return Err(DocumentError::TooLarge);
            }
            let mut body = Vec::new();
            while let Some(chunk) = resp.chunk().await.map_err(|e| fail(e.to_string()))? {
                if (body.len() + chunk.len()) as u64 > MAX_DOCUMENT_BYTES {
                    return Err(DocumentError::TooLarge);
                }
                body.extend_from_slice(&chunk);
            }
            parse_document(&body)
        }
    }
}

/// Parses JSON or YAML and checks the version before reading it as OpenAPI 3.0.
pub fn parse_document(bytes: &[u8]) -> Result<ApiDocument, DocumentError> {
    let text = std::str::from_utf8(bytes).map_err(|e| DocumentError::Syntax(format!("not UTF-8: {e}")))?;
    let value: serde_json::Value = if text.trim_start().starts_with('{') {
        serde_json::from_str(text).map_err(|e| DocumentError::Syntax(e.to_string()))?
    } else {
        serde_yaml_ng::from_str(text).map_err(|e| DocumentError::Syntax(e.to_string()))?
    };
    let value = match (value.get("openapi").and_then(|v| v.as_str()), value.get("swagger").and_then(|v| v.as_str())) {
        (Some(v), _) if v.starts_with("3.0") => value,
        (Some(v), _) if v.starts_with("3.1") => {
            super::normalize::openapi31_to_openapi30(value).map_err(DocumentError::Invalid)?
        }
        (Some(v), _) => {
            return Err(DocumentError::Version(format!("OpenAPI {v} is not supported (2.0, 3.0 and 3.1 are)")));
        }
        (None, Some("2.0")) => super::normalize::swagger2_to_openapi30(value).map_err(DocumentError::Invalid)?,
        (None, Some(v)) => return Err(DocumentError::Version(format!("Swagger {v} is not supported (2.0 is)"))),
        (None, None) if value.get("openapi").is_some() || value.get("swagger").is_some() => {
            return Err(DocumentError::Version(
                "the version must be a string such as \"3.0.3\" or \"2.0\" (quote it in YAML)".to_string(),
            ));
        }
        (None, None) => {
            return Err(DocumentError::Version(
                "no `openapi` or `swagger` version field: not an OpenAPI document".to_string(),
            ));
        }
    };
    let mut value = value;
    let repairs = super::normalize::repair_common_mistakes(&mut value);
    let openapi: OpenAPI = serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        DocumentError::Invalid(format!("at {path}: {}", e.into_inner()))
    })?;
    let title = format!("{} {}", openapi.info.title, openapi.info.version);
    Ok(ApiDocument { openapi, title, repairs })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_document_parses() -> Result<(), DocumentError> {
        let doc = parse_document(BUILTIN_OCI.as_bytes())?;
        assert_eq!(doc.title, "OCI Distribution API (read-only subset) 1.1");
        Ok(())
    }

    #[test]
    fn json_documents_parse_too() -> Result<(), DocumentError> {
        let doc = parse_document(br#"{"openapi":"3.0.0","info":{"title":"j","version":"2"},"paths":{}}"#)?;
        assert_eq!(doc.title, "j 2");
        Ok(())
    }

    #[test]
    fn broken_documents_get_precise_errors() {
        let msg = |b: &[u8]| parse_document(b).err().map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(msg(b"swagger: '1.2'\n"), "Swagger 1.2 is not supported (2.0 is)");
        assert_eq!(msg(b"openapi: 4.0.0\n"), "OpenAPI 4.0.0 is not supported (2.0, 3.0 and 3.1 are)");
        assert_eq!(
            msg(b"openapi: 3.0\n"),
            "the version must be a string such as \"3.0.3\" or \"2.0\" (quote it in YAML)"
        );
        assert_eq!(msg(b"title: x\n"), "no `openapi` or `swagger` version field: not an OpenAPI document");
        assert!(msg(b"openapi: 3.1.0\ninfo: 7\n").starts_with("not a valid OpenAPI document"));
        assert!(msg(b"{not json").starts_with("the document is neither JSON nor YAML"));
        assert!(msg(b"openapi: 3.0.0\ninfo: 7\n").starts_with("not a valid OpenAPI document"));
        assert!(msg(b"swagger: '2.0'\n- x\n").starts_with("the document is neither JSON nor YAML"));
        assert!(msg(&[0xff, 0xfe]).starts_with("the document is neither JSON nor YAML: not UTF-8"));
    }
}
