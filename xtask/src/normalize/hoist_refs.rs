//! Pass 4, hoist `$ref`s into components: typify resolves only
//! `#/components/schemas/Name`; anything else (pydantic `$defs`, pointers
//! into paths) panics with "$ref ... is missing".
//!
//! A schema a `$ref` points at is moved into `components/schemas` once,
//! however many `$ref`s reach it, and its old place refers to the
//! component (so its users share one type); pydantic's copies of one model
//! in several bodies become one component. A `$ref` to something else
//! outside components (a parameter, a response) is replaced by a copy of
//! it.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Result, bail};
use serde_json::{Value, json};

use super::Log;
use super::doc::{components_mut, unique_name};
use super::schemas::{canonical, schema_pointers};
use crate::names::pascal;
use crate::spec::{METHODS, collect_refs, escape, ref_target_pointer, schema_pointer, unescape};

/// Hoists until no `$ref` points outside components (webhooks aside: they
/// are dropped from the 3.0 document).
pub(super) fn run(doc: &mut Value, log: &mut Log) -> Result<()> {
    // A copy may bring `$ref`s of its own; a few rounds settle chains.
    for _ in 0..8 {
        if !hoist_round(doc, log)? {
            return Ok(());
        }
    }
    let mut refs = Vec::new();
    collect_refs(doc, String::new(), &mut refs);
    let left: Vec<String> = refs
        .into_iter()
        .filter(|(at, r)| !is_component_ref(r) && !at.starts_with("/webhooks/"))
        .map(|(at, r)| format!("{at}: `{r}`"))
        .collect();
    bail!(
        "$refs outside components that keep leading to others (a cycle?): {}",
        left.join(", ")
    )
}

/// One pass of [`run`]; false when there was
/// nothing left to do.
fn hoist_round(doc: &mut Value, log: &mut Log) -> Result<bool> {
    let mut refs = Vec::new();
    collect_refs(doc, String::new(), &mut refs);
    let schema_nodes: BTreeSet<String> = schema_pointers(doc).into_iter().collect();
    // Target pointer -> the `$ref` that replaces it.
    let mut hoisted: BTreeMap<String, String> = BTreeMap::new();
    // (wanted name, shape) -> component: pydantic repeats a model's
    // `$defs` in every body that uses it; the copies are one type.
    let mut by_shape: BTreeMap<(String, String), String> = BTreeMap::new();
    let mut rewrites: Vec<(String, String)> = Vec::new();
    let mut inlines: Vec<(String, String)> = Vec::new();
    let mut to_copy: Vec<(String, String)> = Vec::new();
    for (at, r) in refs {
        // Webhooks are dropped from the 3.0 document.
        if is_component_ref(&r) || at.starts_with("/webhooks/") {
            continue;
        }
        let Some(target) = ref_target_pointer(doc, &r, &at) else {
            bail!("{at}: $ref `{r}` does not resolve");
        };
        if !schema_nodes.contains(&at) {
            inlines.push((at, target));
            continue;
        }
        if let Some(new_ref) = hoisted.get(&target) {
            rewrites.push((at, new_ref.clone()));
            continue;
        }
        let Some(value) = doc.pointer(&target).cloned() else {
            bail!("{at}: $ref `{r}` does not resolve");
        };
        // A pointer at a bare component `$ref` is that component.
        let alias = value
            .as_object()
            .filter(|o| o.len() == 1)
            .and_then(|o| o.get("$ref"))
            .and_then(Value::as_str)
            .filter(|c| c.starts_with("#/components/schemas/"));
        if let Some(component) = alias {
            hoisted.insert(target, component.to_string());
            rewrites.push((at, component.to_string()));
            continue;
        }
        let wanted = component_name_for(&target, &value);
        let shape = canonical(&value);
        let existing = doc
            .pointer(&schema_pointer(&wanted))
            .filter(|c| canonical(c) == shape)
            .map(|_| wanted.clone())
            .or_else(|| by_shape.get(&(wanted.clone(), shape.clone())).cloned());
        let name = match existing {
            Some(name) => {
                log.notes.push(format!(
                    "$ref `{r}` at {at} is components/schemas/{name} (same shape)"
                ));
                name
            }
            None => {
                // Two different models of one name: the second is named
                // after what holds it (`CreateJobItem`).
                let mut candidates = vec![wanted.clone()];
                candidates.extend(owner_name(doc, &target).map(|o| format!("{o}{wanted}")));
                let name = unique_name(doc, &[], &candidates);
                log.notes.push(format!(
                    "$ref `{r}` at {at} hoisted into components/schemas/{name}"
                ));
                // Reserves the name; filled once the refs inside are rewritten.
                components_mut(doc).insert(name.clone(), json!({}));
                by_shape.insert((wanted, shape), name.clone());
                to_copy.push((target.clone(), name.clone()));
                name
            }
        };
        let new_ref = format!("#/components/schemas/{}", escape(&name));
        hoisted.insert(target, new_ref.clone());
        rewrites.push((at, new_ref));
    }
    if rewrites.is_empty() && inlines.is_empty() {
        return Ok(false);
    }

    for (at, new_ref) in &rewrites {
        if let Some(obj) = doc.pointer_mut(at).and_then(Value::as_object_mut) {
            obj.insert("$ref".into(), Value::String(new_ref.clone()));
        }
    }
    for (target, name) in &to_copy {
        let value = doc.pointer(target).cloned().unwrap_or_default();
        components_mut(doc).insert(name.clone(), value);
    }
    // Deepest first, so an enclosing target is replaced after what it holds.
    let mut targets: Vec<(&String, &String)> = hoisted.iter().collect();
    targets.sort_by_key(|(t, _)| std::cmp::Reverse(t.matches('/').count()));
    for (target, new_ref) in targets {
        if let Some(v) = doc.pointer_mut(target) {
            *v = json!({ "$ref": new_ref });
        }
    }

    for (at, target) in inlines {
        let Some(value) = doc.pointer(&target).cloned() else {
            bail!("{at}: its $ref points at nothing once other $refs were resolved");
        };
        let Some(slot) = doc.pointer_mut(&at).and_then(Value::as_object_mut) else {
            continue;
        };
        // 3.1 lets `summary`/`description` next to a `$ref` override the target's.
        let mut siblings = std::mem::take(slot);
        siblings.remove("$ref");
        let mut copy = match value {
            Value::Object(m) => m,
            other => bail!("{at}: its $ref points at {other}, not a mapping"),
        };
        copy.extend(siblings);
        *slot = copy;
        log.notes
            .push(format!("{at}: $ref to #{target} replaced by a copy of it"));
    }
    Ok(true)
}

