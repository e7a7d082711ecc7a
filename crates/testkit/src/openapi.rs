//! Checks API responses against the server's own OpenAPI document: every response of a
//! [`crate::TestServer`] under `/api/` passes through [`check_response`], so every HTTP
//! test is also a test of the document.
//!
//! The validator covers the part of JSON Schema that utoipa writes: `$ref`, `type` (one
//! or a list), `enum`, `const`, `properties`, `required`, `additionalProperties`,
//! `items`, `oneOf`, `anyOf`, `allOf`, `nullable`, `minimum` and `maximum`. It is
//! stricter than JSON Schema in one way, on purpose: an object whose schema lists its
//! `properties` and says nothing of `additionalProperties` may not carry others, so a
//! field the document does not name fails.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use serde_json::Value;

/// The document, built once per test process from the same code the server serves it by.
pub fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let json = mamori_web::api::document()
            .to_json()
            .expect("the OpenAPI document serialises");
        serde_json::from_str(&json).expect("the OpenAPI document is JSON")
    })
}

/// Whether responses to `path` are described by the document.
pub fn is_api_path(path: &str) -> bool {
    (path.starts_with("/api/") && path != "/api/openapi.json") || path == "/healthz"
}

/// Checks one response: its status must be declared for the operation, and a JSON body
/// must match the declared schema. `Err` says what does not fit.
pub fn check_response(
    doc: &Value,
    method: &str,
    path: &str,
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<(), String> {
    let method = method.to_ascii_lowercase();
    let where_ = format!("{} {path} answered {status}", method.to_uppercase());
    let is_json = content_type.is_some_and(|c| {
        let essence = c.split(';').next().unwrap_or("").trim();
        essence == "application/json" || essence.ends_with("+json")
    });
    let Some(template) = path_template(doc, path) else {
        // Not an operation of the document: only the router's own refusal may answer.
        if status == 404 || status == 405 {
            return check_error_envelope(doc, is_json, body).map_err(|e| format!("{where_}: {e}"));
        }
        return Err(format!(
            "{where_}, but the path is not in the OpenAPI document"
        ));
    };
    let Some(operation) = doc["paths"][template.as_str()].get(method.as_str()) else {
        if status == 405 {
            return check_error_envelope(doc, is_json, body).map_err(|e| format!("{where_}: {e}"));
        }
        return Err(format!(
            "{where_}, but the document has no {} operation on {template}",
            method.to_uppercase()
        ));
    };
    let responses = &operation["responses"];
    let declared = responses
        .get(status.to_string())
        .or_else(|| responses.get(format!("{}XX", status / 100)))
        .or_else(|| responses.get("default"));
    let Some(declared) = declared else {
        let listed: Vec<&String> = responses
            .as_object()
            .map(|o| o.keys().collect())
            .unwrap_or_default();
        return Err(format!(
            "{where_}, a status the document does not declare for {} {template} \
             (declared: {listed:?}); body: {}",
            method.to_uppercase(),
            String::from_utf8_lossy(&body[..body.len().min(600)])
        ));
    };
    let declared = resolve(doc, declared);
    let json_schema = declared["content"]
        .as_object()
        .and_then(|content| {
            content
                .iter()
                .find(|(kind, _)| kind.as_str() == "application/json" || kind.ends_with("+json"))
        })
        .map(|(_, media)| &media["schema"]);
    match (json_schema, is_json) {
        (Some(schema), true) => {
            let value: Value = serde_json::from_slice(body)
                .map_err(|e| format!("{where_}: the body is not JSON ({e})"))?;
            let mut problems = Vec::new();
            validate(doc, schema, &value, "$", true, &mut problems);
            if problems.is_empty() {
                Ok(())
            } else {
                Err(format!(
                    "{where_}: the body does not match the document:\n  {}\nbody: {}",
                    problems.join("\n  "),
                    truncated(&value)
                ))
            }
        }
        (Some(_), false) if body.is_empty() && status == 204 => Ok(()),
        (Some(_), false) => Err(format!(
            "{where_}: the document declares a JSON body, but the response is {}",
            content_type.unwrap_or("without a content type")
        )),
        (None, true) => Err(format!(
            "{where_}: a JSON body the document does not declare: {}",
            String::from_utf8_lossy(&body[..body.len().min(600)])
        )),
        (None, false) => Ok(()),
    }
}

fn truncated(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(1200) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}

fn check_error_envelope(doc: &Value, is_json: bool, body: &[u8]) -> Result<(), String> {
    if !is_json {
        return Err("an API refusal must be the JSON error envelope".into());
    }
    let value: Value =
        serde_json::from_slice(body).map_err(|e| format!("the body is not JSON ({e})"))?;
    let schema = serde_json::json!({"$ref": "#/components/schemas/ErrorBody"});
    let mut problems = Vec::new();
    validate(doc, &schema, &value, "$", true, &mut problems);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

/// The document's path that `path` is an instance of; literal segments win over
/// `{parameters}` (`/assets/import` over `/assets/{id}`).
pub fn path_template(doc: &Value, path: &str) -> Option<String> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let paths = doc["paths"].as_object()?;
    paths
        .keys()
        .filter_map(|template| {
            let parts: Vec<&str> = template.split('/').collect();
            if parts.len() != segments.len() {
                return None;
            }
            let mut literal = 0;
            for (part, segment) in parts.iter().zip(&segments) {
                if part.starts_with('{') && part.ends_with('}') {
                    if segment.is_empty() {
                        return None;
                    }
                } else if part == segment {
                    literal += 1;
                } else {
                    return None;
                }
            }
            Some((literal, template))
        })
        .max_by_key(|(literal, _)| *literal)
        .map(|(_, template)| template.clone())
}

/// Follows `$ref`s to what they name.
fn resolve<'a>(doc: &'a Value, mut schema: &'a Value) -> &'a Value {
    for _ in 0..32 {
        let Some(reference) = schema.get("$ref").and_then(Value::as_str) else {
            return schema;
        };
        let Some(pointer) = reference.strip_prefix('#') else {
            return schema;
        };
        match doc.pointer(pointer) {
            Some(target) => schema = target,
            None => return schema,
        }
    }
    schema
}

fn type_matches(kind: &str, value: &Value) -> bool {
    match kind {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "string" => value.is_string(),
        "number" => value.is_number(),
        "integer" => value.is_i64() || value.is_u64(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => false,
    }
}

/// The property names an object schema allows, or `None` when it allows any.
fn known_properties(doc: &Value, schema: &Value) -> Option<BTreeSet<String>> {
    let schema = resolve(doc, schema);
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        let mut names = BTreeSet::new();
        for part in parts {
            names.extend(known_properties(doc, part)?);
        }
        if let Some(own) = schema.get("properties").and_then(Value::as_object) {
            names.extend(own.keys().cloned());
        }
        return Some(names);
    }
    if schema.get("additionalProperties").is_some() {
        return None;
    }
    let own = schema.get("properties").and_then(Value::as_object)?;
    Some(own.keys().cloned().collect())
}

/// Checks `value` against `schema`, adding a line per problem. `closed`: whether
/// properties beyond those listed are refused here (not while checking one part of an
/// `allOf`, whose other parts name the rest).
pub fn validate(
    doc: &Value,
    schema: &Value,
    value: &Value,
    at: &str,
    closed: bool,
    problems: &mut Vec<String>,
) {
    let schema = resolve(doc, schema);
    let Some(schema_object) = schema.as_object() else {
        // `true` or a missing schema: anything goes.
        if schema == &Value::Bool(false) {
            problems.push(format!("{at}: nothing is allowed here"));
        }
        return;
    };
    if value.is_null() && schema_object.get("nullable") == Some(&Value::Bool(true)) {
        return;
    }
    match schema_object.get("type") {
        Some(Value::String(kind)) if !type_matches(kind, value) => {
            problems.push(format!("{at}: {} is not of type {kind}", short(value)));
            return;
        }
        Some(Value::Array(kinds))
            if !kinds
                .iter()
                .filter_map(Value::as_str)
                .any(|k| type_matches(k, value)) =>
        {
            problems.push(format!("{at}: {} is not of type {kinds:?}", short(value)));
            return;
        }
        _ => {}
    }
    if let Some(allowed) = schema_object.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        problems.push(format!(
            "{at}: {} is not one of the declared values {}",
            short(value),
            Value::Array(allowed.clone())
        ));
    }
    if let Some(constant) = schema_object.get("const")
        && constant != value
    {
        problems.push(format!("{at}: {} is not {constant}", short(value)));
    }
    if let Some(number) = value.as_f64() {
        if let Some(minimum) = schema_object.get("minimum").and_then(Value::as_f64)
            && number < minimum
        {
            problems.push(format!("{at}: {number} is below the minimum {minimum}"));
        }
        if let Some(maximum) = schema_object.get("maximum").and_then(Value::as_f64)
            && number > maximum
        {
            problems.push(format!("{at}: {number} is above the maximum {maximum}"));
        }
    }
    if let Some(parts) = schema_object.get("allOf").and_then(Value::as_array) {
        for part in parts {
            validate(doc, part, value, at, false, problems);
        }
    }
    if let Some(choices) = schema_object.get("oneOf").and_then(Value::as_array) {
        check_choices(doc, choices, value, at, closed, true, problems);
    }
    if let Some(choices) = schema_object.get("anyOf").and_then(Value::as_array) {
        check_choices(doc, choices, value, at, closed, false, problems);
    }
    if let Some(items) = schema_object.get("items")
        && let Some(array) = value.as_array()
    {
        for (i, item) in array.iter().enumerate() {
            validate(doc, items, item, &format!("{at}[{i}]"), true, problems);
        }
    }
    let Some(object) = value.as_object() else {
        return;
    };
    if let Some(required) = schema_object.get("required").and_then(Value::as_array) {
        for name in required.iter().filter_map(Value::as_str) {
            if !object.contains_key(name) {
                problems.push(format!("{at}: the required property `{name}` is missing"));
            }
        }
    }
    let properties = schema_object.get("properties").and_then(Value::as_object);
    for (name, field) in object {
        let here = format!("{at}.{name}");
        if let Some(property) = properties.and_then(|p| p.get(name)) {
            validate(doc, property, field, &here, true, problems);
        } else if let Some(extra) = schema_object.get("additionalProperties") {
            validate(doc, extra, field, &here, true, problems);
        }
    }
    if closed
        && (properties.is_some() || schema_object.contains_key("allOf"))
        && let Some(known) = known_properties(doc, schema)
    {
        for name in object.keys().filter(|name| !known.contains(*name)) {
            problems.push(format!(
                "{at}: the property `{name}` is not in the document"
            ));
        }
    }
}

