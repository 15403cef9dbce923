//! Reading a profile file (the format of `server/profiles/*.yaml`) and
//! checking it, with every mistake at its line and column, the same way
//! `registries.yaml` is read. Whether its operations exist in a registry's
//! document is checked later, against that document (`reestr check`).

use std::collections::HashMap;

use marked_yaml::Spanned;
use serde::Deserialize;

use super::error::ConfigErrors;
use super::load::{Validator, parse, read_node};
use super::model::PageStyle;
use super::profile::{Binding, Exchange, Field, Names, Presentation, Profile, ProfileKind, Slashes};
use super::raw::RawPagination;
use crate::registry::CanonicalOperation;

/// Largest profile file Reestr reads.
pub const MAX_PROFILE_BYTES: u64 = 256 * 1024;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawProfile {
    name: Spanned<String>,
    #[serde(default)]
    summary: String,
    /// `registry` or `catalogue`.
    kind: Spanned<String>,
    names: RawNames,
    exchange: Option<RawExchange>,
    credentials: Option<RawCredentials>,
    #[serde(default)]
    hosts: Vec<Spanned<String>>,
    /// The page-size query parameter (default `page_size`).
    page_size_param: Option<String>,
    /// How listings page unless an operation says otherwise (default: `link`).
    pagination: Option<RawPagination>,
    operations: HashMap<Spanned<String>, RawBinding>,
}

/// `names:` either `{ whole: name }`, `{ namespace: …, rest: …, default:
/// library, slashes: kept | encoded | doubleEncoded }`, or `{ namespace: …,
/// lookup: { argument: /item/path, … } }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawNames {
    whole: Option<Spanned<String>>,
    namespace: Option<Spanned<String>>,
    rest: Option<Spanned<String>>,
    default: Option<String>,
    slashes: Option<Spanned<String>>,
    lookup: Option<Spanned<std::collections::BTreeMap<String, String>>>,
}

