//! The catalogue API client (catalogue profiles: harbor, dockerhub, a user's own): repository
//! listings with descriptions and pull counts, repository details, tags
//! with push and pull times. Requests come from the bound operations of the
//! catalogue's own document; answers are read through the profile's field
//! mapping; every listing style pages through `pagination`.

use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use url::Url;

use super::fields::{Record, read_listing, read_record};
use super::guard::HostPolicy;
use super::operations::{BoundOperation, BoundOperations, CanonicalOperation as Op};
use super::pagination::{PageSeen, next_page, total, with_query};
use super::template::RequestTemplate;
use super::upstream::{Credentials, MAX_PAGE_BYTES, Upstream};
use super::{RegistryError, validate_repository};
use crate::config::{Auth, Exchange, Field, Names, PageStyle, Presentation, RegistryConfig};

/// A README.
const MAX_README_BYTES: u64 = 1024 * 1024;
/// A single answer (a repository, a token).
const MAX_ANSWER_BYTES: u64 = 4 * 1024 * 1024;
/// Items asked for per page: Harbor and Docker Hub both cap `page_size` at 100.
const PAGE_SIZE: u32 = 100;
const NAMESPACES_NEEDED: &str = "this API lists repositories per namespace: name them in api.namespaces";
/// How long a looked-up repository's ids are trusted before the
/// namespace's listing is read again.
const LOOKUP_LIFETIME: Duration = Duration::from_secs(15 * 60);
/// Looked-up repositories kept at most (a namespace's whole listing is
/// remembered at once); past it the memory starts afresh.
const MAX_LOOKUPS: usize = 50_000;

/// A repository as the catalogue API describes it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RepositoryRecord {
    /// Full name as the OCI endpoint knows it (`project/app`, `library/nginx`).
    pub name: String,
    pub description: Option<String>,
    pub pull_count: Option<u64>,
    pub star_count: Option<u64>,
    pub artifact_count: Option<u64>,
    /// Last update, as the API writes it (RFC 3339).
    pub updated: Option<String>,
    /// Markdown, when the repository answer carries it (Docker Hub's `full_description`).
    pub readme: Option<String>,
}

/// A tag as the catalogue API describes it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TagRecord {
    pub name: String,
    pub digest: Option<String>,
    pub size: Option<u64>,
    pub pushed: Option<String>,
    pub pulled: Option<String>,
    /// The registry's scan summary, when the API reports one.
    #[serde(default)]
    pub vulnerabilities: Option<app::model::Vulnerabilities>,
}

/// A whole listing read page by page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Listed<T> {
    pub items: Vec<T>,
    /// What the API says the whole listing holds, when it says.
    pub total: Option<u64>,
    /// Set when `api.maxPages` cut the listing short.
    pub truncated: bool,
}

/// A client for one registry's catalogue API.
#[derive(Debug)]
pub struct CatalogueClient {
    base: Url,
    upstream: Upstream,
    ops: BoundOperations,
    /// How repository names fill path arguments (the profile's `names`).
    names: Names,
    /// The query parameter that asks for a page's size.
    page_size_param: String,
    namespaces: Vec<String>,
    max_pages: u32,
    /// Repositories' looked-up arguments (`names.lookup`), with when they were read.
    looked_up: std::sync::Mutex<std::collections::HashMap<String, (Instant, NameArguments)>>,
}

/// Path arguments that name one repository.
type NameArguments = Vec<(String, String)>;

