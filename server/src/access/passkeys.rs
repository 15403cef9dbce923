//! Passkeys with webauthn-rs: registration (several per user, named), login
//! with a passkey alone (discoverable credentials: the authenticator names
//! the user) or with a username first. Ceremony state lives in the store
//! for five minutes, so a ceremony begun on one replica finishes on any.

use sha2::{Digest, Sha256};
use webauthn_rs::prelude::{
    CreationChallengeResponse, DiscoverableAuthentication, DiscoverableKey, Passkey, PasskeyAuthentication,
    PasskeyRegistration, PublicKeyCredential, RegisterPublicKeyCredential, RequestChallengeResponse, Url, Uuid,
};
use webauthn_rs::{Webauthn, WebauthnBuilder};
use webauthn_rs_proto::ResidentKeyRequirement;

use super::store::{PasskeyRow, User};
use super::throttle::{self, Bucket, Ceremony};
use super::{Access, AccessError, now, secret};

/// How long a ceremony may take.
const CEREMONY_TTL: i64 = 5 * 60;
/// Passkeys one user may hold.
const MAX_PER_USER: usize = 20;

const REGISTER: &str = "passkey-register";
const LOGIN_DISCOVERABLE: &str = "passkey-login";
const LOGIN_USER: &str = "passkey-login-user";

/// The WebAuthn user handle of a user: stable, opaque, derived from the id.
fn user_handle(user: &User) -> Uuid {
    let digest = Sha256::digest(user.id.as_bytes());
    let mut bytes = [0_u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    Uuid::from_bytes(bytes)
}

fn credential_key(id: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id)
}

fn refused(what: &str, e: impl std::fmt::Display) -> AccessError {
    tracing::warn!(error = %e, "passkey {what} refused");
    AccessError::Passkey(format!("the passkey {what} did not succeed; try again"))
}

fn decode<T: serde::de::DeserializeOwned>(json: &str) -> Result<T, AccessError> {
    serde_json::from_str(json).map_err(|e| AccessError::Internal(format!("stored passkey state is unreadable: {e}")))
}

fn encode<T: serde::Serialize>(value: &T) -> Result<String, AccessError> {
    serde_json::to_string(value).map_err(|e| AccessError::Internal(format!("passkey state: {e}")))
}

impl Access {
    /// The relying party for requests from `origin`: the public URL when
    /// set, else the page's own origin (which the gate has checked).
    fn relying_party(&self, origin: &str) -> Result<Webauthn, AccessError> {
        let url = match &self.policy.public_url {
            Some(u) => u.clone(),
            None => Url::parse(origin).map_err(|_| AccessError::Passkey("passkeys need the page's origin".into()))?,
        };
        let rp_id = url.host_str().ok_or_else(|| AccessError::Passkey("the origin has no host".into()))?.to_string();
        WebauthnBuilder::new(&rp_id, &url)
            .and_then(|b| b.rp_name("Reestr").build())
            .map_err(|e| AccessError::Passkey(format!("passkeys are not possible on {url}: {e}")))
    }

    /// Begins adding a passkey for `user`: the options for `navigator.credentials.create`.
    pub async fn passkey_register_start(
        &self,
        user: &User,
        origin: &str,
    ) -> Result<(String, CreationChallengeResponse), AccessError> {
        let rp = self.relying_party(origin)?;
        let existing = self.store.passkeys_of(&user.id).await?;
        if existing.len() >= MAX_PER_USER {
            return Err(AccessError::Passkey(format!("at most {MAX_PER_USER} passkeys per user")));
        }
        let exclude = existing
            .iter()
            .filter_map(|p| serde_json::from_str::<Passkey>(&p.passkey).ok())
            .map(|p| p.cred_id().clone())
            .collect::<Vec<_>>();
        let (mut options, state) = rp
            .start_passkey_registration(user_handle(user), &user.username, &user.username, Some(exclude))
            .map_err(|e| refused("registration", e))?;
        // A passkey must be discoverable for passkey-only login; webauthn-rs
        // leaves that to the authenticator, so ask for it.
        if let Some(sel) = options.public_key.authenticator_selection.as_mut() {
            sel.resident_key = Some(ResidentKeyRequirement::Required);
            sel.require_resident_key = true;
        }
        let id = secret::new_token();
        self.store.put_ceremony(&id, REGISTER, Some(&user.id), &encode(&state)?, now() + CEREMONY_TTL).await?;
        Ok((id, options))
    }

