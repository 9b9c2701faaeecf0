//! Pass 1, validate: what no later pass can work around is reported, all
//! at once, with the place in the spec to fix: a root that is no OpenAPI
//! 3.0/3.1 mapping, containers that are not mappings, external or dangling
//! `$ref`s, missing or repeated `operationId`s (they name the generated
//! methods), and path parameters the template and `parameters` disagree on.
//! A media type left empty in YAML (null) is read as `{}`, which is what
//! it means.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::Log;
use super::doc::{OpRef, operations};
use crate::spec::{collect_refs, deref, escape, ref_target_pointer};

pub(super) fn run(doc: &mut Value, log: &mut Log) {
    if !doc.is_object() {
        log.problems
            .push("the document root is not a mapping".to_string());
        return;
    }
    match doc.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.1.") || v.starts_with("3.0.") => {}
        Some(v) => log
            .problems
            .push(format!("/openapi: version `{v}` is not OpenAPI 3.0 or 3.1")),
        None => log
            .problems
            .push("/openapi: missing; this is not an OpenAPI 3 document".to_string()),
    }
    validate_structure(doc, log);

    let mut refs = Vec::new();
    collect_refs(doc, String::new(), &mut refs);
    for (ptr, r) in &refs {
        if !r.starts_with('#') {
            log.problems.push(format!(
                "{ptr}: external $ref `{r}`; vendor the referenced document into this one"
            ));
        } else if ref_target_pointer(doc, r, ptr).is_none() {
            log.problems.push(format!(
                "{ptr}: $ref `{r}` points at nothing in this document"
            ));
        }
    }

    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for op in operations(doc) {
        let ptr = op.pointer();
        if op.id.is_empty() {
            log.problems.push(format!(
                "{ptr}: {} {} has no operationId (it names the generated method)",
                op.method.to_uppercase(),
                op.path
            ));
        } else if let Some(first) = seen.insert(op.id.clone(), ptr.clone()) {
            log.problems.push(format!(
                "{ptr}: operationId `{}` is already used at {first}",
                op.id
            ));
        }
        validate_path_params(doc, &op, log);
    }
}

/// The containers later steps rewrite must be mappings; a YAML key left
/// empty (`application/json:` with nothing under it) is null, and for a
/// media type that means the same as `{}`.
fn validate_structure(doc: &mut Value, log: &mut Log) {
    for ptr in ["/paths", "/components", "/components/schemas"] {
        if doc.pointer(ptr).is_some_and(|v| !v.is_object()) {
            log.problems.push(format!("{ptr}: must be a mapping"));
        }
    }
    let mut holders: Vec<String> = Vec::new();
    for kind in ["requestBodies", "responses"] {
        if let Some(items) = doc
            .pointer(&format!("/components/{kind}"))
            .and_then(Value::as_object)
        {
            holders.extend(
                items
                    .keys()
                    .map(|k| format!("/components/{kind}/{}", escape(k))),
            );
        }
    }
    for op in operations(doc) {
        let ptr = op.pointer();
        if !doc.pointer(&ptr).is_some_and(Value::is_object) {
            log.problems
                .push(format!("{ptr}: the operation must be a mapping"));
            continue;
        }
        holders.push(format!("{ptr}/requestBody"));
        match doc.pointer(&format!("{ptr}/responses")) {
            None => {}
            Some(Value::Object(responses)) => {
                holders.extend(
                    responses
                        .keys()
                        .map(|c| format!("{ptr}/responses/{}", escape(c))),
                );
            }
            Some(_) => log
                .problems
                .push(format!("{ptr}/responses: must be a mapping")),
        }
    }
    for holder in holders {
        match doc.pointer_mut(&holder) {
            None => continue,
            Some(Value::Object(h)) => match h.get_mut("content") {
                None => {}
                Some(Value::Object(content)) => {
                    let mut bad = Vec::new();
                    for (mt, media) in content.iter_mut() {
                        match media {
                            Value::Null => *media = json!({}),
                            Value::Object(_) => {}
                            _ => bad.push(mt.clone()),
                        }
                    }
                    for mt in bad {
                        log.problems.push(format!(
                            "{holder}/content/{}: a media type must be a mapping",
                            escape(&mt)
                        ));
                    }
                }
                Some(_) => log
                    .problems
                    .push(format!("{holder}/content: must be a mapping")),
            },
            Some(_) => log.problems.push(format!("{holder}: must be a mapping")),
        }
    }
}

