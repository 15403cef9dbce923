//! Swagger 2.0 and OpenAPI 3.1 documents rewritten as OpenAPI 3.0, so one
//! parser (`openapiv3`) reads every registry's document. Works on JSON
//! values; what 3.0 cannot say is dropped, never guessed.

use serde_json::{Map, Value, json};

/// Repairs mistakes real documents make that 3.0 parsers refuse, and says
/// what was repaired: a boolean `required` on a property (Docker Hub's
/// document has these) becomes an entry in the parent's `required` list.
pub fn repair_common_mistakes(doc: &mut Value) -> Vec<String> {
    let mut notes = Vec::new();
    repair_walk(doc, "#", &mut notes);
    notes
}

fn repair_walk(v: &mut Value, at: &str, notes: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            if let Some(Value::Object(props)) = map.get_mut("properties") {
                let mut lifted = Vec::new();
                for (name, prop) in props.iter_mut() {
                    if let Some(Value::Bool(flag)) = prop.get("required").cloned() {
                        if let Some(p) = prop.as_object_mut() {
                            p.remove("required");
                        }
                        notes.push(format!("{at}/properties/{name}: `required: {flag}` on a property moved to the object's `required` list"));
                        if flag {
                            lifted.push(Value::String(name.clone()));
                        }
                    }
                }
                if !lifted.is_empty() {
                    let list = map.entry("required").or_insert_with(|| Value::Array(Vec::new()));
                    if let Value::Array(items) = list {
                        items.extend(lifted);
                    }
                }
            }
            for (k, child) in map.iter_mut() {
                repair_walk(child, &format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), notes);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter_mut().enumerate() {
                repair_walk(child, &format!("{at}/{i}"), notes);
            }
        }
        _ => {}
    }
}

/// Rewrites a Swagger 2.0 document as OpenAPI 3.0.3.
pub fn swagger2_to_openapi30(mut doc: Value) -> Result<Value, String> {
    let obj = doc.as_object_mut().ok_or("the document is not a mapping")?;
    let global_produces = string_list(obj.get("produces"));
    let global_consumes = string_list(obj.get("consumes"));
    let top_parameters = obj.get("parameters").cloned().unwrap_or_else(|| json!({}));

    let mut out = Map::new();
    out.insert("openapi".into(), json!("3.0.3"));
    out.insert("info".into(), obj.get("info").cloned().unwrap_or_else(|| json!({"title": "", "version": ""})));
    out.insert("servers".into(), Value::Array(servers(obj)));
    for key in ["tags", "security", "externalDocs"] {
        if let Some(v) = obj.get(key) {
            out.insert(key.into(), v.clone());
        }
    }

    let mut components = Map::new();
    if let Some(Value::Object(defs)) = obj.get("definitions") {
        let schemas: Map<String, Value> = defs.iter().map(|(k, v)| (k.clone(), schema2(v))).collect();
        components.insert("schemas".into(), Value::Object(schemas));
    }
    if let Value::Object(params) = &top_parameters {
        let kept: Map<String, Value> = params
            .iter()
            .filter(|(_, p)| !matches!(p.get("in").and_then(Value::as_str), Some("body" | "formData")))
            .map(|(k, p)| (k.clone(), parameter2(p)))
            .collect();
        components.insert("parameters".into(), Value::Object(kept));
    }
    if let Some(Value::Object(responses)) = obj.get("responses") {
        let converted: Map<String, Value> =
            responses.iter().map(|(k, r)| (k.clone(), response2(r, &global_produces))).collect();
        components.insert("responses".into(), Value::Object(converted));
    }
    if let Some(Value::Object(security)) = obj.get("securityDefinitions") {
        let converted: Map<String, Value> = security.iter().map(|(k, s)| (k.clone(), security2(s))).collect();
        components.insert("securitySchemes".into(), Value::Object(converted));
    }
    out.insert("components".into(), Value::Object(components));

    let mut paths = Map::new();
    if let Some(Value::Object(src)) = obj.get("paths") {
        for (path, item) in src {
            let Value::Object(item) = item else { continue };
            let mut new_item = Map::new();
            for (key, value) in item {
                match key.as_str() {
                    "get" | "put" | "post" | "delete" | "options" | "head" | "patch" => {
                        new_item.insert(
                            key.clone(),
                            operation2(value, &top_parameters, &global_produces, &global_consumes),
                        );
                    }
                    "parameters" => {
                        let params = value
                            .as_array()
                            .map(|ps| {
                                ps.iter()
                                    .filter(|p| !is_body_like(p, &top_parameters))
                                    .map(parameter2)
                                    .collect::<Vec<_>>()
                            })
                            .unwrap_or_default();
                        new_item.insert(key.clone(), Value::Array(params));
                    }
                    k if k.starts_with("x-") => {
                        new_item.insert(key.clone(), value.clone());
                    }
                    _ => {}
                }
            }
            paths.insert(path.clone(), Value::Object(new_item));
        }
    }
    out.insert("paths".into(), Value::Object(paths));
    let mut out = Value::Object(out);
    rewrite_refs(&mut out);
    Ok(out)
}

