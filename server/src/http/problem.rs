//! Errors as `application/problem+json` (RFC 9457) for the REST API.

use app::error::AppError;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An `AppError` on its way out of a REST handler.
#[derive(Debug)]
pub struct Problem(pub AppError);

impl From<AppError> for Problem {
    fn from(e: AppError) -> Self {
        Self(e)
    }
}

/// The body of every REST error (`application/problem+json`).
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = Problem)]
pub(crate) struct Body<'a> {
    /// `https://reestr.dev/problems/{kind}`.
    #[serde(rename = "type")]
    kind_uri: String,
    /// Short human title of the kind.
    title: &'a str,
    /// The HTTP status, repeated.
    status: u16,
    /// What went wrong, fit to show.
    detail: &'a str,
    kind: app::error::ErrorKind,
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.kind.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let kind_name =
            serde_json::to_value(self.0.kind).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
        let body = Body {
            kind_uri: format!("https://reestr.dev/problems/{kind_name}"),
            title: self.0.kind.title(),
            status: status.as_u16(),
            detail: &self.0.message,
            kind: self.0.kind,
        };
        let json = serde_json::to_vec(&body).unwrap_or_default();
        let mut resp = (status, json).into_response();
        resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if let Some(secs) = self.0.retry_after {
            resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        resp
    }
}
