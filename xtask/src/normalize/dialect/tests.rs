//! The 3.0.3 dialect: types and nullability, then keyword by keyword.

use crate::normalize::test_support::*;

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
