//! One error type, one success type per operation; and the HeyGen seed's
//! error example decodes as the error type.

use crate::normalize::test_support::*;
use crate::spec::{METHODS, escape};

// ----- errors ----------------------------------------------------------------

const ERROR_BODY: &str = r#"
type: object
properties:
  error: {$ref: '#/components/schemas/StandardError'}
"#;

const STANDARD_ERROR: &str = r#"
StandardError:
  type: object
  properties:
    code: {type: string}
    message: {type: string}
  required: [code, message]
"#;

fn json_response(description: &str, schema: Value) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": schema}}})
}

#[test]
fn inline_error_bodies_become_one_error_envelope_for_every_error_status() {
    let mut doc = with_paths(
        r#"
/pets:
  get:
    operationId: listPets
    responses: {}
/toys:
  get:
    operationId: listToys
    responses: {}
"#,
        STANDARD_ERROR,
    );
    let pets = &mut doc["paths"]["/pets"]["get"]["responses"];
    pets["200"] = json_response(
        "OK",
        json!({"type": "object", "properties": {"n": {"type": "integer"}}}),
    );
    pets["400"] = json_response("Bad Request", yaml(ERROR_BODY));
    pets["401"] = json_response("Unauthorized", yaml(ERROR_BODY));
    let toys = &mut doc["paths"]["/toys"]["get"]["responses"];
    toys["200"] = json_response("OK", json!({"type": "array", "items": {"type": "string"}}));
    toys["404"] = json_response("Not Found", yaml(ERROR_BODY));
    toys["500"] = json!({"description": "Crashed"});
    let n = run(doc);

    assert_eq!(n.error_type, "ErrorEnvelope");
    assert_eq!(
        *component(&n, "ErrorEnvelope"),
        json!({"type": "object", "properties": {"error": schema_ref("StandardError")}})
    );
    assert!(
        n.doc
            .pointer("/components/schemas/ErrorEnvelope2")
            .is_none()
    );
    let envelope = json!({"application/json": {"schema": schema_ref("ErrorEnvelope")}});
    for (op, statuses) in [
        ("~1pets", &["400", "401", "4XX", "5XX"][..]),
        ("~1toys", &["404", "500", "4XX", "5XX"][..]),
    ] {
        for status in statuses {
            assert_eq!(
                *at(&n, &format!("/paths/{op}/get/responses/{status}/content")),
                envelope,
                "{op} {status}"
            );
        }
    }
    assert_eq!(
        *at(&n, "/paths/~1toys/get/responses/4XX"),
        json!({"description": "Error", "content": envelope})
    );
    // Successes are untouched.
    assert_eq!(
        *at(
            &n,
            "/paths/~1toys/get/responses/200/content/application~1json/schema"
        ),
        json!({"type": "array", "items": {"type": "string"}})
    );
}

#[test]
fn an_inline_error_body_shaped_like_a_component_is_that_component() {
    let mut doc = with_paths(
        r#"
/pets:
  get:
    operationId: listPets
    responses:
      '204': {description: Nothing}
"#,
        &format!(
            "{STANDARD_ERROR}\nApiError:\n  title: ApiError\n  type: object\n  properties:\n    error: {{$ref: '#/components/schemas/StandardError'}}\n"
        ),
    );
    let mut inline = yaml(ERROR_BODY);
    inline["description"] = json!("annotations do not count");
    doc["paths"]["/pets"]["get"]["responses"]["401"] = json_response("Unauthorized", inline);
    let n = run(doc);
    assert_eq!(n.error_type, "ApiError");
    assert_eq!(
        *at(
            &n,
            "/paths/~1pets/get/responses/401/content/application~1json/schema"
        ),
        schema_ref("ApiError")
    );
    assert!(n.doc.pointer("/components/schemas/ErrorEnvelope").is_none());
}

/// A property named `title` is part of a schema's shape, not an annotation:
/// an error body with one more property than a component is not it.
#[test]
fn a_property_named_title_counts_when_comparing_shapes() {
    let mut doc = with_paths(
        r#"
/pets:
  get:
    operationId: listPets
    responses:
      '204': {description: Nothing}
"#,
        "Coded: {type: object, properties: {code: {type: string}}}\n",
    );
    let body = yaml(
        r#"
type: object
properties:
  code: {type: string}
  title: {oneOf: [{type: string}, {type: integer}]}
"#,
    );
    doc["paths"]["/pets"]["get"]["responses"]["400"] = json_response("Bad", body);
    let n = run(doc);
    assert_eq!(n.error_type, "ErrorEnvelope");
    assert_eq!(
        component(&n, "ErrorEnvelope")["properties"]["title"],
        json!({"oneOf": [{"type": "string"}, {"type": "integer"}]})
    );
}

