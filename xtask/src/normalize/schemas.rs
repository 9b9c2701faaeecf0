//! Where the document holds schemas, and what the passes ask of one: its
//! shape (to tell two schemas apart), a required property.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::names::pascal;
use crate::spec::{METHODS, escape, schema_pointer};

/// Keys under which a schema holds a map of subschemas.
const SCHEMA_MAPS: &[&str] = &[
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
];
/// Keys under which a schema holds one subschema.
const SCHEMA_SINGLES: &[&str] = &[
    "items",
    "additionalProperties",
    "not",
    "contains",
    "if",
    "then",
    "else",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "additionalItems",
];
/// Keys under which a schema holds a list of subschemas.
const SCHEMA_LISTS: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems"];

/// Every place in the document that holds a schema root:
/// `(pointer, name hint, is a component)`.
pub(super) fn schema_roots(doc: &Value) -> Vec<(String, String, bool)> {
    let mut roots = Vec::new();
    if let Some(comps) = doc.get("components").and_then(Value::as_object) {
        if let Some(schemas) = comps.get("schemas").and_then(Value::as_object) {
            for name in schemas.keys() {
                roots.push((schema_pointer(name), name.clone(), true));
            }
        }
        for (kind, holder) in [
            ("parameters", None),
            ("headers", None),
            ("requestBodies", Some("content")),
            ("responses", Some("content")),
        ] {
            let Some(items) = comps.get(kind).and_then(Value::as_object) else {
                continue;
            };
            for (name, item) in items {
                let base = format!("/components/{kind}/{}", escape(name));
                push_holder_roots(item, &base, &pascal(name), holder, &mut roots);
            }
        }
    }
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            let item_ptr = format!("/paths/{}", escape(path));
            push_param_roots(item, &item_ptr, "Path", &mut roots);
            for method in METHODS {
                let Some(op) = item.get(*method) else {
                    continue;
                };
                let op_ptr = format!("{item_ptr}/{method}");
                let hint = op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .map(pascal)
                    .unwrap_or_default();
                push_param_roots(op, &op_ptr, &hint, &mut roots);
                if let Some(body) = op.get("requestBody") {
                    push_holder_roots(
                        body,
                        &format!("{op_ptr}/requestBody"),
                        &format!("{hint}Body"),
                        Some("content"),
                        &mut roots,
                    );
                }
                if let Some(responses) = op.get("responses").and_then(Value::as_object) {
                    for (code, resp) in responses {
                        push_holder_roots(
                            resp,
                            &format!("{op_ptr}/responses/{}", escape(code)),
                            &format!("{hint}Response"),
                            Some("content"),
                            &mut roots,
                        );
                    }
                }
            }
        }
    }
    roots
}

fn push_param_roots(item: &Value, ptr: &str, hint: &str, roots: &mut Vec<(String, String, bool)>) {
    if let Some(params) = item.get("parameters").and_then(Value::as_array) {
        for (i, p) in params.iter().enumerate() {
            if p.get("schema").is_some() {
                let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
                roots.push((
                    format!("{ptr}/parameters/{i}/schema"),
                    format!("{hint}{}", pascal(name)),
                    false,
                ));
            }
        }
    }
}

/// Schemas inside a parameter/header (`schema`), or a body/response
/// (`content/*/schema` and `headers/*/schema`).
fn push_holder_roots(
    item: &Value,
    base: &str,
    hint: &str,
    holder: Option<&str>,
    roots: &mut Vec<(String, String, bool)>,
) {
    if item.get("$ref").is_some() {
        return;
    }
    match holder {
        None => {
            if item.get("schema").is_some() {
                roots.push((format!("{base}/schema"), hint.to_string(), false));
            }
        }
        Some(_) => {
            if let Some(content) = item.get("content").and_then(Value::as_object) {
                for (mt, media) in content {
                    if media.get("schema").is_some() {
                        roots.push((
                            format!("{base}/content/{}/schema", escape(mt)),
                            hint.to_string(),
                            false,
                        ));
                    }
                }
            }
            if let Some(headers) = item.get("headers").and_then(Value::as_object) {
                for (name, h) in headers {
                    if h.get("schema").is_some() {
                        roots.push((
                            format!("{base}/headers/{}/schema", escape(name)),
                            format!("{hint}{}", pascal(name)),
                            false,
                        ));
                    }
                }
            }
        }
    }
}

/// Pointers to every schema node (roots and all their subschemas).
pub(super) fn schema_pointers(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for (ptr, _, _) in schema_roots(doc) {
        if let Some(s) = doc.pointer(&ptr) {
            subschema_pointers(s, ptr, &mut out);
        }
    }
    out
}

fn subschema_pointers(s: &Value, ptr: String, out: &mut Vec<String>) {
    let Some(obj) = s.as_object() else { return };
    for key in SCHEMA_MAPS {
        if let Some(Value::Object(m)) = obj.get(*key) {
            for (name, sub) in m {
                subschema_pointers(sub, format!("{ptr}/{key}/{}", escape(name)), out);
            }
        }
    }
    for key in SCHEMA_SINGLES {
        if let Some(sub @ Value::Object(_)) = obj.get(*key) {
            subschema_pointers(sub, format!("{ptr}/{key}"), out);
        }
    }
    for key in SCHEMA_LISTS.iter().chain(["items"].iter()) {
        if let Some(Value::Array(list)) = obj.get(*key) {
            for (i, sub) in list.iter().enumerate() {
                subschema_pointers(sub, format!("{ptr}/{key}/{i}"), out);
            }
        }
    }
    out.push(ptr);
}

pub(super) fn require(schema: &mut Value, prop: &str) {
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    let required = obj
        .entry("required")
        .or_insert_with(|| json!([]))
        .as_array_mut();
    if let Some(required) = required
        && !required.iter().any(|r| r == prop)
    {
        required.push(json!(prop));
    }
}

/// A schema's shape, for telling whether two schemas are the same type:
/// annotations (descriptions, titles, examples) do not count. Names under
/// `properties` do: a property called `title` is data, not an annotation.
pub(super) fn canonical(schema: &Value) -> String {
    fn strip(v: &Value) -> Value {
        let m = match v {
            Value::Object(m) => m,
            Value::Array(a) => return Value::Array(a.iter().map(strip).collect()),
            other => return other.clone(),
        };
        let mut out: BTreeMap<String, Value> = BTreeMap::new();
        for (k, sub) in m {
            match k.as_str() {
                "description" | "title" | "example" | "examples" | "$comment" => {}
                // Values, not schemas: compared as they are.
                "enum" | "const" | "default" | "required" | "discriminator" => {
                    out.insert(k.clone(), sub.clone());
                }
                key if SCHEMA_MAPS.contains(&key) => {
                    let named: BTreeMap<String, Value> = sub
                        .as_object()
                        .map(|props| props.iter().map(|(n, s)| (n.clone(), strip(s))).collect())
                        .unwrap_or_default();
                    out.insert(k.clone(), json!(named));
                }
                _ => {
                    out.insert(k.clone(), strip(sub));
                }
            }
        }
        json!(out)
    }
    strip(schema).to_string()
}
