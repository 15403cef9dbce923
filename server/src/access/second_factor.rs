//! A second factor for password accounts (TOTP, RFC 6238, `totp-rs`):
//! enrolment with a QR code and a confirming code; ten one-time recovery
//! codes, shown once and stored hashed; and the second step of a password
//! login. A code is accepted within one step of drift and never twice (the
//! last step used is kept per user and advanced in one statement), and
//! guesses are throttled like passwords. An administrator may require it
//! of every password sign-in: a user without one then sets it up before
//! their first session. Passkeys are already two factors and skip this.

use rand::RngCore;
use totp_rs::{Algorithm, Secret, Totp};

use super::store::{PendingLogin, Setting, TotpRow, User};
use super::throttle::{self, Bucket, Ceremony};
use super::{Access, AccessError, StoreError, now, secret};

/// How long a password login waits for its second factor.
pub const PENDING_TTL: i64 = 5 * 60;
/// Seconds per TOTP step; codes from one step either side are accepted.
const STEP: u64 = 30;
/// Recovery codes made at enrolment.
pub const RECOVERY_CODES: usize = 10;
/// What authenticator apps show as the account's issuer.
const ISSUER: &str = "Reestr";

/// What an enrolling user's page shows: the secret as text, the
/// `otpauth://` URI and its QR code (SVG markup).
#[derive(Debug, Clone)]
pub struct Enrolment {
    pub secret: String,
    pub uri: String,
    pub qr_svg: String,
}

/// The outcome of a correct password.
#[derive(Debug)]
pub enum SignIn {
    /// Signed in: the new session's token.
    Session(String),
    /// A second factor is on: the token of the login waiting for it.
    SecondFactor(String),
    /// A second factor is required and not set up: the token of the login
    /// waiting for the user to set one up.
    Enrol(String),
}

fn totp(secret_b32: &str, username: &str) -> Result<Totp, AccessError> {
    let secret = Secret::try_from_base32(secret_b32)
        .map_err(|e| AccessError::Internal(format!("a stored TOTP secret is not base32: {e:?}")))?;
    totp_rs::Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(STEP)
        .with_secret(secret)
        .with_issuer(Some(ISSUER))
        .with_account_name(username.replace(':', "_"))
        .build()
        .map_err(|e| AccessError::Internal(format!("TOTP: {e:?}")))
}

/// The step `code` matches now (one step of drift either way), if any.
fn matching_step(totp: &Totp, code: &str) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let t = u64::try_from(now()).ok()?;
    totp.check(&code, t).and_then(|step| i64::try_from(step).ok())
}

/// Ten codes like `k7wq2-m9xtd`: 50 random bits each, typed once.
fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..RECOVERY_CODES)
        .map(|_| {
            let chars: String =
                (0..10).map(|_| char::from(ALPHABET[(rng.next_u32() as usize) % ALPHABET.len()])).collect();
            format!("{}-{}", &chars[..5], &chars[5..])
        })
        .collect()
}

/// A recovery code as stored: the hash of its letters, without the dash
/// or case, so `K7WQ2M9XTD` works as typed.
fn recovery_hash(code: &str) -> String {
    let normal: String = code.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect();
    secret::hash(&format!("recovery:{normal}"))
}

fn qr_svg(uri: &str) -> Result<String, AccessError> {
    let code = qrcode::QrCode::new(uri.as_bytes()).map_err(|e| AccessError::Internal(format!("QR code: {e}")))?;
    Ok(code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .dark_color(qrcode::render::svg::Color("#000000"))
        .light_color(qrcode::render::svg::Color("#ffffff"))
        .build())
}

/// What the account page shows of a user's second factor (one read of
/// their row).
#[derive(Debug, Clone)]
pub struct Status {
    pub on: bool,
    /// A set-up under way.
    pub enrolment: Option<Enrolment>,
    pub recovery_codes_left: i64,
    /// An administrator requires it of password sign-ins.
    pub required: bool,
}

fn enrolment_of(row: &TotpRow, user: &User) -> Result<Enrolment, AccessError> {
    let uri =
        totp(&row.secret, &user.username)?.to_url().map_err(|e| AccessError::Internal(format!("TOTP URI: {e:?}")))?;
    Ok(Enrolment { qr_svg: qr_svg(&uri)?, uri, secret: row.secret.clone() })
}

