//! Pass 2, defaults: a `default` its own schema rejects would be baked
//! into the generated `Default` impls and sent on the wire. Each is checked
//! against its 3.1 schema (JSON Schema 2020-12) before anything is
//! rewritten, and dropped with a warning.

use serde_json::Value;

use super::Log;
use super::schemas::schema_pointers;
use crate::spec::fragment_encode;

/// Drops every `default` its schema rejects, with a warning.
pub(super) fn run(doc: &mut Value, log: &mut Log) {
    let mut bad = Vec::new();
    for ptr in schema_pointers(doc) {
        let Some(default) = doc.pointer(&ptr).and_then(|s| s.get("default")) else {
            continue;
        };
        // Validate against the schema in place, so its $refs resolve
        // against the whole document.
        let mut root = doc.clone();
        if let Some(obj) = root.as_object_mut() {
            obj.insert(
                "$ref".into(),
                Value::String(format!("#{}", fragment_encode(&ptr))),
            );
        }
        let Ok(validator) = jsonschema::validator_for(&root) else {
            continue;
        };
        if !validator.is_valid(default) {
            bad.push((ptr, default.clone()));
        }
    }
    for (ptr, default) in bad {
        if let Some(obj) = doc.pointer_mut(&ptr).and_then(Value::as_object_mut) {
            obj.remove("default");
        }
        log.notes.push(format!(
            "warning: {ptr}: dropped `default: {default}`, which its own schema rejects"
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::normalize::test_support::*;

    #[test]
    fn a_default_its_schema_rejects_is_dropped_with_a_warning() {
        let mut doc = with_paths(
            r#"
/pets/{pet_id}:
  get:
    operationId: getPet
    parameters:
      - {name: pet_id, in: path, required: true, schema: {type: string}}
      - {name: limit, in: query, schema: {type: integer, minimum: 1, default: 0}}
    responses:
      '200': {description: OK, content: {application/json: {schema: {$ref: '#/components/schemas/Toy'}}}}
"#,
            r#"
Toy:
  type: object
  properties:
    squeak_count: {type: integer, default: null}
    size: {type: string, enum: [small, large], default: huge}
    color: {$ref: '#/components/schemas/Color'}
    fine: {type: integer, default: 3}
Color: {type: string, enum: [red, blue]}
"#,
        );
        doc["components"]["schemas"]["Toy"]["properties"]["color"]["default"] = json!("green");
        let n = run(doc);
        assert_eq!(
            component(&n, "Toy")["properties"],
            json!({
                "squeak_count": {"type": "integer"},
                "size": {"type": "string", "enum": ["small", "large"]},
                "color": schema_ref("Color"),
                "fine": {"type": "integer", "default": 3},
            })
        );
        assert_eq!(
            *at(&n, "/paths/~1pets~1{pet_id}/get/parameters/1/schema"),
            json!({"type": "integer", "minimum": 1})
        );
        for (ptr, default) in [
            ("/components/schemas/Toy/properties/squeak_count", "null"),
            ("/components/schemas/Toy/properties/size", "\"huge\""),
            ("/components/schemas/Toy/properties/color", "\"green\""),
            ("/paths/~1pets~1{pet_id}/get/parameters/1/schema", "0"),
        ] {
            let expected = format!(
                "warning: {ptr}: dropped `default: {default}`, which its own schema rejects"
            );
            assert!(
                n.notes.contains(&expected),
                "no `{expected}` in {:#?}",
                n.notes
            );
        }
    }
}
