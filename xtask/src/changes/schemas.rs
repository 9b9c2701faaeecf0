//! The component schemas of two specs compared: types added and removed,
//! enum values, fields and union variants, each judged by the direction
//! the schema travels in.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use super::{Change, Direction, push};
use crate::spec::{self, escape};

fn directions(doc: &Value) -> BTreeMap<String, Direction> {
    let (responses, requests) = spec::roots(doc);
    let resp = spec::reach(doc, &responses);
    let req = spec::reach(doc, &requests);
    resp.union(&req)
        .map(|n| {
            (
                n.clone(),
                Direction {
                    request: req.contains(n),
                    response: resp.contains(n),
                },
            )
        })
        .collect()
}

pub(super) fn compare_components(
    old: &Value,
    new: &Value,
    open: &BTreeSet<String>,
    out: &mut Vec<Change>,
) {
    let schemas = |doc: &Value| object_at(doc, "/components/schemas");
    let (os, ns) = (schemas(old), schemas(new));
    let (od, nd) = (directions(old), directions(new));
    for name in ns.keys() {
        if !os.contains_key(name) {
            push(out, false, format!("type `{name}` added"));
        }
    }
    for (name, o_schema) in &os {
        let Some(n_schema) = ns.get(name) else {
            push(out, true, format!("type `{name}` removed"));
            continue;
        };
        let dir = nd
            .get(name)
            .or_else(|| od.get(name))
            .copied()
            .unwrap_or(Direction {
                request: false,
                response: false,
            });
        compare_schema(name, o_schema, n_schema, dir, open, out);
    }
}

/// Schema `o` against schema `n` (named `at` in the report): enum values,
/// fields, union variants, recursively.
pub(super) fn compare_schema(
    at: &str,
    o: &Value,
    n: &Value,
    dir: Direction,
    open: &BTreeSet<String>,
    out: &mut Vec<Change>,
) {
    compare_enum_values(at, o, n, dir, open, out);
    compare_fields(at, o, n, dir, open, out);
    compare_variants(at, o, n, dir, open, out);
}

fn compare_enum_values(
    at: &str,
    o: &Value,
    n: &Value,
    dir: Direction,
    open: &BTreeSet<String>,
    out: &mut Vec<Change>,
) {
    let values = |s: &Value| -> BTreeSet<String> {
        s.get("enum")
            .and_then(Value::as_array)
            .map(|e| e.iter().map(|v| v.to_string()).collect())
            .unwrap_or_default()
    };
    let (ov, nv) = (values(o), values(n));
    for v in nv.difference(&ov) {
        // A closed enum read from responses gains a variant every
        // exhaustive `match` must handle.
        let breaking = dir.response && !open.contains(at);
        push(
            out,
            breaking,
            format!("enum `{at}` ({}): value {v} added", dir.label()),
        );
    }
    for v in ov.difference(&nv) {
        push(
            out,
            true,
            format!("enum `{at}` ({}): value {v} removed", dir.label()),
        );
    }
}

