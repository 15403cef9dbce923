//! The integration-test harness: a real Reestr (router in process, on a
//! loopback port) in front of the real registry that `scripts/test.sh`
//! starts and seeds (`end2end/registry.sh`), plus registries that fail in
//! each way that matters.

use std::error::Error;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use leptos::config::LeptosOptions;
use reestr::access::{Access, Mode, Policy, Store};
use reestr::catalog::CatalogService;
use reestr::http::{AppState, router};
use sha2::{Digest, Sha256};

pub mod processes;
pub mod stand_in;
pub mod upstream;

/// An API document with only `listRepositories`: a registry described by it
/// cannot be browsed.
pub const PARTIAL_DOCUMENT: &str = "openapi: 3.0.3\ninfo: { title: Partial API, version: '0.1' }\npaths:\n  /v2/_catalog:\n    get:\n      operationId: listRepositories\n      responses: { '200': { description: ok } }\n";

/// The OCI image manifest media type, for asking the registry directly.
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";

pub type TestResult<T = ()> = Result<T, Box<dyn Error + Send + Sync>>;

/// A running Reestr and where its registries are.
pub struct TestApp {
    pub base: String,
    /// `host:port` of the seeded registry.
    pub registry: String,
    /// The catalogue behind the pages (its cache's counters).
    pub service: Arc<CatalogService>,
    /// Users and sessions.
    pub access: Arc<Access>,
    http: reqwest::Client,
    _scratch: Scratch,
}

/// A temporary directory removed on drop.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new() -> std::io::Result<Self> {
        let path = std::env::temp_dir().join(format!("reestr-it-{}-{}", std::process::id(), rand_suffix()));
        std::fs::create_dir_all(&path)?;
        Ok(Self(path))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The seeded registry's address; fails loudly when the harness did not start one.
pub fn registry_host() -> TestResult<String> {
    harness_var("REESTR_TEST_REGISTRY")
}

/// A variable `scripts/test.sh` sets; its absence is an error, never a skip.
pub fn harness_var(name: &str) -> TestResult<String> {
    std::env::var(name).map_err(|_| {
        format!(
            "{name} is not set: run scripts/test.sh, or start the registries it starts \
             (end2end/registry.sh) and export the variable"
        )
        .into()
    })
}