fn check_choices(
    doc: &Value,
    choices: &[Value],
    value: &Value,
    at: &str,
    closed: bool,
    exactly_one: bool,
    problems: &mut Vec<String>,
) {
    let mut fits = 0;
    let mut reasons = Vec::new();
    for (i, choice) in choices.iter().enumerate() {
        let mut own = Vec::new();
        validate(doc, choice, value, at, closed, &mut own);
        if own.is_empty() {
            fits += 1;
        } else {
            reasons.push(format!("choice {i}: {}", own.join("; ")));
        }
    }
    if fits == 0 {
        problems.push(format!(
            "{at}: fits none of the {} choices ({})",
            choices.len(),
            reasons.join(" | ")
        ));
    } else if exactly_one && fits > 1 {
        problems.push(format!(
            "{at}: fits {fits} of the `oneOf` choices, which must be exactly one"
        ));
    }
}

fn short(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(80) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({
            "paths": {
                "/api/v1/things/{id}": {"get": {"responses": {
                    "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                    "404": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}}
                }}},
                "/api/v1/things/new": {"get": {"responses": {"204": {"description": "none"}}}}
            },
            "components": {"schemas": {
                "Thing": {"type": "object", "required": ["id", "status"], "properties": {
                    "id": {"type": "integer", "minimum": 0},
                    "status": {"type": "string", "enum": ["draft", "approved"]},
                    "note": {"type": ["string", "null"]},
                    "owner": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Owner"}]},
                    "tags": {"type": "array", "items": {"type": "string"}}
                }},
                "Owner": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
                "Flat": {"allOf": [{"$ref": "#/components/schemas/Owner"},
                    {"type": "object", "properties": {"age": {"type": "integer"}}}]},
                "ErrorBody": {"type": "object", "required": ["error"], "properties": {
                    "error": {"type": "object", "properties": {"code": {"type": "string"}}}}}
            }}
        })
    }

    fn problems(schema: Value, value: Value) -> Vec<String> {
        let doc = doc();
        let mut out = Vec::new();
        validate(&doc, &schema, &value, "$", true, &mut out);
        out
    }

    #[test]
    fn a_matching_body_passes_and_each_kind_of_mismatch_is_named() {
        let thing = json!({"$ref": "#/components/schemas/Thing"});
        assert!(
            problems(
                thing.clone(),
                json!({"id": 1, "status": "draft", "note": null,
            "owner": {"name": "総務課"}, "tags": ["a"]})
            )
            .is_empty()
        );
        let cases = [
            (json!({"status": "draft"}), "required property `id`"),
            (json!({"id": "1", "status": "draft"}), "not of type integer"),
            (json!({"id": -1, "status": "draft"}), "below the minimum"),
            (
                json!({"id": 1, "status": "deleted"}),
                "not one of the declared values",
            ),
            (
                json!({"id": 1, "status": "draft", "extra": 1}),
                "`extra` is not in the document",
            ),
            (
                json!({"id": 1, "status": "draft", "owner": {}}),
                "fits none",
            ),
            (
                json!({"id": 1, "status": "draft", "tags": [1]}),
                "$.tags[0]",
            ),
        ];
        for (value, expected) in cases {
            let found = problems(thing.clone(), value.clone());
            assert!(
                found.iter().any(|p| p.contains(expected)),
                "{value}: {found:?} should mention {expected}"
            );
        }
    }

    #[test]
    fn all_of_parts_together_name_the_allowed_properties() {
        let flat = json!({"$ref": "#/components/schemas/Flat"});
        assert!(problems(flat.clone(), json!({"name": "a", "age": 3})).is_empty());
        assert!(!problems(flat.clone(), json!({"name": "a", "size": 3})).is_empty());
        assert!(!problems(flat, json!({"age": 3})).is_empty());
    }

    #[test]
    fn statuses_and_paths_are_checked() {
        let doc = doc();
        let json = Some("application/json");
        assert!(
            check_response(
                &doc,
                "GET",
                "/api/v1/things/7",
                200,
                json,
                br#"{"id": 7, "status": "approved"}"#
            )
            .is_ok()
        );
        let undeclared = check_response(
            &doc,
            "GET",
            "/api/v1/things/7",
            409,
            json,
            br#"{"error": {"code": "conflict"}}"#,
        )
        .unwrap_err();
        assert!(undeclared.contains("does not declare"), "{undeclared}");
        // The literal path wins over the template.
        assert_eq!(
            path_template(&doc, "/api/v1/things/new").as_deref(),
            Some("/api/v1/things/new")
        );
        let body = check_response(&doc, "GET", "/api/v1/things/new", 204, json, b"{}").unwrap_err();
        assert!(body.contains("does not declare"), "{body}");
        assert!(
            check_response(
                &doc,
                "POST",
                "/api/v1/things/7",
                405,
                json,
                br#"{"error": {"code": "method_not_allowed"}}"#
            )
            .is_ok()
        );
        assert!(check_response(&doc, "GET", "/api/v1/nothing", 200, json, b"{}").is_err());
    }
}
