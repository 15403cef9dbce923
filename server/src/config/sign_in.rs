//! `signIn:` in `registries.yaml`: the OpenID Connect providers people may
//! sign in with, each checked here (a usable issuer URL, a client secret
//! present in the environment, a role for every group rule) so that a
//! mistake stops the server at start with its line and column.

use std::collections::HashSet;

use marked_yaml::Spanned;
use secrecy::SecretString;
use serde::Deserialize;
use url::Url;

use super::load::{Validator, env_id, valid_id};
use app::model::{Grants, Role};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSignIn {
    #[serde(default)]
    pub oidc: Vec<RawOidc>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct RawOidc {
    pub id: Spanned<String>,
    pub display_name: Option<String>,
    pub issuer: Spanned<String>,
    pub client_id: Spanned<String>,
    /// Scopes asked for besides `openid`.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// First sign-in creates the account.
    #[serde(default)]
    pub allow_sign_up: bool,
    /// The claim that names the user (default `preferred_username`).
    pub username_claim: Option<String>,
    /// The claim listing the user's groups (default `groups`).
    pub groups_claim: Option<String>,
    /// Groups whose members are administrators.
    #[serde(default)]
    pub admin_groups: Vec<String>,
    /// Groups whose members are viewers; empty (and no `registryGroups`):
    /// everyone the provider signs in.
    #[serde(default)]
    pub viewer_groups: Vec<String>,
    /// Groups whose members have a role in some registries only.
    #[serde(default)]
    pub registry_groups: Vec<RawRegistryGroup>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRegistryGroup {
    pub group: Spanned<String>,
    pub role: Spanned<String>,
    pub registries: Vec<Spanned<String>>,
}

/// One OpenID Connect provider, checked.
#[derive(Debug, Clone)]
pub struct OidcConfig {
    /// Slug, in `/auth/oidc/{id}/…`.
    pub id: String,
    /// What the sign-in button says: "Sign in with {display_name}".
    pub display_name: String,
    /// Where discovery starts (`{issuer}/.well-known/openid-configuration`);
    /// the ID token's `iss` must equal it, character for character (so it
    /// is kept as written: `https://id.example` and `https://id.example/`
    /// are different issuers).
    pub issuer: String,
    pub client_id: String,
    /// From `REESTR_OIDC_<ID>_CLIENT_SECRET`.
    pub client_secret: SecretString,
    pub scopes: Vec<String>,
    pub allow_sign_up: bool,
    pub username_claim: String,
    pub groups_claim: String,
    pub admin_groups: Vec<String>,
    pub viewer_groups: Vec<String>,
    pub registry_groups: Vec<RegistryGroup>,
}

/// `registryGroups[]`: members of `group` have `grants` (a role in some
/// registries only), on top of what `adminGroups` and `viewerGroups` give.
#[derive(Debug, Clone)]
pub struct RegistryGroup {
    pub group: String,
    pub grants: Grants,
}

/// The environment variable holding provider `id`'s client secret.
pub fn client_secret_var(id: &str) -> String {
    format!("REESTR_OIDC_{}_CLIENT_SECRET", env_id(id))
}

/// Whether `url` may be an issuer: HTTPS, or plain HTTP on a loopback
/// address (a provider on the same machine, as in tests).
fn issuer_allowed(url: &Url) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => match url.host() {
            Some(url::Host::Domain(d)) => d == "localhost",
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        },
        _ => false,
    }
}