impl TestApp {
    /// Starts Reestr with four registries: `local` (seeded), `offline`
    /// (nothing listens), `stalled` (accepts, never answers) and `partial`
    /// (an API document without tag listing).
    pub async fn start() -> TestResult<Self> {
        let registry = registry_host()?;
        let scratch = Scratch::new()?;

        let offline = {
            let l = std::net::TcpListener::bind("127.0.0.1:0")?;
            l.local_addr()?
        };
        let stalled = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let stalled_addr = stalled.local_addr()?;
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = stalled.accept().await {
                held.push(socket);
            }
        });
        let partial_doc = scratch.0.join("partial.yaml");
        std::fs::write(&partial_doc, PARTIAL_DOCUMENT)?;

        let yaml = format!(
            "registries:
  - id: local
    displayName: Local registry
    baseUrl: http://{registry}
    tls: {{ allowHttp: true }}
  - id: offline
    displayName: Offline registry
    baseUrl: http://{offline}
    tls: {{ allowHttp: true }}
  - id: stalled
    displayName: Stalled registry
    baseUrl: http://{stalled_addr}
    tls: {{ allowHttp: true }}
  - id: partial
    displayName: Partial registry
    baseUrl: http://{registry}
    api: {{ document: {} }}
    tls: {{ allowHttp: true }}
",
            partial_doc.display()
        );
        Self::serve(&yaml, &|_| None, registry, scratch).await
    }

    /// Starts Reestr on a configuration of the test's own, with `env` as
    /// the environment secrets are read from.
    pub async fn start_with(yaml: &str, env: &dyn Fn(&str) -> Option<String>) -> TestResult<Self> {
        let scratch = Scratch::new()?;
        Self::serve(yaml, env, registry_host().unwrap_or_default(), scratch).await
    }

    /// Starts Reestr on `yaml` with the given cache.
    pub async fn start_cached(yaml: &str, cache: Arc<reestr::cache::Cache>) -> TestResult<Self> {
        let config = reestr::config::load_str(yaml, "test.yaml", Path::new("."), &|_| None)?;
        let service = Arc::new(CatalogService::build_with_cache(&config, cache).await);
        Self::listen(service, registry_host().unwrap_or_default(), Scratch::new()?).await
    }

    async fn serve(
        yaml: &str,
        env: &dyn Fn(&str) -> Option<String>,
        registry: String,
        scratch: Scratch,
    ) -> TestResult<Self> {
        let config = reestr::config::load_str(yaml, "test.yaml", Path::new("."), env)?;
        let service = Arc::new(CatalogService::build(&config).await);
        Self::listen(service, registry, scratch).await
    }

    async fn listen(service: Arc<CatalogService>, registry: String, scratch: Scratch) -> TestResult<Self> {
        // Browsing tests run in open access; `access.rs` tests the logins.
        let store = Store::open("sqlite::memory:").await?;
        let access = Arc::new(Access::new(store, Mode::Open, Policy::default()).await?);
        Self::listen_with(service, access, registry, scratch).await
    }

    /// Starts Reestr on `service` behind the given access control.
    pub async fn listen_with(
        service: Arc<CatalogService>,
        access: Arc<Access>,
        registry: String,
        scratch: Scratch,
    ) -> TestResult<Self> {
        let options = LeptosOptions::builder().output_name("reestr").site_root("target/site").build();
        let app = router(AppState::new(options, service.clone(), access.clone()))?
            .into_make_service_with_connect_info::<std::net::SocketAddr>();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        tokio::spawn(async move {
            let _ = axum::serve(reestr::http::listen::no_delay(listener), app).await;
        });
        Ok(Self {
            base: format!("http://{addr}"),
            registry,
            service,
            access,
            http: reqwest::Client::builder().timeout(std::time::Duration::from_secs(30)).build()?,
            _scratch: scratch,
        })
    }

    /// GET a path of Reestr, leaving the body to be read as it streams.
    pub async fn stream(&self, path: &str) -> TestResult<reqwest::Response> {
        Ok(self.http.get(format!("{}{path}", self.base)).send().await?)
    }

    /// GET a path of Reestr; status, every header as text, and body.
    pub async fn get_raw(&self, path: &str) -> TestResult<(u16, String, String)> {
        let resp = self.http.get(format!("{}{path}", self.base)).send().await?;
        let status = resp.status().as_u16();
        let headers = format!("{:?}", resp.headers());
        Ok((status, headers, resp.text().await?))
    }

    /// GET a path of Reestr; status, content type and body.
    pub async fn get(&self, path: &str) -> TestResult<(u16, String, String)> {
        let resp = self.http.get(format!("{}{path}", self.base)).send().await?;
        let status = resp.status().as_u16();
        let ctype = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        let body = resp.text().await.map_err(|e| format!("GET {path}: reading the body: {e}"))?;
        Ok((status, ctype, body))
    }

    /// GET a JSON path of Reestr, requiring `expect` as the status.
    pub async fn json(&self, path: &str, expect: u16) -> TestResult<serde_json::Value> {
        let (status, _, body) = self.get(path).await?;
        if status != expect {
            return Err(format!("GET {path}: expected {expect}, got {status}: {body}").into());
        }
        Ok(serde_json::from_str(&body)?)
    }

    /// POST to a JSON path of Reestr, requiring `expect` as the status.
    pub async fn post_json(&self, path: &str, expect: u16) -> TestResult<serde_json::Value> {
        let resp = self.http.post(format!("{}{path}", self.base)).header("origin", &self.base).send().await?;
        let status = resp.status().as_u16();
        let body = resp.text().await?;
        if status != expect {
            return Err(format!("POST {path}: expected {expect}, got {status}: {body}").into());
        }
        Ok(serde_json::from_str(&body)?)
    }

    /// GET an HTML page of Reestr, requiring 200.
    pub async fn html(&self, path: &str) -> TestResult<String> {
        self.page(path, 200).await
    }

    /// A page's HTML, answered with `expected` (a page about something
    /// missing is 404, one whose registry fails 502, 503 or 504).
    pub async fn page(&self, path: &str, expected: u16) -> TestResult<String> {
        let (status, ctype, body) = self.get(path).await?;
        if status != expected || !ctype.starts_with("text/html") {
            return Err(format!("GET {path}: {status} {ctype} (expected {expected}): {body}").into());
        }
        Ok(body)
    }

    /// The registry's own answer for a manifest, as the ground truth:
    /// its digest (sha256 of the bytes) and the parsed JSON.
    pub async fn registry_manifest(
        &self,
        repo: &str,
        reference: &str,
        accept: &str,
    ) -> TestResult<(String, serde_json::Value)> {
        let url = format!("http://{}/v2/{repo}/manifests/{reference}", self.registry);
        let bytes = self.http.get(url).header("accept", accept).send().await?.error_for_status()?.bytes().await?;
        let digest = format!("sha256:{}", hex::encode(Sha256::digest(&bytes)));
        Ok((digest, serde_json::from_slice(&bytes)?))
    }
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0)
}

/// Reads `value[key]` as a string.
pub fn s<'a>(value: &'a serde_json::Value, key: &str) -> TestResult<&'a str> {
    value.get(key).and_then(|v| v.as_str()).ok_or_else(|| format!("no string `{key}` in {value}").into())
}

/// Reads `value[key]` as an array.
pub fn arr<'a>(value: &'a serde_json::Value, key: &str) -> TestResult<&'a Vec<serde_json::Value>> {
    value.get(key).and_then(|v| v.as_array()).ok_or_else(|| format!("no array `{key}` in {value}").into())
}

/// Serves `state`'s router on a free loopback port; returns its base URL.
pub async fn serve(state: AppState) -> TestResult<String> {
    let app = router(state)?.into_make_service_with_connect_info::<std::net::SocketAddr>();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        let _ = axum::serve(reestr::http::listen::no_delay(listener), app).await;
    });
    Ok(base)
}

/// A server in open access on the seeded registry, with an API limit of `per_minute`.
pub async fn open_server(per_minute: u32) -> TestResult<String> {
    let registry = registry_host()?;
    let yaml = format!("registries:\n  - id: local\n    baseUrl: http://{registry}\n    tls: {{ allowHttp: true }}\n");
    let config = reestr::config::load_str(&yaml, "test.yaml", std::path::Path::new("."), &|_| None)?;
    let service = Arc::new(CatalogService::build(&config).await);
    let access = Arc::new(Access::new(Store::open("sqlite::memory:").await?, Mode::Open, Policy::default()).await?);
    let options = LeptosOptions::builder().output_name("reestr").site_root("target/site").build();
    serve(AppState::new(options, service, access).with_api_limit(reestr::http::ApiLimit::per_minute(per_minute))).await
}
