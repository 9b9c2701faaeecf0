//! One test per normalizer rule, each on a small inline spec, asserting the
//! exact shape the rule produces. The error tests assert that the message
//! names the place in the spec to fix.

use serde_json::{Value, json};

use super::*;

fn yaml(text: &str) -> Value {
    serde_norway::from_str::<Value>(text).expect("the test's YAML parses")
}

const HEAD: &str = "openapi: 3.1.0\ninfo: {title: Test, version: '1'}\n";

/// A document with no operations and `schemas` (YAML) as its components.
fn with_schemas(schemas: &str) -> Value {
    let mut doc = yaml(&format!("{HEAD}paths: {{}}\n"));
    doc["components"] = json!({ "schemas": yaml(schemas) });
    doc
}

/// A document with `paths` (YAML) and, optionally, component `schemas`.
fn with_paths(paths: &str, schemas: &str) -> Value {
    let mut doc = yaml(HEAD);
    doc["paths"] = yaml(paths);
    if !schemas.is_empty() {
        doc["components"] = json!({ "schemas": yaml(schemas) });
    }
    doc
}

fn run(doc: Value) -> Normalized {
    normalize(doc, HAND_WRITTEN).unwrap_or_else(|e| panic!("normalize failed: {e:#}"))
}

fn failure(doc: Value) -> String {
    match normalize(doc, HAND_WRITTEN) {
        Ok(n) => panic!("normalize succeeded; notes: {:#?}", n.notes),
        Err(e) => format!("{e:#}"),
    }
}

fn at<'a>(n: &'a Normalized, ptr: &str) -> &'a Value {
    n.doc
        .pointer(ptr)
        .unwrap_or_else(|| panic!("nothing at {ptr} in\n{:#}", n.doc))
}

fn component<'a>(n: &'a Normalized, name: &str) -> &'a Value {
    at(n, &format!("/components/schemas/{name}"))
}

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// What every document without error responses gets: a placeholder error
/// type (progenitor needs one to name).
fn placeholder_error() -> Value {
    json!({"description": "An error body; the spec declares none."})
}

// ----- document ------------------------------------------------------------

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

// ----- types and nullability ----------------------------------------------------

#[test]
fn type_list_with_null_becomes_type_and_nullable() {
    let n = run(with_schemas(
        r#"
Pet:
  type: object
  properties:
    nickname: {type: [string, 'null'], title: Nickname}
    age: {type: ['null', integer], minimum: 0}
Nothing: {type: 'null'}
"#,
    ));
    assert_eq!(
        component(&n, "Pet")["properties"],
        json!({
            "nickname": {"type": "string", "nullable": true},
            "age": {"type": "integer", "nullable": true, "minimum": 0},
        })
    );
    assert_eq!(*component(&n, "Nothing"), json!({"nullable": true}));
}

#[test]
fn several_non_null_types_become_any_of_with_their_keywords_and_enum_values() {
    let n = run(with_schemas(
        r#"
Chip:
  type: [string, integer, 'null']
  description: Chip id; legacy chips are numeric.
  minLength: 3
  maximum: 999
  enum: [abc, defg, 7, null]
"#,
    ));
    assert_eq!(
        *component(&n, "Chip"),
        json!({
            "description": "Chip id; legacy chips are numeric.",
            "nullable": true,
            "anyOf": [
                {"type": "string", "minLength": 3, "enum": ["abc", "defg"]},
                {"type": "integer", "maximum": 999, "enum": [7]},
            ],
        })
    );
}

#[test]
fn null_branch_is_dropped_and_makes_the_union_nullable() {
    let n = run(with_schemas(
        r#"
Coordinates: {type: array, items: {type: number}}
LastSeen:
  oneOf:
    - $ref: '#/components/schemas/Coordinates'
    - {type: string, title: Address}
    - {type: 'null'}
"#,
    ));
    assert_eq!(
        *component(&n, "LastSeen"),
        json!({
            "nullable": true,
            "oneOf": [schema_ref("Coordinates"), {"type": "string"}],
        })
    );
}

#[test]
fn lone_ref_left_after_the_null_branch_becomes_nullable_all_of() {
    let n = run(with_schemas(
        r#"
Owner: {type: object, properties: {name: {type: string}}}
Pet:
  type: object
  properties:
    owner:
      anyOf:
        - $ref: '#/components/schemas/Owner'
        - type: 'null'
      description: Who looks after the pet.
"#,
    ));
    assert_eq!(
        component(&n, "Pet")["properties"]["owner"],
        json!({
            "description": "Who looks after the pet.",
            "nullable": true,
            "allOf": [schema_ref("Owner")],
        })
    );
}

