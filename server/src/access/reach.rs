//! Which registries one request may see, and with what role: the caller's
//! grants, narrowed by each registry's `access.allowFrom` for the client's
//! address. A registry outside the reach does not exist for the request:
//! every route answers for it as for a registry nobody configured.

use std::collections::HashMap;
use std::net::IpAddr;

use app::model::{Grants, Role};
use ipnet::IpNet;

/// The registries a request reaches, each with the caller's role there.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reach {
    roles: HashMap<String, Role>,
}

impl Reach {
    /// Nothing at all: a request with nobody signed in.
    pub fn nothing() -> Self {
        Self::default()
    }

    /// What `grants` reach among `registries` (each id with its
    /// `allowFrom` list, empty for every address) from `client`. A registry
    /// with an `allowFrom` list is out of reach when the client's address
    /// is unknown.
    pub fn of<'a, I>(grants: &Grants, client: Option<IpAddr>, registries: I) -> Self
    where
        I: IntoIterator<Item = (&'a str, &'a [IpNet])>,
    {
        let roles = registries
            .into_iter()
            .filter(|(_, allow)| allow.is_empty() || client.is_some_and(|ip| allow.iter().any(|n| n.contains(&ip))))
            .filter_map(|(id, _)| grants.role_in(id).map(|role| (id.to_string(), role)))
            .collect();
        Self { roles }
    }

    /// The caller's role in `registry`; `None` when it is out of reach.
    pub fn role_in(&self, registry: &str) -> Option<Role> {
        self.roles.get(registry).copied()
    }

    pub fn sees(&self, registry: &str) -> bool {
        self.roles.contains_key(registry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().filter_map(|n| n.parse().ok()).collect()
    }

    #[test]
    fn grants_and_addresses_both_decide() {
        let office = nets(&["10.0.0.0/8", "2001:db8::/32"]);
        let registries = [("open", &[][..]), ("office", &office[..])];
        let ip = |s: &str| s.parse::<IpAddr>().ok();

        let admin = Grants::everywhere(Role::Admin);
        let inside = Reach::of(&admin, ip("10.1.2.3"), registries);
        assert_eq!((inside.role_in("open"), inside.role_in("office")), (Some(Role::Admin), Some(Role::Admin)));
        assert!(Reach::of(&admin, ip("2001:db8::7"), registries).sees("office"));
        let outside = Reach::of(&admin, ip("192.0.2.1"), registries);
        assert!(outside.sees("open") && !outside.sees("office"), "outside allowFrom even an administrator");
        assert!(!Reach::of(&admin, None, registries).sees("office"), "an unknown address is outside");

        let scoped = Grants::only(Role::Viewer, ["office".to_string()]);
        let reach = Reach::of(&scoped, ip("10.0.0.1"), registries);
        assert_eq!((reach.role_in("open"), reach.role_in("office")), (None, Some(Role::Viewer)));
        assert!(!Reach::of(&scoped, ip("10.0.0.1"), [("gone", &[][..])]).sees("office"), "only configured ids");
        assert!(!Reach::nothing().sees("open"));
    }
}