impl CatalogueClient {
    /// `base` is the root the document's paths are appended to (ends with
    /// `/`); `login` is the document's token operation, when it has one.
    pub fn new(
        config: &RegistryConfig,
        http: reqwest::Client,
        base: Url,
        ops: BoundOperations,
        login: Option<RequestTemplate>,
    ) -> Self {
        let header = |p: &Presentation, secret: &SecretString| {
            let name = reqwest::header::HeaderName::from_bytes(p.header.as_bytes()).ok()?;
            let value = match &p.scheme {
                Some(scheme) => SecretString::from(format!("{scheme} {}", secret.expose_secret())),
                None => secret.clone(),
            };
            Some(Credentials::Header { name, value })
        };
        let presented = match (&config.auth, &config.api.profile.credentials) {
            (Auth::Basic { password, .. }, Some(p)) => header(p, password),
            (Auth::Bearer { token }, Some(p)) => header(p, token),
            _ => None,
        };
        let login_at = login.and_then(|t| t.url(&base, &[], &[]).ok());
        let credentials = presented.unwrap_or_else(|| match (&config.auth, &config.api.profile.exchange, login_at) {
            (Auth::Basic { username, password }, Some(Exchange::DockerHubLogin { .. }), Some(at)) => {
                Credentials::Login {
                    at,
                    identifier: username.clone(),
                    secret: password.clone(),
                    token: tokio::sync::Mutex::new(None),
                }
            }
            (Auth::Basic { username, password }, _, _) => {
                Credentials::Basic { username: username.clone(), password: password.clone() }
            }
            (Auth::Bearer { token }, _, _) => Credentials::Bearer(token.clone()),
            (Auth::Anonymous, _, _) => Credentials::Anonymous,
        });
        let upstream = Upstream::new(http, HostPolicy::for_registry(config), credentials, config.tls.allow_http);
        Self {
            base,
            upstream,
            ops,
            names: config.api.profile.names.clone(),
            page_size_param: config.api.profile.page_size_param.clone(),
            namespaces: config.api.namespaces.clone(),
            max_pages: config.api.max_pages,
            looked_up: std::sync::Mutex::new(std::collections::HashMap::new()),
        }
    }

    /// Where the catalogue API is.
    pub fn base(&self) -> &Url {
        &self.base
    }

    /// Whether `op` is bound and its mapping still reads every one of `fields`.
    pub fn can(&self, op: Op, fields: &[Field]) -> bool {
        self.ops.bound(op).is_some_and(|b| fields.iter().all(|f| b.fields.iter().any(|(name, _)| name == f)))
    }

    /// One small request to the repository listing: what it gave (how many
    /// items, the first item's mapped values), when the API answers with
    /// these credentials.
    pub async fn probe(&self) -> Result<String, RegistryError> {
        let b = self.ops.bound(Op::ListRepositories).ok_or(RegistryError::MissingOperation("listRepositories"))?;
        let args: Vec<(&str, &str)> = match self.namespaces.first() {
            Some(ns) => vec![(self.names.namespace_argument(), ns.as_str())],
            None if self.lists_per_namespace(b) => {
                return Err(RegistryError::NotConfigured(NAMESPACES_NEEDED.to_string()));
            }
            None => Vec::new(),
        };
        let url = self.first_page(b, &args, 1)?;
        let (_, body) = self.get_json(url, "the catalogue API", MAX_PAGE_BYTES).await?;
        let listing = read_listing(&body, &b.fields)
            .map_err(|e| RegistryError::InvalidResponse(format!("the repository list: {e}")))?;
        Ok(sample(&listing.items))
    }