/// pydantic's `Optional[PositiveInt]`: the merged branch's own 3.1 keywords
/// (`exclusiveMinimum: 0`, `examples`) must be converted too; openapiv3
/// refuses a numeric `exclusiveMinimum`.
#[test]
fn lone_inline_branch_is_merged_and_converted() {
    let n = run(with_schemas(
        r#"
Pet:
  type: object
  properties:
    age:
      anyOf:
        - {type: integer, exclusiveMinimum: 0, examples: [3], title: Inner}
        - {type: 'null'}
      default: null
      title: Age
      description: In years.
    tag:
      anyOf:
        - {const: vip}
        - {type: 'null'}
"#,
    ));
    assert_eq!(
        component(&n, "Pet")["properties"],
        json!({
            "age": {
                "type": "integer",
                "nullable": true,
                "minimum": 0,
                "exclusiveMinimum": true,
                "example": 3,
                "default": null,
                "description": "In years.",
            },
            "tag": {"type": "string", "enum": ["vip"], "nullable": true},
        })
    );
    assert!(
        n.notes.iter().all(|note| !note.contains("dropped `")),
        "nothing is lost on the way: {:#?}",
        n.notes
    );
}

// ----- keywords ----------------------------------------------------------------

#[test]
fn const_becomes_a_one_value_enum_of_its_type() {
    let n = run(with_schemas(
        r#"
ImageResult:
  type: object
  properties:
    kind: {const: image, title: Kind}
    version: {const: 2}
    ratio: {const: 1.5, type: number}
    flag: {const: true}
    nothing: {const: null}
"#,
    ));
    assert_eq!(
        component(&n, "ImageResult")["properties"],
        json!({
            "kind": {"type": "string", "enum": ["image"]},
            "version": {"type": "integer", "enum": [2]},
            "ratio": {"type": "number", "enum": [1.5]},
            "flag": {"type": "boolean", "enum": [true]},
            // No value left: an empty enum would admit nothing.
            "nothing": {"nullable": true},
        })
    );
}

#[test]
fn examples_become_the_first_example() {
    let n = run(with_schemas(
        r#"
Pet:
  type: object
  properties:
    name: {type: string, examples: [Biscuit, Mochi]}
    both: {type: string, example: Kept, examples: [Ignored]}
"#,
    ));
    assert_eq!(
        component(&n, "Pet")["properties"],
        json!({
            "name": {"type": "string", "example": "Biscuit"},
            "both": {"type": "string", "example": "Kept"},
        })
    );
}

#[test]
fn numeric_exclusive_bounds_become_the_boolean_form() {
    let n = run(with_schemas(
        r#"
Toy:
  type: object
  properties:
    price: {type: number, exclusiveMinimum: 0, exclusiveMaximum: 100}
    weight: {type: number, minimum: 5, exclusiveMinimum: 0}
    height: {type: number, maximum: 10, exclusiveMaximum: 10}
    legacy: {type: number, minimum: 0, exclusiveMinimum: true}
"#,
    ));
    assert_eq!(
        component(&n, "Toy")["properties"],
        json!({
            "price": {
                "type": "number",
                "minimum": 0,
                "exclusiveMinimum": true,
                "maximum": 100,
                "exclusiveMaximum": true,
            },
            // The inclusive bound is the tighter one.
            "weight": {"type": "number", "minimum": 5},
            // Equal: the exclusive one is tighter.
            "height": {"type": "number", "maximum": 10, "exclusiveMaximum": true},
            "legacy": {"type": "number", "minimum": 0, "exclusiveMinimum": true},
        })
    );
}

