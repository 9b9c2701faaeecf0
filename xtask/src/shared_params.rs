//! One type per shared parameter: names for the types typify would
//! otherwise name after each operation that uses the parameter.

use serde_json::{Value, json};

use crate::spec::escape;

/// A shared parameter (`components/parameters/X`) whose schema becomes a
/// type of its own (a pattern-checked string, an enum) would be generated
/// once per operation using it (`CreateLipsyncIdempotencyKey`,
/// `RotateWebhookSigningSecretIdempotencyKey`, ...). Its schema becomes the
/// component `X`, so every operation shares one type.
pub fn name_shared_parameter_types(doc: &mut Value) -> Vec<String> {
    let mut notes = Vec::new();
    let Some(params) = doc
        .pointer("/components/parameters")
        .and_then(Value::as_object)
        .cloned()
    else {
        return notes;
    };
    for (name, param) in params {
        let Some(schema) = param.get("schema") else {
            continue;
        };
        let named = ["pattern", "enum", "properties", "minLength", "maxLength"]
            .iter()
            .any(|k| schema.get(*k).is_some());
        if !named || schema.get("$ref").is_some() {
            continue;
        }
        let schemas = doc
            .pointer_mut("/components/schemas")
            .and_then(Value::as_object_mut);
        let Some(schemas) = schemas else { continue };
        if schemas.contains_key(&name) {
            continue;
        }
        schemas.insert(name.clone(), schema.clone());
        let ptr = format!("/components/parameters/{}/schema", escape(&name));
        if let Some(s) = doc.pointer_mut(&ptr) {
            *s = json!({"$ref": format!("#/components/schemas/{name}")});
        }
        notes.push(format!(
            "components/parameters/{name}: its schema named components/schemas/{name}"
        ));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_parameter_gets_one_named_type() {
        let mut doc = json!({
            "components": {
                "schemas": {},
                "parameters": {
                    "IdempotencyKey": {"name": "Idempotency-Key", "in": "header",
                        "schema": {"type": "string", "pattern": "^[a-z]+$"}},
                    "Plain": {"name": "q", "in": "query", "schema": {"type": "string"}}
                }
            }
        });
        let notes = name_shared_parameter_types(&mut doc);
        assert_eq!(notes.len(), 1);
        assert_eq!(
            doc["components"]["parameters"]["IdempotencyKey"]["schema"],
            json!({"$ref": "#/components/schemas/IdempotencyKey"})
        );
        assert_eq!(
            doc["components"]["schemas"]["IdempotencyKey"]["pattern"],
            "^[a-z]+$"
        );
        assert_eq!(
            doc["components"]["parameters"]["Plain"]["schema"],
            json!({"type": "string"})
        );
    }
}