impl Access {
    /// Whether password sign-ins need a second factor (an administrator's setting).
    pub async fn second_factor_required(&self) -> Result<bool, StoreError> {
        self.store.flag(Setting::RequireSecondFactor).await
    }

    /// Requires a second factor of every password sign-in, or stops
    /// requiring it. Sessions already signed in stay.
    pub async fn require_second_factor(&self, by: &User, required: bool) -> Result<(), StoreError> {
        self.store.set_flag(Setting::RequireSecondFactor, required).await?;
        tracing::info!(by = %by.username, required, "second factor requirement changed");
        Ok(())
    }

    /// The account page's view of `user`'s second factor.
    pub async fn second_factor_status(&self, user: &User) -> Result<Status, AccessError> {
        let row = self.store.totp(&user.id).await?;
        let on = row.as_ref().is_some_and(|t| t.confirmed);
        let enrolment = match row.filter(|t| !t.confirmed) {
            Some(row) => Some(enrolment_of(&row, user)?),
            None => None,
        };
        let recovery_codes_left = if on { self.store.recovery_codes_left(&user.id).await? } else { 0 };
        Ok(Status { on, enrolment, recovery_codes_left, required: self.second_factor_required().await? })
    }

    /// Starts (or restarts) an enrolment with a new secret.
    pub async fn start_totp(&self, user: &User) -> Result<(), AccessError> {
        let mut bytes = [0_u8; 20];
        rand::rng().fill_bytes(&mut bytes);
        let secret = Secret::from(bytes.to_vec()).to_base32();
        if !self.store.put_unconfirmed_totp(&user.id, &secret, now()).await? {
            return Err(AccessError::SecondFactorOn);
        }
        tracing::info!(user = %user.username, "second factor enrolment started");
        Ok(())
    }

    /// Confirms an enrolment with a code from the app; returns the
    /// recovery codes (shown once).
    pub async fn confirm_totp(&self, user: &User, code: &str, ip: &str) -> Result<Vec<String>, AccessError> {
        let buckets = [Bucket::Address(Ceremony::SecondFactor, ip), Bucket::Codes(&user.username)];
        if let Some(wait) = throttle::reserve(&self.store, &buckets, now()).await? {
            return Err(AccessError::Throttled(wait));
        }
        let Some(row) = self.store.totp(&user.id).await?.filter(|t| !t.confirmed) else {
            return Err(AccessError::NoEnrolment);
        };
        let step = matching_step(&totp(&row.secret, &user.username)?, code).ok_or(AccessError::BadCode)?;
        if !self.store.use_totp_step(&user.id, step, true).await? {
            return Err(AccessError::BadCode);
        }
        throttle::succeeded(&self.store, &buckets).await?;
        let codes = new_recovery_codes();
        let hashes: Vec<String> = codes.iter().map(|c| recovery_hash(c)).collect();
        self.store.set_recovery_codes(&user.id, &hashes).await?;
        tracing::info!(user = %user.username, "second factor turned on");
        Ok(codes)
    }

    /// Turns the second factor off (the password is asked for, throttled).
    pub async fn disable_totp(&self, user: &User, password: &str, ip: &str) -> Result<(), AccessError> {
        self.check_current_password(user, password, ip).await?;
        self.store.delete_totp(&user.id).await?;
        tracing::info!(user = %user.username, "second factor turned off");
        Ok(())
    }

    /// After a correct password: a session; or, with a second factor on,
    /// a login waiting for its code; or, when an administrator requires a
    /// second factor and the user has none, a login waiting for them to set
    /// one up (an enrolment already under way is kept, so a QR code scanned
    /// before still works).
    pub(crate) async fn after_password(&self, user: &User, user_agent: &str) -> Result<SignIn, AccessError> {
        let row = self.store.totp(&user.id).await?;
        let on = row.as_ref().is_some_and(|t| t.confirmed);
        if !on && !self.second_factor_required().await? {
            return Ok(SignIn::Session(self.start_session(user, user_agent).await?));
        }
        if row.is_none() {
            self.start_totp(user).await?;
        }
        let token = secret::new_token();
        let ua: String = user_agent.chars().take(200).collect();
        self.store.put_pending_login(&secret::hash(&token), &user.id, &ua, now() + PENDING_TTL).await?;
        if on {
            tracing::info!(user = %user.username, "password accepted; second factor asked");
            Ok(SignIn::SecondFactor(token))
        } else {
            tracing::info!(user = %user.username, "password accepted; a second factor is required and set up first");
            Ok(SignIn::Enrol(token))
        }
    }