#[test]
fn prefix_items_become_items_with_a_length() {
    let n = run(with_schemas(
        r#"
Coordinates:
  type: array
  prefixItems:
    - {type: number, title: Latitude}
    - {type: number, title: Longitude}
  minItems: 2
  maxItems: 2
Pair:
  type: array
  prefixItems: [{type: string}, {type: integer}]
  items: false
Open:
  type: array
  prefixItems: [{type: string}]
"#,
    ));
    // The two positions differ only by title: one item type, or typify
    // makes an `anyOf` of two `f64`s that decodes nothing.
    assert_eq!(
        *component(&n, "Coordinates"),
        json!({"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2})
    );
    assert_eq!(
        *component(&n, "Pair"),
        json!({
            "type": "array",
            "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
            "minItems": 2,
            "maxItems": 2,
        })
    );
    assert_eq!(
        *component(&n, "Open"),
        json!({"type": "array", "items": {"type": "string"}, "minItems": 1})
    );
}

#[test]
fn title_is_removed_from_inline_schemas_but_a_property_named_title_is_kept() {
    let n = run(with_paths(
        r#"
/books:
  get:
    operationId: listBooks
    responses:
      '200':
        description: OK
        content:
          application/json:
            schema:
              title: Response List Books
              type: array
              items:
                title: Book
                type: object
                properties:
                  title: {title: Title, type: string}
                  kind: {title: Type, type: string, enum: [novel, poem]}
                required: [title]
"#,
        r#"
Book:
  title: Book
  type: object
  properties:
    title: {title: Title, type: string}
  required: [title]
"#,
    ));
    assert_eq!(
        *at(
            &n,
            "/paths/~1books/get/responses/200/content/application~1json/schema"
        ),
        json!({
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "title": {"type": "string"},
                    "kind": {"type": "string", "enum": ["novel", "poem"]},
                },
                "required": ["title"],
            },
        })
    );
    assert_eq!(
        *component(&n, "Book"),
        json!({
            "title": "Book",
            "type": "object",
            "properties": {"title": {"type": "string"}},
            "required": ["title"],
        })
    );
}

#[test]
fn content_keywords_and_schema_comments_are_stripped_silently() {
    let n = run(with_schemas(
        r#"
Upload:
  $schema: https://json-schema.org/draft/2020-12/schema
  $comment: internal note
  type: object
  properties:
    avatar: {type: [string, 'null'], contentEncoding: base64, contentMediaType: image/png}
    raw: {type: string, contentMediaType: application/octet-stream}
    page: {type: string, contentMediaType: text/html, contentEncoding: 7bit}
"#,
    ));
    assert_eq!(
        *component(&n, "Upload"),
        json!({
            "type": "object",
            "properties": {
                "avatar": {"type": "string", "nullable": true, "format": "byte"},
                "raw": {"type": "string", "format": "binary"},
                "page": {"type": "string"},
            },
        })
    );
    assert!(n.notes.is_empty(), "stripped silently: {:#?}", n.notes);
}

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
        let expected =
            format!("warning: {ptr}: dropped `default: {default}`, which its own schema rejects");
        assert!(
            n.notes.contains(&expected),
            "no `{expected}` in {:#?}",
            n.notes
        );
    }
}

// ----- references ----------------------------------------------------------------

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

// ----- discriminated unions ------------------------------------------------------

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

// ----- request bodies and responses ---------------------------------------------

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
fn a_hand_written_multipart_operation_is_left_out_with_a_note() {
    let n = run(with_paths(
        r#"
/assets:
  post:
    operationId: uploadAsset
    requestBody:
      content:
        multipart/form-data:
          schema: {type: object, properties: {file: {type: string, format: binary}}}
    responses: {'200': {description: OK}}
/other:
  get:
    operationId: getOther
    responses: {'204': {description: Nothing}}
"#,
        "",
    ));
    assert_eq!(
        n.left_out,
        [(
            "uploadAsset".to_string(),
            "heygen_api_ext::Client::upload_asset".to_string()
        )]
    );
    assert!(n.doc.pointer("/paths/~1assets").is_none());
    assert!(n.doc.pointer("/paths/~1other/get").is_some());
    assert!(
        n.notes.iter().any(|note| note
            == "left out POST /assets (uploadAsset): request body multipart/form-data cannot be \
                generated; use heygen_api_ext::Client::upload_asset"),
        "{:#?}",
        n.notes
    );
}

#[test]
fn error_multipart_body_not_hand_written() {
    let msg = failure(with_paths(
        r#"
/files:
  post:
    operationId: uploadFile
    requestBody:
      content:
        multipart/form-data:
          schema: {type: object, properties: {file: {type: string, format: binary}}}
    responses: {'200': {description: OK}}
"#,
        "",
    ));
    assert!(
        msg.contains(
            "/paths/~1files/post/requestBody: POST /files (uploadFile) takes multipart/form-data"
        ),
        "{msg}"
    );
    assert!(msg.contains("HAND_WRITTEN"), "{msg}");
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
        msg.contains("/paths/~1b/get: operationId `getThing` is already used at /paths/~1a/get"),
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

    let n = normalize(raw, HAND_WRITTEN).expect("the seed spec normalizes");
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
