//! Discriminated unions, as the 3.0.3 dialect pass meets them.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::Converter;
use crate::names::pascal;
use crate::normalize::schemas::require;
use crate::spec::unescape;

impl Converter<'_> {
    /// Discriminated unions. typify ignores `discriminator`; what keeps the
    /// variants of the resulting (untagged) enum apart is each branch's
    /// one-value tag, so the tag must be required in every branch. Inline
    /// branches become named components: typify names the nested types of
    /// inline branches without the variant, so sibling branches with a
    /// same-named property would share (and mistype) one type.
    pub(super) fn discriminated_union(
        &mut self,
        obj: &mut Map<String, Value>,
        ptr: &str,
        hint: &str,
    ) {
        let Some(prop) = obj
            .get("discriminator")
            .and_then(|d| d.get("propertyName"))
            .and_then(Value::as_str)
            .map(str::to_string)
        else {
            return;
        };
        let mapping: BTreeMap<String, String> = obj
            .get("discriminator")
            .and_then(|d| d.get("mapping"))
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((v.as_str()?.to_string(), k.clone())))
                    .collect()
            })
            .unwrap_or_default();
        for key in ["oneOf", "anyOf"] {
            let Some(Value::Array(list)) = obj.get_mut(key) else {
                continue;
            };
            for (i, branch) in list.iter_mut().enumerate() {
                if let Some(r) = branch.get("$ref").and_then(Value::as_str) {
                    if let Some(name) = r.strip_prefix("#/components/schemas/") {
                        self.required_tags.push((unescape(name), prop.clone()));
                    }
                    continue;
                }
                if branch
                    .get("properties")
                    .and_then(|p| p.get(&prop))
                    .is_none()
                {
                    continue;
                }
                let tag = tag_value(branch, &prop)
                    .or_else(|| mapping.values().nth(i).cloned())
                    .unwrap_or_else(|| i.to_string());
                let tag_name = pascal(&tag);
                let name =
                    self.unique_name(&[format!("{hint}{tag_name}"), format!("{tag_name}{hint}")]);
                let mut hoisted = branch.take();
                require(&mut hoisted, &prop);
                self.log.notes.push(format!(
                    "{ptr}/{key}/{i}: inline union branch `{tag}` hoisted into components/schemas/{name}"
                ));
                self.pending.push((name.clone(), hoisted));
                *branch = json!({"$ref": format!("#/components/schemas/{name}")});
            }
        }
    }
}

impl Converter<'_> {
    /// A tagged union written as `anyOf` becomes `oneOf`. FastAPI writes a
    /// discriminated union used directly as a body as a bare `anyOf` of the
    /// branch `$ref`s (the discriminator is dropped there), and typify makes
    /// an `anyOf` of objects a struct of flattened optional branches: a
    /// payload of the second branch decodes into it and encodes back as
    /// `{}`. An `anyOf` with a `discriminator`, or whose branches are all
    /// objects with a common one-value property and a different value in
    /// each, can match one branch only, so it is a `oneOf` (an enum for
    /// typify). With a string tag every branch requires, the tag is the
    /// union's discriminator, so the union machinery can tag it.
    pub(super) fn tagged_any_of(&mut self, obj: &mut Map<String, Value>, ptr: &str) {
        if obj.contains_key("oneOf") {
            return;
        }
        let Some(Value::Array(branches)) = obj.get("anyOf") else {
            return;
        };
        if !obj.contains_key("discriminator") {
            let Some((tag, required)) = common_tag(self.doc, branches) else {
                return;
            };
            self.log.notes.push(format!(
                "{ptr}: `anyOf` of objects told apart by `{tag}` made `oneOf`"
            ));
            if required {
                obj.insert("discriminator".into(), json!({"propertyName": tag}));
            }
        }
        let branches = obj.remove("anyOf").expect("checked above");
        obj.insert("oneOf".into(), branches);
    }
}

/// The property that tells `branches` apart, and whether it is a string
/// every branch requires: each branch is an object (inline or a component
/// of `doc`) where the property has one constant value, a different one in
/// each branch.
fn common_tag(doc: &Value, branches: &[Value]) -> Option<(String, bool)> {
    let objects: Vec<&Value> = branches
        .iter()
        .map(|b| match b.get("$ref").and_then(Value::as_str) {
            Some(r) => doc.pointer(&format!(
                "/components/schemas/{}",
                r.strip_prefix("#/components/schemas/")?
            )),
            None => Some(b),
        })
        .collect::<Option<_>>()?;
    if objects.len() < 2 {
        return None;
    }
    let first = objects[0].get("properties")?.as_object()?;
    'props: for prop in first.keys() {
        let mut values = Vec::new();
        let mut all_required = true;
        for o in &objects {
            let Some(v) = constant(o, prop) else {
                continue 'props;
            };
            if values.contains(&v) {
                continue 'props;
            }
            all_required &= o
                .get("required")
                .and_then(Value::as_array)
                .is_some_and(|r| r.iter().any(|p| p == prop.as_str()));
            values.push(v);
        }
        let string_tag = values.iter().all(|v| v.is_string()) && all_required;
        return Some((prop.clone(), string_tag));
    }
    None
}

