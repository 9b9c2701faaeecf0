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
                let name = self.unique_name(&format!("{hint}{}", pascal(&tag)));
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
}
