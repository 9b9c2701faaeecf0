//! The comparison on small schemas: what it names, what it forgives.

use serde_json::{Value, json};

use super::{Drift, Rule, compare};

fn run(spec: Value, rust: Value, tag: Option<&str>) -> Drift {
    let doc = json!({"components": {"schemas": {"S": spec}}});
    let mut drift = Drift::default();
    compare(
        &doc,
        &doc["components"]["schemas"]["S"],
        &rust,
        &rust,
        "T",
        tag,
        &mut drift,
    );
    drift
}

fn object(props: Value, required: &[&str]) -> Value {
    json!({"type": "object", "properties": props, "required": required})
}

#[test]
fn a_renamed_field_is_named_on_both_sides() {
    let d = run(
        object(json!({"video_url": {"type": "string"}}), &["video_url"]),
        object(json!({"url": {"type": "string"}}), &["url"]),
        None,
    );
    assert_eq!(
        d.mismatches,
        [
            "T.video_url: in the spec, missing from the generated type",
            "T.url: in the generated type, not in the spec"
        ]
    );
}

#[test]
fn required_nullability_and_enum_changes_are_mismatches() {
    let d = run(
        object(
            json!({
                "a": {"type": "string"},
                "b": {"type": ["string", "null"]},
                "c": {"type": "string", "enum": ["x", "y"]}
            }),
            &["a", "b"],
        ),
        object(
            json!({
                "a": {"type": ["string", "null"]},
                "b": {"type": "string"},
                "c": {"type": "string", "enum": ["x"]}
            }),
            &["b"],
        ),
        None,
    );
    assert_eq!(d.mismatches.len(), 4, "{:#?}", d.mismatches);
    assert!(d.mismatches[0].starts_with("T.a: required in the spec, optional in Rust"));
    assert!(d.mismatches[1].starts_with("T.a: required and not nullable in the spec"));
    assert!(d.mismatches[2].starts_with("T.b: nullable in the spec"));
    assert!(d.mismatches[3].starts_with("T.c: enum values differ"));
}

#[test]
fn allowed_differences_are_forgiven_only_where_they_apply() {
    let spec = object(
        json!({"type": {"const": "url"}, "opt": {"type": "string"}, "n": {"type": ["string", "null"]}}),
        &["n"],
    );
    let rust = object(
        json!({
            "type": {"type": "string", "enum": ["url"]},
            "opt": {"type": ["string", "null"]},
            "n": {"type": ["string", "null"]}
        }),
        &["type"],
    );
    let d = run(spec.clone(), rust.clone(), Some("type"));
    assert!(d.mismatches.is_empty(), "{:#?}", d.mismatches);
    for rule in [
        Rule::DiscriminatorTagRequired,
        Rule::OptionalIsOption,
        Rule::RequiredNullableIsOption,
        Rule::ConstIsEnum,
    ] {
        assert_eq!(d.applied.get(&rule), Some(&1), "{rule:?}");
    }
    // Not a union branch: a required tag is drift.
    let d = run(spec, rust, None);
    assert_eq!(
        d.mismatches,
        ["T.type: optional in the spec, required in Rust"]
    );
}

#[test]
fn an_open_enum_passes_with_the_same_known_values_only() {
    let spec = json!({"type": "string", "enum": ["a", "b"]});
    let open = |values: Value| json!({"type": "string", "enum": values, "x-open-enum": true});
    let d = run(spec.clone(), open(json!(["a", "b"])), None);
    assert!(d.mismatches.is_empty());
    assert_eq!(d.applied.get(&Rule::OpenEnum), Some(&1));
    let d = run(spec, open(json!(["a"])), None);
    assert_eq!(d.mismatches.len(), 1);
    assert!(
        d.mismatches[0].contains(r#"the spec's ["\"b\""] missing in Rust"#),
        "{:?}",
        d.mismatches
    );
}
