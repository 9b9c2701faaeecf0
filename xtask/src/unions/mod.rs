//! Discriminated unions as Rust enums a person would write and build.
//!
//! typify ignores `discriminator`: a `oneOf` of `$ref` branches becomes an
//! `#[serde(untagged)]` enum of structs that each carry their own one-value
//! tag type, which the caller has to set and which decodes by trial. Inlining
//! the branches gets `#[serde(tag = "...")]` struct variants instead, but a
//! struct variant cannot be built with a builder: a caller writes every
//! field, and every added optional field breaks that literal.
//!
//! So each branch stays the named component HeyGen publishes it as
//! (`CreateVideoFromAvatar`), minus its tag property, and typify generates
//! it as a struct with a builder like every other. The union itself is
//! emitted here, in place of typify's: an internally tagged enum of newtype
//! variants (`CreateVideoRequest::Avatar(CreateVideoFromAvatar)`), with
//! `From<Branch>` and `TryFrom<builder::Branch>`, so a branch (or its
//! builder) goes wherever the union is expected. The tag is serde's: the
//! wire format is the spec's, and nobody sets it by hand.
//!
//! A union a response can carry is open, like the response enums (see
//! `open_enums`): an object whose tag this SDK does not know decodes as the
//! variant `Unknown { tag, body }` instead of failing the whole response,
//! and serializes back to what was received. serde's derive cannot express
//! that, so such a union gets hand-written `Deserialize` (the object read as
//! a map, the tag taken out, the rest decoded as the tagged branch's
//! struct), `Serialize` (known variants through a derived internally tagged
//! twin, so their wire format is unchanged) and `JsonSchema` (the derived
//! twin's schema, marked `x-open-union`). Unions only requests carry keep
//! the plain derive: a request is never built with a tag the spec lacks.

mod emit;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

pub use self::emit::union_items;
use crate::names::{name_by_meaning, pascal, sanitize};
use crate::spec::{self, component_refs, escape, schema_pointer, visit_objects};

/// A discriminated union the generated code carries as a tagged enum.
#[derive(Debug, Clone)]
pub struct Union {
    /// The union's component name (the enum's name).
    pub name: String,
    pub description: Option<String>,
    /// The discriminator property (`type`, `engine_type`).
    pub tag: String,
    pub variants: Vec<Variant>,
    /// Reachable from some response: unknown tags decode as `Unknown`.
    pub open: bool,
}

/// One branch of a [`Union`].
#[derive(Debug, Clone)]
pub struct Variant {
    /// The tag's value on the wire (`cinematic_avatar`).
    pub value: String,
    /// The enum variant (`CinematicAvatar`).
    pub rust_name: String,
    /// The branch's component (`CreateVideoFromCinematicAvatar`).
    pub branch: String,
    /// The branch has nothing but its tag: a unit variant, and its
    /// component is not generated (it would be an empty map type).
    pub unit: bool,
    pub description: Option<String>,
}

/// Finds the discriminated unions of `doc` (normalized, OpenAPI 3.0) that
/// can be tagged enums and takes the tag property out of their branches.
/// The union components stay in the document (their `oneOf` and
/// `discriminator` describe the wire format to every other reader); typify
/// is told to use the enums [`union_items`] emits instead of generating them.
pub fn tagged_unions(doc: &mut Value) -> (Vec<Union>, Vec<String>) {
    let mut notes = Vec::new();
    for ptr in inline_unions(doc) {
        match hoist_union(doc, &ptr) {
            Some(name) => notes.push(format!("{ptr}: the union hoisted into components/schemas/{name}")),
            None => notes.push(format!(
                "{ptr}: a discriminated union outside components/schemas stays untagged (give it a component)"
            )),
        }
    }
    let candidates = candidates(doc);
    let used_elsewhere = used_elsewhere(doc, &candidates);
    let from_responses = spec::response_reach(doc);

    let mut unions = Vec::new();
    // branch -> the tag property it loses (one, whatever the union).
    let mut untag: BTreeMap<String, String> = BTreeMap::new();
    for (name, tag, branches) in candidates {
        let (mut variants, mut problem) =
            branch_variants(doc, &tag, &branches, &used_elsewhere, &untag);
        let open = from_responses.contains(&name);
        if open {
            // `Unknown` is the open union's catch-all.
            for v in variants.iter_mut().filter(|v| v.rust_name == "Unknown") {
                v.rust_name.push_str("Value");
            }
        }
        let names: BTreeSet<&str> = variants.iter().map(|v| v.rust_name.as_str()).collect();
        if problem.is_none() && names.len() != variants.len() {
            problem = Some("two tag values make the same variant name".into());
        }
        if let Some(problem) = problem {
            notes.push(format!("union {name} stays untagged: {problem}"));
            continue;
        }
        for v in &variants {
            untag.insert(v.branch.clone(), tag.clone());
        }
        notes.push(format!(
            "union {name}: a tagged enum over the branch structs {}{}",
            branches.join(", "),
            if open {
                " (open: a response carries it)"
            } else {
                ""
            }
        ));
        unions.push(Union {
            description: doc
                .pointer(&format!(
                    "/components/schemas/{}/description",
                    escape(&name)
                ))
                .and_then(Value::as_str)
                .map(str::to_string),
            name,
            tag,
            variants,
            open,
        });
    }
    for (branch, tag) in untag {
        if let Some(obj) = doc
            .pointer_mut(&schema_pointer(&branch))
            .and_then(Value::as_object_mut)
        {
            remove_property(obj, &tag);
        }
    }
    (unions, notes)
}