fn is_component_ref(r: &str) -> bool {
    let Some(rest) = r.strip_prefix("#/components/") else {
        return false;
    };
    let mut parts = rest.split('/');
    matches!(
        (parts.next(), parts.next(), parts.next()),
        (
            Some(
                "schemas"
                    | "parameters"
                    | "responses"
                    | "requestBodies"
                    | "headers"
                    | "examples"
                    | "links"
                    | "callbacks"
                    | "securitySchemes"
                    | "pathItems"
            ),
            Some(_),
            None
        )
    )
}

/// A component name for the schema at `ptr`: the `$defs` key; elsewhere
/// its `title` (pydantic's model name), or the last pointer segment that
/// names something.
fn component_name_for(ptr: &str, schema: &Value) -> String {
    let in_defs = ptr
        .rsplit('/')
        .nth(1)
        .is_some_and(|s| s == "$defs" || s == "definitions");
    let title = schema
        .get("title")
        .and_then(Value::as_str)
        .map(pascal)
        .filter(|t| t.starts_with(|c: char| c.is_ascii_alphabetic()));
    match title {
        Some(t) if !in_defs => t,
        _ => name_for_pointer(ptr),
    }
}

/// What holds the schema at `ptr`: the component it is in, or the
/// operation (by its id).
fn owner_name(doc: &Value, ptr: &str) -> Option<String> {
    let segments: Vec<String> = ptr.split('/').skip(1).map(unescape).collect();
    match segments.as_slice() {
        [components, schemas, name, ..] if components == "components" && schemas == "schemas" => {
            Some(pascal(name))
        }
        [paths, path, method, ..] if paths == "paths" => doc
            .pointer(&format!("/paths/{}/{method}/operationId", escape(path)))
            .and_then(Value::as_str)
            .map(pascal),
        _ => None,
    }
}

/// A component name for the schema at `ptr`: the last segment that names
/// something.
fn name_for_pointer(ptr: &str) -> String {
    let segments: Vec<String> = ptr.split('/').skip(1).map(unescape).collect();
    const STRUCTURAL: &[&str] = &[
        "properties",
        "items",
        "schema",
        "content",
        "requestBody",
        "responses",
        "allOf",
        "anyOf",
        "oneOf",
        "$defs",
        "definitions",
        "additionalProperties",
    ];
    segments
        .iter()
        .rev()
        .find(|s| {
            !STRUCTURAL.contains(&s.as_str())
                && !s.contains('/')
                && s.parse::<u32>().is_err()
                && !METHODS.contains(&s.as_str())
        })
        .map(|s| pascal(s))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "Hoisted".to_string())
}

#[cfg(test)]
mod tests {
    use crate::normalize::test_support::*;

