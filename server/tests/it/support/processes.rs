//! Registries the tests start themselves: docker-registry processes over
//! the seeded storage (read-only), with TLS or token auth, and the token
//! server such a registry trusts.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Json};
use axum::routing::get;
use base64::Engine;
use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair, KeyUsagePurpose};

use super::{Scratch, TestResult, harness_var};

/// A CA and a server certificate for 127.0.0.1 and localhost, as PEM files.
pub struct TestPki {
    pub ca_pem: PathBuf,
    pub cert_pem: PathBuf,
    pub key_pem: PathBuf,
}

impl TestPki {
    pub fn generate(dir: &Path) -> TestResult<Self> {
        let ca_key = KeyPair::generate()?;
        let mut ca = CertificateParams::new(Vec::<String>::new())?;
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_cert = ca.self_signed(&ca_key)?;
        let key = KeyPair::generate()?;
        let leaf = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])?
            .signed_by(&key, &ca_cert, &ca_key)?;
        let pki =
            Self { ca_pem: dir.join("ca.pem"), cert_pem: dir.join("server.pem"), key_pem: dir.join("server.key") };
        std::fs::write(&pki.ca_pem, ca_cert.pem())?;
        std::fs::write(&pki.cert_pem, leaf.pem())?;
        std::fs::write(&pki.key_pem, key.serialize_pem())?;
        Ok(pki)
    }
}

/// A docker-registry process; killed when dropped.
pub struct RegistryProcess {
    pub host: String,
    _child: tokio::process::Child,
    _dir: Scratch,
}

impl RegistryProcess {
    /// Serves the seeded storage read-only, with `extra` appended to the
    /// configuration (an `auth:` section) and TLS when `pki` is given.
    pub async fn start(extra: &str, pki: Option<&TestPki>) -> TestResult<Self> {
        let data = harness_var("REESTR_TEST_REGISTRY_DATA")?;
        let dir = Scratch::new()?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let tls = pki
            .map(|p| format!(", tls: {{ certificate: {}, key: {} }}", p.cert_pem.display(), p.key_pem.display()))
            .unwrap_or_default();
        let config = format!(
            "version: 0.1\nlog: {{ level: error }}\nstorage:\n  filesystem: {{ rootdirectory: {data} }}\n  maintenance: {{ readonly: {{ enabled: true }} }}\nhttp: {{ addr: 127.0.0.1:{port}{tls} }}\n{extra}"
        );
        let path = dir.0.join("config.yml");
        std::fs::write(&path, config)?;
        let child = tokio::process::Command::new("docker-registry")
            .arg("serve")
            .arg(&path)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()?;
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                return Ok(Self { host: format!("127.0.0.1:{port}"), _child: child, _dir: dir });
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err("docker-registry did not start listening".into())
    }
}

/// A token server in the Docker token-spec style: checks basic credentials,
/// grants every scope asked for, signs ES256 JWTs with a certificate the
/// registry trusts (`auth.token.rootcertbundle`).
pub struct TokenServer {
    pub realm: String,
    pub root_pem: PathBuf,
    /// Token requests answered, to see caching work.
    pub issued: Arc<AtomicUsize>,
}

pub const TOKEN_SERVICE: &str = "reestr-test-registry";
pub const TOKEN_ISSUER: &str = "reestr-test-issuer";

#[derive(Clone)]
struct Signer {
    key: Arc<jsonwebtoken::EncodingKey>,
    cert_b64: String,
    user: String,
    password: String,
    issued: Arc<AtomicUsize>,
}

impl TokenServer {
    pub async fn start(dir: &Path, user: &str, password: &str) -> TestResult<Self> {
        let key = KeyPair::generate()?;
        let mut params = CertificateParams::new(vec!["reestr-test-token".to_string()])?;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        let cert = params.self_signed(&key)?;
        let root_pem = dir.join("token-root.pem");
        std::fs::write(&root_pem, cert.pem())?;
        let issued = Arc::new(AtomicUsize::new(0));
        let signer = Signer {
            key: Arc::new(jsonwebtoken::EncodingKey::from_ec_pem(key.serialize_pem().as_bytes())?),
            cert_b64: base64::engine::general_purpose::STANDARD.encode(cert.der()),
            user: user.to_string(),
            password: password.to_string(),
            issued: issued.clone(),
        };
        let app = Router::new().route("/token", get(token)).with_state(signer);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { realm: format!("http://{addr}/token"), root_pem, issued })
    }

    /// The `auth:` section of a registry that trusts this server.
    pub fn registry_auth(&self) -> String {
        format!(
            "auth:\n  token:\n    realm: {}\n    service: {TOKEN_SERVICE}\n    issuer: {TOKEN_ISSUER}\n    rootcertbundle: {}\n",
            self.realm,
            self.root_pem.display()
        )
    }

    pub fn issued(&self) -> usize {
        self.issued.load(Ordering::SeqCst)
    }
}

async fn token(
    State(s): State<Signer>,
    headers: HeaderMap,
    Query(q): Query<Vec<(String, String)>>,
) -> impl IntoResponse {
    let expected =
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", s.user, s.password)));
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
        return (StatusCode::UNAUTHORIZED, "bad credentials").into_response();
    }
    let access: Vec<serde_json::Value> = q
        .iter()
        .filter(|(k, _)| k == "scope")
        .filter_map(|(_, scope)| {
            let (kind, rest) = scope.split_once(':')?;
            let (name, actions) = rest.rsplit_once(':')?;
            Some(serde_json::json!({ "type": kind, "name": name, "actions": actions.split(',').collect::<Vec<_>>() }))
        })
        .collect();
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let claims = serde_json::json!({
        "iss": TOKEN_ISSUER, "sub": s.user, "aud": TOKEN_SERVICE,
        "exp": now + 300, "nbf": now - 10, "iat": now, "jti": format!("{now}-{}", s.issued.load(Ordering::SeqCst)),
        "access": access,
    });
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    header.x5c = Some(vec![s.cert_b64.clone()]);
    match jsonwebtoken::encode(&header, &claims, &s.key) {
        Ok(jwt) => {
            s.issued.fetch_add(1, Ordering::SeqCst);
            Json(serde_json::json!({ "token": jwt, "expires_in": 300 })).into_response()
        }
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}
