//! ID tokens that must not sign anyone in (issue 21): expired, signed by a
//! key the provider does not publish, for another client, from another
//! issuer, or for another sign-in (nonce). A real provider cannot be made
//! to issue these, so a provider of the test's own stands in: discovery,
//! JWKS, an authorization endpoint that sends the browser straight back,
//! and a token endpoint answering whatever token the case mints (ES256,
//! keys from `rcgen`, tokens from `jsonwebtoken`). A well-formed token goes
//! first, so the stand-in is known to be one Reestr accepts.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Json, Redirect, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rcgen::KeyPair;
use reqwest::header::COOKIE;
use serde_json::json;

use crate::access::{PASSWORD, client, location, session_cookie, set_cookie, start_with};
use crate::support::{Scratch, TestApp, TestResult};

/// How the next token is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Case {
    Good,
    /// Good, and the user is now in the administrators' group.
    Promoted,
    Expired,
    ForeignKey,
    OtherAudience,
    OtherIssuer,
    OtherNonce,
}

struct Stand {
    issuer: String,
    published: KeyPair,
    foreign: KeyPair,
    case: Mutex<Case>,
    /// The nonce of the last authorization request.
    nonce: Mutex<String>,
}

fn jwk(key: &KeyPair) -> serde_json::Value {
    // The uncompressed P-256 point: 0x04, X, Y.
    let raw = key.public_key_raw();
    let (x, y) = (raw.get(1..33).unwrap_or_default(), raw.get(33..65).unwrap_or_default());
    json!({ "kty": "EC", "crv": "P-256", "x": URL_SAFE_NO_PAD.encode(x), "y": URL_SAFE_NO_PAD.encode(y),
            "kid": "k1", "alg": "ES256", "use": "sig" })
}

async fn discovery(State(s): State<Arc<Stand>>) -> Json<serde_json::Value> {
    let i = &s.issuer;
    Json(json!({
        "issuer": i, "authorization_endpoint": format!("{i}/auth"), "token_endpoint": format!("{i}/token"),
        "jwks_uri": format!("{i}/jwks"), "response_types_supported": ["code"],
        "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["ES256"],
    }))
}

async fn jwks(State(s): State<Arc<Stand>>) -> Json<serde_json::Value> {
    Json(json!({ "keys": [jwk(&s.published)] }))
}

async fn authorize(State(s): State<Arc<Stand>>, Query(q): Query<HashMap<String, String>>) -> Response {
    if let Ok(mut nonce) = s.nonce.lock() {
        *nonce = q.get("nonce").cloned().unwrap_or_default();
    }
    let back = format!(
        "{}?code=the-code&state={}",
        q.get("redirect_uri").cloned().unwrap_or_default(),
        q.get("state").cloned().unwrap_or_default()
    );
    Redirect::to(&back).into_response()
}

