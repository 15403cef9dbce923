//! `registries.yaml`: what it may contain, and how it is read and checked.
//! Every mistake is reported with file, line, column and field path, and
//! every mistake in the file is reported at once.

mod error;
mod load;
mod model;
mod profile;
mod profile_load;
mod raw;
mod sign_in;

pub use error::{ConfigError, ConfigErrors};
pub use load::{load_file, load_str};
pub use model::{
    ApiConfig, Auth, Capabilities, Config, DEFAULT_MAX_PAGES, DocumentSource, OperationOverride, OverrideTarget,
    PageStyle, RegistryConfig, TlsConfig,
};
pub use profile::{
    Binding, Exchange, Field, Names, Presentation, Profile, ProfileKind, Slashes, oci as oci_profile,
    shipped as shipped_profiles, shipped_named, shipped_text,
};
pub use profile_load::read_profile;
pub use sign_in::{OidcConfig, RegistryGroup, client_secret_var};

/// The file read when neither `--config` nor `REESTR_CONFIG` says otherwise.
pub const DEFAULT_PATH: &str = "registries.yaml";
