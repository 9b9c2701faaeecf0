//! Discriminated unions as Rust enums a person would write.
//!
//! typify ignores `discriminator`: a `oneOf` of `$ref` branches becomes an
//! `#[serde(untagged)]` enum of structs that each carry their own one-value
//! tag type (`AssetInput::Url(AssetInputUrl { type_: AssetInputUrlType::Url,
//! url })`). It emits `#[serde(tag = "...")]` with struct variants
//! (`AssetInput::Url { url }`) only when every branch is an inline object
//! with a required one-value tag. So each branch is inlined into its union.
//!
//! Inlining alone would hit a typify bug: the nested types of inline
//! variants are named after the enum and property only, so two variants
//! with a `model` enum share one type and one variant's values stop
//! decoding. Before inlining, every property of a branch that needs a named
//! type becomes a component of its own, named after the branch.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use crate::normalize::{escape, pascal};

/// Rewrites every discriminated union of `doc` (normalized, OpenAPI 3.0)
/// whose branches allow it. Returns notes on what changed.
pub fn inline_tagged_unions(doc: &mut Value) -> Vec<String> {
    let mut notes = Vec::new();
    let mut unions = Vec::new();
    find_unions(doc, String::new(), &mut unions);
    let mut branch_components = BTreeSet::new();
    for ptr in unions {
        let Some(union) = doc.pointer(&ptr) else {
            continue;
        };
        let Some(tag) = union
            .pointer("/discriminator/propertyName")
            .and_then(Value::as_str)
            .map(str::to_string)
        else {
            continue;
        };
        let Some(branches) = union.get("oneOf").and_then(Value::as_array) else {
            continue;
        };
        let names: Option<Vec<String>> = branches.iter().map(component_ref).collect();
        let Some(names) = names else { continue };
        if !names.iter().all(|n| is_taggable(doc, n, &tag)) {
            notes.push(format!(
                "{ptr}: union stays untagged (a branch is not a plain object with a one-value `{tag}`)"
            ));
            continue;
        }
        let mut inlined = Vec::new();
        for name in &names {
            hoist_nested_types(doc, name, &tag);
            let mut branch = doc
                .pointer(&format!("/components/schemas/{}", escape(name)))
                .cloned()
                .unwrap_or_default();
            if let Some(obj) = branch.as_object_mut() {
                obj.remove("title");
                obj.insert("type".into(), json!("object"));
                require(obj, &tag);
            }
            inlined.push(branch);
            branch_components.insert(name.clone());
        }
        if let Some(union) = doc.pointer_mut(&ptr) {
            union["oneOf"] = Value::Array(inlined);
        }
        notes.push(format!(
            "{ptr}: branches {} inlined so the union is tagged by `{tag}`",
            names.join(", ")
        ));
    }
    // Branch components nobody refers to any more would be dead types.
    let mut refs = BTreeSet::new();
    component_refs(doc, &mut refs);
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for name in branch_components {
            if !refs.contains(&name) {
                schemas.remove(&name);
            }
        }
    }
    notes
}

