//! The HTTP side of access (the domain is `crate::access`): the gate every
//! request passes (who is asking, may they, did a change come from our own
//! pages), the security headers, and the routes: the forms the login,
//! setup, account, user and reset pages post, and the token endpoints under `/api`.

pub mod cookies;
pub mod gate;
pub mod headers;
pub mod password_forms;
pub mod routes;
pub mod second_factor_forms;
pub mod sso_forms;
pub mod who;
