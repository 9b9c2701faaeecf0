//! The keyword rewrites of the 3.0.3 dialect pass, each on one schema
//! node: null branches and type lists -> `nullable`, numeric exclusive
//! bounds -> the boolean form, `prefixItems` -> `items`, content keywords
//! -> `format`.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use crate::normalize::schemas::canonical;

/// `anyOf`/`oneOf` with a `{type: 'null'}` branch makes typify panic
/// (`todo!("invalid type")`). The branch becomes `nullable: true`.
/// Returns whether anything changed: a merged lone branch may bring a
/// union of its own, with a null branch of its own.
pub(super) fn strip_null_branches(obj: &mut Map<String, Value>) -> bool {
    let mut changed = false;
    for key in ["anyOf", "oneOf"] {
        let Some(Value::Array(list)) = obj.get_mut(key) else {
            continue;
        };
        let before = list.len();
        list.retain(|b| !is_null_schema(b));
        if list.len() == before {
            continue;
        }
        changed = true;
        obj.insert("nullable".into(), Value::Bool(true));
        let Some(Value::Array(list)) = obj.remove(key) else {
            unreachable!("checked above");
        };
        match list.len() {
            0 => {}
            1 => {
                let only = list.into_iter().next().expect("one branch");
                match only {
                    Value::Object(b) if b.contains_key("$ref") && b.len() == 1 => {
                        // A lone $ref cannot carry `nullable` in 3.0.
                        obj.insert("allOf".into(), json!([b]));
                    }
                    Value::Object(b) => {
                        // The outer schema's annotations win; the branch
                        // brings the type.
                        for (k, v) in b {
                            obj.entry(k).or_insert(v);
                        }
                        // The branch may itself have been a type array.
                        convert_type_array(obj);
                    }
                    other => {
                        obj.insert(key.into(), json!([other]));
                    }
                }
            }
            _ => {
                obj.insert(key.into(), Value::Array(list));
            }
        }
    }
    changed
}

pub(super) fn json_type(v: &Value) -> Option<&'static str> {
    Some(match v {
        Value::String(_) => "string",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
        Value::Null => return None,
    })
}

fn is_null_schema(b: &Value) -> bool {
    match b {
        Value::Object(m) => {
            m.get("type") == Some(&json!("null"))
                || m.get("type") == Some(&json!(["null"]))
                || m.get("const") == Some(&Value::Null)
                || m.get("enum") == Some(&json!([null]))
        }
        _ => false,
    }
}

/// Keywords that belong to one JSON type: when a type list splits into
/// `anyOf` branches, each keyword follows its type.
fn keywords_of(t: &str) -> &'static [&'static str] {
    match t {
        "string" => &["minLength", "maxLength", "pattern", "format"],
        "integer" | "number" => &[
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "multipleOf",
            "format",
        ],
        "array" => &[
            "items",
            "minItems",
            "maxItems",
            "uniqueItems",
            "prefixItems",
        ],
        "object" => &[
            "properties",
            "required",
            "additionalProperties",
            "minProperties",
            "maxProperties",
        ],
        _ => &[],
    }
}

/// `type: [T, 'null']` -> `type: T, nullable: true`; several non-null types
/// -> `anyOf` (openapiv3 refuses a type list outright).
pub(super) fn convert_type_array(obj: &mut Map<String, Value>) {
    let types: Vec<String> = match obj.get("type") {
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        Some(Value::String(t)) if t == "null" => vec!["null".to_string()],
        _ => return,
    };
    obj.remove("type");
    let non_null: Vec<&String> = types.iter().filter(|t| *t != "null").collect();
    if non_null.len() < types.len() {
        obj.insert("nullable".into(), Value::Bool(true));
    }
    match non_null.as_slice() {
        [] => {}
        [one] => {
            obj.insert("type".into(), json!(one));
        }
        many => {
            let enum_values = obj.remove("enum");
            let mut branches = Vec::new();
            for t in many {
                let mut b = Map::new();
                b.insert("type".into(), json!(t));
                for k in keywords_of(t) {
                    if let Some(v) = obj.get(*k) {
                        b.insert((*k).to_string(), v.clone());
                    }
                }
                if let Some(Value::Array(values)) = &enum_values {
                    let mine: Vec<Value> = values
                        .iter()
                        .filter(|v| {
                            json_type(v) == Some(t.as_str())
                                || (t.as_str() == "number" && v.is_number())
                        })
                        .cloned()
                        .collect();
                    if mine.is_empty() {
                        continue;
                    }
                    b.insert("enum".into(), Value::Array(mine));
                }
                branches.push(Value::Object(b));
            }
            for t in many {
                for k in keywords_of(t) {
                    obj.remove(*k);
                }
            }
            obj.insert("anyOf".into(), Value::Array(branches));
        }
    }
}

/// Numeric `exclusiveMinimum: n` (3.1) -> `minimum: n, exclusiveMinimum: true`.
pub(super) fn convert_exclusive_bounds(obj: &mut Map<String, Value>) {
    for (excl, bound, stricter_is_greater) in [
        ("exclusiveMinimum", "minimum", true),
        ("exclusiveMaximum", "maximum", false),
    ] {
        let Some(Value::Number(n)) = obj.get(excl).cloned() else {
            continue;
        };
        let nv = n.as_f64().unwrap_or_default();
        // With both forms present, the tighter bound wins.
        let keep_inclusive = obj
            .get(bound)
            .and_then(Value::as_f64)
            .is_some_and(|b| if stricter_is_greater { b > nv } else { b < nv });
        if keep_inclusive {
            obj.remove(excl);
        } else {
            obj.insert(bound.into(), Value::Number(n));
            obj.insert(excl.into(), Value::Bool(true));
        }
    }
}

/// `prefixItems` (tuples) -> `items` of the branch types with a fixed length.
pub(super) fn convert_prefix_items(obj: &mut Map<String, Value>) {
    let Some(Value::Array(prefix)) = obj.remove("prefixItems") else {
        return;
    };
    let len = prefix.len();
    // Compared without annotations: pydantic titles each tuple position
    // (`Latitude`, `Longitude`), and two `number`s that differ only by title
    // would make an `anyOf` typify cannot tell apart (it emits a struct of
    // two flattened `Option<f64>`, which decodes nothing).
    let mut distinct: Vec<Value> = Vec::new();
    let mut seen = BTreeSet::new();
    for p in prefix {
        if seen.insert(canonical(&p)) {
            distinct.push(p);
        }
    }
    let items = if distinct.len() == 1 {
        distinct.pop().expect("one item")
    } else {
        json!({"anyOf": distinct})
    };
    let extra_allowed = !matches!(obj.get("items"), Some(Value::Bool(false)));
    obj.insert("items".into(), items);
    obj.entry("minItems").or_insert(json!(len));
    if !extra_allowed {
        obj.insert("maxItems".into(), json!(len));
    }
}

/// `contentEncoding: base64` on a string is 3.0's `format: byte`;
/// `contentMediaType` alone is `format: binary`.
pub(super) fn convert_contents(obj: &mut Map<String, Value>) {
    if obj.get("type") != Some(&json!("string")) || obj.contains_key("format") {
        return;
    }
    if obj.get("contentEncoding") == Some(&json!("base64")) {
        obj.insert("format".into(), json!("byte"));
    } else if obj.contains_key("contentMediaType") && !obj.contains_key("contentEncoding") {
        obj.insert("format".into(), json!("binary"));
    }
}
