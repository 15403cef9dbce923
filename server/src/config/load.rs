//! Reading and validating `registries.yaml`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use marked_yaml::types::MarkedScalarNode;
use marked_yaml::{LoaderOptions, Node, Spanned};
use secrecy::SecretString;
use url::Url;

use super::error::{ConfigError, ConfigErrors};
use super::model::{
    ApiConfig, Auth, Capabilities, Config, DEFAULT_MAX_PAGES, DocumentSource, OperationOverride, OverrideTarget,
    PageStyle, RegistryConfig, TlsConfig,
};
use super::profile::{Profile, ProfileKind};
use super::raw::{RawApi, RawAuth, RawFile, RawPagination, RawRegistry};

/// Largest configuration file Reestr reads.
const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// Reads and validates a configuration file, taking secrets from the
/// process environment.
pub fn load_file(path: &Path) -> Result<Config, ConfigErrors> {
    let file = path.display().to_string();
    let whole = |message: String| {
        ConfigErrors(vec![ConfigError { file: file.clone(), line: 0, column: 0, path: String::new(), message }])
    };
    let meta = std::fs::metadata(path).map_err(|e| whole(format!("cannot read the file: {e}")))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(whole(format!("the file is {} bytes; the limit is {MAX_FILE_BYTES}", meta.len())));
    }
    let text = std::fs::read_to_string(path).map_err(|e| whole(format!("cannot read the file: {e}")))?;
    let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    load_str(&text, &file, &base_dir, &|name| std::env::var(name).ok())
}

