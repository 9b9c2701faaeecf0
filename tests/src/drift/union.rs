//! Unions: the spec's branches against the generated enum's variants.

use std::collections::BTreeSet;

use serde_json::Value;

use super::view::{View, view};
use super::{Drift, compare};
use crate::unions::branch_tag;

/// The tag value of a Rust union variant (`properties.<tag>.enum[0]`).
fn variant_tag(root: &Value, branch: &Value, tag: &str) -> Option<String> {
    let v = view(root, branch);
    let p = v.properties.get(tag)?;
    let pv = view(root, p);
    let values = pv.enum_values?;
    (values.len() == 1)
        .then(|| values.into_iter().next())
        .flatten()
        .map(|s| s.trim_matches('"').to_string())
}

/// The Rust variant of the union `rust_schema` that carries `tag` = `value`.
pub fn rust_variant<'a>(
    rust_root: &'a Value,
    rust_schema: &'a Value,
    tag: &str,
    value: &str,
) -> Option<&'a Value> {
    let r = view(rust_root, rust_schema);
    if r.branches.is_empty() {
        // A one-variant enum: its schema is the variant itself.
        return (variant_tag(rust_root, rust_schema, tag).as_deref() == Some(value))
            .then_some(rust_schema);
    }
    r.branches
        .into_iter()
        .find(|b| variant_tag(rust_root, b, tag).as_deref() == Some(value))
}

/// Unions: the same tags (discriminated) or the same number of branches;
/// inline branches compared with the variant of their tag.
pub(super) fn compare_union(
    spec_doc: &Value,
    s: &View<'_>,
    rust_root: &Value,
    r: &View<'_>,
    at: &str,
    drift: &mut Drift,
) {
    let Some(tag) = &s.discriminator else {
        if s.branches.len() != r.branches.len() {
            drift.mismatch(
                at,
                format!(
                    "a union of {} branches in the spec, {} in Rust",
                    s.branches.len(),
                    r.branches.len()
                ),
            );
        }
        return;
    };
    let tags: BTreeSet<String> = s
        .branches
        .iter()
        .filter_map(|b| branch_tag(spec_doc, b, tag))
        .map(str::to_string)
        .collect();
    let rust_tags: BTreeSet<String> = r
        .branches
        .iter()
        .filter_map(|b| variant_tag(rust_root, b, tag))
        .collect();
    if tags != rust_tags || s.branches.len() != r.branches.len() {
        drift.mismatch(
            at,
            format!("union on `{tag}`: the spec's variants {tags:?}, Rust's {rust_tags:?}"),
        );
    }
    // Inline branches are compared here; named ones on their own.
    for b in &s.branches {
        if b.get("$ref").is_some() {
            continue;
        }
        let Some(value) = branch_tag(spec_doc, b, tag) else {
            continue;
        };
        let rust_union = serde_json::json!({"oneOf": r.branches.iter().map(|b| (*b).clone()).collect::<Vec<_>>()});
        if let Some(rb) = rust_variant(rust_root, &rust_union, tag, value) {
            compare(
                spec_doc,
                b,
                rust_root,
                rb,
                &format!("{at}::{value}"),
                Some(tag),
                drift,
            );
        }
    }
}
