//! What the comparison sees of a schema node: its types, nullability,
//! enum values, properties, union branches and items, with `$ref`s,
//! `allOf` parts, single-branch wrappers and `null` branches resolved, the
//! same way for the spec and for a `schemars` root.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::spec::{required_names, resolve, types_of};
use crate::unions::is_null_schema;

/// What is compared of one schema node, `$ref`s, single-branch wrappers
/// and `null` branches resolved.
#[derive(Debug, Default)]
pub(super) struct View<'a> {
    /// Non-null JSON types.
    pub(super) types: BTreeSet<String>,
    pub(super) nullable: bool,
    /// Non-null enum values, as JSON text.
    pub(super) enum_values: Option<BTreeSet<String>>,
    pub(super) from_const: bool,
    pub(super) open_enum: bool,
    pub(super) properties: BTreeMap<String, &'a Value>,
    pub(super) required: BTreeSet<String>,
    /// Non-null branches of a union of several.
    pub(super) branches: Vec<&'a Value>,
    pub(super) discriminator: Option<String>,
    pub(super) items: Option<&'a Value>,
    /// `true`/`{}`: anything.
    pub(super) any: bool,
}

/// The view of `schema`, in the document `root`.
pub(super) fn view<'a>(root: &'a Value, schema: &'a Value) -> View<'a> {
    let mut v = View::default();
    fill_view(root, schema, &mut v, 0);
    if v.types.is_empty()
        && v.enum_values.is_none()
        && v.properties.is_empty()
        && v.branches.is_empty()
        && v.items.is_none()
    {
        v.any = true;
    }
    v
}

fn fill_view<'a>(root: &'a Value, schema: &'a Value, v: &mut View<'a>, depth: usize) {
    if depth > 32 {
        return;
    }
    if schema.get("$ref").is_some() {
        let target = resolve(root, schema);
        if !std::ptr::eq(target, schema) {
            fill_view(root, target, v, depth + 1);
        }
        return;
    }
    let Some(obj) = schema.as_object() else {
        return;
    };
    if obj.get("x-open-enum") == Some(&Value::Bool(true)) {
        v.open_enum = true;
    }
    if let Some(c) = obj.get("const") {
        v.from_const = true;
        add_enum(v, std::slice::from_ref(c));
    }
    if let Some(e) = obj.get("enum").and_then(Value::as_array) {
        add_enum(v, e);
    }
    for t in types_of(schema) {
        add_type(v, t);
    }
    if let Some(props) = obj.get("properties").and_then(Value::as_object) {
        for (k, p) in props {
            v.properties.insert(k.clone(), p);
        }
        v.types.insert("object".into());
    }
    v.required
        .extend(required_names(schema).map(str::to_string));
    if let Some(items) = obj.get("items") {
        v.items = Some(items);
    }
    if let Some(d) = obj
        .get("discriminator")
        .and_then(|d| d.get("propertyName"))
        .and_then(Value::as_str)
    {
        v.discriminator = Some(d.to_string());
    }
    for key in ["oneOf", "anyOf"] {
        let Some(bs) = obj.get(key).and_then(Value::as_array) else {
            continue;
        };
        let live: Vec<&Value> = bs
            .iter()
            .filter(|b| {
                let null = is_null_schema(root, b);
                v.nullable |= null;
                !null
            })
            .collect();
        match live.as_slice() {
            [one] => fill_view(root, one, v, depth + 1),
            _ => v.branches.extend(live),
        }
    }
    if let Some(parts) = obj.get("allOf").and_then(Value::as_array) {
        for p in parts {
            fill_view(root, p, v, depth + 1);
        }
    }
}

fn add_type(v: &mut View<'_>, t: &str) {
    if t == "null" {
        v.nullable = true;
    } else {
        v.types.insert(t.to_string());
    }
}

fn add_enum(v: &mut View<'_>, values: &[Value]) {
    let set = v.enum_values.get_or_insert_with(BTreeSet::new);
    for e in values {
        if e.is_null() {
            v.nullable = true;
        } else {
            set.insert(e.to_string());
        }
    }
}
