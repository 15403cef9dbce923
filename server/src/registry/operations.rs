//! Binding Reestr's canonical operations to the operations of a registry's
//! API document, and reporting which were found.

use std::collections::HashMap;

use app::model::OperationCheck;
use openapiv3::OpenAPI;

use super::drift::drifted_fields;
use super::template::RequestTemplate;
use crate::config::{Binding, Field, OperationOverride, OverrideTarget, PageStyle};

/// The operations Reestr knows how to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CanonicalOperation {
    CheckVersion,
    ListRepositories,
    SearchRepositories,
    GetRepository,
    ListTags,
    GetTag,
    GetManifest,
    GetBlob,
    ListReferrers,
    GetReadme,
    GetVulnerabilities,
}

impl CanonicalOperation {
    pub const ALL: [Self; 11] = [
        Self::CheckVersion,
        Self::ListRepositories,
        Self::SearchRepositories,
        Self::GetRepository,
        Self::ListTags,
        Self::GetTag,
        Self::GetManifest,
        Self::GetBlob,
        Self::ListReferrers,
        Self::GetReadme,
        Self::GetVulnerabilities,
    ];

    /// Reads a canonical name (`listTags`), as configuration overrides use them.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|op| op.name() == name)
    }

    /// The operationId in the OCI profile, also Reestr's name for it.
    pub fn name(self) -> &'static str {
        match self {
            Self::CheckVersion => "checkVersion",
            Self::ListRepositories => "listRepositories",
            Self::SearchRepositories => "searchRepositories",
            Self::GetRepository => "getRepository",
            Self::ListTags => "listTags",
            Self::GetTag => "getTag",
            Self::GetReadme => "getReadme",
            Self::GetManifest => "getManifest",
            Self::GetBlob => "getBlob",
            Self::ListReferrers => "listReferrers",
            Self::GetVulnerabilities => "getVulnerabilities",
        }
    }

    /// What is lost when a catalogue API (harbor, dockerhub) lacks it: the
    /// OCI endpoint still serves names, tags and manifests.
    fn without_in_catalogue(self) -> &'static str {
        match self {
            Self::ListRepositories => "the repository list shows names only, from the OCI endpoint",
            Self::ListTags | Self::GetTag => "tags come from the OCI endpoint, without push and pull times",
            Self::ListReferrers => "referrers come from the OCI endpoint",
            other => other.without(),
        }
    }

    /// What is lost without it, for the remediation hint.
    fn without(self) -> &'static str {
        match self {
            Self::CheckVersion => "health checks fall back to listing repositories",
            Self::ListRepositories => "the registry cannot be browsed",
            Self::SearchRepositories => "search filters the listed repositories instead",
            Self::GetRepository => "descriptions, pull counts and stars are not shown",
            Self::ListTags => "repositories cannot be opened",
            Self::GetTag => "per-tag metadata (pushed, pulled) is not shown",
            Self::GetReadme => "READMEs are not shown",
            Self::GetManifest => "tags cannot be inspected",
            Self::GetBlob => "image creation times and labels are not shown",
            Self::ListReferrers => "referrers come from the sha256-<digest> tag fallback only",
            Self::GetVulnerabilities => "no vulnerability summary is shown",
        }
    }
}

/// The request templates found for each canonical operation.
#[derive(Debug, Clone, Default)]
pub struct BoundOperations {
    templates: HashMap<CanonicalOperation, BoundOperation>,
}

/// One operation found: how to call it, what to read from its answer, and
/// how its listing pages.
#[derive(Debug, Clone)]
pub struct BoundOperation {
    pub template: RequestTemplate,
    /// The profile's field mapping minus the fields the document's response
    /// schema lacks (drift): Reestr shows only what the document promises.
    pub fields: Vec<(Field, String)>,
    pub pages: PageStyle,
    /// Path arguments with fixed values.
    pub values: Vec<(String, String)>,
    /// The query parameter a search's words go in.
    pub search_param: Option<String>,
    /// Query parameters with fixed values.
    pub query: Vec<(String, String)>,
    /// Where an answer lists one severity name per finding, to be counted.
    pub severities: Option<String>,
}

impl BoundOperations {
    /// The template for `op`, when the document has it.
    pub fn get(&self, op: CanonicalOperation) -> Option<&RequestTemplate> {
        self.templates.get(&op).map(|b| &b.template)
    }

    /// Everything bound for `op`.
    pub fn bound(&self, op: CanonicalOperation) -> Option<&BoundOperation> {
        self.templates.get(&op)
    }
}

