//! Pass 8, the document: the version becomes 3.0.3 and the top-level
//! keys 3.0 does not have (webhooks, `jsonSchemaDialect`, `$defs`,
//! `info.summary`, the license `identifier`, `components.pathItems`) go;
//! openapiv3 refuses the document otherwise.

use serde_json::{Value, json};

pub(super) fn run(doc: &mut Value) {
    let root = doc.as_object_mut().expect("document root is an object");
    root.insert("openapi".into(), json!("3.0.3"));
    for key in ["webhooks", "jsonSchemaDialect", "$defs", "$schema", "$id"] {
        root.remove(key);
    }
    root.entry("paths").or_insert_with(|| json!({}));
    if let Some(info) = root.get_mut("info").and_then(Value::as_object_mut) {
        info.remove("summary");
        if let Some(license) = info.get_mut("license").and_then(Value::as_object_mut) {
            license.remove("identifier");
        }
    }
    if let Some(comps) = root.get_mut("components").and_then(Value::as_object_mut) {
        comps.remove("pathItems");
    }
}

#[cfg(test)]
mod tests {
    use crate::normalize::test_support::*;

    #[test]
    fn version_becomes_303_and_31_only_top_level_keys_are_dropped() {
        let n = run(yaml(
            r#"
openapi: 3.1.0
jsonSchemaDialect: https://spec.openapis.org/oas/3.1/dialect/base
info:
  title: Test
  version: '1'
  summary: 3.1 only
  license: {name: MIT, identifier: MIT}
webhooks:
  petAdopted:
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Ping'}
      responses:
        '200': {description: Acknowledged}
paths: {}
components:
  schemas:
    Ping: {type: object}
"#,
        ));
        assert_eq!(
            n.doc,
            json!({
                "openapi": "3.0.3",
                "info": {"title": "Test", "version": "1", "license": {"name": "MIT"}},
                "paths": {},
                "components": {"schemas": {
                    "Ping": {"type": "object"},
                    "ErrorBody": placeholder_error(),
                }},
            })
        );
        assert_eq!(n.error_type, "ErrorBody");
    }
}