#[test]
fn two_error_schemas_become_one_untagged_union_with_required_properties() {
    let n = run(with_paths(
        r#"
/pets:
  post:
    operationId: createPet
    responses:
      '201': {description: Created, content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}}}}
      '400':
        description: Bad Request
        content:
          application/json:
            schema:
              type: object
              properties:
                error: {$ref: '#/components/schemas/StandardError'}
      '422': {description: Invalid, content: {application/json: {schema: {$ref: '#/components/schemas/HTTPValidationError'}}}}
"#,
        &format!(
            r#"{STANDARD_ERROR}
Pet: {{type: object, properties: {{name: {{type: string}}}}}}
HTTPValidationError:
  type: object
  properties:
    detail: {{type: array, items: {{$ref: '#/components/schemas/ValidationError'}}}}
ValidationError:
  type: object
  properties:
    msg: {{type: string}}
  required: [msg]
"#
        ),
    ));
    assert_eq!(n.error_type, "ErrorBody");
    assert_eq!(
        *component(&n, "ErrorBody"),
        json!({
            "description": "Any error body this API declares.",
            "anyOf": [schema_ref("ErrorEnvelope"), schema_ref("HTTPValidationError")],
        })
    );
    assert_eq!(component(&n, "ErrorEnvelope")["required"], json!(["error"]));
    assert_eq!(
        component(&n, "HTTPValidationError")["required"],
        json!(["detail"])
    );
    for status in ["400", "422", "4XX", "5XX"] {
        assert_eq!(
            *at(
                &n,
                &format!("/paths/~1pets/post/responses/{status}/content/application~1json/schema")
            ),
            schema_ref("ErrorBody"),
            "{status}"
        );
    }
    assert_eq!(
        *at(
            &n,
            "/paths/~1pets/post/responses/201/content/application~1json/schema"
        ),
        schema_ref("Pet")
    );
}

#[test]
fn error_json_and_bodiless_success_responses() {
    let msg = failure(with_paths(
        r#"
/pets:
  delete:
    operationId: deletePets
    responses:
      '200': {description: Deleted, content: {application/json: {schema: {type: object}}}}
      '204': {description: Nothing to delete}
"#,
        "",
    ));
    assert!(
        msg.contains(
            "/paths/~1pets/delete/responses: DELETE /pets (deletePets) answers 200 with JSON and \
             204 (no body) otherwise"
        ),
        "{msg}"
    );
}

// ----- the seed spec -------------------------------------------------------------

/// The HeyGen seed's `listVideoAgentSessions` 401 example decodes as the
/// error type, and the error type is no longer the success type.
#[test]
fn seed_401_example_is_an_error_envelope_not_the_success_type() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/heygen.yaml");
    let text = std::fs::read_to_string(path).expect("the seed spec is readable");
    let raw: Value = serde_norway::from_str(&text).expect("the seed spec is YAML");
    let op_ptr = find_operation(&raw, "listVideoAgentSessions");
    let example = raw
        .pointer(&format!(
            "{op_ptr}/responses/401/content/application~1json/example"
        ))
        .cloned()
        .expect("the seed's 401 response has an example");

    let n =
        normalize(raw, Ungenerated::HandWritten(HAND_WRITTEN)).expect("the seed spec normalizes");
    assert_eq!(find_operation(&n.doc, "listVideoAgentSessions"), op_ptr);
    let schema = |status: &str| {
        at(
            &n,
            &format!("{op_ptr}/responses/{status}/content/application~1json/schema"),
        )
        .clone()
    };
    assert_eq!(n.error_type, "ErrorEnvelope");
    assert_eq!(schema("401"), schema_ref("ErrorEnvelope"));
    assert_ne!(schema("401"), schema("200"));

    // Validated against the schema in place, so its $refs resolve.
    let mut root = oas30_as_json_schema(&n.doc);
    root["$ref"] = json!("#/components/schemas/ErrorEnvelope");
    let validator = jsonschema::validator_for(&root).expect("the normalized doc is a schema");
    let errors: Vec<String> = validator
        .iter_errors(&example)
        .map(|e| e.to_string())
        .collect();
    assert!(
        errors.is_empty(),
        "{example} is not an ErrorEnvelope: {errors:#?}"
    );
    // Not vacuous: the envelope's inner error is checked.
    let mut broken = example.clone();
    broken["error"]
        .as_object_mut()
        .expect("an `error` object")
        .remove("code");
    assert!(!validator.is_valid(&broken), "{broken} should not validate");
}