/// Binds each operation of a profile: a configuration override first, then
/// the profile's operationId, then its route; reports each as found or
/// missing with a hint. `api` names the document in the report.
pub fn bind_operations(
    doc: &OpenAPI,
    profile: &[Binding],
    overrides: &[OperationOverride],
    api: &str,
) -> (BoundOperations, Vec<OperationCheck>) {
    let mut bound = BoundOperations::default();
    let mut checks = Vec::new();
    for binding in profile {
        let op = binding.op;
        let by_hand = overrides.iter().find(|o| o.operation == op.name());
        let found = match by_hand {
            Some(o) => bind_override(doc, binding, o),
            None => find(doc, binding),
        };
        let declarer = if by_hand.is_some() { "by hand" } else { "by the profile" };
        let check = match found {
            Ok(t) => {
                let in_document = operation_for(doc, &t);
                let drift = in_document.and_then(|o| drifted_fields(doc, o, &binding.fields));
                let detail = match (&drift, in_document) {
                    (Some(d), _) if !d.is_empty() => format!(
                        "{} {}; the response schema lacks {}: those values will not be shown. Fix the document or bind another operation in api.operations.{} (the profile maps it at {}).",
                        t.method,
                        t.path,
                        d.join(", "),
                        op.name(),
                        binding.origin
                    ),
                    (_, None) if !binding.fields.is_empty() => {
                        format!("{} {} (declared {declarer}; its response fields cannot be checked)", t.method, t.path)
                    }
                    (_, None) => format!("{} {} (declared {declarer})", t.method, t.path),
                    _ => format!("{} {}", t.method, t.path),
                };
                let lost = drift.as_deref().unwrap_or_default();
                let fields = binding
                    .fields
                    .iter()
                    .filter(|(name, path)| !lost.contains(&format!("{name} ({path})")))
                    .cloned()
                    .collect();
                let pages = overrides
                    .iter()
                    .find(|o| o.operation == op.name())
                    .and_then(|o| o.pagination.clone())
                    .unwrap_or_else(|| binding.pages.clone());
                bound.templates.insert(
                    op,
                    BoundOperation {
                        template: t,
                        fields,
                        pages,
                        values: binding.values.clone(),
                        search_param: binding.search_param.clone(),
                        query: binding.query.clone(),
                        severities: binding.severities.clone(),
                    },
                );
                OperationCheck {
                    operation: op.name().into(),
                    required: binding.required,
                    found: true,
                    detail,
                    api: api.into(),
                    drift: drift.unwrap_or_default(),
                }
            }
            Err(why) => OperationCheck {
                operation: op.name().into(),
                required: binding.required,
                found: false,
                detail: format!(
                    "{why}; without it {}. {} (The profile binds it at {}.)",
                    if api == "catalogue" { op.without_in_catalogue() } else { op.without() },
                    remediation(binding),
                    binding.origin
                ),
                api: api.into(),
                drift: Vec::new(),
            },
        };
        checks.push(check);
    }
    (bound, checks)
}

/// The document's own operation behind a template (none for a declared route).
fn operation_for<'a>(doc: &'a OpenAPI, t: &RequestTemplate) -> Option<&'a openapiv3::Operation> {
    let item = doc.paths.paths.get(&t.path)?.as_item()?;
    item.iter().find(|(m, _)| m.eq_ignore_ascii_case(&t.method)).map(|(_, o)| o)
}

fn remediation(binding: &Binding) -> String {
    let name = binding.op.name();
    match (binding.operation_id.as_deref(), &binding.route) {
        (_, Some((method, path))) => format!(
            "Add operationId `{}` ({} {path}) to the document, or declare it in api.operations.{name}.",
            binding.operation_id.as_deref().unwrap_or(name),
            method.to_ascii_uppercase()
        ),
        (Some(id), None) => format!("Add operationId `{id}` to the document, or declare it in api.operations.{name}."),
        (None, None) => format!("Declare it in api.operations.{name} (operationId, or method and path)."),
    }
}

fn bind_override(doc: &OpenAPI, binding: &Binding, o: &OperationOverride) -> Result<RequestTemplate, String> {
    let t = match &o.target {
        OverrideTarget::OperationId(id) => find_by_id(doc, id)?.ok_or_else(|| {
            format!("api.operations.{} names operationId `{id}`, which the document lacks", binding.op.name())
        })?,
        OverrideTarget::Route { method, path, query } => RequestTemplate::declared(method, path, query),
    };
    check_arguments(binding, t)
}

/// The operation with operationId `id`, as a request template.
pub fn find_by_id(doc: &OpenAPI, id: &str) -> Result<Option<RequestTemplate>, String> {
    for (path, item) in doc.paths.iter() {
        let Some(item) = item.as_item() else { continue };
        for (method, o) in item.iter() {
            if o.operation_id.as_deref() == Some(id) {
                return RequestTemplate::from_operation(doc, method, path, item, o).map(Some);
            }
        }
    }
    Ok(None)
}