    /// pydantic embeds a model's `$defs` in every body schema that uses it;
    /// `#/$defs/X` is relative to that schema. Two bodies with the same model
    /// share one component.
    #[test]
    fn defs_are_hoisted_into_components_and_refs_rewritten() {
        let body = r#"
type: object
$defs:
  Collar:
    title: Collar
    type: object
    properties:
      color: {type: string}
      tag: {$ref: '#/$defs/Tag'}
  Tag: {type: object, properties: {text: {type: string}}}
properties:
  collar: {$ref: '#/$defs/Collar'}
"#;
        let mut doc = with_paths(
            r#"
/pets:
  post:
    operationId: createPet
    responses: {'201': {description: Created}}
/toys:
  post:
    operationId: createToy
    responses: {'201': {description: Created}}
"#,
            "",
        );
        for path in ["/pets", "/toys"] {
            doc["paths"][path]["post"]["requestBody"] =
                json!({"content": {"application/json": {"schema": yaml(body)}}});
        }
        let n = run(doc);
        assert_eq!(
            *component(&n, "Collar"),
            json!({
                "title": "Collar",
                "type": "object",
                "properties": {"color": {"type": "string"}, "tag": schema_ref("Tag")},
            })
        );
        assert_eq!(
            *component(&n, "Tag"),
            json!({"type": "object", "properties": {"text": {"type": "string"}}})
        );
        for path in ["~1pets", "~1toys"] {
            assert_eq!(
                *at(
                    &n,
                    &format!("/paths/{path}/post/requestBody/content/application~1json/schema")
                ),
                json!({"type": "object", "properties": {"collar": schema_ref("Collar")}})
            );
        }
        let names: Vec<&String> = at(&n, "/components/schemas")
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(
            names,
            ["Tag", "Collar", "ErrorBody"],
            "no second Collar or Tag"
        );
    }

    #[test]
    fn a_ref_into_paths_is_hoisted_and_both_users_share_the_component() {
        let n = run(with_paths(
            r#"
/pets:
  post:
    operationId: createPet
    requestBody:
      content:
        application/json:
          schema:
            type: object
            properties:
              owner:
                title: OwnerInput
                type: object
                properties: {full_name: {type: string}}
    responses: {'201': {description: Created}}
"#,
            r#"
PetUpdate:
  type: object
  properties:
    owner:
      $ref: '#/paths/~1pets/post/requestBody/content/application~1json/schema/properties/owner'
"#,
        ));
        assert_eq!(
            *component(&n, "OwnerInput"),
            json!({
                "title": "OwnerInput",
                "type": "object",
                "properties": {"full_name": {"type": "string"}},
            })
        );
        assert_eq!(
            component(&n, "PetUpdate")["properties"]["owner"],
            schema_ref("OwnerInput")
        );
        assert_eq!(
            *at(
                &n,
                "/paths/~1pets/post/requestBody/content/application~1json/schema/properties/owner"
            ),
            schema_ref("OwnerInput")
        );
    }

    #[test]
    fn a_percent_encoded_ref_into_a_templated_path_resolves() {
        let n = run(with_paths(
            r#"
/pets/{pet_id}:
  get:
    operationId: getPet
    parameters:
      - {name: pet_id, in: path, required: true, schema: {title: PetId, type: string, format: uuid}}
    responses: {'204': {description: Gone}}
"#,
            r#"
Pet:
  type: object
  properties:
    id: {$ref: '#/paths/~1pets~1%7Bpet_id%7D/get/parameters/0/schema'}
"#,
        ));
        assert_eq!(
            component(&n, "Pet")["properties"]["id"],
            schema_ref("PetId")
        );
        assert_eq!(
            *component(&n, "PetId"),
            json!({"title": "PetId", "type": "string", "format": "uuid"})
        );
    }

    /// Two different models of one name in two bodies: the second is named
    /// after the operation that holds it.
    #[test]
    fn a_second_model_of_the_same_name_is_named_after_its_operation() {
        let mut doc = with_paths(
            r#"
/pets:
  post:
    operationId: createPet
    responses: {'201': {description: Created}}
/toys:
  post:
    operationId: createToy
    responses: {'201': {description: Created}}
"#,
            "",
        );
        for (path, field) in [("/pets", "name"), ("/toys", "sku")] {
            let body = json!({
                "type": "object",
                "$defs": {"Item": {"type": "object", "properties": {field: {"type": "string"}}}},
                "properties": {"item": {"$ref": "#/$defs/Item"}},
            });
            doc["paths"][path]["post"]["requestBody"] =
                json!({"content": {"application/json": {"schema": body}}});
        }
        let n = run(doc);
        assert!(component(&n, "Item")["properties"]["name"].is_object());
        assert!(component(&n, "CreateToyItem")["properties"]["sku"].is_object());
    }
}