impl Validator<'_> {
    /// `registries`: the configured registry ids, which `registryGroups` may name.
    pub(super) fn sign_in(&mut self, raw: Option<RawSignIn>, registries: &[String]) -> Vec<OidcConfig> {
        let mut seen = HashSet::new();
        let mut providers = Vec::new();
        for (i, o) in raw.unwrap_or_default().oidc.into_iter().enumerate() {
            let p = format!("signIn.oidc[{i}]");
            let before = self.errors.len();
            if !valid_id(&o.id) {
                let message = format!(
                    "`{}` is not a valid id: use lower-case letters, digits and inner dashes, at most 63 characters",
                    *o.id
                );
                self.error(&o.id, &format!("{p}.id"), message);
            } else if !seen.insert(o.id.to_string()) {
                self.error(&o.id, &format!("{p}.id"), format!("duplicate id `{}`", *o.id));
            }
            let issuer = match Url::parse(o.issuer.trim()) {
                Ok(u) if issuer_allowed(&u) && u.query().is_none() && u.fragment().is_none() => {
                    Some(o.issuer.trim().to_string())
                }
                Ok(_) => {
                    let message = format!(
                        "`{}`: an issuer is an https:// URL (http:// only on a loopback address), without query or fragment",
                        *o.issuer
                    );
                    self.error(&o.issuer, &format!("{p}.issuer"), message);
                    None
                }
                Err(e) => {
                    self.error(&o.issuer, &format!("{p}.issuer"), format!("`{}` is not a URL: {e}", *o.issuer));
                    None
                }
            };
            if o.client_id.trim().is_empty() {
                self.error(&o.client_id, &format!("{p}.clientId"), "the client id is empty".into());
            }
            let var = client_secret_var(&o.id);
            let secret = match (self.env)(&var) {
                Some(v) if !v.is_empty() => Some(v),
                found => {
                    let why = if found.is_some() { "is empty" } else { "is not set" };
                    self.error(
                        &o.id,
                        &format!("{p}.id"),
                        format!("environment variable {var} (the client secret) {why}"),
                    );
                    None
                }
            };
            let registry_groups = self.registry_groups(&p, o.registry_groups, registries);
            if self.errors.len() > before {
                continue;
            }
            let (Some(issuer), Some(secret)) = (issuer, secret) else { continue };
            providers.push(OidcConfig {
                display_name: o.display_name.filter(|n| !n.trim().is_empty()).unwrap_or_else(|| o.id.to_string()),
                id: o.id.to_string(),
                issuer,
                client_id: o.client_id.trim().to_string(),
                client_secret: SecretString::from(secret),
                scopes: o.scopes.into_iter().filter(|s| s != "openid" && !s.trim().is_empty()).collect(),
                allow_sign_up: o.allow_sign_up,
                username_claim: o.username_claim.unwrap_or_else(|| "preferred_username".into()),
                groups_claim: o.groups_claim.unwrap_or_else(|| "groups".into()),
                admin_groups: o.admin_groups,
                viewer_groups: o.viewer_groups,
                registry_groups,
            });
        }
        providers
    }

    fn registry_groups(&mut self, p: &str, raw: Vec<RawRegistryGroup>, registries: &[String]) -> Vec<RegistryGroup> {
        let mut groups = Vec::new();
        for (j, g) in raw.into_iter().enumerate() {
            let at = format!("{p}.registryGroups[{j}]");
            let role = Role::from_key(&g.role);
            if role.is_none() {
                self.error(&g.role, &format!("{at}.role"), format!("`{}`: use `viewer` or `admin`", *g.role));
            }
            if g.group.trim().is_empty() {
                self.error(&g.group, &format!("{at}.group"), "the group is empty".into());
            }
            if g.registries.is_empty() {
                self.error(&g.group, &format!("{at}.registries"), "name at least one registry".into());
            }
            for (k, r) in g.registries.iter().enumerate() {
                if !registries.iter().any(|id| id == r.as_str()) {
                    self.error(r, &format!("{at}.registries[{k}]"), format!("no registry `{}` is configured", **r));
                }
            }
            if let Some(role) = role {
                let grants = Grants::only(role, g.registries.iter().map(|r| r.to_string()));
                groups.push(RegistryGroup { group: g.group.trim().to_string(), grants });
            }
        }
        groups
    }
}