fn validate_path_params(doc: &Value, op: &OpRef, log: &mut Log) {
    let in_template: BTreeSet<String> = template_names(&op.path);
    let mut declared = BTreeSet::new();
    let item_ptr = format!("/paths/{}", escape(&op.path));
    for list_ptr in [
        format!("{item_ptr}/parameters"),
        format!("{}/parameters", op.pointer()),
    ] {
        let params = doc
            .pointer(&list_ptr)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for p in params {
            let p = deref(doc, &p);
            if p.get("in").and_then(Value::as_str) == Some("path")
                && let Some(name) = p.get("name").and_then(Value::as_str)
            {
                declared.insert(name.to_string());
            }
        }
    }
    for missing in in_template.difference(&declared) {
        log.problems.push(format!(
            "{}: path parameter `{{{missing}}}` of {} is not declared in `parameters`",
            op.pointer(),
            op.label()
        ));
    }
    for extra in declared.difference(&in_template) {
        log.problems.push(format!(
            "{}: parameter `{extra}` is declared `in: path` but {} has no `{{{extra}}}`",
            op.pointer(),
            op.path
        ));
    }
}

fn template_names(path: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        names.insert(rest[start + 1..start + len].to_string());
        rest = &rest[start + len + 1..];
    }
    names
}

#[cfg(test)]
mod tests {
    use crate::normalize::test_support::*;

    #[test]
    fn an_empty_media_type_is_read_as_any_json() {
        let n = run(with_paths(
            r#"
/health:
  get:
    operationId: getHealth
    responses:
      '200':
        description: OK
        content:
          application/json:
"#,
            "",
        ));
        assert_eq!(
            *at(&n, "/paths/~1health/get/responses/200/content"),
            json!({"application/json": {"schema": {}}})
        );
    }

    #[test]
    fn error_duplicate_operation_id() {
        let msg = failure(with_paths(
            r#"
/a:
  get: {operationId: getThing, responses: {'204': {description: x}}}
/b:
  get: {operationId: getThing, responses: {'204': {description: x}}}
"#,
            "",
        ));
        assert!(
            msg.contains(
                "/paths/~1b/get: operationId `getThing` is already used at /paths/~1a/get"
            ),
            "{msg}"
        );
    }

    #[test]
    fn error_missing_operation_id() {
        let msg = failure(with_paths(
            "/a:\n  delete: {responses: {'204': {description: x}}}\n",
            "",
        ));
        assert!(
            msg.contains("/paths/~1a/delete: DELETE /a has no operationId"),
            "{msg}"
        );
    }

    #[test]
    fn error_external_ref() {
        let msg = failure(with_schemas(
            "Pet:\n  type: object\n  properties:\n    owner: {$ref: 'people.yaml#/Owner'}\n",
        ));
        assert!(
            msg.contains(
                "/components/schemas/Pet/properties/owner: external $ref `people.yaml#/Owner`"
            ),
            "{msg}"
        );
    }

    #[test]
    fn error_dangling_ref() {
        let msg = failure(with_schemas(
            "Pet:\n  type: object\n  properties:\n    owner: {$ref: '#/components/schemas/Owner'}\n    collar: {$ref: '#/$defs/Collar'}\n",
        ));
        assert!(
        msg.contains(
            "/components/schemas/Pet/properties/owner: $ref `#/components/schemas/Owner` points at nothing"
        ),
        "{msg}"
    );
        assert!(
            msg.contains(
                "/components/schemas/Pet/properties/collar: $ref `#/$defs/Collar` points at nothing"
            ),
            "{msg}"
        );
    }

    #[test]
    fn error_path_parameter_not_declared() {
        let msg = failure(with_paths(
            "/pets/{pet_id}:\n  get: {operationId: getPet, responses: {'204': {description: x}}}\n",
            "",
        ));
        assert!(
        msg.contains(
            "/paths/~1pets~1{pet_id}/get: path parameter `{pet_id}` of GET /pets/{pet_id} (getPet) \
             is not declared in `parameters`"
        ),
        "{msg}"
    );
    }

    #[test]
    fn error_declared_path_parameter_not_in_the_template() {
        let msg = failure(with_paths(
            r#"
/pets:
  get:
    operationId: listPets
    parameters:
      - {name: pet_id, in: path, required: true, schema: {type: string}}
    responses: {'204': {description: x}}
"#,
            "",
        ));
        assert!(
        msg.contains(
            "/paths/~1pets/get: parameter `pet_id` is declared `in: path` but /pets has no `{pet_id}`"
        ),
        "{msg}"
    );
    }

    #[test]
    fn error_containers_that_are_not_mappings_are_reported_not_panicked_on() {
        let mut doc = with_paths(
            "/pets:\n  get: {operationId: listPets, responses: {'200': {description: x, content: {application/json: 3}}}}\n",
            "",
        );
        doc["components"] = json!([]);
        let msg = failure(doc);
        assert!(msg.contains("/components: must be a mapping"), "{msg}");
        assert!(
        msg.contains("/paths/~1pets/get/responses/200/content/application~1json: a media type must be a mapping"),
        "{msg}"
    );
    }
}
