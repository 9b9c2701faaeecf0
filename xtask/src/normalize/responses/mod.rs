//! Pass 7, responses: progenitor 0.15 gives an operation one success
//! type and one error type (it asserts `response_types.len() <= 1`), and
//! reads `default` as success and error both. Every operation's errors
//! decode into one named type (the error bodies of the whole spec, unified),
//! undeclared 4xx/5xx included, and its successes into one type (several
//! success bodies become one untagged union).

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::Log;
use super::dialect::Converter;
use super::doc::{
    OpRef, api_name, components_mut, is_error_code, is_json, is_success_code, json_schema_of,
    operations, unique_name,
};
use super::schemas::{canonical, require};
use crate::names::{pascal, status_name};
use crate::spec::{deref, escape, unescape};

/// Makes every operation decode its errors into one named type, and its
/// successes into one type. Returns the error type.
pub(super) fn run(doc: &mut Value, log: &mut Log) -> String {
    let ops = operations(doc);
    // Inline referenced responses so they can be rewritten per operation.
    for op in &ops {
        let ptr = format!("{}/responses", op.pointer());
        let Some(responses) = doc.pointer(&ptr).and_then(Value::as_object).cloned() else {
            continue;
        };
        let mut inlined = Map::new();
        for (code, resp) in responses {
            let resp = deref(doc, &resp).clone();
            if code == "default" {
                // `default` counts as success and error both in
                // progenitor; as an error it means "any 4xx/5xx".
                for range in ["4XX", "5XX"] {
                    inlined.entry(range).or_insert_with(|| resp.clone());
                }
                log.notes.push(format!(
                    "{}: `default` response read as 4XX and 5XX",
                    op.label()
                ));
            } else {
                inlined.insert(code, resp);
            }
        }
        *doc.pointer_mut(&ptr).expect("responses exist") = Value::Object(inlined);
    }

    // Distinct error bodies across the document, in order of appearance.
    // Each with where it first appears (operation, status): the context
    // that names an inline one.
    let mut kinds: Vec<(ErrorKind, (String, String))> = Vec::new();
    for op in &ops {
        let ptr = format!("{}/responses", op.pointer());
        let Some(responses) = doc.pointer(&ptr).and_then(Value::as_object) else {
            continue;
        };
        for (code, resp) in responses {
            if !is_error_code(code) {
                continue;
            }
            if let Some(schema) = json_schema_of(resp) {
                let kind = error_kind(doc, schema);
                if !kinds.iter().any(|(k, _)| *k == kind) {
                    kinds.push((kind, (op.id.clone(), code.clone())));
                }
            }
        }
    }
    let error_type = error_type(doc, log, kinds);
    let error_ref = json!({"$ref": format!("#/components/schemas/{error_type}")});

    for op in &ops {
        let ptr = format!("{}/responses", op.pointer());
        let Some(responses) = doc.pointer_mut(&ptr).and_then(Value::as_object_mut) else {
            continue;
        };
        let mut changed_kind = Vec::new();
        for (code, resp) in responses.iter_mut() {
            if !is_error_code(code) {
                continue;
            }
            if json_schema_of(resp).is_none() {
                changed_kind.push(code.clone());
            }
            let resp = resp.as_object_mut().expect("response is an object");
            resp.insert(
                "content".into(),
                json!({"application/json": {"schema": error_ref.clone()}}),
            );
        }
        // Undeclared statuses would reach the caller as
        // `UnexpectedResponse` with an unread body; ranges route every
        // 4xx/5xx through the one error type.
        for range in ["4XX", "5XX"] {
            responses.entry(range).or_insert_with(|| {
                json!({
                    "description": "Error",
                    "content": {"application/json": {"schema": error_ref.clone()}},
                })
            });
        }
        if !changed_kind.is_empty() {
            log.notes.push(format!(
                "{}: error response(s) {} had no JSON body; typed as {error_type}",
                op.label(),
                changed_kind.join(", ")
            ));
        }
        success_responses(doc, log, op);
    }
    error_type
}

fn error_kind(doc: &Value, schema: &Value) -> ErrorKind {
    if let Some(name) = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
    {
        return ErrorKind::Component(unescape(name));
    }
    // An inline body with the shape of an existing component is that
    // component (HeyGen's seed inlines what later got a name).
    let canon = canonical(schema);
    if let Some(comps) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    {
        for (name, c) in comps {
            if canonical(c) == canon {
                return ErrorKind::Component(name.clone());
            }
        }
    }
    ErrorKind::Inline(canon, schema.clone())
}

