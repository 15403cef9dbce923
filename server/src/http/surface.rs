//! What kind of route a path is, decided in one place for every middleware
//! (the gate, the rate limit, the request log, the security headers), so
//! none of them matches path strings of its own. The router's layout is
//! written here as data: a new route gets its class by adding one line.

/// Who may reach a path and how it is treated on the way.
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

/// How a path answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The REST API (`/api/…`): JSON, the only place API tokens open.
    Rest,
    /// The pages' server functions (`/_fn/…`): JSON, sessions only.
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

/// Exact paths anyone may read.
const PROBES: [&str; 7] =
    ["/healthz", "/readyz", "/metrics", "/api/openapi.json", "/favicon.svg", "/robots.txt", "/passkeys.js"];
/// Pages anyone may open.
const PUBLIC_PAGES: [&str; 2] = ["/login", "/setup"];
/// Pages and answers that carry secrets or take credentials.
const NO_STORE: [&str; 6] = ["/account", "/admin/users", "/login", "/setup", "/api/tokens", "/api/me"];

/// The class of `path`.
pub fn of(path: &str) -> Surface {
    let under = |prefix: &str| path.starts_with(prefix);
    let probe = PROBES.contains(&path) || under("/pkg/");
    let kind = if probe {
        Kind::Probe
    } else if under("/api/") || path == "/api" {
        Kind::Rest
    } else if under("/_fn/") {
        Kind::ServerFn
    } else if under("/auth/") {
        Kind::Form
    } else {
        Kind::Page
    };
    Surface {
        kind,
        public: probe || kind == Kind::Form || PUBLIC_PAGES.contains(&path) || under("/invite/"),
        read_only: probe,
        limited: matches!(kind, Kind::Rest | Kind::ServerFn),
        quiet: probe && path != "/api/openapi.json",
        no_store: NO_STORE.contains(&path) || under("/auth/") || under("/invite/") || under("/api/tokens/"),
    }
}

#[cfg(test)]
mod tests {
    use super::{Kind, of};

    #[test]
    fn every_path_has_one_class() {
        let health = of("/healthz");
        assert!(health.public && health.read_only && health.quiet && !health.limited);
        assert_eq!(of("/pkg/reestr.wasm").kind, Kind::Probe);
        let doc = of("/api/openapi.json");
        assert!(doc.public && !doc.quiet && !doc.limited);
        let rest = of("/api/registries");
        assert!(rest.kind == Kind::Rest && !rest.public && rest.limited && rest.kind.is_json());
        let fun = of("/_fn/whoami");
        assert!(fun.kind == Kind::ServerFn && !fun.public && fun.limited && fun.kind.is_json());
        let form = of("/auth/login");
        assert!(form.kind == Kind::Form && form.public && form.no_store && !form.kind.is_json());
        assert!(of("/login").public && of("/invite/abc").public && of("/invite/abc").no_store);
        let page = of("/registries/local");
        assert!(page.kind == Kind::Page && !page.public && !page.no_store && !page.quiet);
        assert!(of("/account").no_store && of("/api/tokens/x").no_store && !of("/api/registries").no_store);
        assert!(!of("/apiary").public && of("/apiary").kind == Kind::Page);
    }
}