/// Rewrites an OpenAPI 3.1 document as 3.0.3: type arrays with `null`
/// become `nullable`, `const` an `enum`, numeric exclusive bounds booleans.
pub fn openapi31_to_openapi30(mut doc: Value) -> Result<Value, String> {
    let obj = doc.as_object_mut().ok_or("the document is not a mapping")?;
    obj.insert("openapi".into(), json!("3.0.3"));
    obj.remove("webhooks");
    obj.remove("jsonSchemaDialect");
    obj.entry("paths").or_insert_with(|| json!({}));
    if let Some(Value::Object(license)) = obj.get_mut("info").and_then(|i| i.get_mut("license")) {
        license.remove("identifier");
    }
    schema31_walk(&mut doc);
    Ok(doc)
}

fn servers(obj: &Map<String, Value>) -> Vec<Value> {
    let base = obj.get("basePath").and_then(Value::as_str).unwrap_or("");
    match obj.get("host").and_then(Value::as_str) {
        Some(host) => {
            let schemes = string_list(obj.get("schemes"));
            let schemes = if schemes.is_empty() { vec!["https".to_string()] } else { schemes };
            schemes.iter().map(|s| json!({ "url": format!("{s}://{host}{base}") })).collect()
        }
        None => vec![json!({ "url": if base.is_empty() { "/" } else { base } })],
    }
}

fn string_list(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|s| s.as_str().map(String::from)).collect())
        .unwrap_or_default()
}

/// A parameter that is `in: body`/`formData`, directly or by reference.
fn is_body_like(p: &Value, top: &Value) -> bool {
    resolve_param(p, top).get("in").and_then(Value::as_str).is_some_and(|i| i == "body" || i == "formData")
}

fn resolve_param<'a>(p: &'a Value, top: &'a Value) -> &'a Value {
    match p.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/parameters/")) {
        Some(name) => top.get(name).unwrap_or(p),
        None => p,
    }
}

