//! The data Reestr shows, shared by the server, the REST API and the WASM
//! front end. Field names are camelCase on the wire and stay stable: scripts
//! read them through the REST API.

mod access;
mod form_error;
mod query;
mod registry;
mod repository;
mod storage;
mod supply;
mod tag;

pub use access::{
    Account, ApiTokenInfo, CspNonce, EnrolmentInfo, Grants, InvitationInfo, PasskeyInfo, ResetLink, Role,
    SecondFactorInfo, SessionInfo, SignInProvider, UserAdmin, UserInfo, Viewer,
};
pub use form_error::FormError;
pub use query::{Recency, RepoQuery, RepoSort, TagNames, TagQuery, TagSort, is_artifact_tag};
pub use registry::{
    HealthStatus, OperationCheck, RegistryHealth, RegistryOverview, RegistrySummary, ResyncResult, StorageTotals,
};
pub use repository::{Page, RepositorySummary};
pub use storage::{ImageSize, RepoStorage, StorageProgress, StorageReport, StorageStatus};
pub use supply::{Referrer, ReferrerKind, ReferrerSource, Sbom, SbomPackage};
pub use tag::{Descriptor, HistoryEntry, ImageDetail, Platform, TagDetail, TagSummary, Vulnerabilities};