async fn token(State(s): State<Arc<Stand>>) -> Response {
    let case = s.case.lock().map(|c| *c).unwrap_or(Case::Good);
    let nonce = s.nonce.lock().map(|n| n.clone()).unwrap_or_default();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let claims = json!({
        "iss": if case == Case::OtherIssuer { "http://127.0.0.1:1" } else { s.issuer.as_str() },
        "sub": "subject-1",
        "aud": if case == Case::OtherAudience { "someone-else" } else { "reestr" },
        "iat": now - 60,
        "exp": if case == Case::Expired { now - 30 } else { now + 300 },
        "nonce": if case == Case::OtherNonce { "another-sign-in" } else { nonce.as_str() },
        "preferred_username": "tina",
        "groups": if case == Case::Promoted { ["reestr-admins"] } else { ["reestr-viewers"] },
    });
    let key = if case == Case::ForeignKey { &s.foreign } else { &s.published };
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    header.kid = Some("k1".into());
    let signed = jsonwebtoken::EncodingKey::from_ec_pem(key.serialize_pem().as_bytes())
        .and_then(|k| jsonwebtoken::encode(&header, &claims, &k));
    match signed {
        Ok(id_token) => {
            Json(json!({ "access_token": "at", "token_type": "Bearer", "expires_in": 300, "id_token": id_token }))
                .into_response()
        }
        Err(e) => (axum::http::StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

async fn sign_in(app: &TestApp) -> TestResult<reqwest::Response> {
    let http = client()?;
    let resp = http.get(format!("{}/auth/oidc/corp/start", app.base)).send().await?;
    let state = set_cookie(&resp, "reestr_sso_state").ok_or_else(|| format!("not started: {}", location(&resp)))?;
    let at_provider = http.get(location(&resp)).send().await?;
    Ok(http.get(location(&at_provider)).header(COOKIE, format!("reestr_sso_state={state}")).send().await?)
}

#[tokio::test]
async fn expired_foreign_misaddressed_or_replayed_id_tokens_sign_nobody_in() -> TestResult {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let issuer = format!("http://{}", listener.local_addr()?);
    let stand = Arc::new(Stand {
        issuer: issuer.clone(),
        published: KeyPair::generate()?,
        foreign: KeyPair::generate()?,
        case: Mutex::new(Case::Good),
        nonce: Mutex::new(String::new()),
    });
    let routes = Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/jwks", get(jwks))
        .route("/auth", get(authorize))
        .route("/token", post(token))
        .with_state(stand.clone());
    tokio::spawn(async move { axum::serve(listener, routes).await });

    let yaml = format!(
        "signIn:\n  oidc:\n    - id: corp\n      issuer: {issuer}\n      clientId: reestr\n      allowSignUp: true\n      adminGroups: [reestr-admins]\n\
         registries:\n  - id: local\n    baseUrl: http://127.0.0.1:5000\n    tls: {{ allowHttp: true }}\n"
    );
    let secret = |name: &str| (name == "REESTR_OIDC_CORP_CLIENT_SECRET").then(|| "s".to_string());
    let sso = reestr::config::load_str(&yaml, "test.yaml", std::path::Path::new("."), &secret)?.oidc;
    let scratch = Scratch::new()?;
    let url = format!("sqlite://{}", scratch.0.join("reestr.db").display());
    let app = start_with(&url, None, sso, scratch).await?;
    let token = app.access.issue_setup_token().await?.ok_or("no token")?;
    app.access.setup(&token, "root", PASSWORD, "127.0.0.1", "t").await?;

    let resp = sign_in(&app).await?;
    assert!(session_cookie(&resp).is_some(), "the stand-in's good token signs in: {}", location(&resp));
    let tina =
        || async { app.access.store.credentials("tina").await.map(|c| c.and_then(|c| c.user.grants.everywhere)) };
    assert_eq!(tina().await?, Some(reestr::access::Role::Viewer));
    // The groups are read again at every sign-in.
    *stand.case.lock().map_err(|_| "poisoned")? = Case::Promoted;
    assert!(session_cookie(&sign_in(&app).await?).is_some());
    assert_eq!(tina().await?, Some(reestr::access::Role::Admin), "promoted by the provider's groups");
    for case in [Case::Expired, Case::ForeignKey, Case::OtherAudience, Case::OtherIssuer, Case::OtherNonce] {
        *stand.case.lock().map_err(|_| "poisoned")? = case;
        let resp = sign_in(&app).await?;
        assert_eq!(location(&resp), "/login?error=sso-invalid", "{case:?}");
        assert!(session_cookie(&resp).is_none(), "{case:?}");
    }

    // Starting a sign-in stores a flow: one address has the API's per-minute budget.
    let scratch = Scratch::new()?;
    let store = reestr::access::Store::open(&format!("sqlite://{}", scratch.0.join("limited.db").display())).await?;
    let access = reestr::access::Access::new(store, reestr::access::Mode::Login, reestr::access::Policy::default())
        .await?
        .with_sso(app.access.sso.configs())?;
    let options = leptos::prelude::LeptosOptions::builder().output_name("reestr").site_root("target/site").build();
    let state = reestr::http::AppState::new(options, app.service.clone(), Arc::new(access))
        .with_api_limit(reestr::http::ApiLimit::per_minute(3));
    let base = crate::support::serve(state).await?;
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(client()?.get(format!("{base}/auth/oidc/corp/start")).send().await?.status().as_u16());
    }
    assert_eq!(statuses, [303, 303, 303, 429]);
    Ok(())
}