fn compare_fields(
    at: &str,
    o: &Value,
    n: &Value,
    dir: Direction,
    open: &BTreeSet<String>,
    out: &mut Vec<Change>,
) {
    let props = |s: &Value| object_at(s, "/properties");
    let required = |s: &Value| -> BTreeSet<String> {
        s.get("required")
            .and_then(Value::as_array)
            .map(|r| {
                r.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (op, np) = (props(o), props(n));
    let (or, nr) = (required(o), required(n));
    for (field, n_field) in &np {
        let req = nr.contains(field);
        match op.get(field) {
            None => {
                // A new required field breaks every request built without it.
                let breaking = req && dir.request;
                push(
                    out,
                    breaking,
                    format!(
                        "field `{at}.{field}` added ({}, {})",
                        if req { "required" } else { "optional" },
                        dir.label()
                    ),
                );
            }
            Some(o_field) => {
                if or.contains(field) != req {
                    // `T` <-> `Option<T>` in the generated struct.
                    push(
                        out,
                        true,
                        format!(
                            "field `{at}.{field}` is now {} ({})",
                            if req { "required" } else { "optional" },
                            dir.label()
                        ),
                    );
                }
                let (so, sn) = (sig(o_field), sig(n_field));
                if so != sn {
                    push(
                        out,
                        true,
                        format!(
                            "field `{at}.{field}` changed type from {so} to {sn} ({})",
                            dir.label()
                        ),
                    );
                } else if o_field.get("properties").is_some() || o_field.get("enum").is_some() {
                    compare_schema(&format!("{at}.{field}"), o_field, n_field, dir, open, out);
                }
            }
        }
    }
    for field in op.keys() {
        if !np.contains_key(field) {
            push(
                out,
                true,
                format!("field `{at}.{field}` removed ({})", dir.label()),
            );
        }
    }
}

/// Union variants, compared by tag value (the discriminator's mapping, or
/// the one-value tag an inline branch carries).
fn compare_variants(
    at: &str,
    o: &Value,
    n: &Value,
    dir: Direction,
    open: &BTreeSet<String>,
    out: &mut Vec<Change>,
) {
    let variants = |s: &Value| -> BTreeMap<String, Value> {
        let tag = s
            .pointer("/discriminator/propertyName")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if let Some(mapping) = s
            .pointer("/discriminator/mapping")
            .and_then(Value::as_object)
        {
            return mapping
                .iter()
                .map(|(value, r)| (value.clone(), json!({"$ref": r})))
                .collect();
        }
        s.get("oneOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
            .map(|(i, b)| {
                let name = b
                    .pointer(&format!("/properties/{}/enum/0", escape(tag)))
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .or_else(|| b.get("$ref").and_then(Value::as_str).map(str::to_string))
                    .unwrap_or_else(|| i.to_string());
                (name, b.clone())
            })
            .collect()
    };
    let (ovs, nvs) = (variants(o), variants(n));
    for (tag, nb) in &nvs {
        match ovs.get(tag) {
            // The union enums are `#[non_exhaustive]`: a match on one
            // already has a wildcard arm, so a new variant breaks nobody.
            None => push(
                out,
                false,
                format!("union `{at}`: variant `{tag}` added ({})", dir.label()),
            ),
            Some(ob) => compare_schema(&format!("{at}::{tag}"), ob, nb, dir, open, out),
        }
    }
    for tag in ovs.keys() {
        if !nvs.contains_key(tag) {
            push(
                out,
                true,
                format!("union `{at}`: variant `{tag}` removed ({})", dir.label()),
            );
        }
    }
}

/// The mapping at `ptr` in `v`, or an empty one.
fn object_at(v: &Value, ptr: &str) -> Map<String, Value> {
    v.pointer(ptr)
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

/// A compact type signature: what the generated Rust type depends on.
pub(super) fn sig(s: &Value) -> String {
    let nullable = if s.get("nullable") == Some(&Value::Bool(true)) {
        "?"
    } else {
        ""
    };
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        return r.rsplit('/').next().unwrap_or(r).to_string();
    }
    if let Some(Value::Array(all)) = s.get("allOf")
        && all.len() == 1
    {
        return format!("{}{nullable}", sig(&all[0]));
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(Value::Array(list)) = s.get(key) {
            let parts: Vec<String> = list.iter().map(sig).collect();
            return format!("union({}){nullable}", parts.join("|"));
        }
    }
    let t = s.get("type").and_then(Value::as_str).unwrap_or("any");
    let base = match t {
        "array" => format!("[{}]", s.get("items").map(sig).unwrap_or_default()),
        "object" => match s.get("additionalProperties") {
            Some(v @ Value::Object(_)) if s.get("properties").is_none() => {
                format!("map<{}>", sig(v))
            }
            _ => "object".to_string(),
        },
        _ => match s.get("format").and_then(Value::as_str) {
            Some(f) => format!("{t}({f})"),
            None => t.to_string(),
        },
    };
    format!("{base}{nullable}")
}
