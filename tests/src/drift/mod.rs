//! Type drift: the `schemars` schema of each generated type against the
//! spec's component schema it was generated from. Compared: property
//! names, the required set, nullability, enum values, primitive types and
//! union tags, recursively through inline schemas. Not compared:
//! descriptions, titles, examples, defaults, formats (annotations).
//!
//! The normalizer (the spec pass of `cargo xtask regen`) and Rust's
//! types legitimately change some of this; every difference the
//! comparison forgives is a [`Rule`] listed, with its reason, in
//! [`ALLOWED_DIFFERENCES`], the one place they are documented. A rule is
//! applied only where its condition holds, and every application is
//! counted (a rule that no component needs any more shows up as unused).
//!
//! The parts: [`Rule`], [`ALLOWED_DIFFERENCES`] and [`Drift`] (`rules`);
//! what is compared of a schema node (`view`); the comparison of objects
//! (`object`) and of unions (`union`), called from [`compare`].

mod object;
mod rules;
mod union;
mod view;

#[cfg(test)]
mod tests;

use std::collections::BTreeSet;

use serde_json::Value;

pub use self::rules::{ALLOWED_DIFFERENCES, Drift, Rule};
pub use self::union::rust_variant;
use self::view::{View, view};

/// Compares the spec schema `spec_schema` (in document `spec_doc`) with the
/// generated type's schema `rust_schema` (in `rust_root`, a schemars root).
/// `at` names the place (`VideoResponse`, `VideoResponse.data.status`).
/// `tag`: the discriminator property when the object is a union branch.
pub fn compare(
    spec_doc: &Value,
    spec_schema: &Value,
    rust_root: &Value,
    rust_schema: &Value,
    at: &str,
    tag: Option<&str>,
    drift: &mut Drift,
) {
    let s = view(spec_doc, spec_schema);
    let r = view(rust_root, rust_schema);
    if s.any {
        return;
    }
    if r.any {
        drift.mismatch(
            at,
            "the spec constrains it, the generated type accepts any JSON".into(),
        );
        return;
    }
    compare_types(&s, &r, at, drift);
    compare_enums(&s, &r, at, drift);
    if !s.branches.is_empty() || !r.branches.is_empty() {
        union::compare_union(spec_doc, &s, rust_root, &r, at, drift);
    }
    if !s.properties.is_empty() || !r.properties.is_empty() {
        object::compare_object(spec_doc, &s, rust_root, &r, at, tag, drift);
    }
    // Arrays: their items.
    if let (Some(si), Some(ri)) = (s.items, r.items) {
        compare_inner(spec_doc, si, rust_root, ri, &format!("{at}[]"), drift);
    }
}

/// Primitive types (an integer is a number).
fn compare_types(s: &View<'_>, r: &View<'_>, at: &str, drift: &mut Drift) {
    let norm = |ts: &BTreeSet<String>| -> BTreeSet<String> {
        ts.iter()
            .map(|t| {
                if t == "integer" {
                    "number".into()
                } else {
                    t.clone()
                }
            })
            .collect()
    };
    if !s.types.is_empty() && !r.types.is_empty() && norm(&s.types) != norm(&r.types) {
        drift.mismatch(
            at,
            format!("type is {:?} in the spec, {:?} in Rust", s.types, r.types),
        );
    }
    if s.types.contains("integer") && r.types == BTreeSet::from(["number".to_string()]) {
        drift.mismatch(at, "an integer in the spec, a float in Rust".into());
    }
}

/// Enum values: the same set on both sides (of an open enum, its known
/// values).
fn compare_enums(s: &View<'_>, r: &View<'_>, at: &str, drift: &mut Drift) {
    match (&s.enum_values, &r.enum_values) {
        (Some(sv), Some(rv)) => {
            if sv != rv {
                let missing: Vec<_> = sv.difference(rv).collect();
                let extra: Vec<_> = rv.difference(sv).collect();
                drift.mismatch(
                    at,
                    format!(
                        "enum values differ: the spec's {missing:?} missing in Rust, Rust's {extra:?} not in the spec"
                    ),
                );
            } else {
                if r.open_enum {
                    drift.allow(Rule::OpenEnum);
                }
                if s.from_const && !r.from_const {
                    drift.allow(Rule::ConstIsEnum);
                }
            }
        }
        (Some(sv), None) => drift.mismatch(
            at,
            format!("the spec allows only {sv:?}, the generated type any value"),
        ),
        (None, Some(rv)) => drift.mismatch(
            at,
            format!("the generated type allows only {rv:?}, the spec any value"),
        ),
        (None, None) => {}
    }
}

/// Recurses into an inline schema; a reference to another component stops
/// at its kind (that component is compared on its own), but enum values
/// are still compared, so a mismatched `$ref` shows.
fn compare_inner(
    spec_doc: &Value,
    spec_schema: &Value,
    rust_root: &Value,
    rust_schema: &Value,
    at: &str,
    drift: &mut Drift,
) {
    if refers_to_component(spec_schema) {
        let s = view(spec_doc, spec_schema);
        let r = view(rust_root, rust_schema);
        if let (Some(sv), Some(rv)) = (&s.enum_values, &r.enum_values)
            && sv != rv
        {
            drift.mismatch(
                at,
                format!("refers to an enum of {sv:?} in the spec, of {rv:?} in Rust"),
            );
        }
        if s.enum_values.is_some() != r.enum_values.is_some()
            || (s.properties.is_empty() != r.properties.is_empty() && !r.any)
        {
            drift.mismatch(at, "refers to a schema of another kind in Rust".into());
        }
        return;
    }
    compare(
        spec_doc,
        spec_schema,
        rust_root,
        rust_schema,
        at,
        None,
        drift,
    );
}

/// Whether a spec property schema refers to a named component (possibly
/// through a nullable `anyOf`): that component is compared on its own.
fn refers_to_component(schema: &Value) -> bool {
    if schema.get("$ref").is_some() {
        return true;
    }
    ["anyOf", "oneOf", "allOf"].iter().any(|k| {
        schema
            .get(*k)
            .and_then(Value::as_array)
            .is_some_and(|bs| bs.len() <= 2 && bs.iter().any(|b| b.get("$ref").is_some()))
    })
}