fn find_unions(v: &Value, ptr: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            if m.contains_key("discriminator") && m.contains_key("oneOf") {
                out.push(ptr.clone());
            }
            for (k, sub) in m {
                find_unions(sub, format!("{ptr}/{}", escape(k)), out);
            }
        }
        Value::Array(a) => {
            for (i, sub) in a.iter().enumerate() {
                find_unions(sub, format!("{ptr}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn component_ref(v: &Value) -> Option<String> {
    let r = v.get("$ref")?.as_str()?;
    (v.as_object()?.len() == 1)
        .then(|| r.strip_prefix("#/components/schemas/").map(str::to_string))
        .flatten()
}

/// A branch typify can turn into a struct variant: a closed-or-default
/// object whose tag is a one-value string enum.
fn is_taggable(doc: &Value, name: &str, tag: &str) -> bool {
    let Some(c) = doc.pointer(&format!("/components/schemas/{}", escape(name))) else {
        return false;
    };
    let object = c.get("type").is_none_or(|t| t == "object");
    let closed = matches!(
        c.get("additionalProperties"),
        None | Some(Value::Bool(false))
    );
    let tag_ok = c
        .pointer(&format!("/properties/{}/enum", escape(tag)))
        .and_then(Value::as_array)
        .is_some_and(|e| e.len() == 1 && e[0].is_string());
    let plain = !["allOf", "anyOf", "oneOf", "minProperties", "maxProperties"]
        .iter()
        .any(|k| c.get(*k).is_some());
    object && closed && tag_ok && plain
}

/// Does typify make a named type for this (property) schema?
fn needs_named_type(s: &Value) -> bool {
    let Some(o) = s.as_object() else { return false };
    if o.contains_key("$ref") {
        return false;
    }
    if o.contains_key("enum") || o.contains_key("properties") {
        return true;
    }
    if o.contains_key("oneOf") || o.contains_key("anyOf") {
        return true;
    }
    if let Some(Value::Array(all)) = o.get("allOf") {
        return !(all.len() == 1 && all[0].get("$ref").is_some());
    }
    o.get("type") == Some(&json!("string"))
        && ["pattern", "minLength", "maxLength"]
            .iter()
            .any(|k| o.contains_key(*k))
}

/// Moves the inline types of component `name`'s properties (or of their
/// array items / map values) into components named after it.
fn hoist_nested_types(doc: &mut Value, name: &str, tag: &str) {
    let ptr = format!("/components/schemas/{}/properties", escape(name));
    let Some(props) = doc.pointer(&ptr).and_then(Value::as_object).cloned() else {
        return;
    };
    let mut new_props = Map::new();
    let mut created = Vec::new();
    for (prop, schema) in props {
        if prop == tag {
            new_props.insert(prop, schema);
            continue;
        }
        let base = format!("{name}{}", pascal(&prop));
        let schema = hoist_in(doc, schema, &base, &mut created);
        new_props.insert(prop, schema);
    }
    if let Some(p) = doc.pointer_mut(&ptr) {
        *p = Value::Object(new_props);
    }
    let schemas = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
        .expect("components exist: the branch is one");
    for (n, s) in created {
        schemas.insert(n, s);
    }
}

fn hoist_in(
    doc: &Value,
    mut schema: Value,
    base: &str,
    created: &mut Vec<(String, Value)>,
) -> Value {
    if needs_named_type(&schema) {
        let obj = schema.as_object_mut().expect("checked by needs_named_type");
        let nullable = obj.remove("nullable") == Some(Value::Bool(true));
        let default = obj.remove("default");
        let description = obj.get("description").cloned();
        let name = unique(doc, created, base);
        created.push((name.clone(), schema));
        let r = json!({"$ref": format!("#/components/schemas/{name}")});
        if !nullable && default.is_none() {
            return r;
        }
        let mut wrapper = Map::new();
        wrapper.insert("allOf".into(), json!([r]));
        if nullable {
            wrapper.insert("nullable".into(), json!(true));
        }
        if let Some(d) = default {
            wrapper.insert("default".into(), d);
        }
        if let Some(d) = description {
            wrapper.insert("description".into(), d);
        }
        return Value::Object(wrapper);
    }
    if let Some(obj) = schema.as_object_mut() {
        for (key, suffix) in [("items", "Item"), ("additionalProperties", "Value")] {
            if let Some(sub) = obj.get(key).filter(|s| s.is_object()).cloned() {
                let sub = hoist_in(doc, sub, &format!("{base}{suffix}"), created);
                obj.insert(key.into(), sub);
            }
        }
    }
    schema
}

fn unique(doc: &Value, created: &[(String, Value)], wanted: &str) -> String {
    let taken = |n: &str| {
        doc.pointer(&format!("/components/schemas/{}", escape(n)))
            .is_some()
            || created.iter().any(|(c, _)| c == n)
    };
    if !taken(wanted) {
        return wanted.to_string();
    }
    (2..)
        .map(|i| format!("{wanted}{i}"))
        .find(|n| !taken(n))
        .expect("an unused name exists")
}

fn require(obj: &mut Map<String, Value>, prop: &str) {
    let req = obj.entry("required").or_insert_with(|| json!([]));
    if let Some(list) = req.as_array_mut()
        && !list.iter().any(|r| r == prop)
    {
        list.push(json!(prop));
    }
}

/// The names of the components `v` refers to (`#/components/schemas/X`).
pub(crate) fn component_refs(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            if let Some(name) = m
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                out.insert(name.replace("~1", "/").replace("~0", "~"));
            }
            m.values().for_each(|s| component_refs(s, out));
        }
        Value::Array(a) => a.iter().for_each(|s| component_refs(s, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(schemas: Value) -> Value {
        json!({"openapi": "3.0.3", "paths": {}, "components": {"schemas": schemas}})
    }

    #[test]
    fn ref_branches_are_inlined_and_their_nested_enums_named_per_branch() {
        let mut d = doc(json!({
            "Engine": {
                "oneOf": [{"$ref": "#/components/schemas/Fast"}, {"$ref": "#/components/schemas/Slow"}],
                "discriminator": {"propertyName": "kind"}
            },
            "Fast": {"type": "object", "properties": {
                "kind": {"type": "string", "enum": ["fast"]},
                "model": {"type": "string", "enum": ["f1", "f2"]}
            }, "required": ["kind"]},
            "Slow": {"type": "object", "properties": {
                "kind": {"type": "string", "enum": ["slow"]},
                "model": {"type": "string", "enum": ["s1"], "nullable": true}
            }}
        }));
        let notes = inline_tagged_unions(&mut d);
        assert_eq!(notes.len(), 1, "{notes:?}");
        let s = &d["components"]["schemas"];
        assert!(
            s.get("Fast").is_none() && s.get("Slow").is_none(),
            "dead branches dropped"
        );
        assert_eq!(s["FastModel"]["enum"], json!(["f1", "f2"]));
        assert_eq!(s["SlowModel"]["enum"], json!(["s1"]));
        let branches = s["Engine"]["oneOf"].as_array().unwrap();
        assert_eq!(
            branches[0]["properties"]["model"],
            json!({"$ref": "#/components/schemas/FastModel"})
        );
        assert_eq!(
            branches[1]["properties"]["model"],
            json!({"allOf": [{"$ref": "#/components/schemas/SlowModel"}], "nullable": true})
        );
        assert_eq!(branches[1]["required"], json!(["kind"]), "tag required");
    }

    #[test]
    fn a_branch_used_elsewhere_is_kept() {
        let mut d = doc(json!({
            "U": {"oneOf": [{"$ref": "#/components/schemas/A"}], "discriminator": {"propertyName": "type"}},
            "A": {"type": "object", "properties": {"type": {"type": "string", "enum": ["a"]}}, "required": ["type"]},
            "Holder": {"type": "object", "properties": {"a": {"$ref": "#/components/schemas/A"}}}
        }));
        inline_tagged_unions(&mut d);
        assert!(d["components"]["schemas"].get("A").is_some());
    }

    #[test]
    fn an_open_branch_leaves_the_union_untagged() {
        let mut d = doc(json!({
            "U": {"oneOf": [{"$ref": "#/components/schemas/A"}], "discriminator": {"propertyName": "type"}},
            "A": {"type": "object", "additionalProperties": true,
                  "properties": {"type": {"type": "string", "enum": ["a"]}}}
        }));
        let notes = inline_tagged_unions(&mut d);
        assert!(notes[0].contains("stays untagged"), "{notes:?}");
        assert_eq!(
            d["components"]["schemas"]["U"]["oneOf"][0]["$ref"],
            "#/components/schemas/A"
        );
    }
}
