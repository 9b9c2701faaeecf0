//! The operations of two specs compared: added, removed, moved; their
//! parameters, request bodies and success responses.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::schemas::{compare_schema, sig};
use super::{Change, Direction, push};
use crate::spec;

fn operations(doc: &Value) -> BTreeMap<String, (String, String, Value, Vec<Value>)> {
    let mut ops = BTreeMap::new();
    for o in spec::operations(doc) {
        let Some(id) = o.id() else {
            continue;
        };
        let params = o.parameters(doc).cloned().collect();
        ops.insert(
            id.to_string(),
            (
                o.method.to_uppercase(),
                o.path.to_string(),
                o.op.clone(),
                params,
            ),
        );
    }
    ops
}

pub(super) fn compare_operations(old: &Value, new: &Value, out: &mut Vec<Change>) {
    let (o, n) = (operations(old), operations(new));
    for (id, (method, path, _, _)) in &n {
        if !o.contains_key(id) {
            push(
                out,
                false,
                format!("operation `{id}` added ({method} {path})"),
            );
        }
    }
    for (id, (method, path, old_op, old_params)) in &o {
        let Some((new_method, new_path, new_op, new_params)) = n.get(id) else {
            push(
                out,
                true,
                format!("operation `{id}` removed ({method} {path})"),
            );
            continue;
        };
        if (method, path) != (new_method, new_path) {
            push(
                out,
                true,
                format!("operation `{id}` moved from {method} {path} to {new_method} {new_path}"),
            );
        }
        compare_parameters(id, old_params, new_params, out);
        compare_bodies(id, old_op, new_op, out);
        compare_success(id, old_op, new_op, out);
    }
}

/// The parameters of operation `id`, by location and name.
fn compare_parameters(id: &str, old_params: &[Value], new_params: &[Value], out: &mut Vec<Change>) {
    let key = |p: &Value| {
        (
            p.get("in")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            p.get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        )
    };
    let olds: BTreeMap<_, _> = old_params.iter().map(|p| (key(p), p)).collect();
    let news: BTreeMap<_, _> = new_params.iter().map(|p| (key(p), p)).collect();
    for ((loc, name), p) in &news {
        let required = p.get("required") == Some(&Value::Bool(true));
        match olds.get(&(loc.clone(), name.clone())) {
            None => push(
                out,
                required,
                format!(
                    "operation `{id}`: {} {loc} parameter `{name}` added",
                    if required { "required" } else { "optional" }
                ),
            ),
            Some(old_p) => {
                let was = old_p.get("required") == Some(&Value::Bool(true));
                if was != required {
                    push(
                        out,
                        required,
                        format!(
                            "operation `{id}`: {loc} parameter `{name}` is now {}",
                            if required { "required" } else { "optional" }
                        ),
                    );
                }
                let (ts, tn) = (
                    sig(old_p.get("schema").unwrap_or(&Value::Null)),
                    sig(p.get("schema").unwrap_or(&Value::Null)),
                );
                if ts != tn {
                    push(
                        out,
                        true,
                        format!(
                            "operation `{id}`: {loc} parameter `{name}` changed type from {ts} to {tn}"
                        ),
                    );
                }
            }
        }
    }
    for (loc, name) in olds.keys() {
        if !news.contains_key(&(loc.clone(), name.clone())) {
            push(
                out,
                true,
                format!("operation `{id}`: {loc} parameter `{name}` removed"),
            );
        }
    }
}

/// The request body of operation `id`: the type it names, or its inline
/// fields.
fn compare_bodies(id: &str, old_op: &Value, new_op: &Value, out: &mut Vec<Change>) {
    let body = |op: &Value| op.get("requestBody").and_then(first_schema);
    match (body(old_op), body(new_op)) {
        (None, Some(_)) => push(out, true, format!("operation `{id}`: request body added")),
        (Some(_), None) => push(out, true, format!("operation `{id}`: request body removed")),
        (Some((so, o_s)), Some((sn, n_s))) => {
            if so != sn {
                push(
                    out,
                    true,
                    format!("operation `{id}`: request body changed from {so} to {sn}"),
                );
            } else if o_s.get("$ref").is_none() {
                let dir = Direction {
                    request: true,
                    response: false,
                };
                compare_schema(
                    &format!("{id} request body"),
                    &o_s,
                    &n_s,
                    dir,
                    &BTreeSet::new(),
                    out,
                );
            }
        }
        (None, None) => {}
    }
}

/// The success status and body of operation `id`.
fn compare_success(id: &str, old_op: &Value, new_op: &Value, out: &mut Vec<Change>) {
    let success = |op: &Value| {
        op.get("responses")
            .and_then(Value::as_object)
            .and_then(|r| r.iter().find(|(c, _)| c.starts_with('2')))
            .map(|(c, r)| (c.clone(), first_schema(r)))
    };
    if let (Some((oc, os)), Some((nc, ns))) = (success(old_op), success(new_op)) {
        if oc != nc {
            push(
                out,
                false,
                format!("operation `{id}`: success status {oc} became {nc}"),
            );
        }
        match (os, ns) {
            (Some((so, _)), Some((sn, _))) if so != sn => push(
                out,
                true,
                format!("operation `{id}`: response changed from {so} to {sn}"),
            ),
            (Some(_), None) | (None, Some(_)) => push(
                out,
                true,
                format!("operation `{id}`: response body added or removed"),
            ),
            (Some((_, o_s)), Some((_, n_s))) if o_s.get("$ref").is_none() => {
                let dir = Direction {
                    request: false,
                    response: true,
                };
                compare_schema(
                    &format!("{id} response"),
                    &o_s,
                    &n_s,
                    dir,
                    &BTreeSet::new(),
                    out,
                );
            }
            _ => {}
        }
    }
}

/// The schema of a body's or response's first media type, and its
/// signature.
fn first_schema(holder: &Value) -> Option<(String, Value)> {
    holder
        .get("content")
        .and_then(Value::as_object)
        .and_then(|c| c.values().next())
        .and_then(|m| m.get("schema"))
        .map(|s| (sig(s), s.clone()))
}