/// The components that are discriminated unions of component branches:
/// `(union, tag property, branches)`.
fn candidates(doc: &Value) -> Vec<(String, String, Vec<String>)> {
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return Vec::new();
    };
    schemas
        .iter()
        .filter_map(|(name, s)| {
            let tag = s.pointer("/discriminator/propertyName")?.as_str()?;
            let branches = s.get("oneOf")?.as_array()?;
            let names = branches.iter().map(component_ref).collect::<Option<_>>()?;
            Some((name.clone(), tag.to_string(), names))
        })
        .collect()
}

/// The components referred to anywhere but in a union's `oneOf`: a branch
/// among them must keep its tag.
fn used_elsewhere(doc: &Value, candidates: &[(String, String, Vec<String>)]) -> BTreeSet<String> {
    let mut without_unions = doc.clone();
    for (name, ..) in candidates {
        if let Some(u) = without_unions.pointer_mut(&schema_pointer(name))
            && let Some(obj) = u.as_object_mut()
        {
            obj.remove("oneOf");
            obj.remove("discriminator");
        }
    }
    let mut used = BTreeSet::new();
    component_refs(&without_unions, &mut used);
    used
}

/// The variants of a union tagged by `tag` over `branches`, and the last
/// reason (if any) it cannot be a tagged enum. `untag`: the branches
/// already claimed by other unions, and their tag.
fn branch_variants(
    doc: &Value,
    tag: &str,
    branches: &[String],
    used_elsewhere: &BTreeSet<String>,
    untag: &BTreeMap<String, String>,
) -> (Vec<Variant>, Option<String>) {
    let mut variants = Vec::new();
    let mut problem = None;
    for branch in branches {
        let schema = spec::component(doc, branch);
        match schema.and_then(|s| tag_value(s, tag)) {
            None => {
                problem = Some(format!(
                    "branch {branch} is not a plain object with a one-value `{tag}`"
                ))
            }
            Some(_) if used_elsewhere.contains(branch) => {
                problem = Some(format!(
                    "branch {branch} is also used outside a union, with its tag"
                ))
            }
            Some(_) if untag.get(branch).is_some_and(|t| t != tag) => {
                problem = Some(format!(
                    "branch {branch} is tagged by another property in another union"
                ))
            }
            Some(value) => variants.push(Variant {
                rust_name: variant_name(&value),
                value,
                branch: branch.clone(),
                unit: schema
                    .and_then(|s| s.get("properties"))
                    .and_then(Value::as_object)
                    .is_none_or(|p| p.len() == 1),
                description: schema
                    .and_then(|s| s.get("description"))
                    .and_then(Value::as_str)
                    .map(str::to_string),
            }),
        }
    }
    (variants, problem)
}

/// Discriminated unions anywhere but directly under `components/schemas`.
fn inline_unions(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    visit_objects(doc, String::new(), &mut |ptr, m| {
        let top_level = ptr.matches('/').count() == 3 && ptr.starts_with("/components/schemas/");
        if m.contains_key("discriminator") && m.contains_key("oneOf") && !top_level {
            out.push(ptr.to_string());
        }
    });
    out
}

