//! Axum's path, query and JSON extractors with their refusals turned into
//! problem documents, so a malformed request gets the same
//! `application/problem+json` answer as every other API error.

use app::error::AppError;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};

use super::problem::Problem;

/// `Path<T>`, refusing with a problem document.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(Problem))]
pub struct ApiPath<T>(pub T);

/// `Query<T>`, refusing with a problem document.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(Problem))]
pub struct ApiQuery<T>(pub T);

/// `Json<T>`, refusing with a problem document.
#[derive(Debug, FromRequest)]
#[from_request(via(axum::Json), rejection(Problem))]
pub struct ApiJson<T>(pub T);

impl From<PathRejection> for Problem {
    fn from(r: PathRejection) -> Self {
        AppError::bad_request(format!("path: {}", r.body_text())).into()
    }
}

impl From<QueryRejection> for Problem {
    fn from(r: QueryRejection) -> Self {
        AppError::bad_request(r.body_text()).into()
    }
}

impl From<JsonRejection> for Problem {
    fn from(r: JsonRejection) -> Self {
        AppError::bad_request(r.body_text()).into()
    }
}