/// `credentials: { header: PRIVATE-TOKEN }` or `{ header: Authorization, scheme: Bearer }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawCredentials {
    header: Spanned<String>,
    scheme: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawExchange {
    style: Spanned<String>,
    operation_id: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawBinding {
    operation_id: Option<String>,
    /// `GET /v2/_catalog`.
    route: Option<Spanned<String>>,
    #[serde(default)]
    arguments: Vec<String>,
    #[serde(default)]
    values: HashMap<String, String>,
    search_param: Option<String>,
    #[serde(default)]
    query: HashMap<String, String>,
    /// `getVulnerabilities`: the path of each finding's severity name.
    severities: Option<Spanned<String>>,
    /// `declared: { query: [page, page_size] }`: the route is used even
    /// when the document lacks it.
    declared: Option<RawDeclared>,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    fields: HashMap<Spanned<String>, String>,
    pagination: Option<RawPagination>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawDeclared {
    #[serde(default)]
    query: Vec<String>,
}

/// Reads and checks profile `text`; `file` names it in messages and
/// `source` is recorded in the profile (`shipped`, or the file's path).
pub fn read_profile(text: &str, file: &str, source: &str) -> Result<Profile, ConfigErrors> {
    let raw: RawProfile = parse(text, file, "a profile mapping (`name:`, `kind:`, `names:`, `operations:`)")?;
    let no_env = |_: &str| None;
    let mut v = Validator {
        file,
        base_dir: std::path::Path::new("."),
        env: &no_env,
        errors: Vec::new(),
        inline_profiles: Vec::new(),
    };
    let profile = v.profile_document(raw, source);
    match profile {
        Some(p) if v.errors.is_empty() => Ok(p),
        _ => {
            v.errors.sort_by_key(|e| (e.line, e.column));
            Err(ConfigErrors(v.errors))
        }
    }
}

impl Validator<'_> {
    /// A profile written inline in `registries.yaml` (`api.profile:` as a
    /// mapping): read and checked like a file, its mistakes at their place
    /// in this file under `field`.
    pub(super) fn inline_profile(&mut self, field: &str, node: &marked_yaml::Node) -> Option<Profile> {
        let raw: RawProfile = match read_node(node, self.file) {
            Ok(raw) => raw,
            Err(e) => {
                self.errors.extend(e.0.into_iter().map(|mut e| {
                    e.path = if e.path.is_empty() { field.to_string() } else { format!("{field}.{}", e.path) };
                    e
                }));
                return None;
            }
        };
        let before = self.errors.len();
        let profile = self.profile_document(raw, "inline");
        for e in &mut self.errors[before..] {
            e.path = format!("{field}.{}", e.path);
        }
        profile.filter(|_| self.errors.len() == before)
    }

    fn profile_document(&mut self, raw: RawProfile, source: &str) -> Option<Profile> {
        let kind = match raw.kind.as_str() {
            "registry" => Some(ProfileKind::Registry),
            "catalogue" => Some(ProfileKind::Catalogue),
            other => {
                self.error(&raw.kind, "kind", format!("unknown kind `{other}`; use registry or catalogue"));
                None
            }
        };
        let names = self.names(&raw.names, &raw.name);
        let exchange = raw.exchange.as_ref().and_then(|e| match e.style.as_str() {
            "dockerHubLogin" => Some(Exchange::DockerHubLogin { operation_id: e.operation_id.clone() }),
            other => {
                self.error(&e.style, "exchange.style", format!("unknown exchange `{other}`; use dockerHubLogin"));
                None
            }
        });
        let credentials = raw.credentials.as_ref().and_then(|c| {
            if reqwest::header::HeaderName::from_bytes(c.header.trim().as_bytes()).is_err() {
                self.error(&c.header, "credentials.header", format!("`{}` is not a header name", c.header.as_str()));
                return None;
            }
            Some(Presentation {
                header: c.header.trim().to_string(),
                scheme: c.scheme.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string),
            })
        });
        let default_pages = match &raw.pagination {
            Some(p) => self.pagination("pagination", p)?,
            None => PageStyle::Link,
        };
        let mut operations = Vec::new();
        for (key, b) in &raw.operations {
            let field = format!("operations.{}", key.as_str());
            let Some(op) = CanonicalOperation::from_name(key) else {
                let known: Vec<&str> = CanonicalOperation::ALL.iter().map(|op| op.name()).collect();
                self.error(
                    key,
                    &field,
                    format!("unknown operation `{}`; use one of {}", key.as_str(), known.join(", ")),
                );
                continue;
            };
            if let Some(binding) = self.binding(op, key, b, &default_pages) {
                operations.push(binding);
            }
        }
        operations.sort_by_key(|b| CanonicalOperation::ALL.iter().position(|op| *op == b.op));
        let hosts = raw.hosts.iter().map(|h| h.trim().to_ascii_lowercase()).collect();
        Some(Profile {
            name: raw.name.to_string(),
            summary: raw.summary.trim().to_string(),
            source: source.to_string(),
            kind: kind?,
            names: names?,
            exchange,
            credentials,
            hosts,
            page_size_param: raw.page_size_param.clone().unwrap_or_else(|| "page_size".into()),
            operations,
        })
    }

    fn names(&mut self, raw: &RawNames, at: &Spanned<String>) -> Option<Names> {
        let slashes = match raw.slashes.as_ref().map(|s| (s, s.as_str())) {
            None | Some((_, "kept")) => Slashes::Kept,
            Some((_, "encoded")) => Slashes::Encoded,
            Some((_, "doubleEncoded")) if raw.lookup.is_none() => Slashes::DoubleEncoded,
            Some((s, other)) => {
                let allowed = if raw.lookup.is_some() { "kept or encoded" } else { "kept, encoded or doubleEncoded" };
                self.error(s, "names.slashes", format!("unknown `{other}` here; use {allowed}"));
                return None;
            }
        };
        match (&raw.whole, &raw.namespace, &raw.rest, &raw.lookup) {
            (Some(whole), None, None, None) => Some(Names::Whole { argument: whole.to_string() }),
            (None, Some(namespace), None, Some(lookup)) => {
                if lookup.is_empty() {
                    self.error(lookup, "names.lookup", "name the arguments read from each listing item".into());
                    return None;
                }
                Some(Names::Lookup {
                    namespace: namespace.to_string(),
                    slashes,
                    arguments: lookup.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
                })
            }
            (None, Some(namespace), Some(rest), None) => Some(Names::Split {
                namespace: namespace.to_string(),
                rest: rest.to_string(),
                default: raw.default.clone().unwrap_or_else(|| "library".into()),
                slashes,
            }),
            _ => {
                self.error(
                    at,
                    "names",
                    "give `whole` (one argument for the whole name), `namespace` and `rest`, or `namespace` and `lookup`"
                        .to_string(),
                );
                None
            }
        }
    }

    fn binding(
        &mut self,
        op: CanonicalOperation,
        key: &Spanned<String>,
        b: &RawBinding,
        pages: &PageStyle,
    ) -> Option<Binding> {
        let field = &format!("operations.{}", key.as_str());
        let route = match &b.route {
            None => None,
            Some(r) => match r.split_once(' ') {
                Some((method, path)) if method.eq_ignore_ascii_case("get") && path.trim().starts_with('/') => {
                    Some(("get".to_string(), path.trim().to_string()))
                }
                Some((method, _)) if !method.eq_ignore_ascii_case("get") => {
                    self.error(r, &format!("{field}.route"), "only GET: Reestr never changes a registry".into());
                    return None;
                }
                _ => {
                    self.error(r, &format!("{field}.route"), "write the route as `GET /path/{argument}`".into());
                    return None;
                }
            },
        };
        if b.declared.is_some() && route.is_none() {
            self.error(key, &format!("{field}.declared"), "a declared operation needs its `route`".into());
            return None;
        }
        if b.operation_id.is_none() && route.is_none() {
            self.error(key, field, "give `operationId`, `route` or both".into());
            return None;
        }
        if let Some(s) = &b.severities
            && op != CanonicalOperation::GetVulnerabilities
        {
            self.error(s, &format!("{field}.severities"), "only getVulnerabilities counts severities".into());
            return None;
        }
        let mut fields = Vec::new();
        for (name, path) in &b.fields {
            match Field::from_name(name) {
                Some(f) => fields.push((f, path.clone())),
                None => {
                    let known: Vec<&str> = Field::ALL.iter().map(|f| f.name()).collect();
                    self.error(
                        name,
                        &format!("{field}.fields.{}", name.as_str()),
                        format!("unknown field `{}`; use one of {}", name.as_str(), known.join(", ")),
                    );
                }
            }
        }
        fields.sort_by_key(|(f, _)| *f);
        let pages = match &b.pagination {
            Some(p) => self.pagination(&format!("{field}.pagination"), p)?,
            None => pages.clone(),
        };
        let sorted = |m: &HashMap<String, String>| {
            let mut pairs: Vec<(String, String)> = m.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            pairs.sort();
            pairs
        };
        let (line, column) = key.span().start().map(|m| (m.line(), m.column())).unwrap_or((0, 0));
        let origin = format!("{}:{line}:{column}", self.file);
        let values = sorted(&b.values);
        let query = sorted(&b.query);
        Some(Binding {
            op,
            operation_id: b.operation_id.clone(),
            route,
            arguments: b.arguments.clone(),
            values,
            search_param: b.search_param.clone(),
            query,
            severities: b.severities.as_ref().map(|s| s.trim().to_string()),
            declared_query: b.declared.as_ref().map(|d| d.query.clone()),
            required: b.required,
            fields,
            pages,
            origin,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mistakes_point_at_their_line_and_column() {
        let text = "name: acme\nkind: mirror\nnames: { whole: name }\noperations:\n  listRepos:\n    route: GET /v2/_catalog\n  listTags:\n    route: POST /x\n    fields: { colour: /c }\n";
        let errors = read_profile(text, "acme.yaml", "acme.yaml").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(errors.contains("acme.yaml:2:7: kind: unknown kind `mirror`; use registry or catalogue"), "{errors}");
        assert!(errors.contains("acme.yaml:5:3: operations.listRepos: unknown operation `listRepos`"), "{errors}");
        assert!(errors.contains("acme.yaml:8:12: operations.listTags.route: only GET"), "{errors}");
    }

    #[test]
    fn the_readmes_example_profile_reads() -> Result<(), String> {
        let readme = include_str!("../../../README.md");
        let section = readme.split("### API profiles").nth(1).ok_or("no API profiles section")?;
        let example = section.split("```yaml\n").nth(1).and_then(|s| s.split("```").next()).ok_or("no example")?;
        let p = read_profile(example, "README.md", "README.md").map_err(|e| e.to_string())?;
        assert_eq!(p.name, "acme");
        assert_eq!(p.operations.len(), 5);
        Ok(())
    }

    #[test]
    fn unknown_fields_are_refused_with_the_known_ones() {
        let text = "name: acme\nkind: registry\nnames: { whole: name }\noperations:\n  listTags:\n    route: GET /v2/{name}/tags/list\n    fields: { colour: /c }\n";
        let errors = read_profile(text, "acme.yaml", "acme.yaml").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(
            errors.starts_with(
                "acme.yaml:7:15: operations.listTags.fields.colour: unknown field `colour`; use one of name, namespace"
            ),
            "{errors}"
        );
    }
}
