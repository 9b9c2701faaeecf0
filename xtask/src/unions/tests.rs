//! Which unions become tagged enums, and the Rust they become.

use serde_json::json;

use super::*;

fn disc(tag: &str) -> Value {
    json!({"propertyName": tag})
}

fn doc(schemas: Value) -> Value {
    json!({"openapi": "3.0.3", "paths": {}, "components": {"schemas": schemas}})
}

#[test]
fn branches_stay_named_structs_without_their_tag() {
    let mut d = doc(json!({
        "Engine": {
            "oneOf": [{"$ref": "#/components/schemas/Fast"}, {"$ref": "#/components/schemas/SlowMode"}],
            "discriminator": disc("kind"),
            "description": "How to run."
        },
        "Fast": {"type": "object", "description": "Quick.", "properties": {
            "kind": {"type": "string", "enum": ["fast"]},
            "model": {"type": "string", "enum": ["f1", "f2"]}
        }, "required": ["kind", "model"]},
        "SlowMode": {"type": "object", "properties": {
            "kind": {"type": "string", "enum": ["slow_mode"]}
        }, "required": ["kind"]}
    }));
    let (unions, notes) = tagged_unions(&mut d);
    assert_eq!(unions.len(), 1, "{notes:?}");
    let u = &unions[0];
    assert_eq!((u.name.as_str(), u.tag.as_str()), ("Engine", "kind"));
    assert_eq!(u.description.as_deref(), Some("How to run."));
    let v: Vec<_> = u
        .variants
        .iter()
        .map(|v| (v.value.as_str(), v.rust_name.as_str(), v.branch.as_str()))
        .collect();
    assert_eq!(
        v,
        [
            ("fast", "Fast", "Fast"),
            ("slow_mode", "SlowMode", "SlowMode")
        ]
    );
    let s = &d["components"]["schemas"];
    assert!(s["Fast"]["properties"].get("kind").is_none(), "tag removed");
    assert_eq!(s["Fast"]["required"], json!(["model"]));
    assert!(
        s["SlowMode"].get("required").is_none(),
        "empty required dropped"
    );
    assert!(
        s["Engine"].get("oneOf").is_some(),
        "the union keeps describing the wire"
    );
}

#[test]
fn a_branch_used_elsewhere_leaves_the_union_untagged() {
    let mut d = doc(json!({
        "U": {"oneOf": [{"$ref": "#/components/schemas/A"}], "discriminator": disc("type")},
        "A": {"type": "object", "properties": {"type": {"type": "string", "enum": ["a"]}}, "required": ["type"]},
        "Holder": {"type": "object", "properties": {"a": {"$ref": "#/components/schemas/A"}}}
    }));
    let (unions, notes) = tagged_unions(&mut d);
    assert!(unions.is_empty());
    assert!(notes[0].contains("also used outside a union"), "{notes:?}");
    assert!(
        d["components"]["schemas"]["A"]["properties"]
            .get("type")
            .is_some()
    );
}

#[test]
fn a_branch_shared_by_two_unions_is_untagged_once() {
    let mut d = doc(json!({
        "U": {"oneOf": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}], "discriminator": disc("type")},
        "V": {"oneOf": [{"$ref": "#/components/schemas/A"}], "discriminator": disc("type")},
        "A": {"type": "object", "properties": {"type": {"type": "string", "enum": ["a"]}, "x": {"type": "string"}}, "required": ["type"]},
        "B": {"type": "object", "properties": {"type": {"type": "string", "enum": ["b"]}}, "required": ["type"]}
    }));
    let (unions, _) = tagged_unions(&mut d);
    assert_eq!(unions.len(), 2);
    assert_eq!(
        d["components"]["schemas"]["A"]["properties"],
        json!({"x": {"type": "string"}})
    );
}

#[test]
fn an_open_branch_leaves_the_union_untagged() {
    let mut d = doc(json!({
        "U": {"oneOf": [{"$ref": "#/components/schemas/A"}], "discriminator": disc("type")},
        "A": {"type": "object", "additionalProperties": true,
              "properties": {"type": {"type": "string", "enum": ["a"]}}}
    }));
    let (unions, notes) = tagged_unions(&mut d);
    assert!(unions.is_empty());
    assert!(notes[0].contains("stays untagged"), "{notes:?}");
}

#[test]
fn variant_names_are_identifiers() {
    assert_eq!(variant_name("cinematic_avatar"), "CinematicAvatar");
    assert_eq!(variant_name("avatar_iii"), "AvatarIii");
    assert_eq!(variant_name("3d"), "V3d");
}