fn find(doc: &OpenAPI, binding: &Binding) -> Result<RequestTemplate, String> {
    let mut template = match binding.operation_id.as_deref() {
        Some(id) => find_by_id(doc, id)?,
        None => None,
    };
    if template.is_none()
        && let Some((method, route)) = &binding.route
        && let Some(item) = doc.paths.paths.get(route).and_then(|i| i.as_item())
        && let Some((m, o)) = item.iter().find(|(m, _)| *m == method.as_str())
    {
        template = Some(RequestTemplate::from_operation(doc, m, route, item, o)?);
    }
    // A route the document lacks, declared by the profile (Docker Hub's
    // published document has no repository listing).
    if template.is_none()
        && let (Some((method, route)), Some(query)) = (&binding.route, &binding.declared_query)
    {
        template = Some(RequestTemplate::declared(method, route, query));
    }
    let Some(t) = template else {
        let id = binding.operation_id.as_ref().map(|id| format!("no operation `{id}`"));
        let route = binding.route.as_ref().map(|(m, p)| format!("no {} {p}", m.to_ascii_uppercase()));
        return Err([id, route].into_iter().flatten().collect::<Vec<_>>().join(" and "));
    };
    check_arguments(binding, t)
}

/// A bound operation whose path needs arguments the profile cannot fill is refused.
fn check_arguments(binding: &Binding, t: RequestTemplate) -> Result<RequestTemplate, String> {
    let unknown: Vec<String> =
        t.path_params.iter().filter(|p| !binding.arguments.contains(p)).map(|p| format!("{{{p}}}")).collect();
    if unknown.is_empty() {
        return Ok(t);
    }
    Err(format!(
        "`{}` is {} {}, which needs {} that this profile cannot fill",
        binding.op.name(),
        t.method,
        t.path,
        unknown.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::document::parse_document;

    fn oci() -> Vec<Binding> {
        crate::config::oci_profile().operations.clone()
    }

    fn harbor() -> Result<Vec<Binding>, String> {
        crate::config::shipped_named("harbor").map(|p| p.operations.clone()).ok_or_else(|| "no harbor profile".into())
    }

    #[test]
    fn the_shipped_oci_document_has_every_operation() -> Result<(), String> {
        let doc = parse_document(crate::registry::document::BUILTIN_OCI.as_bytes()).map_err(|e| e.to_string())?;
        let (bound, checks) = bind_operations(&doc.openapi, &oci(), &[], "registry");
        assert!(checks.iter().all(|c| c.found), "{checks:?}");
        let tags = bound.get(CanonicalOperation::ListTags).cloned().ok_or("listTags not bound")?;
        assert_eq!(tags.path, "/v2/{name}/tags/list");
        assert_eq!(tags.path_params, ["name"]);
        assert_eq!(tags.query_params, ["n", "last"]);
        let manifest = bound.get(CanonicalOperation::GetManifest).cloned().ok_or("getManifest not bound")?;
        assert_eq!(manifest.path_params, ["name", "reference"]);
        Ok(())
    }

    #[test]
    fn a_document_without_tag_listing_reports_it_missing_and_required() -> Result<(), String> {
        let yaml = "openapi: 3.0.3\ninfo: { title: partial, version: '1' }\npaths:\n  /v2/_catalog:\n    get:\n      operationId: listRepositories\n      responses: { '200': { description: ok } }\n";
        let doc = parse_document(yaml.as_bytes()).map_err(|e| e.to_string())?;
        let (bound, checks) = bind_operations(&doc.openapi, &oci(), &[], "registry");
        assert!(bound.get(CanonicalOperation::ListRepositories).is_some());
        assert!(bound.get(CanonicalOperation::ListTags).is_none());
        let tags = checks.iter().find(|c| c.operation == "listTags").ok_or("no listTags check")?;
        assert!(tags.required && !tags.found);
        assert_eq!(
            tags.detail,
            "no operation `listTags` and no GET /v2/{name}/tags/list; without it repositories cannot be opened. Add operationId `listTags` (GET /v2/{name}/tags/list) to the document, or declare it in api.operations.listTags. (The profile binds it at oci.yaml:21:3.)"
        );
        Ok(())
    }

    #[test]
    fn a_user_profiles_missing_operation_points_at_its_line() -> Result<(), String> {
        let profile = "name: acme\nkind: catalogue\nnames: { whole: name }\noperations:\n  listTags:\n    operationId: listImageTags\n";
        let p = crate::config::read_profile(profile, "acme.yaml", "acme.yaml").map_err(|e| e.to_string())?;
        let doc = parse_document(b"openapi: 3.0.3\ninfo: { title: t, version: '1' }\npaths: {}\n")
            .map_err(|e| e.to_string())?;
        let (_, checks) = bind_operations(&doc.openapi, &p.operations, &[], "catalogue");
        let tags = checks.iter().find(|c| c.operation == "listTags").ok_or("no listTags check")?;
        assert!(tags.detail.starts_with("no operation `listImageTags`"), "{}", tags.detail);
        assert!(tags.detail.ends_with("(The profile binds it at acme.yaml:5:3.)"), "{}", tags.detail);
        Ok(())
    }

    #[test]
    fn operations_are_found_by_route_when_ids_differ() -> Result<(), String> {
        let yaml = "openapi: 3.0.3\ninfo: { title: t, version: '1' }\npaths:\n  /v2/{name}/manifests/{reference}:\n    get:\n      operationId: fetchIt\n      parameters:\n        - { name: name, in: path, required: true, schema: { type: string } }\n        - { name: reference, in: path, required: true, schema: { type: string } }\n      responses: { '200': { description: ok } }\n";
        let doc = parse_document(yaml.as_bytes()).map_err(|e| e.to_string())?;
        let (bound, _) = bind_operations(&doc.openapi, &oci(), &[], "registry");
        assert!(bound.get(CanonicalOperation::GetManifest).is_some());
        Ok(())
    }

    #[test]
    fn a_foreign_operation_with_the_same_id_is_not_bound() -> Result<(), String> {
        // Harbor's document also says `listRepositories`, for a project-scoped route.
        let yaml = "openapi: 3.0.3\ninfo: { title: t, version: '1' }\npaths:\n  /projects/{project_name}/repositories:\n    get:\n      operationId: listRepositories\n      parameters:\n        - { name: project_name, in: path, required: true, schema: { type: string } }\n      responses: { '200': { description: ok } }\n";
        let doc = parse_document(yaml.as_bytes()).map_err(|e| e.to_string())?;
        let (bound, checks) = bind_operations(&doc.openapi, &oci(), &[], "registry");
        assert!(bound.get(CanonicalOperation::ListRepositories).is_none());
        let check = checks.iter().find(|c| c.operation == "listRepositories").ok_or("no check")?;
        assert!(check.detail.starts_with(
            "`listRepositories` is GET /projects/{project_name}/repositories, which needs {project_name} that this profile cannot fill"
        ), "{}", check.detail);
        Ok(())
    }

    #[test]
    fn fields_missing_from_the_response_schema_are_reported_as_drift() -> Result<(), String> {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/specs/harbor-v2.0-swagger.yaml");
        let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
        let as_published = parse_document(text.as_bytes()).map_err(|e| e.to_string())?;
        let (_, checks) = bind_operations(&as_published.openapi, &harbor()?, &[], "catalogue");
        assert!(checks.iter().all(|c| c.drift.is_empty()), "{checks:?}");

        let renamed = text.replace("pull_count", "pulls");
        let drifted = parse_document(renamed.as_bytes()).map_err(|e| e.to_string())?;
        let (bound, checks) = bind_operations(&drifted.openapi, &harbor()?, &[], "catalogue");
        let list = checks.iter().find(|c| c.operation == "listRepositories").ok_or("no check")?;
        assert!(list.found && bound.get(CanonicalOperation::ListRepositories).is_some(), "still bound");
        assert_eq!(list.drift, ["pullCount ([]/pull_count)"]);
        Ok(())
    }

    #[test]
    fn an_oci_catalogue_without_the_repositories_field_is_drift_on_a_required_operation() -> Result<(), String> {
        let yaml = "openapi: 3.0.3\ninfo: { title: t, version: '1' }\npaths:\n  /v2/_catalog:\n    get:\n      operationId: listRepositories\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: { type: object, properties: { repos: { type: array, items: { type: string } } } }\n";
        let doc = parse_document(yaml.as_bytes()).map_err(|e| e.to_string())?;
        let (_, checks) = bind_operations(&doc.openapi, &oci(), &[], "registry");
        let list = checks.iter().find(|c| c.operation == "listRepositories").ok_or("no check")?;
        assert!(list.required && list.found);
        assert_eq!(list.drift, ["name (/repositories/[])"]);
        Ok(())
    }

    #[test]
    fn a_path_placeholder_without_a_parameter_is_reported() -> Result<(), String> {
        let yaml = "openapi: 3.0.3\ninfo: { title: t, version: '1' }\npaths:\n  /v2/{name}/tags/list:\n    get:\n      operationId: listTags\n      responses: { '200': { description: ok } }\n";
        let doc = parse_document(yaml.as_bytes()).map_err(|e| e.to_string())?;
        let (_, checks) = bind_operations(&doc.openapi, &oci(), &[], "registry");
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