/// Validates configuration text. `file` names it in messages, `base_dir`
/// anchors relative paths, `env` looks up environment variables.
pub fn load_str(
    text: &str,
    file: &str,
    base_dir: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Config, ConfigErrors> {
    let mut node = parse_node(text, file, "a mapping with a `registries:` list")?;
    let inline_profiles = take_inline_profiles(&mut node);
    let raw: RawFile = read_node(&node, file)?;
    let mut v = Validator { file, base_dir, env, errors: Vec::new(), inline_profiles };
    let open_access = match raw.access.as_ref() {
        None => false,
        Some(a) if a.as_str() == "login" => false,
        Some(a) if a.as_str() == "open" => true,
        Some(a) => {
            v.error(
                a,
                "access",
                format!("`{}`: use `login` (the default) or `open` (no login: demos only)", a.as_str()),
            );
            false
        }
    };
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut registries = Vec::new();
    for (i, r) in raw.registries.into_iter().enumerate() {
        let line = r.id.span().start().map(|m| m.line()).unwrap_or(0);
        if let Some(first) = seen.get(r.id.as_str()) {
            v.error(
                &r.id,
                &format!("registries[{i}].id"),
                format!("duplicate id `{}` (first used on line {first})", *r.id),
            );
        } else {
            seen.insert(r.id.to_string(), line);
        }
        if let Some(reg) = v.registry(i, r) {
            registries.push(reg);
        }
    }
    let ids: Vec<String> = seen.into_keys().collect();
    let oidc = v.sign_in(raw.sign_in, &ids);
    if v.errors.is_empty() {
        Ok(Config { source: file.to_string(), open_access, registries, oidc })
    } else {
        v.errors.sort_by_key(|e| (e.line, e.column));
        Err(ConfigErrors(v.errors))
    }
}

/// Reads YAML `text` into its raw shape `T`, keeping positions: a syntax
/// or shape mistake comes back as one error at its line and column. `top`
/// says what the file must be (`a mapping with a `registries:` list`).
pub(super) fn parse<T: serde::de::DeserializeOwned>(text: &str, file: &str, top: &str) -> Result<T, ConfigErrors> {
    read_node(&parse_node(text, file, top)?, file)
}

/// The YAML tree of `text`, positions kept.
fn parse_node(text: &str, file: &str, top: &str) -> Result<Node, ConfigErrors> {
    let options = LoaderOptions::default().error_on_duplicate_keys(true);
    marked_yaml::parse_yaml_with_options(0, text, options).map_err(|e| {
        let (line, column, message) = load_error(&e, top);
        ConfigErrors(vec![ConfigError { file: file.to_string(), line, column, path: String::new(), message }])
    })
}

/// Reads a YAML tree into its raw shape `T`; a mistake comes back at its
/// line and column, with its field path.
pub(super) fn read_node<T: serde::de::DeserializeOwned>(node: &Node, file: &str) -> Result<T, ConfigErrors> {
    marked_yaml::from_node(node).map_err(|e| {
        let (line, column) = e.start_mark().map(|m| (m.line(), m.column())).unwrap_or((0, 0));
        let message = e.to_string();
        // The path is part of Display when known; keep it in its own slot.
        let (path, message) = match e.path() {
            Some(p) => (p.to_string(), message.trim_start_matches(&format!("{p}: ")).to_string()),
            None => (String::new(), message),
        };
        ConfigErrors(vec![ConfigError { file: file.to_string(), line, column, path, message }])
    })
}

/// What stands in for an inline profile in the tree: `inline:N`.
const INLINE_PROFILE: &str = "inline:";

/// `api.profile:` written as a mapping (a profile inline): each is taken
/// out of the tree and replaced by the marker `inline:N`, so the file still
/// reads into its raw shape; the mappings are read on their own later,
/// keeping their lines and columns in this file.
fn take_inline_profiles(node: &mut Node) -> Vec<Node> {
    let mut taken = Vec::new();
    let registries = node.as_mapping_mut().and_then(|m| m.get_mut("registries")).and_then(|r| r.as_sequence_mut());
    for entry in registries.into_iter().flat_map(|r| r.iter_mut()) {
        let profile = entry
            .as_mapping_mut()
            .and_then(|e| e.get_mut("api"))
            .and_then(|a| a.as_mapping_mut())
            .and_then(|a| a.get_mut("profile"));
        if let Some(profile) = profile.filter(|p| p.as_mapping().is_some()) {
            let marker =
                Node::Scalar(MarkedScalarNode::new(*profile.span(), format!("{INLINE_PROFILE}{}", taken.len())));
            taken.push(std::mem::replace(profile, marker));
        }
    }
    taken
}

fn load_error(e: &marked_yaml::LoadError, top: &str) -> (usize, usize, String) {
    use marked_yaml::LoadError as L;
    let pos = |m: &marked_yaml::Marker| (m.line(), m.column());
    let ((line, column), message) = match e {
        L::TopLevelMustBeMapping(m) => (pos(m), format!("the file must be {top}")),
        L::TopLevelMustBeSequence(m) => (pos(m), "expected a list".to_string()),
        L::UnexpectedAnchor(m) => (pos(m), "YAML anchors and aliases are not supported here".to_string()),
        L::MappingKeyMustBeScalar(m) => (pos(m), "mapping keys must be plain strings".to_string()),
        L::UnexpectedTag(m) => (pos(m), "YAML tags are not supported here".to_string()),
        L::ScanError(m, s) => (pos(m), format!("invalid YAML: {}", s.info())),
        L::DuplicateKey(d) => {
            let at = d.key.span().start().map(pos).unwrap_or((0, 0));
            let first = d.prev_key.span().start().map(|p| p.line()).unwrap_or(0);
            (at, format!("duplicate key `{}` (first on line {first})", d.key.as_str()))
        }
    };
    (line, column, message)
}

pub(super) struct Validator<'a> {
    pub(super) file: &'a str,
    pub(super) base_dir: &'a Path,
    pub(super) env: &'a dyn Fn(&str) -> Option<String>,
    pub(super) errors: Vec<ConfigError>,
    /// Profiles written inline in the file (`api.profile:` mappings), by
    /// the number in their `inline:N` marker.
    pub(super) inline_profiles: Vec<Node>,
}