#[test]
fn the_emitted_enum_is_internally_tagged_with_conversions() {
    let u = Union {
        name: "Engine".into(),
        description: None,
        tag: "kind".into(),
        variants: vec![
            Variant {
                value: "fast".into(),
                rust_name: "Fast".into(),
                branch: "FastEngine".into(),
                unit: false,
                description: Some("Quick.".into()),
            },
            Variant {
                value: "plain".into(),
                rust_name: "Plain".into(),
                branch: "PlainEngine".into(),
                unit: true,
                description: None,
            },
        ],
        open: false,
    };
    let code = union_items(&[u]).to_string();
    for want in [
        "# [serde (tag = \"kind\")]",
        "# [serde (rename = \"fast\")] Fast (FastEngine)",
        "impl :: std :: convert :: From < FastEngine > for Engine",
        "impl :: std :: convert :: TryFrom < builder :: FastEngine > for Engine",
        "# [non_exhaustive]",
        "# [serde (rename = \"plain\")] Plain ,",
    ] {
        assert!(code.contains(want), "missing {want} in {code}");
    }
}

#[test]
fn only_unions_a_response_carries_are_open() {
    let mut d = json!({
        "openapi": "3.0.3",
        "paths": {"/hits": {"post": {
            "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Input"}}}},
            "responses": {"200": {"description": "", "content": {"application/json": {"schema": {
                "type": "object",
                "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}}}
            }}}}}
        }}},
        "components": {"schemas": {
            "Hit": {"oneOf": [{"$ref": "#/components/schemas/Image"}, {"$ref": "#/components/schemas/Unknown"}], "discriminator": disc("type")},
            "Image": {"type": "object", "properties": {"type": {"type": "string", "enum": ["image"]}, "url": {"type": "string"}}, "required": ["type"]},
            "Unknown": {"type": "object", "properties": {"type": {"type": "string", "enum": ["unknown"]}}, "required": ["type"]},
            "Input": {"oneOf": [{"$ref": "#/components/schemas/ById"}], "discriminator": disc("type")},
            "ById": {"type": "object", "properties": {"type": {"type": "string", "enum": ["id"]}, "id": {"type": "string"}}, "required": ["type"]}
        }}
    });
    let (unions, notes) = tagged_unions(&mut d);
    let open: Vec<(&str, bool)> = unions.iter().map(|u| (u.name.as_str(), u.open)).collect();
    assert_eq!(open, [("Hit", true), ("Input", false)], "{notes:?}");
    // A tag `unknown` leaves the name `Unknown` to the catch-all.
    let names: Vec<&str> = unions[0]
        .variants
        .iter()
        .map(|v| v.rust_name.as_str())
        .collect();
    assert_eq!(names, ["Image", "UnknownValue"]);

    let code = union_items(&unions).to_string();
    let (hit, input) = code.split_at(code.find("pub enum Input").unwrap());
    let hit = &hit[..hit.rfind("# [doc").unwrap()];
    for want in [
        "# [derive (Clone , Debug)] # [non_exhaustive] pub enum Hit",
        "Unknown { # [doc = \"The `type` value.\"] tag : :: std :: string :: String",
        "body : :: serde_json :: Map < :: std :: string :: String , :: serde_json :: Value >",
        "impl < 'de > :: serde :: Deserialize < 'de > for Hit",
        "\"image\" => :: serde_json :: from_value (:: serde_json :: Value :: Object (body)) . map (Self :: Image)",
        "\"unknown\" => :: std :: result :: Result :: Ok (Self :: UnknownValue)",
        "_ => :: std :: result :: Result :: Ok (Self :: Unknown { tag , body })",
        "impl :: serde :: Serialize for Hit",
        "enum Known < 'a > { # [serde (rename = \"image\")] Image (& 'a Image) , # [serde (rename = \"unknown\")] UnknownValue , }",
        "map . serialize_entry (\"type\" , tag)",
        "impl :: schemars :: JsonSchema for Hit",
        "\"x-open-union\"",
    ] {
        assert!(hit.contains(want), "missing {want} in {hit}");
    }
    assert!(
            code.contains("# [derive (:: serde :: Deserialize , :: serde :: Serialize , Clone , Debug , schemars :: JsonSchema)] # [serde (tag = \"type\")] # [non_exhaustive] pub enum Input"),
            "a request-only union keeps the derive: {input}"
        );
    assert!(!input.contains("Unknown"), "{input}");
}