fn error_type(doc: &mut Value, log: &mut Log, kinds: Vec<(ErrorKind, (String, String))>) -> String {
    let mut names = Vec::new();
    // The type of every error: named after the API when the spec has an
    // `ErrorBody` of its own.
    let union_names = [
        "ErrorBody".to_string(),
        format!("{}ErrorBody", api_name(doc)),
        "AnyErrorBody".to_string(),
    ];
    for (kind, (op, code)) in &kinds {
        match kind {
            ErrorKind::Component(name) => names.push(name.clone()),
            ErrorKind::Inline(_, schema) => {
                let status = status_name(code);
                let name = unique_name(
                    doc,
                    &[],
                    &[
                        "ErrorEnvelope".to_string(),
                        format!("{status}Error"),
                        format!("{}{status}Error", pascal(op)),
                    ],
                );
                log.notes.push(format!(
                    "inline error body hoisted into components/schemas/{name}"
                ));
                components_mut(doc).insert(name.clone(), schema.clone());
                names.push(name);
            }
        }
    }
    match names.len() {
        0 => {
            let name = unique_name(doc, &[], &union_names);
            components_mut(doc).insert(
                name.clone(),
                json!({"description": "An error body; the spec declares none."}),
            );
            name
        }
        1 => names.pop().expect("one name"),
        _ => {
            // An untagged union decodes the first branch that fits; with
            // every property optional, the first would always fit and
            // swallow the others. An error body without its one
            // property is no such body, so the properties become required.
            for name in &names {
                if let Some(schema) = components_mut(doc).get_mut(name) {
                    let props: Vec<String> = schema
                        .get("properties")
                        .and_then(Value::as_object)
                        .map(|p| p.keys().cloned().collect())
                        .unwrap_or_default();
                    for p in props {
                        require(schema, &p);
                    }
                }
            }
            let union = unique_name(doc, &[], &union_names);
            let branches: Vec<Value> = names
                .iter()
                .map(|n| json!({"$ref": format!("#/components/schemas/{n}")}))
                .collect();
            log.notes.push(format!(
                "error bodies {} unified as components/schemas/{union} (untagged union)",
                names.join(", ")
            ));
            components_mut(doc).insert(
                union.clone(),
                json!({
                    "description": "Any error body this API declares.",
                    "anyOf": branches,
                }),
            );
            union
        }
    }
}

fn success_responses(doc: &mut Value, log: &mut Log, op: &OpRef) {
    let ptr = format!("{}/responses", op.pointer());
    let Some(responses) = doc.pointer(&ptr).and_then(Value::as_object).cloned() else {
        return;
    };
    let mut json_codes = Vec::new();
    let mut other = Vec::new();
    for (code, resp) in &responses {
        if !is_success_code(code) {
            continue;
        }
        let content = resp.get("content").and_then(Value::as_object);
        match content {
            Some(c) if c.keys().any(|k| is_json(k)) => json_codes.push(code.clone()),
            Some(c) if !c.is_empty() => other.push(format!("{code} (non-JSON body)")),
            _ => other.push(format!("{code} (no body)")),
        }
    }
    // A JSON media type without a schema panics progenitor
    // (`todo!("media type encoding, no schema")`); `{}` is any JSON.
    for code in &json_codes {
        let resp_ptr = format!("{ptr}/{}", escape(code));
        let content = doc
            .pointer_mut(&format!("{resp_ptr}/content"))
            .and_then(Value::as_object_mut)
            .expect("content exists");
        for (mt, media) in content.iter_mut() {
            if !is_json(mt) {
                continue;
            }
            let media = media.as_object_mut().expect("media type is an object");
            media.entry("schema").or_insert_with(|| json!({}));
            media.remove("encoding");
        }
    }
    if !json_codes.is_empty() && !other.is_empty() {
        log.problems.push(format!(
            "{ptr}: {} answers {} with JSON and {} otherwise; progenitor 0.15 gives an \
             operation one success type, so one of them would fail to decode",
            op.label(),
            json_codes.join(", "),
            other.join(", ")
        ));
        return;
    }
    if json_codes.len() >= 2 {
        unify_success_bodies(doc, log, op, &responses, &json_codes);
    }
}

/// Several JSON success bodies of `op`: one untagged union of named
/// branches, unless they are all the same type.
fn unify_success_bodies(
    doc: &mut Value,
    log: &mut Log,
    op: &OpRef,
    responses: &Map<String, Value>,
    json_codes: &[String],
) {
    let ptr = format!("{}/responses", op.pointer());
    let schemas: Vec<Value> = json_codes
        .iter()
        .map(|code| {
            json_schema_of(&responses[code])
                .cloned()
                .expect("JSON response has a schema")
        })
        .collect();
    let distinct: BTreeSet<String> = schemas.iter().map(canonical).collect();
    if distinct.len() < 2 {
        return;
    }
    let base = pascal(&op.id);
    let mut branches = Vec::new();
    let mut c = Converter::new(doc, log);
    for (code, schema) in json_codes.iter().zip(schemas) {
        if schema.get("$ref").is_some() {
            branches.push(schema);
        } else {
            let status = status_name(code);
            let name =
                c.unique_name(&[format!("{base}{status}"), format!("{base}{status}Response")]);
            c.pending.push((name.clone(), schema));
            branches.push(json!({"$ref": format!("#/components/schemas/{name}")}));
        }
    }
    let union = c.unique_name(&[
        format!("{base}Response"),
        format!("{base}Result"),
        format!("{base}Answer"),
    ]);
    c.log.notes.push(format!(
        "{}: success bodies of {} unified as components/schemas/{union}",
        op.label(),
        json_codes.join(", ")
    ));
    // Branches created here still need converting.
    c.finish();
    components_mut(doc).insert(union.clone(), json!({"anyOf": branches}));
    for code in json_codes {
        let media_ptr = format!("{ptr}/{}/content", escape(code));
        if let Some(content) = doc.pointer_mut(&media_ptr).and_then(Value::as_object_mut) {
            content.retain(|k, _| is_json(k));
            for media in content.values_mut() {
                media["schema"] = json!({"$ref": format!("#/components/schemas/{union}")});
            }
        }
    }
}

#[derive(PartialEq)]
enum ErrorKind {
    Component(String),
    Inline(String, Value),
}

#[cfg(test)]
mod tests;
