//! Why an access form was refused, as the `?error=` code the server
//! redirects back with (never text) and what the page says for it. One
//! enum for both sides, so a code cannot be misspelt on one of them.

/// A refusal of a login, setup, invitation, reset, account or administration form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormError {
    BadCredentials,
    Throttled,
    BadSetupToken,
    PasswordTooShort,
    PasswordTooLong,
    PasswordsDiffer,
    BadUsername,
    AlreadySetUp,
    Store,
    Internal,
    BadName,
    BadTokenLifetime,
    BadInvitation,
    UsernameTaken,
    UnknownRole,
    UnknownRegistry,
    LastAdmin,
    Yourself,
    Passkey,
    WrongPassword,
    NoPassword,
    BadResetLink,
    UnknownUser,
    SecondFactorOn,
    NoEnrolment,
    BadCode,
    LoginExpired,
    SsoDown,
    SsoExpired,
    SsoInvalid,
    SsoNoGroup,
    SsoNoAccount,
}

impl FormError {
    pub const ALL: [Self; 32] = [
        Self::BadCredentials,
        Self::Throttled,
        Self::BadSetupToken,
        Self::PasswordTooShort,
        Self::PasswordTooLong,
        Self::PasswordsDiffer,
        Self::BadUsername,
        Self::AlreadySetUp,
        Self::Store,
        Self::Internal,
        Self::BadName,
        Self::BadTokenLifetime,
        Self::BadInvitation,
        Self::UsernameTaken,
        Self::UnknownRole,
        Self::UnknownRegistry,
        Self::LastAdmin,
        Self::Yourself,
        Self::Passkey,
        Self::WrongPassword,
        Self::NoPassword,
        Self::BadResetLink,
        Self::UnknownUser,
        Self::SecondFactorOn,
        Self::NoEnrolment,
        Self::BadCode,
        Self::LoginExpired,
        Self::SsoDown,
        Self::SsoExpired,
        Self::SsoInvalid,
        Self::SsoNoGroup,
        Self::SsoNoAccount,
    ];

    /// The code in the URL.
    pub fn key(self) -> &'static str {
        match self {
            Self::BadCredentials => "invalid",
            Self::Throttled => "throttled",
            Self::BadSetupToken => "token",
            Self::PasswordTooShort => "password",
            Self::PasswordTooLong => "password-long",
            Self::PasswordsDiffer => "mismatch",
            Self::BadUsername => "username",
            Self::AlreadySetUp => "done",
            Self::Store => "store",
            Self::Internal => "internal",
            Self::BadName => "name",
            Self::BadTokenLifetime => "lifetime",
            Self::BadInvitation => "invite",
            Self::UsernameTaken => "taken",
            Self::UnknownRole => "role",
            Self::UnknownRegistry => "registry",
            Self::LastAdmin => "last-admin",
            Self::Yourself => "yourself",
            Self::Passkey => "passkey",
            Self::WrongPassword => "current",
            Self::NoPassword => "no-password",
            Self::BadResetLink => "reset",
            Self::UnknownUser => "no-user",
            Self::SecondFactorOn => "totp-on",
            Self::NoEnrolment => "no-enrolment",
            Self::BadCode => "code",
            Self::LoginExpired => "login-expired",
            Self::SsoDown => "sso-down",
            Self::SsoExpired => "sso-expired",
            Self::SsoInvalid => "sso-invalid",
            Self::SsoNoGroup => "sso-no-group",
            Self::SsoNoAccount => "sso-no-account",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.key() == key)
    }

    /// What the page says.
    pub fn message(self) -> &'static str {
        match self {
            Self::BadCredentials => "Wrong username or password.",
            Self::Throttled => "Too many failed attempts. Wait a few minutes, then try again.",
            Self::BadSetupToken => "The setup token is wrong or has expired. Use the one printed in the server log.",
            Self::PasswordTooShort => "The password must have at least 12 characters.",
            Self::PasswordTooLong => "The password must have at most 1,024 bytes.",
            Self::PasswordsDiffer => "The two passwords differ.",
            Self::BadUsername => "A username has 1 to 64 letters, digits, dots, dashes, underscores or @.",
            Self::AlreadySetUp => "Reestr is already set up: sign in.",
            Self::Store => "The user database did not answer. Try again; if it persists, see the server log.",
            Self::Internal => "Something went wrong on the server. Try again; if it persists, see the server log.",
            Self::BadName => "A name needs 1 to 100 characters.",
            Self::BadTokenLifetime => "A token lives 1 to 365 days.",
            Self::BadInvitation => {
                "This invitation link is wrong, used or expired. Ask an administrator for a new one."
            }
            Self::UsernameTaken => "That username is taken.",
            Self::UnknownRole => "Unknown role.",
            Self::UnknownRegistry => "No such registry: give registry ids from registries.yaml, separated by commas.",
            Self::LastAdmin => "Reestr needs at least one administrator: make someone else an administrator first.",
            Self::Yourself => "You cannot remove yourself.",
            Self::Passkey => "The passkey did not work. Try again, or sign in with your password.",
            Self::WrongPassword => "The current password is wrong.",
            Self::NoPassword => {
                "This account has no password: it signs in with passkeys. An administrator can send you a reset link to set one."
            }
            Self::BadResetLink => "This reset link is wrong, used or expired. Ask an administrator for a new one.",
            Self::UnknownUser => "That user no longer exists.",
            Self::SecondFactorOn => "An authenticator app is already set up: turn it off first to set up another.",
            Self::NoEnrolment => "No authenticator app is being set up. Start again.",
            Self::BadCode => "That code is wrong or was used already. Enter the code the app shows now.",
            Self::LoginExpired => "The sign-in took too long. Sign in again with your password.",
            Self::SsoDown => {
                "The single sign-on provider did not answer. Try again later, or sign in with a password or passkey."
            }
            Self::SsoExpired => "That single sign-on is unknown, used or expired. Start again.",
            Self::SsoInvalid => {
                "The single sign-on provider's answer did not verify, so it was not trusted. Start again; if it persists, see the server log."
            }
            Self::SsoNoGroup => {
                "Your single sign-on account is in no group with access to Reestr. Ask an administrator."
            }
            Self::SsoNoAccount => {
                "No Reestr account belongs to that single sign-on, and this provider does not create accounts. Ask an administrator."
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::FormError;

    #[test]
    fn every_code_reads_back_and_says_something() {
        for e in FormError::ALL {
            assert_eq!(FormError::from_key(e.key()), Some(e));
            assert!(e.message().ends_with('.'), "{e:?}");
        }
        let keys: std::collections::HashSet<_> = FormError::ALL.iter().map(|e| e.key()).collect();
        assert_eq!(keys.len(), FormError::ALL.len(), "codes are distinct");
        assert_eq!(FormError::from_key("nonsense"), None);
    }
}