    /// The URL of `b` with `args` and `query`, plus the profile's fixed
    /// argument and query values; arguments the profile keeps to one path
    /// segment have their slashes encoded.
    fn url(&self, b: &BoundOperation, args: &[(&str, &str)], query: &[(&str, &str)]) -> Result<Url, RegistryError> {
        let mut all_args = args.to_vec();
        all_args.extend(
            b.values.iter().filter(|(k, _)| !args.iter().any(|(a, _)| a == k)).map(|(k, v)| (k.as_str(), v.as_str())),
        );
        // Arguments go in the query too where the operation takes them
        // there (the template drops what it does not declare).
        let mut all_query = query.to_vec();
        all_query.extend(args.iter().copied());
        all_query.extend(b.query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        b.template.url_with(&self.base, &all_args, &all_query, &self.names.encoded_arguments())
    }

    /// The first page's URL, asking for `size` items (the profile's
    /// page-size parameter, when the operation takes it), and the
    /// page-number style's own parameters.
    fn first_page(&self, b: &BoundOperation, args: &[(&str, &str)], size: u32) -> Result<Url, RegistryError> {
        let size = size.to_string();
        let first = self.url(b, args, &[(self.page_size_param.as_str(), &size)])?;
        Ok(match &b.pages {
            PageStyle::PageNumber { param, size_param, .. } => {
                with_query(&with_query(&first, size_param, &size), param, "1")
            }
            _ => first,
        })
    }

    /// Every repository, with what the API says about each.
    pub async fn list_repositories(&self) -> Result<Listed<RepositoryRecord>, RegistryError> {
        let b = self.ops.bound(Op::ListRepositories).ok_or(RegistryError::MissingOperation("listRepositories"))?;
        if !self.lists_per_namespace(b) {
            return self.list(Op::ListRepositories, &[], "the repository list", |r| repository(r, None)).await;
        }
        if self.namespaces.is_empty() {
            return Err(RegistryError::NotConfigured(NAMESPACES_NEEDED.to_string()));
        }
        let mut all = Listed { items: Vec::new(), total: Some(0), truncated: false };
        for ns in &self.namespaces {
            let what = format!("the repositories of namespace `{ns}`");
            let args = [(self.names.namespace_argument(), ns.as_str())];
            let one = self.list(Op::ListRepositories, &args, &what, |r| repository(r, Some(ns))).await?;
            all.items.extend(one.items);
            all.total = all.total.zip(one.total).map(|(a, b)| a + b);
            all.truncated |= one.truncated;
        }
        Ok(all)
    }

    /// Repositories matching `q` as the API's own search finds them (one
    /// answer, no pages): for catalogues too large to list in full.
    pub async fn search_repositories(&self, q: &str) -> Result<Vec<RepositoryRecord>, RegistryError> {
        let b = self.ops.bound(Op::SearchRepositories).ok_or(RegistryError::MissingOperation("searchRepositories"))?;
        let param = b.search_param.as_deref().unwrap_or("q");
        let url = self.url(b, &[], &[(param, q)])?;
        let (_, body) = self.get_json(url, "the search", MAX_PAGE_BYTES).await?;
        let listing =
            read_listing(&body, &b.fields).map_err(|e| RegistryError::InvalidResponse(format!("the search: {e}")))?;
        Ok(listing.items.iter().flat_map(|item| repository(item, None)).filter(|r| !r.name.is_empty()).collect())
    }

    /// One repository's description and counts.
    pub async fn repository(&self, name: &str) -> Result<RepositoryRecord, RegistryError> {
        validate_repository(name)?;
        let b = self.ops.bound(Op::GetRepository).ok_or(RegistryError::MissingOperation("getRepository"))?;
        let args = self.name_arguments(name).await?;
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let url = self.url(b, &args, &[])?;
        let (_, body) = self.get_json(url, &format!("repository `{name}`"), MAX_ANSWER_BYTES).await?;
        let record = read_record(&body, &b.fields);
        let mut r = repository(&record, None).into_iter().next().unwrap_or_default();
        r.name = name.to_string();
        Ok(r)
    }

    /// The repository's README as markdown: Harbor's `readme.md` addition
    /// of the `latest` artifact, or the repository answer's `readme` field
    /// (Docker Hub's `full_description`); `None` when it has none.
    pub async fn readme(&self, name: &str) -> Result<Option<String>, RegistryError> {
        validate_repository(name)?;
        if let Some(b) = self.ops.bound(Op::GetReadme) {
            let args = self.name_arguments(name).await?;
            let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let url = self.url(b, &args, &[])?;
            let what = format!("the README of `{name}`");
            return match self.upstream.get_bytes(url, None, &what, "", (MAX_README_BYTES, "a README")).await {
                Ok((_, body)) => String::from_utf8(body)
                    .map(Some)
                    .map_err(|_| RegistryError::InvalidResponse("the README is not UTF-8".into())),
                Err(RegistryError::NotFound(_)) => Ok(None),
                Err(e) => Err(e),
            };
        }
        if self.can(Op::GetRepository, &[Field::Readme]) {
            return Ok(self.repository(name).await?.readme);
        }
        Ok(None)
    }

    /// Every tag of a repository with its push and pull times.
    pub async fn list_tags(&self, name: &str) -> Result<Listed<TagRecord>, RegistryError> {
        validate_repository(name)?;
        let args = self.name_arguments(name).await?;
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        self.list(Op::ListTags, &args, &format!("the tags of `{name}`"), tags).await
    }

    /// The path arguments naming repository `name`: from the name itself,
    /// or (`names.lookup`) from its item in its namespace's repository
    /// listing, which is read once for every repository in it.
    async fn name_arguments(&self, name: &str) -> Result<NameArguments, RegistryError> {
        let Names::Lookup { arguments, .. } = &self.names else { return Ok(self.names.arguments(name)) };
        if let Some(found) = self.remembered(name) {
            return Ok(found);
        }
        // The longest configured namespace the name lies under.
        let ns = self
            .namespaces
            .iter()
            .filter(|ns| name.strip_prefix(ns.as_str()).is_some_and(|rest| rest.is_empty() || rest.starts_with('/')))
            .max_by_key(|ns| ns.len())
            .ok_or_else(|| RegistryError::NotFound(format!("repository `{name}` is in none of api.namespaces")))?;
        let what = format!("the repositories of namespace `{ns}`");
        let args = [(self.names.namespace_argument(), ns.as_str())];
        let listed = self
            .list(Op::ListRepositories, &args, &what, |r| {
                let values: Option<NameArguments> =
                    arguments.iter().map(|(arg, at)| Some((arg.clone(), r.text_at(at)?))).collect();
                repository(r, Some(ns)).into_iter().zip(values).map(|(repo, v)| (repo.name, v)).collect()
            })
            .await?;
        let now = Instant::now();
        let mut memory = self.looked_up.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if memory.len() + listed.items.len() > MAX_LOOKUPS {
            memory.clear();
        }
        let mut found = None;
        for (repo, values) in listed.items {
            if repo == name {
                found = Some(values.clone());
            }
            memory.insert(repo, (now, values));
        }
        found.ok_or_else(|| RegistryError::NotFound(format!("repository `{name}` is not in {what}")))
    }

    fn remembered(&self, name: &str) -> Option<NameArguments> {
        let memory = self.looked_up.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        memory.get(name).filter(|(at, _)| at.elapsed() < LOOKUP_LIFETIME).map(|(_, v)| v.clone())
    }

    /// One tag as the API's own tag answer describes it (`getTag`): for
    /// APIs whose tag listing names tags only (GitLab).
    pub async fn tag(&self, name: &str, tag: &str) -> Result<TagRecord, RegistryError> {
        let (b, body) = self.about(Op::GetTag, name, tag, &format!("tag `{tag}` of `{name}`")).await?;
        let record = read_record(&body, &b.fields);
        Ok(TagRecord {
            name: tag.to_string(),
            digest: record.text(Field::Digest),
            size: record.count(Field::Size),
            pushed: time(&record, Field::Pushed),
            pulled: time(&record, Field::Pulled),
            vulnerabilities: vulnerabilities(&record),
        })
    }

    /// The registry scanner's findings for manifest `digest`
    /// (`getVulnerabilities`, Quay's security endpoint): severity counts as
    /// mapped, or counted from the one severity name per finding the
    /// profile points at. `None` when the image was not scanned (yet).
    pub async fn vulnerabilities(
        &self,
        name: &str,
        digest: &str,
    ) -> Result<Option<app::model::Vulnerabilities>, RegistryError> {
        let (b, body) =
            self.about(Op::GetVulnerabilities, name, digest, &format!("the scan of `{name}@{digest}`")).await?;
        let record = read_record(&body, &b.fields);
        let mut found = vulnerabilities(&record);
        if let Some(path) = &b.severities {
            // Scanned when the list the severities sit in is there, even empty.
            let list = path.split_once("[]").map_or(path.as_str(), |(root, _)| root.trim_end_matches('/'));
            if !super::fields::select(&body, list).is_empty() {
                let v = found.get_or_insert_with(Default::default);
                for severity in super::fields::select(&body, path).into_iter().filter_map(Value::as_str) {
                    match severity.to_ascii_lowercase().as_str() {
                        // Quay's (Clair's) highest level.
                        "critical" | "defcon1" => v.critical += 1,
                        "high" => v.high += 1,
                        "medium" => v.medium += 1,
                        "low" => v.low += 1,
                        _ => {}
                    }
                }
            }
        }
        Ok(found)
    }

    /// GETs operation `op` about one tag or manifest of repository `name`:
    /// `reference` fills the path argument that neither the name nor the
    /// profile's values fill.
    async fn about(
        &self,
        op: Op,
        name: &str,
        reference: &str,
        what: &str,
    ) -> Result<(&BoundOperation, Value), RegistryError> {
        validate_repository(name)?;
        super::validate_reference(reference)?;
        let b = self.ops.bound(op).ok_or(RegistryError::MissingOperation(op.name()))?;
        let mut args = self.name_arguments(name).await?;
        let free: Vec<String> = b
            .template
            .path_params
            .iter()
            .filter(|p| !args.iter().any(|(a, _)| a == *p) && !b.values.iter().any(|(v, _)| v == *p))
            .cloned()
            .collect();
        args.extend(free.into_iter().map(|p| (p, reference.to_string())));
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let url = self.url(b, &args, &[])?;
        let (_, body) = self.get_json(url, what, MAX_ANSWER_BYTES).await?;
        Ok((b, body))
    }

    /// Whether the listing needs a namespace (`api.namespaces`) to list:
    /// in its path (Docker Hub) or its query (Quay's `?namespace=`).
    fn lists_per_namespace(&self, b: &BoundOperation) -> bool {
        let arg = self.names.namespace_argument();
        b.template.path_params.iter().chain(&b.template.query_params).any(|p| p == arg)
    }

    /// Reads a listing to its end (or to `api.maxPages`), whatever its pagination style.
    async fn list<T>(
        &self,
        op: Op,
        args: &[(&str, &str)],
        what: &str,
        take: impl Fn(&Record<'_>) -> Vec<T>,
    ) -> Result<Listed<T>, RegistryError> {
        let b = self.ops.bound(op).ok_or(RegistryError::MissingOperation(op.name()))?;
        let first = self.first_page(b, args, PAGE_SIZE)?;
        let mut out = Listed { items: Vec::new(), total: None, truncated: false };
        let mut so_far = 0u64;
        out.truncated = self
            .upstream
            .pages(first, what, "", self.max_pages as usize, |url, headers, body| {
                let listing = read_listing(body, &b.fields)
                    .map_err(|e| RegistryError::InvalidResponse(format!("{what}: {e}")))?;
                out.total = out.total.or_else(|| total(&b.pages, headers, &listing.page));
                so_far += listing.items.len() as u64;
                for item in &listing.items {
                    out.items.extend(take(item));
                }
                let seen = PageSeen { items: listing.items.len(), so_far, size: PAGE_SIZE };
                next_page(&b.pages, url, headers, &listing.page, seen, out.total)
                    .map_err(|e| RegistryError::InvalidResponse(format!("{what}: {e}")))
            })
            .await?;
        if out.truncated {
            tracing::warn!(what, max_pages = self.max_pages, "listing cut at api.maxPages");
        }
        Ok(out)
    }

    /// GET a JSON answer with the configured credentials.
    async fn get_json(
        &self,
        url: Url,
        what: &str,
        limit: u64,
    ) -> Result<(reqwest::header::HeaderMap, Value), RegistryError> {
        self.upstream.get_json(url, what, "", (limit, "a catalogue API answer")).await
    }
}

/// `1 item; first: name=app, pullCount=12` (values cut to 40 characters).
fn sample(items: &[Record<'_>]) -> String {
    let count = if items.len() == 1 { "1 item".to_string() } else { format!("{} items", items.len()) };
    let Some(first) = items.first() else { return count };
    let values: Vec<String> = Field::ALL
        .iter()
        .filter_map(|f| {
            let text = first.text(*f)?;
            let cut: String = text.chars().take(40).collect();
            Some(format!("{f}={cut}{}", if cut.len() < text.len() { "…" } else { "" }))
        })
        .collect();
    if values.is_empty() { count } else { format!("{count}; first: {}", values.join(", ")) }
}

/// A repository from one listing item (or a whole answer); `namespace` is
/// prefixed to names the API gives relative to it (Docker Hub lists `nginx`
/// under `library`; an API may list `sub/app` under `team`), not to names
/// that already start with it (Harbor's `team/app`).
fn repository(r: &Record<'_>, namespace: Option<&str>) -> Vec<RepositoryRecord> {
    let name = match (r.text(Field::Name), namespace.map(str::to_string).or_else(|| r.text(Field::Namespace))) {
        (Some(n), Some(ns)) if !n.starts_with(&format!("{ns}/")) => format!("{ns}/{n}"),
        (Some(n), _) => n,
        (None, _) if namespace.is_some() => return Vec::new(),
        (None, _) => String::new(),
    };
    vec![RepositoryRecord {
        name,
        description: r.text(Field::Description),
        pull_count: r.count(Field::PullCount),
        star_count: r.count(Field::StarCount),
        artifact_count: r.count(Field::ArtifactCount),
        updated: time(r, Field::Updated),
        readme: r.text(Field::Readme),
    }]
}

/// One row per tag name of a listing item (a Harbor artifact carries several).
fn tags(r: &Record<'_>) -> Vec<TagRecord> {
    r.texts(Field::Tag)
        .into_iter()
        .map(|name| TagRecord {
            name,
            digest: r.text(Field::Digest),
            size: r.count(Field::Size),
            pushed: time(r, Field::Pushed),
            pulled: time(r, Field::Pulled),
            vulnerabilities: vulnerabilities(r),
        })
        .collect()
}

/// The scan summary of an item: present when the API gave any severity
/// count or a scanner; a severity it leaves out had nothing found.
fn vulnerabilities(r: &Record<'_>) -> Option<app::model::Vulnerabilities> {
    let [critical, high, medium, low] = [Field::Critical, Field::High, Field::Medium, Field::Low].map(|f| r.count(f));
    let scanner = r.text(Field::Scanner);
    if [critical, high, medium, low].iter().all(Option::is_none) && scanner.is_none() {
        return None;
    }
    Some(app::model::Vulnerabilities {
        critical: critical.unwrap_or(0),
        high: high.unwrap_or(0),
        medium: medium.unwrap_or(0),
        low: low.unwrap_or(0),
        scanner,
        scanned: time(r, Field::Scanned),
    })
}

/// A time field as RFC 3339, whichever way the API writes it: RFC 3339 as
/// it is, Unix seconds (Quay's `last_modified`) or RFC 2822 (Quay's tag
/// times) converted to UTC. Harbor writes year 1 for "never": no time.
fn time(r: &Record<'_>, field: Field) -> Option<String> {
    normal_time(&r.text(field)?)
}

fn normal_time(text: &str) -> Option<String> {
    use time::format_description::well_known::{Rfc2822, Rfc3339};
    let text = text.trim();
    if text.starts_with("0001-") || text.is_empty() {
        return None;
    }
    let parsed = match text.parse::<i64>() {
        Ok(seconds) => time::OffsetDateTime::from_unix_timestamp(seconds).ok(),
        Err(_) if time::OffsetDateTime::parse(text, &Rfc3339).is_ok() => return Some(text.to_string()),
        Err(_) => time::OffsetDateTime::parse(text, &Rfc2822).ok(),
    };
    match parsed {
        Some(t) => t.to_offset(time::UtcOffset::UTC).format(&Rfc3339).ok(),
        // Unknown formats pass as written rather than vanish.
        None => Some(text.to_string()),
    }
}

/// Where the catalogue API's paths start: `api.baseUrl` when given; else
/// the document's first server when it is absolute and its host allowed
/// (Docker Hub's `https://hub.docker.com`); else that server's path on the
/// registry's base URL (Harbor's `basePath: /api/v2.0`, whatever `host` the
/// published document names).
pub fn catalogue_base(config: &RegistryConfig, doc: &openapiv3::OpenAPI) -> Url {
    if let Some(u) = &config.api.base_url {
        return u.clone();
    }
    let server = doc.servers.first().map(|s| s.url.as_str()).unwrap_or("/");
    let hosts = HostPolicy::for_registry(config);
    let path = match Url::parse(server) {
        Ok(abs) if hosts.check(&abs).is_ok() && matches!(abs.scheme(), "https" | "http") => {
            return with_trailing_slash(abs);
        }
        Ok(abs) => abs.path().to_string(),
        Err(_) => server.to_string(),
    };
    let mut base = config.base_url.clone();
    let joined = format!("{}/{}", base.path().trim_end_matches('/'), path.trim_matches('/'));
    base.set_path(&joined);
    with_trailing_slash(base)
}

fn with_trailing_slash(mut url: Url) -> Url {
    if !url.path().ends_with('/') {
        let p = format!("{}/", url.path());
        url.set_path(&p);
    }
    url.set_query(None);
    url
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::registry::document::parse_document;

    fn registry(yaml: &str) -> Result<RegistryConfig, String> {
        let c = crate::config::load_str(yaml, "t.yaml", Path::new("/"), &|_| None).map_err(|e| e.to_string())?;
        c.registries.into_iter().next().ok_or_else(|| "no registry".to_string())
    }

    fn doc(servers: &str) -> Result<openapiv3::OpenAPI, String> {
        let text = format!("openapi: 3.0.3\ninfo: {{ title: t, version: '1' }}\n{servers}paths: {{}}\n");
        parse_document(text.as_bytes()).map(|d| d.openapi).map_err(|e| e.to_string())
    }

    #[test]
    fn times_are_read_in_every_way_apis_write_them() {
        assert_eq!(normal_time("2026-11-20T08:30:00.000Z").as_deref(), Some("2026-11-20T08:30:00.000Z"));
        assert_eq!(normal_time("1764231000").as_deref(), Some("2025-11-27T08:10:00Z"));
        assert_eq!(normal_time("Thu, 27 Nov 2025 15:30:00 -0000").as_deref(), Some("2025-11-27T15:30:00Z"));
        assert_eq!(normal_time("0001-01-01T00:00:00.000Z"), None);
        assert_eq!(normal_time("yesterday").as_deref(), Some("yesterday"));
    }

    #[test]
    fn the_catalogue_lives_under_the_documents_base_path_on_the_registry() -> Result<(), String> {
        let harbor = registry("registries:\n  - id: h\n    baseUrl: https://harbor.example.com\n")?;
        // Harbor's published document names `host: localhost`; only its path counts.
        let base = catalogue_base(&harbor, &doc("servers: [{ url: 'http://localhost/api/v2.0' }]\n")?);
        assert_eq!(base.as_str(), "https://harbor.example.com/api/v2.0/");
        let base = catalogue_base(&harbor, &doc("")?);
        assert_eq!(base.as_str(), "https://harbor.example.com/");
        Ok(())
    }

    #[test]
    fn docker_hubs_own_host_and_an_explicit_base_url_are_used_as_they_are() -> Result<(), String> {
        let hub = registry(
            "registries:\n  - id: hub\n    baseUrl: https://registry-1.docker.io\n    api: { profile: dockerhub, document: https://hub.docker.com/openapi.yaml }\n",
        )?;
        let base = catalogue_base(&hub, &doc("servers: [{ url: 'https://hub.docker.com' }]\n")?);
        assert_eq!(base.as_str(), "https://hub.docker.com/");
        let explicit = registry(
            "registries:\n  - id: h\n    baseUrl: https://registry.example.com\n    api: { baseUrl: 'https://api.example.com/catalogue' }\n",
        )?;
        let base = catalogue_base(&explicit, &doc("servers: [{ url: 'https://elsewhere.example/api' }]\n")?);
        assert_eq!(base.as_str(), "https://api.example.com/catalogue/");
        Ok(())
    }
}
