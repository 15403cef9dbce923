//! Normalisation on the real Harbor (Swagger 2.0) and Docker Hub (3.0.3)
//! documents, and on small 2.0 and 3.1 documents for each rule.

use openapiv3::{OpenAPI, ReferenceOr};

use super::*;
use crate::registry::document::parse_document;

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/specs").join(name);
    std::fs::read(&path).unwrap_or_default()
}

fn op<'a>(doc: &'a OpenAPI, path: &str, method: &str) -> Option<&'a openapiv3::Operation> {
    doc.paths.paths.get(path)?.as_item()?.iter().find(|(m, _)| *m == method).map(|(_, o)| o)
}

#[test]
fn harbor_swagger2_becomes_a_readable_openapi30_document() -> Result<(), String> {
    let bytes = fixture("harbor-v2.0-swagger.yaml");
    assert!(!bytes.is_empty(), "fixture missing");
    let doc = parse_document(&bytes).map_err(|e| e.to_string())?;
    assert_eq!(doc.title, "Harbor API 2.0");
    let api = &doc.openapi;
    let servers: Vec<&str> = api.servers.iter().map(|s| s.url.as_str()).collect();
    assert_eq!(servers, ["http://localhost/api/v2.0", "https://localhost/api/v2.0"]);

    let list = op(api, "/projects/{project_name}/repositories", "get").ok_or("no listRepositories")?;
    assert_eq!(list.operation_id.as_deref(), Some("listRepositories"));
    let ok = match list.responses.responses.get(&openapiv3::StatusCode::Code(200)) {
        Some(ReferenceOr::Item(r)) => r,
        _ => return Err("no inline 200 response".into()),
    };
    assert!(ok.headers.contains_key("X-Total-Count"), "headers kept: {:?}", ok.headers.keys().collect::<Vec<_>>());
    assert!(ok.content.contains_key("application/json"));

    let create = op(api, "/projects", "post").ok_or("no createProject")?;
    let body = match &create.request_body {
        Some(ReferenceOr::Item(b)) => b,
        _ => return Err("no inline request body".into()),
    };
    let schema = body.content.get("application/json").and_then(|m| m.schema.as_ref()).ok_or("no body schema")?;
    match schema {
        ReferenceOr::Reference { reference } => assert_eq!(reference, "#/components/schemas/ProjectReq"),
        ReferenceOr::Item(_) => return Err("expected a schema reference".into()),
    }
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("#/definitions/"), "the source uses 2.0 references");
    let converted = serde_json::to_string(api).map_err(|e| e.to_string())?;
    assert!(!converted.contains("#/definitions/") && !converted.contains("\"#/parameters/"));
    Ok(())
}

#[test]
fn the_docker_hub_document_is_read_as_is() -> Result<(), String> {
    let doc = parse_document(&fixture("dockerhub-latest.yaml")).map_err(|e| e.to_string())?;
    assert_eq!(doc.title, "Docker HUB API beta");
    assert!(op(&doc.openapi, "/v2/namespaces/{namespace}/repositories/{repository}/tags", "get").is_some());
    assert_eq!(
        doc.repairs,
        [
            "#/components/schemas/createOrgAccessTokenRequest/properties/label: `required: true` on a property moved to the object's `required` list",
            "#/components/schemas/orgAccessTokenResource/properties/path: `required: true` on a property moved to the object's `required` list",
            "#/components/schemas/orgAccessTokenResource/properties/scopes: `required: true` on a property moved to the object's `required` list",
            "#/components/schemas/orgAccessTokenResource/properties/type: `required: true` on a property moved to the object's `required` list",
        ]
    );
    Ok(())
}

#[test]
fn swagger2_form_and_body_parameters_become_request_bodies() -> Result<(), String> {
    let src = serde_json::json!({
        "swagger": "2.0", "info": {"title": "t", "version": "1"}, "basePath": "/api",
        "consumes": ["application/json"],
        "parameters": {"Body": {"name": "b", "in": "body", "required": true, "schema": {"$ref": "#/definitions/Thing"}},
                       "Page": {"name": "page", "in": "query", "type": "integer", "format": "int64", "default": 1}},
        "definitions": {"Thing": {"type": "object", "x-nullable": true, "properties": {"f": {"type": "file"}}}},
        "paths": {
            "/things": {"post": {"parameters": [{"$ref": "#/parameters/Body"}, {"$ref": "#/parameters/Page"}],
                                  "responses": {"200": {"description": "ok", "schema": {"$ref": "#/definitions/Thing"}}}}},
            "/upload": {"post": {"parameters": [{"name": "file", "in": "formData", "type": "file", "required": true}],
                                  "responses": {"201": {"description": "made"}}}}
        }
    });
    let out = swagger2_to_openapi30(src)?;
    assert_eq!(out["servers"], serde_json::json!([{"url": "/api"}]));
    let things = &out["paths"]["/things"]["post"];
    assert_eq!(things["requestBody"]["required"], true);
    assert_eq!(things["requestBody"]["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/Thing");
    assert_eq!(things["parameters"], serde_json::json!([{"$ref": "#/components/parameters/Page"}]));
    assert_eq!(
        out["components"]["parameters"]["Page"]["schema"],
        serde_json::json!({"type": "integer", "format": "int64", "default": 1})
    );
    assert!(out["components"]["parameters"].get("Body").is_none(), "body parameters are not parameters in 3.0");
    assert_eq!(out["components"]["schemas"]["Thing"]["nullable"], true);
    assert_eq!(
        out["components"]["schemas"]["Thing"]["properties"]["f"],
        serde_json::json!({"type": "string", "format": "binary"})
    );
    let upload = &out["paths"]["/upload"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"];
    assert_eq!(upload["required"], serde_json::json!(["file"]));
    let parsed: OpenAPI = serde_json::from_value(out).map_err(|e| e.to_string())?;
    assert_eq!(parsed.openapi, "3.0.3");
    Ok(())
}

#[test]
fn openapi31_type_arrays_and_const_become_30() -> Result<(), String> {
    let src = serde_json::json!({
        "openapi": "3.1.0", "info": {"title": "t", "version": "1", "license": {"name": "MIT", "identifier": "MIT"}},
        "webhooks": {},
        "components": {"schemas": {"Repo": {"type": "object", "properties": {
            "description": {"type": ["string", "null"]},
            "kind": {"const": "image"},
            "count": {"type": "integer", "exclusiveMinimum": 0},
            "either": {"type": ["string", "integer"]}
        }}}}
    });
    let out = openapi31_to_openapi30(src)?;
    let props = &out["components"]["schemas"]["Repo"]["properties"];
    assert_eq!(props["description"], serde_json::json!({"type": "string", "nullable": true}));
    assert_eq!(props["kind"], serde_json::json!({"enum": ["image"]}));
    assert_eq!(props["count"], serde_json::json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true}));
    assert_eq!(props["either"], serde_json::json!({"oneOf": [{"type": "string"}, {"type": "integer"}]}));
    assert!(out.get("webhooks").is_none());
    let parsed: OpenAPI = serde_json::from_value(out).map_err(|e| e.to_string())?;
    assert!(parsed.paths.paths.is_empty());
    Ok(())
}