fn operation2(op: &Value, top: &Value, global_produces: &[String], global_consumes: &[String]) -> Value {
    let Value::Object(op) = op else { return op.clone() };
    let produces = match string_list(op.get("produces")) {
        p if p.is_empty() => global_produces.to_vec(),
        p => p,
    };
    let consumes = match string_list(op.get("consumes")) {
        c if c.is_empty() => global_consumes.to_vec(),
        c => c,
    };
    let mut out = Map::new();
    let mut params = Vec::new();
    let mut body: Option<Value> = None;
    let mut form = Map::new();
    let mut form_required = Vec::new();
    let mut has_file = false;
    for p in op.get("parameters").and_then(Value::as_array).into_iter().flatten() {
        let resolved = resolve_param(p, top);
        match resolved.get("in").and_then(Value::as_str) {
            Some("body") => {
                let media = if consumes.is_empty() { vec!["application/json".to_string()] } else { consumes.clone() };
                let schema = resolved.get("schema").map(schema2).unwrap_or_else(|| json!({}));
                let content: Map<String, Value> =
                    media.iter().map(|m| (m.clone(), json!({ "schema": schema }))).collect();
                let mut rb = json!({ "content": content });
                if resolved.get("required").and_then(Value::as_bool) == Some(true) {
                    rb["required"] = json!(true);
                }
                if let Some(d) = resolved.get("description") {
                    rb["description"] = d.clone();
                }
                body = Some(rb);
            }
            Some("formData") => {
                let name = resolved.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
                has_file |= resolved.get("type").and_then(Value::as_str) == Some("file");
                if resolved.get("required").and_then(Value::as_bool) == Some(true) {
                    form_required.push(json!(name));
                }
                form.insert(name, schema2(&schema_of_simple(resolved)));
            }
            _ => params.push(parameter2(p)),
        }
    }
    if !form.is_empty() {
        let media = if has_file { "multipart/form-data" } else { "application/x-www-form-urlencoded" };
        let mut schema = json!({ "type": "object", "properties": form });
        if !form_required.is_empty() {
            schema["required"] = Value::Array(form_required);
        }
        body = Some(json!({ "content": { media: { "schema": schema } } }));
    }
    for (key, value) in op {
        match key.as_str() {
            "parameters" | "produces" | "consumes" | "schemes" => {}
            "responses" => {
                let converted: Map<String, Value> = value
                    .as_object()
                    .map(|rs| rs.iter().map(|(code, r)| (code.clone(), response2(r, &produces))).collect())
                    .unwrap_or_default();
                out.insert("responses".into(), Value::Object(converted));
            }
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    if !params.is_empty() {
        out.insert("parameters".into(), Value::Array(params));
    }
    if let Some(b) = body {
        out.insert("requestBody".into(), b);
    }
    Value::Object(out)
}

/// A non-body parameter: its type keywords move into `schema`.
fn parameter2(p: &Value) -> Value {
    let Value::Object(src) = p else { return p.clone() };
    if src.contains_key("$ref") {
        return p.clone();
    }
    let mut out = Map::new();
    for key in ["name", "in", "description", "required", "deprecated", "allowEmptyValue"] {
        if let Some(v) = src.get(key) {
            out.insert(key.into(), v.clone());
        }
    }
    if src.get("in").and_then(Value::as_str) == Some("path") {
        out.insert("required".into(), json!(true));
    }
    out.insert("schema".into(), schema2(&schema_of_simple(p)));
    Value::Object(out)
}

/// The JSON-schema keywords a Swagger 2.0 simple parameter or header carries.
fn schema_of_simple(p: &Value) -> Value {
    const KEYS: [&str; 15] = [
        "type",
        "format",
        "items",
        "enum",
        "default",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "pattern",
        "minItems",
        "maxItems",
        "uniqueItems",
    ];
    let mut schema = Map::new();
    for key in KEYS {
        if let Some(v) = p.get(key) {
            schema.insert(key.into(), v.clone());
        }
    }
    Value::Object(schema)
}

fn response2(r: &Value, produces: &[String]) -> Value {
    let Value::Object(src) = r else { return r.clone() };
    if src.contains_key("$ref") {
        return r.clone();
    }
    let mut out = Map::new();
    out.insert("description".into(), src.get("description").cloned().unwrap_or_else(|| json!("")));
    if let Some(schema) = src.get("schema") {
        let media = if produces.is_empty() { vec!["application/json".to_string()] } else { produces.to_vec() };
        let content: Map<String, Value> =
            media.iter().map(|m| (m.clone(), json!({ "schema": schema2(schema) }))).collect();
        out.insert("content".into(), Value::Object(content));
    }
    if let Some(Value::Object(headers)) = src.get("headers") {
        let converted: Map<String, Value> = headers
            .iter()
            .map(|(k, h)| {
                let mut header = json!({ "schema": schema2(&schema_of_simple(h)) });
                if let Some(d) = h.get("description") {
                    header["description"] = d.clone();
                }
                (k.clone(), header)
            })
            .collect();
        out.insert("headers".into(), Value::Object(converted));
    }
    Value::Object(out)
}

fn security2(s: &Value) -> Value {
    match s.get("type").and_then(Value::as_str) {
        Some("basic") => json!({ "type": "http", "scheme": "basic" }),
        Some("apiKey") => s.clone(),
        Some("oauth2") => {
            let flow = match s.get("flow").and_then(Value::as_str) {
                Some("implicit") => "implicit",
                Some("password") => "password",
                Some("application") => "clientCredentials",
                _ => "authorizationCode",
            };
            let mut f = json!({ "scopes": s.get("scopes").cloned().unwrap_or_else(|| json!({})) });
            for (from, to) in [("authorizationUrl", "authorizationUrl"), ("tokenUrl", "tokenUrl")] {
                if let Some(v) = s.get(from) {
                    f[to] = v.clone();
                }
            }
            json!({ "type": "oauth2", "flows": { flow: f } })
        }
        _ => s.clone(),
    }
}

/// Schema keywords 3.0 reads differently: `type: file`, `x-nullable`.
fn schema2(s: &Value) -> Value {
    match s {
        Value::Object(src) => {
            let mut out = Map::new();
            for (k, v) in src {
                match k.as_str() {
                    "x-nullable" => {
                        out.insert("nullable".into(), v.clone());
                    }
                    "type" if v == "file" => {
                        out.insert("type".into(), json!("string"));
                        out.insert("format".into(), json!("binary"));
                    }
                    "discriminator" if v.is_string() => {
                        out.insert("discriminator".into(), json!({ "propertyName": v }));
                    }
                    "properties" | "definitions" | "patternProperties" => {
                        let inner: Map<String, Value> = v
                            .as_object()
                            .map(|m| m.iter().map(|(pk, pv)| (pk.clone(), schema2(pv))).collect())
                            .unwrap_or_default();
                        out.insert(k.clone(), Value::Object(inner));
                    }
                    "items" | "additionalProperties" | "not" => {
                        out.insert(k.clone(), schema2(v));
                    }
                    "allOf" | "anyOf" | "oneOf" => {
                        out.insert(k.clone(), Value::Array(v.as_array().into_iter().flatten().map(schema2).collect()));
                    }
                    _ => {
                        out.insert(k.clone(), v.clone());
                    }
                }
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

/// `#/definitions/X` → `#/components/schemas/X`, and likewise for
/// parameters and responses, everywhere in the document.
fn rewrite_refs(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                if k == "$ref" {
                    if let Value::String(r) = child {
                        for (from, to) in [
                            ("#/definitions/", "#/components/schemas/"),
                            ("#/parameters/", "#/components/parameters/"),
                            ("#/responses/", "#/components/responses/"),
                        ] {
                            if let Some(rest) = r.strip_prefix(from) {
                                *r = format!("{to}{rest}");
                                break;
                            }
                        }
                    }
                } else {
                    rewrite_refs(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_refs),
        _ => {}
    }
}

/// Applies the 3.1 → 3.0 schema rewrites to every object that looks like a schema.
fn schema31_walk(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get("type").cloned() {
                let non_null: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
                if non_null.len() < types.len() {
                    map.insert("nullable".into(), json!(true));
                }
                match non_null.as_slice() {
                    [one] => {
                        map.insert("type".into(), one.clone());
                    }
                    [] => {
                        map.remove("type");
                    }
                    many => {
                        map.remove("type");
                        let variants: Vec<Value> = many.iter().map(|t| json!({ "type": t })).collect();
                        map.insert("oneOf".into(), Value::Array(variants));
                    }
                }
            } else if map.get("type") == Some(&json!("null")) {
                map.remove("type");
                map.insert("nullable".into(), json!(true));
            }
            if let Some(c) = map.remove("const") {
                map.insert("enum".into(), json!([c]));
            }
            if let Some(Value::Array(examples)) = map.get("examples").cloned()
                && (map.contains_key("type") || map.contains_key("properties"))
            {
                map.remove("examples");
                if let Some(first) = examples.first() {
                    map.insert("example".into(), first.clone());
                }
            }
            for (bound, flag) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
                if let Some(n) = map.get(bound).filter(|v| v.is_number()).cloned() {
                    map.insert(flag.into(), n);
                    map.insert(bound.into(), json!(true));
                }
            }
            map.values_mut().for_each(schema31_walk);
        }
        Value::Array(items) => items.iter_mut().for_each(schema31_walk),
        _ => {}
    }
}

#[cfg(test)]
#[path = "normalize_tests.rs"]
mod tests;
