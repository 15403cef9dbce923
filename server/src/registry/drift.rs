//! Schema drift: each field Reestr reads from an operation's response is
//! looked up in the response schema the document declares. A mapped field
//! the schema lacks is reported, so a renamed field shows up in
//! `reestr check` instead of as blank columns.

use openapiv3::{OpenAPI, Operation, ReferenceOr, Response, Schema, SchemaKind, StatusCode, Type};

use crate::config::Field;

/// Fields whose path the 200 response schema does not have, as `field (path)`.
/// `None` when the document declares no JSON schema to check against.
pub fn drifted_fields(doc: &OpenAPI, op: &Operation, fields: &[(Field, String)]) -> Option<Vec<String>> {
    let response = resolve_response(doc, op.responses.responses.get(&StatusCode::Code(200))?)?;
    let media = response.content.get("application/json").or_else(|| response.content.values().next())?;
    let schema = media.schema.as_ref()?;
    let missing = fields
        .iter()
        .filter(|(_, path)| !has_path(doc, schema, &segments(path), 0))
        .map(|(field, path)| format!("{field} ({path})"))
        .collect();
    Some(missing)
}

fn segments(path: &str) -> Vec<&str> {
    path.split('/').filter(|s| !s.is_empty()).collect()
}

fn resolve_response<'a>(doc: &'a OpenAPI, r: &'a ReferenceOr<Response>) -> Option<&'a Response> {
    match r {
        ReferenceOr::Item(r) => Some(r),
        ReferenceOr::Reference { reference } => {
            let name = reference.strip_prefix("#/components/responses/")?;
            match doc.components.as_ref()?.responses.get(name)? {
                ReferenceOr::Item(r) => Some(r),
                ReferenceOr::Reference { .. } => None,
            }
        }
    }
}

fn resolve_schema<'a>(doc: &'a OpenAPI, s: &'a ReferenceOr<Schema>) -> Option<&'a Schema> {
    match s {
        ReferenceOr::Item(s) => Some(s),
        ReferenceOr::Reference { reference } => schema_by_ref(doc, reference),
    }
}

fn resolve_boxed<'a>(doc: &'a OpenAPI, s: &'a ReferenceOr<Box<Schema>>) -> Option<&'a Schema> {
    match s {
        ReferenceOr::Item(s) => Some(s),
        ReferenceOr::Reference { reference } => schema_by_ref(doc, reference),
    }
}

/// `#/components/schemas/X`, following chains of references (at most 16
/// hops, so a document whose references loop cannot loop Reestr).
fn schema_by_ref<'a>(doc: &'a OpenAPI, reference: &str) -> Option<&'a Schema> {
    let schemas = &doc.components.as_ref()?.schemas;
    let mut reference = reference;
    for _ in 0..16 {
        match schemas.get(reference.strip_prefix("#/components/schemas/")?)? {
            ReferenceOr::Item(s) => return Some(s),
            ReferenceOr::Reference { reference: next } => reference = next,
        }
    }
    None
}

/// Whether `path[at..]` exists under `schema`. Depth-limited against cycles.
fn has_path(doc: &OpenAPI, schema: &ReferenceOr<Schema>, path: &[&str], depth: usize) -> bool {
    if depth > 32 {
        return false;
    }
    let Some(s) = resolve_schema(doc, schema) else { return false };
    has_path_in(doc, s, path, depth)
}

fn has_path_in(doc: &OpenAPI, s: &Schema, path: &[&str], depth: usize) -> bool {
    let Some((first, rest)) = path.split_first() else { return true };
    if depth > 32 {
        return false;
    }
    match &s.schema_kind {
        SchemaKind::AllOf { all_of } | SchemaKind::AnyOf { any_of: all_of } | SchemaKind::OneOf { one_of: all_of } => {
            all_of.iter().any(|member| has_path(doc, member, path, depth + 1))
        }
        SchemaKind::Type(Type::Array(a)) if *first == "[]" => match &a.items {
            Some(items) => resolve_boxed(doc, items).is_some_and(|i| has_path_in(doc, i, rest, depth + 1)),
            None => rest.is_empty(),
        },
        SchemaKind::Type(Type::Object(o)) => match o.properties.get(*first) {
            Some(p) => resolve_boxed(doc, p).is_some_and(|p| has_path_in(doc, p, rest, depth + 1)),
            // A free-form object (no properties, additionalProperties allowed) holds anything.
            None => o.properties.is_empty() && o.additional_properties.is_some(),
        },
        // `{}` or a schema without a type: nothing to check against.
        SchemaKind::Any(a) if a.properties.is_empty() && a.items.is_none() => true,
        SchemaKind::Any(a) => {
            if *first == "[]" {
                a.items
                    .as_ref()
                    .and_then(|i| resolve_boxed(doc, i))
                    .is_some_and(|i| has_path_in(doc, i, rest, depth + 1))
            } else {
                a.properties
                    .get(*first)
                    .and_then(|p| resolve_boxed(doc, p))
                    .is_some_and(|p| has_path_in(doc, p, rest, depth + 1))
            }
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::document::parse_document;

    #[test]
    fn looping_references_end_instead_of_recursing_forever() -> Result<(), String> {
        let yaml = "openapi: 3.0.3\ninfo: { title: t, version: '1' }\npaths:\n  /x:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: { $ref: '#/components/schemas/A' }\ncomponents:\n  schemas:\n    A: { $ref: '#/components/schemas/B' }\n    B: { $ref: '#/components/schemas/A' }\n    C: { type: object, properties: { self: { $ref: '#/components/schemas/C' } } }\n";
        let doc = parse_document(yaml.as_bytes()).map_err(|e| e.to_string())?;
        let op =
            doc.openapi.paths.paths.get("/x").and_then(|i| i.as_item()).and_then(|i| i.get.as_ref()).ok_or("no op")?;
        assert_eq!(
            drifted_fields(&doc.openapi, op, &[(Field::Name, "/name".to_string())]),
            Some(vec!["name (/name)".to_string()])
        );
        let deep = "/self".repeat(40);
        let c = ReferenceOr::Reference { reference: "#/components/schemas/C".to_string() };
        assert!(!has_path(&doc.openapi, &c, &segments(&deep), 0));
        Ok(())
    }
}
