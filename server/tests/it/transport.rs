//! Token auth and TLS against real docker-registry processes serving the
//! seeded storage: the Docker token flow with a token server the registry
//! trusts, and HTTPS with a CA the test generates.

use crate::support::processes::{RegistryProcess, TestPki, TokenServer};
use crate::support::{Scratch, TestApp, TestResult, s};

const SEEDED: u64 = 1056;

fn health<'a>(list: &'a serde_json::Value, id: &str) -> TestResult<&'a serde_json::Value> {
    list.as_array()
        .and_then(|l| l.iter().find(|r| r["id"] == id))
        .map(|r| &r["health"])
        .ok_or_else(|| format!("no {id}").into())
}

#[tokio::test]
async fn the_token_flow_gets_cached_tokens_per_scope() -> TestResult {
    let dir = Scratch::new()?;
    let password = "token-canary-pw";
    let tokens = TokenServer::start(&dir.0, "reader", password).await?;
    let registry = RegistryProcess::start(&tokens.registry_auth(), None).await?;
    let yaml = format!(
        "registries:
  - id: token
    baseUrl: http://{host}
    auth: {{ type: basic }}
    tls: {{ allowHttp: true }}
  - id: token-wrong
    baseUrl: http://{host}
    auth: {{ type: basic, passwordEnv: WRONG }}
    tls: {{ allowHttp: true }}
  - id: token-anon
    baseUrl: http://{host}
    tls: {{ allowHttp: true }}
",
        host = registry.host
    );
    let env = |name: &str| match name {
        "REESTR_REGISTRY_TOKEN_USERNAME" | "REESTR_REGISTRY_TOKEN_WRONG_USERNAME" => Some("reader".to_string()),
        "REESTR_REGISTRY_TOKEN_PASSWORD" => Some(password.to_string()),
        "WRONG" => Some("nope".to_string()),
        _ => None,
    };
    let app = TestApp::start_with(&yaml, &env).await?;
    let list = app.json("/api/registries", 200).await?;
    assert_eq!(s(health(&list, "token")?, "status")?, "healthy");
    assert_eq!(s(health(&list, "token-wrong")?, "status")?, "authFailed");
    assert_eq!(s(health(&list, "token-anon")?, "status")?, "authFailed");

    let page = app.json("/api/registries/token/repositories?limit=10", 200).await?;
    assert_eq!(page["total"], SEEDED);
    let tag = app.json("/api/registries/token/repositories/team/app/tags/1.0", 200).await?;
    assert_eq!(s(&tag, "mediaType")?, "application/vnd.oci.image.manifest.v1+json");

    // Tokens are cached per scope: asking again costs the token server nothing.
    let before = tokens.issued();
    app.json("/api/registries/token/repositories/team/app/tags/1.0", 200).await?;
    app.json("/api/registries/token/repositories?limit=10", 200).await?;
    assert_eq!(tokens.issued(), before, "cached tokens were reused");
    Ok(())
}

#[tokio::test]
async fn tls_needs_a_trusted_ca_or_an_explicit_insecure_switch() -> TestResult {
    let dir = Scratch::new()?;
    let pki = TestPki::generate(&dir.0)?;
    let registry = RegistryProcess::start("", Some(&pki)).await?;
    let yaml = format!(
        "registries:
  - id: with-ca
    baseUrl: https://localhost:{port}
    tls: {{ caFile: {ca} }}
  - id: untrusted
    baseUrl: https://{host}
  - id: insecure
    baseUrl: https://{host}
    tls: {{ allowInsecure: true }}
",
        host = registry.host,
        port = registry.host.rsplit(':').next().unwrap_or_default(),
        ca = pki.ca_pem.display()
    );
    let app = TestApp::start_with(&yaml, &|_| None).await?;
    let list = app.json("/api/registries", 200).await?;
    // By name: the request goes through the guarded DNS resolver.
    assert_eq!(s(health(&list, "with-ca")?, "status")?, "healthy");
    assert_eq!(s(health(&list, "insecure")?, "status")?, "healthy");
    let untrusted = health(&list, "untrusted")?;
    assert_eq!(s(untrusted, "status")?, "unreachable");
    assert!(s(untrusted, "message")?.contains("TLS: the server's certificate is not trusted"), "{untrusted}");

    let tag = app.json("/api/registries/with-ca/repositories/team/sub/multi/tags/latest", 200).await?;
    assert_eq!(tag["isIndex"], true);
    Ok(())
}
