//! Binding Reestr's canonical operations to the operations of a registry's
//! API document, and reporting which were found.

use openapiv3::OpenAPI;

use super::template::RequestTemplate;
use app::model::OperationCheck;

/// The operations Reestr knows how to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CanonicalOperation {
    CheckVersion,
    ListRepositories,
    ListTags,
    GetManifest,
    GetBlob,
    ListReferrers,
}

impl CanonicalOperation {
    pub const ALL: [Self; 6] = [
        Self::CheckVersion,
        Self::ListRepositories,
        Self::ListTags,
        Self::GetManifest,
        Self::GetBlob,
        Self::ListReferrers,
    ];

    /// The operationId in the OCI profile, also Reestr's name for it.
    pub fn name(self) -> &'static str {
        match self {
            Self::CheckVersion => "checkVersion",
            Self::ListRepositories => "listRepositories",
            Self::ListTags => "listTags",
            Self::GetManifest => "getManifest",
            Self::GetBlob => "getBlob",
            Self::ListReferrers => "listReferrers",
        }
    }

    /// Without these a registry cannot be browsed.
    pub fn required(self) -> bool {
        matches!(self, Self::ListRepositories | Self::ListTags | Self::GetManifest)
    }

    /// Where the OCI Distribution API puts it, used when the document has no
    /// matching operationId.
    fn oci_route(self) -> (&'static str, &'static str) {
        match self {
            Self::CheckVersion => ("get", "/v2/"),
            Self::ListRepositories => ("get", "/v2/_catalog"),
            Self::ListTags => ("get", "/v2/{name}/tags/list"),
            Self::GetManifest => ("get", "/v2/{name}/manifests/{reference}"),
            Self::GetBlob => ("get", "/v2/{name}/blobs/{digest}"),
            Self::ListReferrers => ("get", "/v2/{name}/referrers/{digest}"),
        }
    }

    /// The path arguments Reestr fills in for this operation; a bound
    /// operation that needs any other cannot be called.
    fn supplied(self) -> &'static [&'static str] {
        match self {
            Self::CheckVersion | Self::ListRepositories => &[],
            Self::ListTags => &["name"],
            Self::GetManifest => &["name", "reference"],
            Self::GetBlob | Self::ListReferrers => &["name", "digest"],
        }
    }

    /// What is lost without it, for the remediation hint.
    fn without(self) -> &'static str {
        match self {
            Self::CheckVersion => "health checks fall back to listing repositories",
            Self::ListRepositories => "the registry cannot be browsed",
            Self::ListTags => "repositories cannot be opened",
            Self::GetManifest => "tags cannot be inspected",
            Self::GetBlob => "image creation times and labels are not shown",
            Self::ListReferrers => "referrers come from the sha256-<digest> tag fallback only",
        }
    }
}

/// The request templates found for each canonical operation.
#[derive(Debug, Clone, Default)]
pub struct BoundOperations {
    pub check_version: Option<RequestTemplate>,
    pub list_repositories: Option<RequestTemplate>,
    pub list_tags: Option<RequestTemplate>,
    pub get_manifest: Option<RequestTemplate>,
    pub get_blob: Option<RequestTemplate>,
    pub list_referrers: Option<RequestTemplate>,
}

impl BoundOperations {
    fn slot(&mut self, op: CanonicalOperation) -> &mut Option<RequestTemplate> {
        match op {
            CanonicalOperation::CheckVersion => &mut self.check_version,
            CanonicalOperation::ListRepositories => &mut self.list_repositories,
            CanonicalOperation::ListTags => &mut self.list_tags,
            CanonicalOperation::GetManifest => &mut self.get_manifest,
            CanonicalOperation::GetBlob => &mut self.get_blob,
            CanonicalOperation::ListReferrers => &mut self.list_referrers,
        }
    }
}

/// Finds each canonical operation by operationId, then by its OCI route,
/// and reports what was found or is missing with a hint.
pub fn bind_operations(doc: &OpenAPI) -> (BoundOperations, Vec<OperationCheck>) {
    let mut bound = BoundOperations::default();
    let mut checks = Vec::new();
    for op in CanonicalOperation::ALL {
        let found = find(doc, op);
        let check = match found {
            Ok(t) => {
                let detail = format!("{} {}", t.method, t.path);
                *bound.slot(op) = Some(t);
                OperationCheck { operation: op.name().into(), required: op.required(), found: true, detail }
            }
            Err(why) => {
                let (method, path) = op.oci_route();
                OperationCheck {
                    operation: op.name().into(),
                    required: op.required(),
                    found: false,
                    detail: format!(
                        "{why}; without it {}. Add operationId `{}` ({} {path}) to the document.",
                        op.without(),
                        op.name(),
                        method.to_ascii_uppercase()
                    ),
                }
            }
        };
        checks.push(check);
    }
    (bound, checks)
}