    /// Finishes adding a passkey; returns its id.
    pub async fn passkey_register_finish(
        &self,
        user: &User,
        ceremony: &str,
        name: &str,
        credential: &RegisterPublicKeyCredential,
        origin: &str,
    ) -> Result<String, AccessError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(AccessError::BadName);
        }
        let Some((owner, state)) = self.store.take_ceremony(ceremony, REGISTER, now()).await? else {
            return Err(AccessError::Passkey("the passkey registration expired; start again".into()));
        };
        if owner.as_deref() != Some(user.id.as_str()) {
            return Err(AccessError::Passkey("this registration belongs to another session".into()));
        }
        let state: PasskeyRegistration = decode(&state)?;
        let rp = self.relying_party(origin)?;
        let passkey = rp.finish_passkey_registration(credential, &state).map_err(|e| refused("registration", e))?;
        let row = PasskeyRow {
            id: secret::new_id(),
            user_handle: user_handle(user).to_string(),
            credential_id: credential_key(passkey.cred_id().as_ref()),
            name: name.to_string(),
            passkey: encode(&passkey)?,
            created_at: now(),
            last_used_at: None,
        };
        self.store.add_passkey(&row, &user.id).await?;
        tracing::info!(user = %user.username, passkey = %row.id, "passkey added");
        Ok(row.id)
    }

    /// Begins a passkey login: with a username, for that user's passkeys;
    /// without, for any discoverable passkey of this site.
    pub async fn passkey_login_start(
        &self,
        username: Option<&str>,
        origin: &str,
        ip: &str,
    ) -> Result<(String, RequestChallengeResponse), AccessError> {
        // Per address only: a passkey cannot be guessed, and wrong passwords
        // for the account must not block it.
        if let Some(wait) = throttle::reserve(&self.store, &[Bucket::Address(Ceremony::Passkey, ip)], now()).await? {
            return Err(AccessError::Throttled(wait));
        }
        let rp = self.relying_party(origin)?;
        let id = secret::new_token();
        let username = username.map(str::trim).filter(|u| !u.is_empty());
        let options = match username {
            None => {
                let (mut options, state) = rp.start_discoverable_authentication().map_err(|e| refused("login", e))?;
                // A button starts this, not the autofill UI.
                options.mediation = None;
                self.store.put_ceremony(&id, LOGIN_DISCOVERABLE, None, &encode(&state)?, now() + CEREMONY_TTL).await?;
                options
            }
            Some(name) => {
                let user = self.store.credentials(name).await?.map(|c| c.user);
                let passkeys: Vec<Passkey> = match &user {
                    Some(u) => self
                        .store
                        .passkeys_of(&u.id)
                        .await?
                        .iter()
                        .filter_map(|p| serde_json::from_str(&p.passkey).ok())
                        .collect(),
                    None => Vec::new(),
                };
                let (Some(user), false) = (user, passkeys.is_empty()) else {
                    return Err(AccessError::Passkey("no passkey is registered for that username".into()));
                };
                let (options, state) = rp.start_passkey_authentication(&passkeys).map_err(|e| refused("login", e))?;
                self.store
                    .put_ceremony(&id, LOGIN_USER, Some(&user.id), &encode(&state)?, now() + CEREMONY_TTL)
                    .await?;
                options
            }
        };
        Ok((id, options))
    }

    /// Finishes a passkey login; returns a new session's token.
    pub async fn passkey_login_finish(
        &self,
        ceremony: &str,
        credential: &PublicKeyCredential,
        origin: &str,
        ip: &str,
        user_agent: &str,
    ) -> Result<String, AccessError> {
        let t = now();
        let rp = self.relying_party(origin)?;
        let found = self.store.passkey_by_credential(&credential_key(credential.raw_id.as_ref())).await?;
        let result = match self.store.take_ceremony(ceremony, LOGIN_DISCOVERABLE, t).await? {
            Some((_, state)) => {
                let state: DiscoverableAuthentication = decode(&state)?;
                let (handle, _) =
                    rp.identify_discoverable_authentication(credential).map_err(|e| refused("login", e))?;
                match &found {
                    Some((row, _)) if row.user_handle == handle.to_string() => {
                        let passkey: Passkey = decode(&row.passkey)?;
                        let keys = [DiscoverableKey::from(&passkey)];
                        rp.finish_discoverable_authentication(credential, state, &keys)
                            .map(|r| (r, passkey))
                            .map_err(|e| refused("login", e))
                    }
                    _ => Err(refused("login", "unknown credential")),
                }
            }
            None => match self.store.take_ceremony(ceremony, LOGIN_USER, t).await? {
                Some((owner, state)) => {
                    let state: PasskeyAuthentication = decode(&state)?;
                    match &found {
                        Some((row, user)) if owner.as_deref() == Some(user.id.as_str()) => {
                            let passkey: Passkey = decode(&row.passkey)?;
                            rp.finish_passkey_authentication(credential, &state)
                                .map(|r| (r, passkey))
                                .map_err(|e| refused("login", e))
                        }
                        _ => Err(refused("login", "credential of another user")),
                    }
                }
                None => Err(AccessError::Passkey("the passkey login expired; start again".into())),
            },
        };
        let buckets = [Bucket::Address(Ceremony::Passkey, ip)];
        let (outcome, mut passkey) = match result {
            Ok(ok) => ok,
            Err(e) => {
                // Failures count twice (start and finish); a success gives one back.
                throttle::reserve(&self.store, &buckets, t).await?;
                return Err(e);
            }
        };
        throttle::succeeded(&self.store, &buckets).await?;
        let Some((row, user)) = found else { return Err(refused("login", "no such passkey")) };
        passkey.update_credential(&outcome);
        self.store.passkey_used(&row.id, &encode(&passkey)?, t).await?;
        tracing::info!(user = %user.username, passkey = %row.id, ip, "logged in with a passkey");
        self.start_session(&user, user_agent).await
    }
}
