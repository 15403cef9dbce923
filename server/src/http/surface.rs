//! What kind of route a request reached, declared where the routes are
//! built (`router.rs` gives each group of routes its class) and enforced by
//! one guard per group: the rate limit and the gate run with the class
//! their routes were declared with, and the class rides on the response so
//! the security headers (`no-store`) and the request log (quiet probes)
//! read it instead of matching path strings of their own.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::auth::gate;
use super::rate_limit::{self, ApiLimit};
use crate::access::Access;

/// Who may reach a route and how it is treated on the way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Surface {
    pub kind: Kind,
    /// Anyone may reach it, signed in or not.
    pub public: bool,
    /// Its routes only read: no origin check (other methods get 405).
    pub read_only: bool,
    /// Counted against the per-address rate limit.
    pub limited: bool,
    /// Not logged per request (probes, scrapes, static files).
    pub quiet: bool,
    /// Shows or takes secrets: `Cache-Control: no-store`.
    pub no_store: bool,
}

/// How a route answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The REST API (`/api/…`): JSON, the only place API tokens open.
    Rest,
    /// The pages' server functions: JSON, sessions only.
    ServerFn,
    /// Health, metrics and the site's files.
    Probe,
    /// The forms the access pages post (`/auth/…`): redirects.
    Form,
    /// A page.
    Page,
}

impl Kind {
    /// Whether refusals are problem documents (not redirects).
    pub fn is_json(self) -> bool {
        matches!(self, Self::Rest | Self::ServerFn)
    }
}

impl Surface {
    const fn of(kind: Kind) -> Self {
        Self { kind, public: false, read_only: false, limited: false, quiet: false, no_store: false }
    }
    /// Health, readiness, metrics and the site's files: anyone, read only, not logged.
    pub const PROBE: Self = Self { public: true, read_only: true, quiet: true, ..Self::of(Kind::Probe) };
    /// Reestr's own API document: anyone, read only, logged.
    pub const DOCUMENT: Self = Self { quiet: false, ..Self::PROBE };
    /// The REST API: signed in or a token, rate-limited.
    pub const REST: Self = Self { limited: true, ..Self::of(Kind::Rest) };
    /// The pages' server functions: a session, rate-limited.
    pub const SERVER_FN: Self = Self { limited: true, ..Self::of(Kind::ServerFn) };
    /// The access forms: anyone may post (they check credentials themselves).
    pub const FORM: Self = Self { public: true, no_store: true, ..Self::of(Kind::Form) };
    /// A page for signed-in users.
    pub const PAGE: Self = Self::of(Kind::Page);

    /// The same, open to anyone.
    pub const fn public(self) -> Self {
        Self { public: true, ..self }
    }
    /// The same, showing or taking secrets.
    pub const fn secret(self) -> Self {
        Self { no_store: true, ..self }
    }
}

/// The classes of one group of routes: by matched route pattern, then by
/// exact path for files its fallback serves, then one for the rest.
#[derive(Debug, Clone)]
pub struct Declared {
    routes: Arc<HashMap<String, Surface>>,
    files: Arc<HashSet<String>>,
    otherwise: Surface,
}

impl Declared {
    /// Every route of the group (and its fallback) is `surface`.
    pub fn all(surface: Surface) -> Self {
        Self { routes: Arc::default(), files: Arc::default(), otherwise: surface }
    }

    /// Routes by pattern (as axum matched them), files the fallback serves
    /// by path, and `otherwise` for anything else.
    pub fn by_route(routes: HashMap<String, Surface>, files: HashSet<String>, otherwise: Surface) -> Self {
        Self { routes: Arc::new(routes), files: Arc::new(files), otherwise }
    }

    /// The class declared for route `pattern`, if any.
    #[cfg(test)]
    pub fn route(&self, pattern: &str) -> Option<Surface> {
        self.routes.get(pattern).copied()
    }

    /// Whether the group's fallback serves `path` as one of the site's files.
    #[cfg(test)]
    pub fn serves_file(&self, path: &str) -> bool {
        self.files.contains(path)
    }

    fn class(&self, req: &Request) -> Surface {
        let route = req.extensions().get::<MatchedPath>().and_then(|m| self.routes.get(m.as_str()));
        match route {
            Some(s) => *s,
            None if self.files.contains(req.uri().path()) => Surface::PROBE,
            None => self.otherwise,
        }
    }
}

/// What a group's guard needs: its classes, the access domain and the limit.
#[derive(Clone)]
pub struct Guard {
    pub declared: Declared,
    pub access: Arc<Access>,
    pub limit: Arc<ApiLimit>,
}

/// The guard in front of every group of routes: the rate limit (where the
/// class says), then the gate; the class goes on the request (for the
/// extractors) and on the response (for the outer layers).
pub async fn guard(State(g): State<Guard>, mut req: Request, next: Next) -> Response {
    let surface = g.declared.class(&req);
    req.extensions_mut().insert(surface);
    let mut resp = match surface.limited.then(|| rate_limit::refusal(&g.limit, &req)).flatten() {
        Some(refused) => refused,
        None => gate::gate(&g.access, surface, req, next).await,
    };
    resp.extensions_mut().insert(surface);
    resp
}