/// Moves the union at `ptr` (inside a component) into a component of its
/// own, named after where it was (`RenderRequest/properties/engine` ->
/// `RenderRequestEngine`), so it becomes a named enum like the others.
fn hoist_union(doc: &mut Value, ptr: &str) -> Option<String> {
    let rest = ptr.strip_prefix("/components/schemas/")?;
    let mut segments = rest.split('/');
    let mut name = pascal(&segments.next()?.replace("~1", "/").replace("~0", "~"));
    let mut after_properties = false;
    for seg in segments {
        match seg {
            "properties" => after_properties = true,
            "items" => name.push_str("Item"),
            "additionalProperties" => name.push_str("Value"),
            _ if after_properties => {
                name.push_str(&pascal(seg));
                after_properties = false;
            }
            _ => {}
        }
    }
    let wanted = name_by_meaning(&[name.clone(), format!("{name}Union")], |n| {
        spec::component(doc, n).is_some()
    });
    let at = doc.pointer_mut(ptr)?.as_object_mut()?;
    let mut union = serde_json::Map::new();
    for key in ["oneOf", "discriminator", "description"] {
        if let Some(v) = at.remove(key) {
            union.insert(key.to_string(), v);
        }
    }
    let reference = serde_json::json!({"$ref": format!("#/components/schemas/{wanted}")});
    if at.is_empty() {
        *at = reference.as_object()?.clone();
    } else {
        at.insert("allOf".into(), Value::Array(vec![reference]));
    }
    doc.pointer_mut("/components/schemas")?
        .as_object_mut()?
        .insert(wanted.clone(), Value::Object(union));
    Some(wanted)
}

fn component_ref(v: &Value) -> Option<String> {
    let r = v.get("$ref")?.as_str()?;
    (v.as_object()?.len() == 1)
        .then(|| r.strip_prefix("#/components/schemas/").map(str::to_string))
        .flatten()
}

/// The tag value of a branch typify can make a plain struct of: a closed
/// (or default) object whose tag is a one-value string enum.
fn tag_value(c: &Value, tag: &str) -> Option<String> {
    let object = c.get("type").is_none_or(|t| t == "object");
    let closed = matches!(
        c.get("additionalProperties"),
        None | Some(Value::Bool(false))
    );
    let plain = !["allOf", "anyOf", "oneOf", "minProperties", "maxProperties"]
        .iter()
        .any(|k| c.get(*k).is_some());
    if !(object && closed && plain) {
        return None;
    }
    let values = c
        .pointer(&format!("/properties/{}/enum", escape(tag)))?
        .as_array()?;
    match values.as_slice() {
        [Value::String(v)] => Some(v.clone()),
        _ => None,
    }
}

/// `cinematic_avatar` -> `CinematicAvatar`; a value that starts with a
/// digit (or has no letters) gets a `V` in front to be an identifier.
fn variant_name(value: &str) -> String {
    let name = pascal(value);
    if name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        name
    } else {
        format!("V{name}")
    }
}

fn remove_property(obj: &mut serde_json::Map<String, Value>, prop: &str) {
    if let Some(props) = obj.get_mut("properties").and_then(Value::as_object_mut) {
        props.remove(prop);
    }
    if let Some(req) = obj.get_mut("required").and_then(Value::as_array_mut) {
        req.retain(|r| r != prop);
        if req.is_empty() {
            obj.remove("required");
        }
    }
}

/// The Rust name typify gives a component (heck's PascalCase of it).
fn rust_name(component: &str) -> String {
    sanitize(component, true)
}

/// What typify is told to use instead of generating a component:
/// `(component, Rust path)`. The union enums live in the generated `types`
/// module, which every generated crate has at its root. The components of
/// unit branches are never referred to once their union is replaced, so
/// their stand-in is never written anywhere; it only keeps typify from
/// emitting an empty map type nobody uses.
pub fn replacements(unions: &[Union]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for u in unions {
        let name = rust_name(&u.name);
        out.push((name.clone(), format!("crate::types::{name}")));
        for v in u.variants.iter().filter(|v| v.unit) {
            out.push((rust_name(&v.branch), "()".to_string()));
        }
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests;
