//! What the normalizer's tests share: small documents written as YAML,
//! and running the whole normalizer on them (each pass is tested through
//! the pipeline, so a test sees what progenitor is given).

pub(in crate::normalize) use serde_json::{Value, json};

pub(in crate::normalize) use super::{HAND_WRITTEN, Normalized, Ungenerated, normalize};

pub(in crate::normalize) fn yaml(text: &str) -> Value {
    serde_norway::from_str::<Value>(text).expect("the test's YAML parses")
}

pub(in crate::normalize) const HEAD: &str = "openapi: 3.1.0\ninfo: {title: Test, version: '1'}\n";

/// A document with no operations and `schemas` (YAML) as its components.
pub(in crate::normalize) fn with_schemas(schemas: &str) -> Value {
    let mut doc = yaml(&format!("{HEAD}paths: {{}}\n"));
    doc["components"] = json!({ "schemas": yaml(schemas) });
    doc
}

/// A document with `paths` (YAML) and, optionally, component `schemas`.
pub(in crate::normalize) fn with_paths(paths: &str, schemas: &str) -> Value {
    let mut doc = yaml(HEAD);
    doc["paths"] = yaml(paths);
    if !schemas.is_empty() {
        doc["components"] = json!({ "schemas": yaml(schemas) });
    }
    doc
}

pub(in crate::normalize) fn run(doc: Value) -> Normalized {
    normalize(doc, Ungenerated::HandWritten(HAND_WRITTEN))
        .unwrap_or_else(|e| panic!("normalize failed: {e:#}"))
}

pub(in crate::normalize) fn failure(doc: Value) -> String {
    match normalize(doc, Ungenerated::HandWritten(HAND_WRITTEN)) {
        Ok(n) => panic!("normalize succeeded; notes: {:#?}", n.notes),
        Err(e) => format!("{e:#}"),
    }
}

pub(in crate::normalize) fn at<'a>(n: &'a Normalized, ptr: &str) -> &'a Value {
    n.doc
        .pointer(ptr)
        .unwrap_or_else(|| panic!("nothing at {ptr} in\n{:#}", n.doc))
}

pub(in crate::normalize) fn component<'a>(n: &'a Normalized, name: &str) -> &'a Value {
    at(n, &format!("/components/schemas/{name}"))
}

pub(in crate::normalize) fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// What every document without error responses gets: a placeholder error
/// type (progenitor needs one to name).
pub(in crate::normalize) fn placeholder_error() -> Value {
    json!({"description": "An error body; the spec declares none."})
}
