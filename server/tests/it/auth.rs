//! Basic auth against a registry that requires it (docker-registry with
//! htpasswd), and the promise that the password never leaves the server.

use crate::support::{TestApp, TestResult, harness_var, s};

/// The password `scripts/test.sh` gives the protected registry; a canary.
const USER: &str = "reader";

#[tokio::test]
async fn basic_auth_reaches_a_protected_registry_and_the_password_never_leaks() -> TestResult {
    let host = harness_var("REESTR_TEST_AUTH_REGISTRY")?;
    let password = harness_var("REESTR_TEST_AUTH_PASSWORD")?;
    let yaml = format!(
        "registries:
  - id: good
    baseUrl: http://{host}
    auth: {{ type: basic }}
    tls: {{ allowHttp: true }}
  - id: wrong
    baseUrl: http://{host}
    auth: {{ type: basic, passwordEnv: WRONG_PASSWORD }}
    tls: {{ allowHttp: true }}
  - id: anon
    baseUrl: http://{host}
    tls: {{ allowHttp: true }}
"
    );
    let secret = password.clone();
    let env = move |name: &str| match name {
        "REESTR_REGISTRY_GOOD_USERNAME" | "REESTR_REGISTRY_WRONG_USERNAME" => Some(USER.to_string()),
        "REESTR_REGISTRY_GOOD_PASSWORD" => Some(secret.clone()),
        "WRONG_PASSWORD" => Some(format!("{secret}-but-wrong")),
        _ => None,
    };
    let app = TestApp::start_with(&yaml, &env).await?;

    let list = app.json("/api/registries", 200).await?;
    let health = |id: &str| -> TestResult<(String, String)> {
        let r = list.as_array().and_then(|l| l.iter().find(|r| r["id"] == id)).ok_or(format!("no {id}"))?;
        Ok((s(&r["health"], "status")?.to_string(), r["health"]["message"].as_str().unwrap_or("").to_string()))
    };
    assert_eq!(health("good")?.0, "healthy");
    assert_eq!(health("wrong")?, ("authFailed".into(), "the registry refused the credentials (HTTP 401)".into()));
    assert_eq!(
        health("anon")?,
        (
            "authFailed".into(),
            "the registry refused the credentials (HTTP 401) (it needs credentials: set auth)".into()
        )
    );

    let tag = app.json("/api/registries/good/repositories/team/app/tags/1.0", 200).await?;
    assert_eq!(s(&arr0(&tag)?, "architecture")?, "amd64");
    let refused = app.json("/api/registries/wrong/repositories", 502).await?;
    assert_eq!(refused["kind"], "unauthorized");

    // Every answer a browser or script can get: no password, in body or header.
    for path in [
        "/",
        "/api/registries",
        "/healthz",
        "/registries/good",
        "/registries/wrong",
        "/registries/good/repositories/team/app",
        "/registries/good/repositories/team/app/-/tags/1.0",
        "/api/registries/good/repositories",
        "/api/registries/wrong/repositories/team/app/tags",
    ] {
        let (_, headers, body) = app.get_raw(path).await?;
        assert!(!body.contains(&password) && !headers.contains(&password), "{path} leaks the password");
    }
    Ok(())
}

fn arr0(tag: &serde_json::Value) -> TestResult<serde_json::Value> {
    tag["images"].get(0).cloned().ok_or_else(|| "no image".into())
}
