//! Unions (`oneOf`/`anyOf`) of a schema document: the tag each branch of a
//! discriminated union carries, the branch a value is an instance of, and
//! which branches admit only `null`. `doc` is the document `$ref`s resolve
//! in: the spec, or a generated type's `schemars` root.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::spec::{Spec, resolve, types_of};

/// Whether a union branch admits only `null`.
pub fn is_null_schema(doc: &Value, s: &Value) -> bool {
    let s = resolve(doc, s);
    s.get("type") == Some(&json!("null"))
        || s.get("const") == Some(&Value::Null)
        || s.get("enum") == Some(&json!([null]))
}

/// The value `branch` fixes its tag property `prop` to: the property's
/// `const`, or its first `enum` value (`$ref`s followed).
pub fn branch_tag<'a>(doc: &'a Value, branch: &'a Value, prop: &str) -> Option<&'a str> {
    let p = resolve(doc, resolve(doc, branch).get("properties")?.get(prop)?);
    p.get("const")
        .or_else(|| p.get("enum").and_then(|e| e.get(0)))?
        .as_str()
}

/// The discriminator property of `union` and the tag that selects its
/// `branch`: the discriminator's `mapping` for it, else the branch's own
/// [`branch_tag`].
pub fn discriminator_tag(doc: &Value, union: &Value, branch: &Value) -> Option<(String, String)> {
    let disc = union.get("discriminator")?;
    let prop = disc.get("propertyName")?.as_str()?.to_string();
    if let Some(r) = branch.get("$ref").and_then(Value::as_str)
        && let Some(mapping) = disc.get("mapping").and_then(Value::as_object)
        && let Some((tag, _)) = mapping.iter().find(|(_, v)| v.as_str() == Some(r))
    {
        return Some((prop, tag.clone()));
    }
    let tag = branch_tag(doc, branch, &prop)?.to_string();
    Some((prop, tag))
}

/// The branches of a discriminated union by their tags: `tag -> branch`
/// (empty for a union without a discriminator).
pub fn branches_by_tag<'a>(doc: &'a Value, union: &'a Value) -> BTreeMap<String, &'a Value> {
    union
        .get("oneOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|b| discriminator_tag(doc, union, b).map(|(_, tag)| (tag, b)))
        .collect()
}

/// For a discriminated union: the tag property, and the branch the value's
/// tag selects (`None` when no branch carries it).
pub fn discriminated<'a>(
    spec: &'a Spec,
    union: &'a Value,
    branches: &'a [Value],
    value: &Value,
) -> Option<(String, Option<&'a Value>)> {
    let disc = union.get("discriminator")?;
    let prop = disc.get("propertyName")?.as_str()?;
    let tag = value.get(prop)?.as_str()?;
    if let Some(target) = disc
        .get("mapping")
        .and_then(|m| m.get(tag))
        .and_then(Value::as_str)
    {
        let branch = branches
            .iter()
            .find(|b| b.get("$ref").and_then(Value::as_str) == Some(target));
        return Some((prop.to_string(), branch));
    }
    let branch = branches
        .iter()
        .find(|b| branch_tag(&spec.doc, b, prop) == Some(tag));
    Some((prop.to_string(), branch))
}

/// For a union without a discriminator: the non-null branch `value` is an
/// instance of (the only one; else the first of its JSON type that lists
/// it when it is an enum; else the first of its JSON type).
pub fn undiscriminated<'a>(
    spec: &'a Spec,
    branches: &'a [Value],
    value: &Value,
) -> Option<&'a Value> {
    let live: Vec<&Value> = branches
        .iter()
        .filter(|b| !is_null_schema(&spec.doc, b))
        .collect();
    if let [one] = live.as_slice() {
        return Some(one);
    }
    let json_type = match value {
        Value::Object(_) => "object",
        Value::Array(_) => "array",
        Value::String(_) => "string",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::Null => "null",
    };
    let typed = |b: &&Value| {
        let r = resolve(&spec.doc, b);
        let ts = types_of(r);
        ts.contains(&json_type)
            || (json_type == "integer" && ts.contains(&"number"))
            || (json_type == "object" && ts.is_empty() && r.get("properties").is_some())
    };
    let listed = |b: &&Value| {
        resolve(&spec.doc, b)
            .get("enum")
            .and_then(Value::as_array)
            .is_none_or(|e| e.contains(value))
    };
    live.iter()
        .find(|b| typed(b) && listed(b))
        .or_else(|| live.iter().find(|b| typed(b)))
        .copied()
}
