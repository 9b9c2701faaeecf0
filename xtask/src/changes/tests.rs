//! The change report on small pydantic-style specs, and on the vendored one.

use super::*;
use crate::client::generate_client;
use crate::prepare::{SPEC_PATH, prepare_text, workspace_root};

/// A small pydantic-style spec: one list, one create. `extra` is spliced
/// into the paths, `fields`/`params`/`enum_values` vary the shapes.
fn spec(fields: &str, params: &str, enum_values: &str, extra: &str) -> String {
    format!(
        r#"openapi: 3.1.0
info: {{title: t, version: "1"}}
paths:
  /v3/things:
    get:
      operationId: listThings
      parameters:
        - {{name: limit, in: query, required: false, schema: {{type: integer}}}}
{params}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {{$ref: '#/components/schemas/Thing'}}
    post:
      operationId: createThing
      requestBody:
        content:
          application/json:
            schema: {{$ref: '#/components/schemas/CreateThing'}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {{$ref: '#/components/schemas/Thing'}}
{extra}
components:
  schemas:
    Thing:
      type: object
      required: [id]
      properties:
        id: {{type: string}}
        status: {{$ref: '#/components/schemas/ThingStatus'}}
{fields}
    ThingStatus:
      type: string
      enum: [pending, done]
    CreateThing:
      type: object
      required: [name]
      properties:
        name: {{type: string}}
        size: {{$ref: '#/components/schemas/Size'}}
    Size:
      type: string
      enum: [{enum_values}]
"#
    )
}

fn report(old: &str, new: &str) -> Vec<Change> {
    let o = prepare_text(old, "old").unwrap();
    let n = prepare_text(new, "new").unwrap();
    let open = n.open_enums.iter().map(|e| e.name.clone()).collect();
    compare(&o.normalized.doc, &n.normalized.doc, &open)
}

fn has(changes: &[Change], breaking: bool, needle: &str) -> bool {
    changes
        .iter()
        .any(|c| c.breaking == breaking && c.what.contains(needle))
}

#[test]
fn identical_specs_have_no_changes() {
    let s = spec("", "", "s, m", "");
    assert_eq!(report(&s, &s), []);
}

#[test]
fn operations_added_and_removed() {
    let base = spec("", "", "s, m", "");
    let extra = "  /v3/things/{id}:\n    delete:\n      operationId: deleteThing\n      parameters:\n        - {name: id, in: path, required: true, schema: {type: string}}\n      responses:\n        '204': {description: gone}\n";
    let more = spec("", "", "s, m", extra);
    let added = report(&base, &more);
    assert!(
        has(
            &added,
            false,
            "operation `deleteThing` added (DELETE /v3/things/{id})"
        ),
        "{added:?}"
    );
    let removed = report(&more, &base);
    assert!(
        has(&removed, true, "operation `deleteThing` removed"),
        "{removed:?}"
    );
}

#[test]
fn parameters_by_required_ness_and_type() {
    let base = spec("", "", "s, m", "");
    let opt = spec(
        "",
        "        - {name: q, in: query, required: false, schema: {type: string}}",
        "s, m",
        "",
    );
    let req = spec(
        "",
        "        - {name: q, in: query, required: true, schema: {type: string}}",
        "s, m",
        "",
    );
    let int = spec(
        "",
        "        - {name: q, in: query, required: false, schema: {type: integer}}",
        "s, m",
        "",
    );
    assert!(has(
        &report(&base, &opt),
        false,
        "optional query parameter `q` added"
    ));
    assert!(has(
        &report(&base, &req),
        true,
        "required query parameter `q` added"
    ));
    assert!(has(
        &report(&opt, &req),
        true,
        "parameter `q` is now required"
    ));
    assert!(has(
        &report(&opt, &int),
        true,
        "parameter `q` changed type from string to integer"
    ));
    assert!(has(
        &report(&opt, &base),
        true,
        "query parameter `q` removed"
    ));
}

#[test]
fn fields_by_direction() {
    let base = spec("", "", "s, m", "");
    let with_new = spec("        url: {type: [string, 'null']}", "", "s, m", "");
    let c = report(&base, &with_new);
    assert!(
        has(&c, false, "field `Thing.url` added (optional, response)"),
        "{c:?}"
    );
    let c = report(&with_new, &base);
    assert!(
        has(&c, true, "field `Thing.url` removed (response)"),
        "{c:?}"
    );
    let int = spec("        url: {type: integer}", "", "s, m", "");
    let c = report(&with_new, &int);
    assert!(
        has(
            &c,
            true,
            "field `Thing.url` changed type from string? to integer"
        ),
        "{c:?}"
    );
}

#[test]
fn request_fields_and_enum_values() {
    let base = spec("", "", "s, m", "");
    let bigger = spec("", "", "s, m, l", "");
    let c = report(&base, &bigger);
    assert!(
        has(&c, false, "enum `Size` (request): value \"l\" added"),
        "{c:?}"
    );
    let c = report(&bigger, &base);
    assert!(
        has(&c, true, "enum `Size` (request): value \"l\" removed"),
        "{c:?}"
    );
    // A new required request field breaks callers; an optional one does not.
    let req = base.replace("required: [name]", "required: [name, size]");
    let c = report(&base, &req);
    assert!(
        has(
            &c,
            true,
            "field `CreateThing.size` is now required (request)"
        ),
        "{c:?}"
    );
    let opt = base.replace(
        "        name: {type: string}\n",
        "        name: {type: string}\n        note: {type: string}\n",
    );
    let c = report(&base, &opt);
    assert!(
        has(
            &c,
            false,
            "field `CreateThing.note` added (optional, request)"
        ),
        "{c:?}"
    );
    let req_new = opt.replace("required: [name]", "required: [name, note]");
    let c = report(&base, &req_new);
    assert!(
        has(
            &c,
            true,
            "field `CreateThing.note` added (required, request)"
        ),
        "{c:?}"
    );
}

#[test]
fn open_response_enums_gain_values_compatibly() {
    let base = spec("", "", "s, m", "");
    let more = base.replace("enum: [pending, done]", "enum: [pending, done, waiting]");
    let c = report(&base, &more);
    assert!(
        has(
            &c,
            false,
            "enum `ThingStatus` (response): value \"waiting\" added"
        ),
        "{c:?}"
    );
}

#[test]
fn rendering_puts_breaking_first_and_counts() {
    let list = vec![
        Change {
            breaking: false,
            what: "b".into(),
        },
        Change {
            breaking: true,
            what: "a".into(),
        },
    ];
    let text = render(&list, "HEAD");
    let first = text.lines().nth(1).unwrap();
    assert!(first.contains("breaking") && first.ends_with('a'), "{text}");
    assert!(text.contains("1 breaking, 1 compatible"), "{text}");
    assert!(render(&[], "HEAD").contains("none"));
}

/// An optional request field HeyGen adds is compatible, and that is
/// true of the code: the struct cannot be built with a literal.
#[test]
fn an_added_optional_request_field_is_compatible_because_structs_are_non_exhaustive() {
    let text = std::fs::read_to_string(workspace_root().join(SPEC_PATH)).unwrap();
    let old = prepare_text(&text, "old").unwrap();
    let mut doc: Value = serde_norway::from_str(&text).unwrap();
    doc["components"]["schemas"]["CreateVideoFromAvatar"]["properties"]["mood"] =
        serde_json::json!({"type": "string"});
    let new = prepare_text(&serde_json::to_string(&doc).unwrap(), "new").unwrap();
    let list = compare(&old.normalized.doc, &new.normalized.doc, &BTreeSet::new());
    let added: Vec<_> = list.iter().filter(|c| c.what.contains("mood")).collect();
    assert_eq!(added.len(), 1, "{list:?}");
    assert!(!added[0].breaking, "{}", added[0]);
    let client = generate_client(&new, None, &[]).unwrap();
    assert!(
        client.contains("#[non_exhaustive]\n    pub struct CreateVideoFromAvatar {"),
        "a struct users could build with a literal would break"
    );
}