fn find(doc: &OpenAPI, op: CanonicalOperation) -> Result<RequestTemplate, String> {
    let mut template = None;
    'search: for (path, item) in doc.paths.iter() {
        let Some(item) = item.as_item() else { continue };
        for (method, o) in item.iter() {
            if o.operation_id.as_deref() == Some(op.name()) {
                template = Some(RequestTemplate::from_operation(doc, method, path, item, o)?);
                break 'search;
            }
        }
    }
    let (method, route) = op.oci_route();
    if template.is_none()
        && let Some(item) = doc.paths.paths.get(route).and_then(|i| i.as_item())
        && let Some((m, o)) = item.iter().find(|(m, _)| *m == method)
    {
        template = Some(RequestTemplate::from_operation(doc, m, route, item, o)?);
    }
    let Some(t) = template else {
        return Err(format!("no operation `{}` and no {} {route}", op.name(), method.to_ascii_uppercase()));
    };
    let unknown: Vec<String> =
        t.path_params.iter().filter(|p| !op.supplied().contains(&p.as_str())).map(|p| format!("{{{p}}}")).collect();
    if !unknown.is_empty() {
        return Err(format!(
            "`{}` is {} {}, which needs {} that this profile cannot fill",
            op.name(),
            t.method,
            t.path,
            unknown.join(", ")
        ));
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::document::parse_document;

    #[test]
    fn the_shipped_oci_document_has_every_operation() -> Result<(), String> {
        let doc = parse_document(crate::registry::document::BUILTIN_OCI.as_bytes()).map_err(|e| e.to_string())?;
        let (bound, checks) = bind_operations(&doc.openapi);
        assert!(checks.iter().all(|c| c.found), "{checks:?}");
        let tags = bound.list_tags.ok_or("listTags not bound")?;
        assert_eq!(tags.path, "/v2/{name}/tags/list");
        assert_eq!(tags.path_params, ["name"]);
        assert_eq!(tags.query_params, ["n", "last"]);
        let manifest = bound.get_manifest.ok_or("getManifest not bound")?;
        assert_eq!(manifest.path_params, ["name", "reference"]);
        Ok(())
    }

    #[test]
    fn a_document_without_tag_listing_reports_it_missing_and_required() -> Result<(), String> {
        let yaml = "openapi: 3.0.3\ninfo: { title: partial, version: '1' }\npaths:\n  /v2/_catalog:\n    get:\n      operationId: listRepositories\n      responses: { '200': { description: ok } }\n";
        let doc = parse_document(yaml.as_bytes()).map_err(|e| e.to_string())?;
        let (bound, checks) = bind_operations(&doc.openapi);
        assert!(bound.list_repositories.is_some());
        assert!(bound.list_tags.is_none());
        let tags = checks.iter().find(|c| c.operation == "listTags").ok_or("no listTags check")?;
        assert!(tags.required && !tags.found);
        assert_eq!(
            tags.detail,
            "no operation `listTags` and no GET /v2/{name}/tags/list; without it repositories cannot be opened. Add operationId `listTags` (GET /v2/{name}/tags/list) to the document."
        );
        Ok(())
    }

    #[test]
    fn operations_are_found_by_route_when_ids_differ() -> Result<(), String> {
        let yaml = "openapi: 3.0.3\ninfo: { title: t, version: '1' }\npaths:\n  /v2/{name}/manifests/{reference}:\n    get:\n      operationId: fetchIt\n      parameters:\n        - { name: name, in: path, required: true, schema: { type: string } }\n        - { name: reference, in: path, required: true, schema: { type: string } }\n      responses: { '200': { description: ok } }\n";
        let doc = parse_document(yaml.as_bytes()).map_err(|e| e.to_string())?;
        let (bound, _) = bind_operations(&doc.openapi);
        assert!(bound.get_manifest.is_some());
        Ok(())
    }

    #[test]
    fn a_foreign_operation_with_the_same_id_is_not_bound() -> Result<(), String> {
        // Harbor's document also says `listRepositories`, for a project-scoped route.
        let yaml = "openapi: 3.0.3\ninfo: { title: t, version: '1' }\npaths:\n  /projects/{project_name}/repositories:\n    get:\n      operationId: listRepositories\n      parameters:\n        - { name: project_name, in: path, required: true, schema: { type: string } }\n      responses: { '200': { description: ok } }\n";
        let doc = parse_document(yaml.as_bytes()).map_err(|e| e.to_string())?;
        let (bound, checks) = bind_operations(&doc.openapi);
        assert!(bound.list_repositories.is_none());
        let check = checks.iter().find(|c| c.operation == "listRepositories").ok_or("no check")?;
        assert!(check.detail.starts_with(
            "`listRepositories` is GET /projects/{project_name}/repositories, which needs {project_name} that this profile cannot fill"
        ), "{}", check.detail);
        Ok(())
    }

    #[test]
    fn a_path_placeholder_without_a_parameter_is_reported() -> Result<(), String> {
        let yaml = "openapi: 3.0.3\ninfo: { title: t, version: '1' }\npaths:\n  /v2/{name}/tags/list:\n    get:\n      operationId: listTags\n      responses: { '200': { description: ok } }\n";
        let doc = parse_document(yaml.as_bytes()).map_err(|e| e.to_string())?;
        let (_, checks) = bind_operations(&doc.openapi);
        let tags = checks.iter().find(|c| c.operation == "listTags").ok_or("no listTags check")?;
        assert!(!tags.found);
        assert!(
            tags.detail.starts_with("path `/v2/{name}/tags/list` uses {name} but declares no such path parameter"),
            "{}",
            tags.detail
        );
        Ok(())
    }
}
