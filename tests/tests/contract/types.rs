//! Type drift: every component schema of the spec against the `schemars`
//! schema of the generated type that carries it (see
//! `heygen_contract_tests::drift` for what is compared and the table of
//! allowed differences).

use std::collections::BTreeMap;

use heygen_contract_tests::drift::{self, ALLOWED_DIFFERENCES, Drift, Rule};
use heygen_contract_tests::generated::{COMPONENT_TYPES, schema_of};
use heygen_contract_tests::spec::spec;
use heygen_contract_tests::unions::branches_by_tag;
use serde_json::Value;

use crate::support::assert_no_problems;

fn rust_schema(rust: &str) -> Option<Value> {
    schema_of(rust).and_then(|s| serde_json::to_value(s).ok())
}

/// Compares every component; union branches without a type of their own
/// against the variant of each union that holds them.
fn drift() -> Drift {
    let spec = spec();
    let mut drift = Drift::default();
    let mapped: BTreeMap<&str, &str> = COMPONENT_TYPES.iter().copied().collect();
    let components = spec
        .doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .expect("the spec has component schemas");
    // Branch component -> the tag its union's enum carries for it.
    let mut tag_of_branch: BTreeMap<String, String> = BTreeMap::new();
    for union in components.values() {
        let Some(tag) = union
            .pointer("/discriminator/propertyName")
            .and_then(Value::as_str)
        else {
            continue;
        };
        for branch in branches_by_tag(&spec.doc, union).values() {
            if let Some(r) = branch.get("$ref").and_then(Value::as_str) {
                let name = r.trim_start_matches("#/components/schemas/");
                tag_of_branch.insert(name.to_string(), tag.to_string());
            }
        }
    }
    for (name, schema) in components {
        if let Some(rust) = mapped.get(name.as_str()) {
            let mut schema = schema.clone();
            if let Some(tag) = tag_of_branch.get(name) {
                // The branch struct leaves its tag to the union's enum.
                *drift.applied.entry(Rule::TagOnTheEnum).or_default() += 1;
                if let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) {
                    props.remove(tag);
                }
                if let Some(req) = schema.get_mut("required").and_then(Value::as_array_mut) {
                    req.retain(|r| r != tag.as_str());
                }
            }
            let schema = &schema;
            let Some(root) = rust_schema(rust) else {
                drift
                    .mismatches
                    .push(format!("{name}: no schema for {rust}"));
                continue;
            };
            let label = if rust == name {
                name.clone()
            } else {
                format!("{rust} (spec: {name})")
            };
            drift::compare(&spec.doc, schema, &root, &root, &label, None, &mut drift);
            continue;
        }
        let target = format!("#/components/schemas/{name}");
        let mut parents = 0;
        for (parent, union) in components {
            let tags = branches_by_tag(&spec.doc, union);
            let Some((value, _)) = tags
                .iter()
                .find(|(_, b)| b.get("$ref").and_then(Value::as_str) == Some(target.as_str()))
            else {
                continue;
            };
            parents += 1;
            let tag = union
                .pointer("/discriminator/propertyName")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let Some(root) = mapped.get(parent.as_str()).and_then(|r| rust_schema(r)) else {
                drift.mismatches.push(format!(
                    "{name}: a branch of {parent}, which has no generated type"
                ));
                continue;
            };
            let rust_parent = mapped.get(parent.as_str()).copied().unwrap_or_default();
            let label = format!("{rust_parent}::{value} (spec: {name})");
            match drift::rust_variant(&root, &root, tag, value) {
                Some(variant) => {
                    *drift.applied.entry(Rule::BranchIsVariant).or_default() += 1;
                    drift::compare(
                        &spec.doc,
                        schema,
                        &root,
                        variant,
                        &label,
                        Some(tag),
                        &mut drift,
                    );
                }
                None => drift.mismatches.push(format!(
                    "{label}: no variant with `{tag}` = \"{value}\" in the generated enum"
                )),
            }
        }
        if parents == 0 {
            drift.mismatches.push(format!(
                "{name}: no generated type, and not a branch of a discriminated union (run `cargo xtask regen`)"
            ));
        }
    }
    drift
}

/// Fails naming each type and field that differs; prints how often each
/// allowed difference was applied.
#[test]
fn component_schemas_match_generated_types() {
    let drift = drift();
    for (rule, what, _) in ALLOWED_DIFFERENCES {
        let n = drift.applied.get(rule).copied().unwrap_or(0);
        eprintln!("allowed difference {rule:?} applied {n} times: {what}");
    }
    assert_no_problems(
        &format!(
            "{} differences between component schemas and generated types (allowed differences: heygen_contract_tests::drift::ALLOWED_DIFFERENCES)",
            drift.mismatches.len()
        ),
        &drift.mismatches,
    );
}
