//! A request template: one operation of the API document turned into
//! something that builds URLs from arguments.

use openapiv3::{OpenAPI, Operation, Parameter, PathItem, ReferenceOr};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use url::Url;

use super::RegistryError;

/// Escaped in path arguments. Slashes stay: repository names contain them
/// and are validated against the OCI grammar before they get here.
const PATH_ARG: &AsciiSet =
    &CONTROLS.add(b' ').add(b'"').add(b'#').add(b'%').add(b'<').add(b'>').add(b'?').add(b'`').add(b'{').add(b'}');
/// Escaped in an argument that must stay one path segment (GitHub's
/// package names: `team/app` is sent as `team%2Fapp`).
const SEGMENT_ARG: &AsciiSet = &PATH_ARG.add(b'/');

/// How to call one operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestTemplate {
    /// `GET`, in upper case.
    pub method: String,
    /// Path from the document, e.g. `/v2/{name}/tags/list`.
    pub path: String,
    /// Path parameters the template needs.
    pub path_params: Vec<String>,
    /// Query parameters the document declares.
    pub query_params: Vec<String>,
}

impl RequestTemplate {
    /// Reads the parameters of `op` (and of its path item), resolving
    /// `#/components/parameters/…` references.
    pub fn from_operation(
        doc: &OpenAPI,
        method: &str,
        path: &str,
        item: &PathItem,
        op: &Operation,
    ) -> Result<Self, String> {
        let mut path_params = Vec::new();
        let mut query_params = Vec::new();
        for p in item.parameters.iter().chain(op.parameters.iter()) {
            match resolve_parameter(doc, p)? {
                Parameter::Path { parameter_data, .. } => path_params.push(parameter_data.name.clone()),
                Parameter::Query { parameter_data, .. } => query_params.push(parameter_data.name.clone()),
                Parameter::Header { .. } | Parameter::Cookie { .. } => {}
            }
        }
        for name in placeholders(path) {
            if !path_params.iter().any(|p| p == name) {
                return Err(format!("path `{path}` uses {{{name}}} but declares no such path parameter"));
            }
        }
        Ok(Self { method: method.to_ascii_uppercase(), path: path.to_string(), path_params, query_params })
    }

    /// A route declared in configuration (`api.operations`), for an
    /// operation the document lacks.
    pub fn declared(method: &str, path: &str, query: &[String]) -> Self {
        Self {
            method: method.to_ascii_uppercase(),
            path: path.to_string(),
            path_params: placeholders(path).map(String::from).collect(),
            query_params: query.to_vec(),
        }
    }

    /// Builds the URL on `base` (which ends with `/`). Unknown query
    /// parameters are dropped: the document says what the server takes.
    pub fn url(&self, base: &Url, args: &[(&str, &str)], query: &[(&str, &str)]) -> Result<Url, RegistryError> {
        self.url_with(base, args, query, &[])
    }

    /// As `url`, with the arguments named in `segments` kept to one path
    /// segment (their slashes encoded).
    pub fn url_with(
        &self,
        base: &Url,
        args: &[(&str, &str)],
        query: &[(&str, &str)],
        segments: &[&str],
    ) -> Result<Url, RegistryError> {
        let mut path = self.path.clone();
        for name in &self.path_params {
            let value = args
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| *v)
                .ok_or_else(|| RegistryError::BadRequest(format!("missing path argument `{name}`")))?;
            let set = if segments.contains(&name.as_str()) { SEGMENT_ARG } else { PATH_ARG };
            path = path.replace(&format!("{{{name}}}"), &utf8_percent_encode(value, set).to_string());
        }
        let mut url = base
            .join(path.trim_start_matches('/'))
            .map_err(|e| RegistryError::BadRequest(format!("cannot build a URL from `{path}`: {e}")))?;
        let pairs: Vec<_> = query.iter().filter(|(k, _)| self.query_params.iter().any(|q| q == k)).collect();
        if !pairs.is_empty() {
            let mut q = url.query_pairs_mut();
            for (k, v) in pairs {
                q.append_pair(k, v);
            }
        }
        Ok(url)
    }
}

fn placeholders(path: &str) -> impl Iterator<Item = &str> {
    path.split('{').skip(1).filter_map(|s| s.split_once('}').map(|(name, _)| name))
}

fn resolve_parameter<'a>(doc: &'a OpenAPI, p: &'a ReferenceOr<Parameter>) -> Result<&'a Parameter, String> {
    match p {
        ReferenceOr::Item(p) => Ok(p),
        ReferenceOr::Reference { reference } => {
            let name = reference
                .strip_prefix("#/components/parameters/")
                .ok_or_else(|| format!("unsupported parameter reference `{reference}`"))?;
            match doc.components.as_ref().and_then(|c| c.parameters.get(name)) {
                Some(ReferenceOr::Item(p)) => Ok(p),
                Some(ReferenceOr::Reference { .. }) => {
                    Err(format!("parameter reference `{reference}` points at another reference"))
                }
                None => Err(format!("parameter reference `{reference}` resolves to nothing")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(path: &str, query: &[&str]) -> RequestTemplate {
        RequestTemplate {
            method: "GET".into(),
            path: path.into(),
            path_params: placeholders(path).map(String::from).collect(),
            query_params: query.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn builds_urls_keeping_slashes_in_repository_names() -> Result<(), RegistryError> {
        let base = Url::parse("http://127.0.0.1:5000/").map_err(|e| RegistryError::BadRequest(e.to_string()))?;
        let t = template("/v2/{name}/tags/list", &["n", "last"]);
        let url = t.url(&base, &[("name", "team/sub/app")], &[("n", "1000"), ("bogus", "x")])?;
        assert_eq!(url.as_str(), "http://127.0.0.1:5000/v2/team/sub/app/tags/list?n=1000");
        Ok(())
    }

    #[test]
    fn a_segment_argument_keeps_its_slashes_encoded() -> Result<(), RegistryError> {
        let base = Url::parse("https://api.example/").map_err(|e| RegistryError::BadRequest(e.to_string()))?;
        let t = template("/orgs/{org}/packages/container/{package_name}", &[]);
        let url = t.url_with(&base, &[("org", "acme"), ("package_name", "team/app")], &[], &["package_name"])?;
        assert_eq!(url.as_str(), "https://api.example/orgs/acme/packages/container/team%2Fapp");
        Ok(())
    }

    #[test]
    fn keeps_a_base_path_prefix() -> Result<(), RegistryError> {
        let base = Url::parse("https://r.example/mirror/").map_err(|e| RegistryError::BadRequest(e.to_string()))?;
        let url = template("/v2/_catalog", &[]).url(&base, &[], &[])?;
        assert_eq!(url.as_str(), "https://r.example/mirror/v2/_catalog");
        Ok(())
    }

    #[test]
    fn a_missing_argument_is_an_error_not_a_panic() {
        let base = Url::parse("https://r.example/").ok();
        let t = template("/v2/{name}/manifests/{reference}", &[]);
        let r = base.map(|b| t.url(&b, &[("name", "a")], &[]));
        assert!(matches!(r, Some(Err(RegistryError::BadRequest(_)))));
    }
}