    /// The enrolment a login waiting for one shows (its user's QR code).
    pub async fn pending_enrolment(&self, token: &str) -> Result<Option<Enrolment>, AccessError> {
        let Some(pending) = self.pending_login(token).await? else { return Ok(None) };
        match self.store.totp(&pending.user.id).await?.filter(|t| !t.confirmed) {
            Some(row) => Ok(Some(enrolment_of(&row, &pending.user)?)),
            None => Ok(None),
        }
    }

    /// Finishes a login that waited for its user to set up a second
    /// factor: the code confirms the enrolment. Returns the session's token
    /// and the recovery codes (shown once).
    pub async fn finish_enrolment(
        &self,
        token: &str,
        code: &str,
        ip: &str,
    ) -> Result<(String, Vec<String>), AccessError> {
        let hash = secret::hash(token);
        let Some(pending) = self.store.pending_login(&hash, now()).await? else {
            return Err(AccessError::LoginExpired);
        };
        // A login waiting for the code of a factor already on is not an enrolment.
        let codes = self.confirm_totp(&pending.user, code, ip).await.map_err(|e| match e {
            AccessError::NoEnrolment => AccessError::LoginExpired,
            e => e,
        })?;
        if !self.store.delete_pending_login(&hash).await? {
            return Err(AccessError::LoginExpired);
        }
        tracing::info!(user = %pending.user.username, ip, "logged in after setting up a second factor");
        Ok((self.start_session(&pending.user, &pending.user_agent).await?, codes))
    }

    /// The login a pending token stands for, if it is live.
    pub async fn pending_login(&self, token: &str) -> Result<Option<PendingLogin>, StoreError> {
        self.store.pending_login(&secret::hash(token), now()).await
    }

    /// The second step: a code from the app, or a recovery code. Returns the
    /// session's token.
    pub async fn finish_second_factor(&self, token: &str, code: &str, ip: &str) -> Result<String, AccessError> {
        let hash = secret::hash(token);
        let Some(pending) = self.store.pending_login(&hash, now()).await? else {
            return Err(AccessError::LoginExpired);
        };
        let user = &pending.user;
        let buckets = [Bucket::Address(Ceremony::SecondFactor, ip), Bucket::Codes(&user.username)];
        if let Some(wait) = throttle::reserve(&self.store, &buckets, now()).await? {
            tracing::warn!(user = %user.username, ip, "second factor throttled");
            return Err(AccessError::Throttled(wait));
        }
        let Some(row) = self.store.totp(&user.id).await?.filter(|t| t.confirmed) else {
            return Err(AccessError::LoginExpired);
        };
        let accepted = match matching_step(&totp(&row.secret, &user.username)?, code) {
            Some(step) => self.store.use_totp_step(&user.id, step, false).await?,
            None => self.store.take_recovery_code(&user.id, &recovery_hash(code)).await?,
        };
        if !accepted {
            tracing::warn!(user = %user.username, ip, "wrong second factor");
            return Err(AccessError::BadCode);
        }
        if !self.store.delete_pending_login(&hash).await? {
            return Err(AccessError::LoginExpired);
        }
        throttle::succeeded(&self.store, &buckets).await?;
        tracing::info!(user = %user.username, ip, "logged in with a second factor");
        self.start_session(user, &pending.user_agent).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_ten_distinct_and_read_back_however_typed() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        assert_eq!(codes.iter().collect::<std::collections::HashSet<_>>().len(), RECOVERY_CODES);
        let c = &codes[0];
        assert_eq!(c.len(), 11);
        assert_eq!(recovery_hash(c), recovery_hash(&c.replace('-', "").to_uppercase()));
        assert_ne!(recovery_hash(c), recovery_hash(&codes[1]));
    }

    #[test]
    fn only_six_digits_are_codes() {
        let t = totp("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "admin").ok();
        let t = t.as_ref();
        for code in ["", "12345", "1234567", "abcdef", "12 34 5x"] {
            assert_eq!(t.and_then(|t| matching_step(t, code)), None, "{code:?}");
        }
    }
}