/// The one value `prop` of the object schema `o` can take (`const`, or an
/// `enum` of one value).
fn constant<'a>(o: &'a Value, prop: &str) -> Option<&'a Value> {
    if o.get("type").is_some_and(|t| t != "object") {
        return None;
    }
    let p = o.get("properties")?.get(prop)?;
    if let Some(c) = p.get("const") {
        return Some(c);
    }
    match p.get("enum")?.as_array()?.as_slice() {
        [v] => Some(v),
        _ => None,
    }
}

fn tag_value(branch: &Value, prop: &str) -> Option<String> {
    let p = branch.get("properties")?.get(prop)?;
    let v = p
        .get("const")
        .or_else(|| p.get("enum").and_then(|e| e.get(0)))?;
    v.as_str().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use crate::normalize::test_support::*;

    #[test]
    fn ref_branches_of_a_discriminated_union_get_the_tag_required() {
        let n = run(with_schemas(
            r#"
RenderJob:
  type: object
  properties:
    result:
      title: Result
      oneOf:
        - $ref: '#/components/schemas/ImageResult'
        - $ref: '#/components/schemas/GifResult'
      discriminator:
        propertyName: kind
        mapping:
          image: '#/components/schemas/ImageResult'
          gif: '#/components/schemas/GifResult'
ImageResult:
  type: object
  properties:
    kind: {const: image, type: string}
    url: {type: string}
  required: [kind, url]
GifResult:
  type: object
  properties:
    kind: {const: gif, type: string, default: gif}
    frames: {type: integer}
  required: [frames]
"#,
        ));
        assert_eq!(
            component(&n, "ImageResult")["required"],
            json!(["kind", "url"])
        );
        assert_eq!(
            component(&n, "GifResult")["required"],
            json!(["frames", "kind"])
        );
        assert_eq!(
            component(&n, "GifResult")["properties"]["kind"],
            json!({"type": "string", "enum": ["gif"], "default": "gif"})
        );
        assert_eq!(
            component(&n, "RenderJob")["properties"]["result"],
            json!({
                "oneOf": [schema_ref("ImageResult"), schema_ref("GifResult")],
                "discriminator": {
                    "propertyName": "kind",
                    "mapping": {
                        "image": "#/components/schemas/ImageResult",
                        "gif": "#/components/schemas/GifResult",
                    },
                },
            })
        );
    }

    #[test]
    fn inline_branches_of_a_discriminated_union_become_components() {
        let n = run(with_schemas(
            r#"
RenderRequest:
  type: object
  properties:
    engine:
      title: Engine
      oneOf:
        - title: FastEngine
          type: object
          properties:
            tier: {const: fast, type: string, title: Tier}
            model: {title: Model, type: string, enum: [f1, f2]}
          required: [model]
        - title: SlowEngine
          type: object
          properties:
            tier: {const: slow, type: string, title: Tier}
            model: {title: Model, type: string, enum: [s1, s2]}
          required: [tier, model]
      discriminator: {propertyName: tier}
"#,
        ));
        assert_eq!(
            component(&n, "RenderRequest")["properties"]["engine"],
            json!({
                "oneOf": [
                    schema_ref("RenderRequestEngineFast"),
                    schema_ref("RenderRequestEngineSlow"),
                ],
                "discriminator": {"propertyName": "tier"},
            })
        );
        assert_eq!(
            *component(&n, "RenderRequestEngineFast"),
            json!({
                "title": "FastEngine",
                "type": "object",
                "properties": {
                    "tier": {"type": "string", "enum": ["fast"]},
                    "model": {"type": "string", "enum": ["f1", "f2"]},
                },
                "required": ["model", "tier"],
            })
        );
        assert_eq!(
            *component(&n, "RenderRequestEngineSlow"),
            json!({
                "title": "SlowEngine",
                "type": "object",
                "properties": {
                    "tier": {"type": "string", "enum": ["slow"]},
                    "model": {"type": "string", "enum": ["s1", "s2"]},
                },
                "required": ["tier", "model"],
            })
        );
    }

    const TAGGED_BRANCHES: &str = r#"
V1:
  type: object
  properties:
    version: {type: integer, const: 1}
    text: {type: string}
  required: [version, text]
V2:
  type: object
  properties:
    version: {type: integer, const: 2}
    text: {type: string}
    lang: {type: string, default: en}
  required: [version, text]
Cat:
  type: object
  properties:
    pet_type: {type: string, const: cat}
    meows: {type: integer, default: 0}
  required: [pet_type]
Dog:
  type: object
  properties:
    pet_type: {type: string, enum: [dog]}
    barks: {type: number}
  required: [pet_type, barks]
"#;

    #[test]
    fn any_of_told_apart_by_a_tag_becomes_one_of() {
        // FastAPI's `body: Annotated[Cat | Dog, Field(discriminator=...)]`
        // and the same with integer tags (`Literal[1]`, `Literal[2]`).
        let n = run(with_paths(
            r#"
/pets:
  post:
    operationId: createPet
    requestBody:
      required: true
      content:
        application/json:
          schema:
            title: Body
            anyOf:
              - $ref: '#/components/schemas/Cat'
              - $ref: '#/components/schemas/Dog'
    responses: {'204': {description: done}}
/workers:
  post:
    operationId: listWorkers
    requestBody:
      required: true
      content:
        application/json:
          schema:
            title: Body
            anyOf:
              - $ref: '#/components/schemas/V1'
              - $ref: '#/components/schemas/V2'
              - {type: 'null'}
    responses: {'204': {description: done}}
"#,
            TAGGED_BRANCHES,
        ));
        let body = |path: &str| {
            at(
                &n,
                &format!("/paths/~1{path}/post/requestBody/content/application~1json/schema"),
            )
        };
        // A string tag every branch requires is the discriminator.
        assert_eq!(
            *body("pets"),
            json!({
                "oneOf": [schema_ref("Cat"), schema_ref("Dog")],
                "discriminator": {"propertyName": "pet_type"},
            })
        );
        // An integer tag makes a `oneOf` (an enum typify decodes by trial).
        assert_eq!(
            *body("workers"),
            json!({
                "nullable": true,
                "oneOf": [schema_ref("V1"), schema_ref("V2")],
            })
        );
        assert_eq!(component(&n, "Cat")["required"], json!(["pet_type"]));
    }

    #[test]
    fn any_of_without_a_telling_tag_stays_any_of() {
        let n = run(with_schemas(&format!(
            r#"{TAGGED_BRANCHES}
SameTag:
  anyOf:
    - $ref: '#/components/schemas/V1'
    - type: object
      properties: {{version: {{type: integer, const: 1}}, extra: {{type: string}}}}
NoCommonTag:
  anyOf:
    - $ref: '#/components/schemas/V1'
    - $ref: '#/components/schemas/Cat'
NotObjects:
  anyOf: [{{type: string}}, {{type: integer}}]
Declared:
  anyOf:
    - $ref: '#/components/schemas/Cat'
    - $ref: '#/components/schemas/V1'
  discriminator: {{propertyName: pet_type}}
"#
        )));
        assert!(component(&n, "SameTag").get("anyOf").is_some());
        assert!(component(&n, "NoCommonTag").get("anyOf").is_some());
        assert!(component(&n, "NotObjects").get("anyOf").is_some());
        // A `discriminator` says the branches exclude each other.
        assert_eq!(
            *component(&n, "Declared"),
            json!({
                "oneOf": [schema_ref("Cat"), schema_ref("V1")],
                "discriminator": {"propertyName": "pet_type"},
            })
        );
    }

    /// A branch whose natural name a component already has is named tag
    /// first (`FastRenderEngine`), never `RenderEngineFast2`.
    #[test]
    fn a_hoisted_branch_whose_name_is_taken_is_named_tag_first() {
        let n = run(with_schemas(
            r#"
RenderEngineFast: {type: object, properties: {legacy: {type: boolean}}}
Render:
  type: object
  properties:
    engine:
      oneOf:
        - type: object
          properties: {tier: {const: fast, type: string}}
          required: [tier]
        - type: object
          properties: {tier: {const: slow, type: string}}
          required: [tier]
      discriminator: {propertyName: tier}
"#,
        ));
        assert_eq!(
            component(&n, "Render")["properties"]["engine"]["oneOf"],
            json!([
                schema_ref("FastRenderEngine"),
                schema_ref("RenderEngineSlow")
            ])
        );
        assert!(component(&n, "RenderEngineFast")["properties"]["legacy"].is_object());
    }
}