fn find_operation(doc: &Value, id: &str) -> String {
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in METHODS {
            if item.get(*method).and_then(|op| op.get("operationId")) == Some(&json!(id)) {
                return format!("/paths/{}/{method}", escape(path));
            }
        }
    }
    panic!("no operation {id}");
}

/// The 3.0 dialect as JSON Schema 2020-12, for validating with `jsonschema`:
/// `nullable: true` becomes a null type (or a null branch), and boolean
/// exclusive bounds become numeric ones.
fn oas30_as_json_schema(v: &Value) -> Value {
    match v {
        Value::Array(a) => Value::Array(a.iter().map(oas30_as_json_schema).collect()),
        Value::Object(m) => {
            let mut m: serde_json::Map<String, Value> = m
                .iter()
                .map(|(k, v)| (k.clone(), oas30_as_json_schema(v)))
                .collect();
            for (excl, bound) in [
                ("exclusiveMinimum", "minimum"),
                ("exclusiveMaximum", "maximum"),
            ] {
                match m.get(excl) {
                    Some(Value::Bool(true)) => {
                        let b = m.remove(bound).unwrap_or(Value::Null);
                        m.insert(excl.into(), b);
                    }
                    Some(Value::Bool(false)) => {
                        m.remove(excl);
                    }
                    _ => {}
                }
            }
            if m.remove("nullable") != Some(Value::Bool(true)) {
                return Value::Object(m);
            }
            if let Some(Value::Array(values)) = m.get_mut("enum") {
                values.push(Value::Null);
            }
            match m.get("type").cloned() {
                Some(Value::String(t)) => {
                    m.insert("type".into(), json!([t, "null"]));
                    Value::Object(m)
                }
                _ => json!({"anyOf": [{"type": "null"}, m]}),
            }
        }
        other => other.clone(),
    }
}

// ----- names -----------------------------------------------------------------

/// The spec's own `ErrorBody` keeps its name; the union of every error body
/// is named after the API (`info.title` is `Test`), never `ErrorBody2`.
#[test]
fn a_spec_with_its_own_error_body_names_the_union_after_the_api() {
    let n = run(with_paths(
        r#"
/jobs:
  post:
    operationId: createJob
    responses:
      '201': {description: Created, content: {application/json: {schema: {type: object}}}}
      '409': {description: Conflict, content: {application/json: {schema: {$ref: '#/components/schemas/ErrorBody'}}}}
      '429': {description: Slow down, content: {application/json: {schema: {$ref: '#/components/schemas/RateLimited'}}}}
"#,
        r#"
ErrorBody: {type: object, properties: {reason: {type: string}}}
RateLimited: {type: object, properties: {retry_after: {type: integer}}}
"#,
    ));
    assert_eq!(n.error_type, "TestErrorBody");
    assert_eq!(
        component(&n, "TestErrorBody")["anyOf"],
        json!([schema_ref("ErrorBody"), schema_ref("RateLimited")])
    );
}

/// A second inline error body is named after the status it answers.
#[test]
fn inline_error_bodies_of_different_shapes_are_named_by_status() {
    let n = run(with_paths(
        r#"
/jobs/{id}:
  get:
    operationId: getJob
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    responses:
      '200': {description: OK, content: {application/json: {schema: {type: object}}}}
      '404':
        description: Missing
        content: {application/json: {schema: {type: object, properties: {missing: {type: string}}}}}
      '409':
        description: Busy
        content: {application/json: {schema: {type: object, properties: {busy_until: {type: string}}}}}
"#,
        "",
    ));
    assert!(component(&n, "ErrorEnvelope")["properties"]["missing"].is_object());
    assert!(component(&n, "ConflictError")["properties"]["busy_until"].is_object());
    assert_eq!(
        component(&n, "ErrorBody")["anyOf"],
        json!([schema_ref("ErrorEnvelope"), schema_ref("ConflictError")])
    );
}

/// Several success bodies: each branch is named by its status (`Created`,
/// `Accepted`), the union `<Operation>Response`.
#[test]
fn success_bodies_are_named_by_status_not_by_number() {
    let n = run(with_paths(
        r#"
/jobs:
  put:
    operationId: runJob
    responses:
      '201': {description: Created, content: {application/json: {schema: {type: object, properties: {id: {type: string}}, required: [id]}}}}
      '202': {description: Queued, content: {application/json: {schema: {type: object, properties: {position: {type: integer}}, required: [position]}}}}
"#,
        "",
    ));
    assert_eq!(
        component(&n, "RunJobResponse")["anyOf"],
        json!([schema_ref("RunJobCreated"), schema_ref("RunJobAccepted")])
    );
}