impl Validator<'_> {
    pub(super) fn error<T>(&mut self, at: &Spanned<T>, path: &str, message: String) {
        let (line, column) = at.span().start().map(|m| (m.line(), m.column())).unwrap_or((0, 0));
        self.errors.push(ConfigError { file: self.file.to_string(), line, column, path: path.to_string(), message });
    }

    fn registry(&mut self, i: usize, r: RawRegistry) -> Option<RegistryConfig> {
        let p = format!("registries[{i}]");
        let before = self.errors.len();

        if !valid_id(&r.id) {
            self.error(
                &r.id,
                &format!("{p}.id"),
                format!(
                    "`{}` is not a valid id: use lower-case letters, digits and inner dashes, at most 63 characters",
                    *r.id
                ),
            );
        }
        let base_url = self.base_url(&p, &r);
        let tls = self.tls(&p, &r);
        let api = self.api(&p, &r);
        let auth = self.auth(&p, &r);
        let allowed_hosts = self.allowed_hosts(&p, &r);
        let allow_from = self.allow_from(&p, &r);

        if self.errors.len() > before {
            return None;
        }
        Some(RegistryConfig {
            id: r.id.to_string(),
            display_name: r.display_name.unwrap_or_else(|| r.id.to_string()),
            description: r.description,
            base_url: base_url?,
            api: api?,
            auth: auth?,
            capabilities: Capabilities {
                supports_readme: r.capabilities.supports_readme,
                supports_metrics: r.capabilities.supports_metrics,
                supports_sbom: r.capabilities.supports_sbom,
            },
            tls: tls?,
            allowed_hosts,
            allow_from,
        })
    }

    fn base_url(&mut self, p: &str, r: &RawRegistry) -> Option<Url> {
        let path = format!("{p}.baseUrl");
        let mut url = match Url::parse(r.base_url.trim()) {
            Ok(u) => u,
            Err(e) => {
                self.error(&r.base_url, &path, format!("`{}` is not a URL: {e}", *r.base_url));
                return None;
            }
        };
        match url.scheme() {
            "https" => {}
            "http" if r.tls.allow_http => {}
            "http" => {
                self.error(
                    &r.base_url,
                    &path,
                    "plain http:// needs `tls.allowHttp: true` for this registry".to_string(),
                );
                return None;
            }
            other => {
                self.error(
                    &r.base_url,
                    &path,
                    format!("scheme `{other}` is not supported: use https:// (or http:// with tls.allowHttp)"),
                );
                return None;
            }
        }
        if url.host_str().is_none_or(str::is_empty) {
            self.error(&r.base_url, &path, "the URL has no host".to_string());
            return None;
        }
        if !url.username().is_empty() || url.password().is_some() {
            self.error(
                &r.base_url,
                &path,
                "credentials do not belong in the URL: use auth and environment variables".to_string(),
            );
            return None;
        }
        if url.query().is_some() || url.fragment().is_some() {
            self.error(&r.base_url, &path, "the URL must not have a query or fragment".to_string());
            return None;
        }
        let trimmed = url.path().trim_end_matches('/');
        let trimmed = trimmed.strip_suffix("/v2").unwrap_or(trimmed).to_string();
        url.set_path(&format!("{trimmed}/"));
        Some(url)
    }

    fn tls(&mut self, p: &str, r: &RawRegistry) -> Option<TlsConfig> {
        let ca_file = match &r.tls.ca_file {
            None => None,
            Some(f) => {
                let path = self.resolve(f);
                let field = format!("{p}.tls.caFile");
                match std::fs::read(&path) {
                    Err(e) => {
                        self.error(f, &field, format!("cannot read {}: {e}", path.display()));
                        return None;
                    }
                    Ok(pem) => {
                        if reqwest::Certificate::from_pem_bundle(&pem).map(|c| c.is_empty()).unwrap_or(true) {
                            self.error(f, &field, format!("{} holds no PEM certificate", path.display()));
                            return None;
                        }
                    }
                }
                Some(path)
            }
        };
        Some(TlsConfig { allow_insecure: r.tls.allow_insecure, allow_http: r.tls.allow_http, ca_file })
    }

    fn api(&mut self, p: &str, r: &RawRegistry) -> Option<ApiConfig> {
        let Some(api) = &r.api else {
            return Some(ApiConfig {
                document: DocumentSource::BuiltinOci,
                profile: super::profile::oci(),
                overrides: Vec::new(),
                base_url: None,
                namespaces: Vec::new(),
                max_pages: DEFAULT_MAX_PAGES,
            });
        };
        let profile = match &api.profile {
            None => super::profile::oci(),
            Some(s) => self.profile(&format!("{p}.api.profile"), s)?,
        };
        let catalogue = profile.kind == ProfileKind::Catalogue;
        let document = match &api.document {
            None if catalogue => {
                let at = api.profile.as_ref()?;
                self.error(
                    at,
                    &format!("{p}.api.document"),
                    format!("profile `{}` needs the registry's API document (a URL or file)", profile.name),
                );
                return None;
            }
            None => DocumentSource::BuiltinOci,
            Some(d) if d.as_str() == "builtin:oci" => DocumentSource::BuiltinOci,
            Some(d) if d.starts_with("https://") || d.starts_with("http://") => match Url::parse(d) {
                Ok(u) => DocumentSource::Url(u),
                Err(e) => {
                    self.error(d, &format!("{p}.api.document"), format!("`{}` is not a URL: {e}", **d));
                    return None;
                }
            },
            Some(d) => {
                let path = self.resolve(d);
                if !path.is_file() {
                    self.error(d, &format!("{p}.api.document"), format!("no such file: {}", path.display()));
                    return None;
                }
                DocumentSource::File(path)
            }
        };
        let mut overrides = Vec::new();
        let mut names: Vec<&Spanned<String>> = api.operations.keys().collect();
        names.sort_by_key(|n| n.as_str().to_string());
        for name in names {
            let field = format!("{p}.api.operations.{}", name.as_str());
            let Some(o) = api.operations.get(name) else { continue };
            if crate::registry::CanonicalOperation::from_name(name).is_none() {
                let known: Vec<&str> = crate::registry::CanonicalOperation::ALL.iter().map(|op| op.name()).collect();
                self.error(
                    name,
                    &field,
                    format!("unknown operation `{}`; use one of {}", name.as_str(), known.join(", ")),
                );
                continue;
            }
            let target = match (&o.operation_id, &o.method, &o.path) {
                (Some(id), None, None) => OverrideTarget::OperationId(id.clone()),
                (None, Some(m), Some(path)) => {
                    if !m.eq_ignore_ascii_case("get") {
                        self.error(
                            m,
                            &format!("{field}.method"),
                            "only GET: Reestr never changes a registry".to_string(),
                        );
                        continue;
                    }
                    if !path.starts_with('/') {
                        self.error(path, &format!("{field}.path"), "the path must start with `/`".to_string());
                        continue;
                    }
                    OverrideTarget::Route { method: "GET".into(), path: path.to_string(), query: o.query.clone() }
                }
                _ => {
                    self.error(name, &field, "give either `operationId`, or `method` and `path`".to_string());
                    continue;
                }
            };
            let pagination = match &o.pagination {
                None => None,
                Some(raw) => match self.pagination(&format!("{field}.pagination"), raw) {
                    Some(style) => Some(style),
                    None => continue,
                },
            };
            overrides.push(OperationOverride { operation: name.to_string(), target, pagination });
        }
        let base_url = self.api_base_url(p, r, api);
        let namespaces = self.namespaces(p, api);
        let max_pages = match &api.max_pages {
            None => DEFAULT_MAX_PAGES,
            Some(n) if (1..=100_000).contains(&**n) => **n,
            Some(n) => {
                self.error(n, &format!("{p}.api.maxPages"), format!("{} is out of range: use 1 to 100000", **n));
                return None;
            }
        };
        Some(ApiConfig { document, profile, overrides, base_url: base_url?, namespaces: namespaces?, max_pages })
    }

    /// `api.baseUrl`: the same rules as the registry's `baseUrl`.
    fn api_base_url(&mut self, p: &str, r: &RawRegistry, api: &RawApi) -> Option<Option<Url>> {
        let Some(raw) = &api.base_url else { return Some(None) };
        let path = format!("{p}.api.baseUrl");
        let mut url = match Url::parse(raw.trim()) {
            Ok(u) => u,
            Err(e) => {
                self.error(raw, &path, format!("`{}` is not a URL: {e}", **raw));
                return None;
            }
        };
        let problem = match url.scheme() {
            "https" => None,
            "http" if r.tls.allow_http => None,
            "http" => Some("plain http:// needs `tls.allowHttp: true` for this registry".to_string()),
            other => Some(format!("scheme `{other}` is not supported: use https:// (or http:// with tls.allowHttp)")),
        }
        .or_else(|| url.host_str().is_none_or(str::is_empty).then(|| "the URL has no host".to_string()))
        .or_else(|| {
            (!url.username().is_empty() || url.password().is_some())
                .then(|| "credentials do not belong in the URL: use auth and environment variables".to_string())
        })
        .or_else(|| {
            (url.query().is_some() || url.fragment().is_some())
                .then(|| "the URL must not have a query or fragment".to_string())
        });
        if let Some(message) = problem {
            self.error(raw, &path, message);
            return None;
        }
        let trimmed = url.path().trim_end_matches('/').to_string();
        url.set_path(&format!("{trimmed}/"));
        Some(Some(url))
    }

    /// `api.namespaces`: Docker Hub namespaces (user or organisation names).
    fn namespaces(&mut self, p: &str, api: &RawApi) -> Option<Vec<String>> {
        let before = self.errors.len();
        let mut out = Vec::new();
        for (i, ns) in api.namespaces.iter().enumerate() {
            let ok = !ns.is_empty()
                && ns.len() <= 255
                && ns.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b));
            if ok {
                out.push(ns.to_string());
            } else {
                self.error(
                    ns,
                    &format!("{p}.api.namespaces[{i}]"),
                    format!("`{}` is not a namespace: use lower-case letters, digits, `-`, `_` and `.`", ns.as_str()),
                );
            }
        }
        (self.errors.len() == before).then_some(out)
    }

    /// `api.operations.<name>.pagination`.
    /// `api.profile`: a shipped profile's name, or a profile file (a path
    /// with a `/` or ending in `.yaml`, relative to this file); a file's
    /// own mistakes are reported at their place in it.
    fn profile(&mut self, field: &str, at: &Spanned<String>) -> Option<Arc<Profile>> {
        let value = at.as_str();
        if let Some(n) = value.strip_prefix(INLINE_PROFILE).and_then(|n| n.parse::<usize>().ok()) {
            let node = self.inline_profiles.get(n).cloned()?;
            return self.inline_profile(field, &node).map(Arc::new);
        }
        let is_file = value.contains('/') || value.ends_with(".yaml") || value.ends_with(".yml");
        if !is_file {
            return super::profile::shipped_named(value).or_else(|| {
                let known = super::profile::shipped_names();
                self.error(at, field, format!("unknown profile `{value}`; use {known}, or a profile file"));
                None
            });
        }
        // Without `.` steps, so messages name `dir/acme.yaml`, not `dir/./acme.yaml`.
        let path: PathBuf = self.resolve(at).components().collect();
        let text = match std::fs::metadata(&path) {
            Ok(m) if m.len() > super::profile_load::MAX_PROFILE_BYTES => Err(format!(
                "{} is {} bytes; the limit is {}",
                path.display(),
                m.len(),
                super::profile_load::MAX_PROFILE_BYTES
            )),
            Ok(_) => std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display())),
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        };
        let text = match text {
            Ok(t) => t,
            Err(message) => {
                self.error(at, field, message);
                return None;
            }
        };
        let file = path.display().to_string();
        match super::profile_load::read_profile(&text, &file, &file) {
            Ok(p) => Some(Arc::new(p)),
            Err(e) => {
                self.errors.extend(e.0);
                None
            }
        }
    }

    pub(super) fn pagination(&mut self, field: &str, raw: &RawPagination) -> Option<PageStyle> {
        let text = |v: &Option<String>, default: &'static str| -> std::borrow::Cow<'static, str> {
            v.clone().map_or(std::borrow::Cow::Borrowed(default), std::borrow::Cow::Owned)
        };
        match raw.style.as_str() {
            "link" => Some(PageStyle::Link),
            "nextUrl" => Some(PageStyle::NextUrl { field: text(&raw.field, "/next") }),
            "page" => Some(PageStyle::PageNumber {
                param: text(&raw.param, "page"),
                size_param: text(&raw.size_param, "page_size"),
                total_header: raw.total_header.clone().map(std::borrow::Cow::Owned),
            }),
            "cursor" => match (&raw.field, &raw.param) {
                (Some(f), Some(q)) => Some(PageStyle::Cursor { field: f.clone().into(), param: q.clone().into() }),
                _ => {
                    self.error(
                        &raw.style,
                        &format!("{field}.style"),
                        "`cursor` needs `field` (where the body carries it) and `param` (the query parameter it goes back in)"
                            .to_string(),
                    );
                    None
                }
            },
            other => {
                self.error(
                    &raw.style,
                    &format!("{field}.style"),
                    format!("unknown pagination style `{other}`; use link, nextUrl, page or cursor"),
                );
                None
            }
        }
    }

    fn auth(&mut self, p: &str, r: &RawRegistry) -> Option<Auth> {
        let Some(a) = &r.auth else { return Some(Auth::Anonymous) };
        let prefix = format!("REESTR_REGISTRY_{}", env_id(&r.id));
        let kind = a.kind.as_str();
        match kind {
            "anonymous" => {
                self.no_stray(p, a, &[]);
                Some(Auth::Anonymous)
            }
            "basic" => {
                self.no_stray(p, a, &["usernameEnv", "passwordEnv"]);
                let username = self.secret(p, a, "usernameEnv", a.username_env.as_ref(), &format!("{prefix}_USERNAME"));
                let password = self.secret(p, a, "passwordEnv", a.password_env.as_ref(), &format!("{prefix}_PASSWORD"));
                Some(Auth::Basic { username: username?, password: SecretString::from(password?) })
            }
            "bearer" => {
                self.no_stray(p, a, &["tokenEnv"]);
                let token = self.secret(p, a, "tokenEnv", a.token_env.as_ref(), &format!("{prefix}_TOKEN"));
                Some(Auth::Bearer { token: SecretString::from(token?) })
            }
            other => {
                self.error(
                    &a.kind,
                    &format!("{p}.auth.type"),
                    format!("unknown auth type `{other}`; use anonymous, basic or bearer"),
                );
                None
            }
        }
    }

    /// Complains about `*Env` fields that the chosen auth type does not use.
    fn no_stray(&mut self, p: &str, a: &RawAuth, allowed: &[&str]) {
        for (name, field) in
            [("usernameEnv", &a.username_env), ("passwordEnv", &a.password_env), ("tokenEnv", &a.token_env)]
        {
            if let Some(f) = field
                && !allowed.contains(&name)
            {
                self.error(
                    f,
                    &format!("{p}.auth.{name}"),
                    format!("`{name}` does not apply to auth type `{}`", a.kind.as_str()),
                );
            }
        }
    }

    /// Reads a secret from the environment variable named by `field`, or by
    /// `default` when the field is absent.
    fn secret(
        &mut self,
        p: &str,
        a: &RawAuth,
        name: &str,
        field: Option<&Spanned<String>>,
        default: &str,
    ) -> Option<String> {
        let var = field.map(|f| f.to_string()).unwrap_or_else(|| default.to_string());
        match (self.env)(&var) {
            Some(v) if !v.is_empty() => Some(v),
            found => {
                let why = if found.is_some() { "is empty" } else { "is not set" };
                let message = format!("environment variable {var} {why}");
                match field {
                    Some(f) => self.error(f, &format!("{p}.auth.{name}"), message),
                    None => self.error(&a.kind, &format!("{p}.auth.{name}"), message),
                }
                None
            }
        }
    }

    fn allowed_hosts(&mut self, p: &str, r: &RawRegistry) -> Vec<String> {
        let mut hosts = Vec::new();
        for (i, h) in r.allowed_hosts.iter().enumerate() {
            let host = h.trim().to_ascii_lowercase();
            let ok = !host.is_empty()
                && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']' | '*'));
            if ok {
                hosts.push(host);
            } else {
                self.error(
                    h,
                    &format!("{p}.allowedHosts[{i}]"),
                    format!("`{}` is not a host name (no scheme or path)", **h),
                );
            }
        }
        hosts
    }

    /// `access.allowFrom`: addresses and CIDR ranges; outside them, the
    /// registry does not exist for a request.
    fn allow_from(&mut self, p: &str, r: &RawRegistry) -> Vec<ipnet::IpNet> {
        let Some(access) = &r.access else { return Vec::new() };
        let mut nets = Vec::new();
        for (i, a) in access.allow_from.iter().enumerate() {
            let text = a.trim();
            match text.parse::<ipnet::IpNet>().or_else(|_| text.parse::<std::net::IpAddr>().map(ipnet::IpNet::from)) {
                Ok(net) => nets.push(net.trunc()),
                Err(_) => self.error(
                    a,
                    &format!("{p}.access.allowFrom[{i}]"),
                    format!("`{}` is neither an address nor a CIDR range (10.0.0.0/8, 2001:db8::/32)", **a),
                ),
            }
        }
        if access.allow_from.is_empty() {
            let message =
                "an empty list hides the registry from everyone; leave `access` out to show it to every address";
            self.error(&r.id, &format!("{p}.access.allowFrom"), message.into());
        }
        nets
    }

    fn resolve(&self, path: &Spanned<String>) -> PathBuf {
        let p = Path::new(path.as_str());
        if p.is_absolute() { p.to_path_buf() } else { self.base_dir.join(p) }
    }
}

/// `ghcr-io` → `GHCR_IO`, as used in `REESTR_REGISTRY_<ID>_TOKEN`.
pub(crate) fn env_id(id: &str) -> String {
    id.to_ascii_uppercase().replace('-', "_")
}

pub(super) fn valid_id(id: &str) -> bool {
    let b = id.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b.first() != Some(&b'-')
        && b.last() != Some(&b'-')
}

#[cfg(test)]
#[path = "load_tests.rs"]
mod tests;
