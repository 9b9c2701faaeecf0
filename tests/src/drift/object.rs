//! Objects: the property names, then each property's presence (required
//! set, nullability) and its schema.

use serde_json::Value;

use super::view::{View, view};
use super::{Drift, Rule, compare_inner};

/// Names on both sides, then each property both have.
pub(super) fn compare_object(
    spec_doc: &Value,
    s: &View<'_>,
    rust_root: &Value,
    r: &View<'_>,
    at: &str,
    tag: Option<&str>,
    drift: &mut Drift,
) {
    for name in s.properties.keys() {
        if !r.properties.contains_key(name) {
            drift.mismatch(
                &format!("{at}.{name}"),
                "in the spec, missing from the generated type".into(),
            );
        }
    }
    for name in r.properties.keys() {
        if !s.properties.contains_key(name) {
            drift.mismatch(
                &format!("{at}.{name}"),
                "in the generated type, not in the spec".into(),
            );
        }
    }
    for (name, sp) in &s.properties {
        let Some(rp) = r.properties.get(name) else {
            continue;
        };
        let field = format!("{at}.{name}");
        let spv = view(spec_doc, sp);
        let rpv = view(rust_root, rp);
        let s_req = s.required.contains(name);
        let presence = Presence {
            spec_required: s_req,
            rust_required: r.required.contains(name),
            spec_nullable: spv.nullable,
            rust_nullable: rpv.nullable,
            is_tag: tag == Some(name.as_str()),
        };
        presence.compare(&field, drift);
        compare_inner(spec_doc, sp, rust_root, rp, &field, drift);
    }
}

/// How a property may be absent or `null`, on each side.
struct Presence {
    spec_required: bool,
    rust_required: bool,
    spec_nullable: bool,
    rust_nullable: bool,
    /// The property is the tag of the union the object is a branch of.
    is_tag: bool,
}

impl Presence {
    /// The required set, then nullability.
    fn compare(&self, field: &str, drift: &mut Drift) {
        match (self.spec_required, self.rust_required) {
            (true, false) if self.spec_nullable && self.rust_nullable => {
                drift.allow(Rule::RequiredNullableIsOption)
            }
            (true, false) => drift.mismatch(field, "required in the spec, optional in Rust".into()),
            (false, true) if self.is_tag => drift.allow(Rule::DiscriminatorTagRequired),
            (false, true) => drift.mismatch(field, "optional in the spec, required in Rust".into()),
            _ => {}
        }
        match (self.spec_nullable, self.rust_nullable) {
            (true, false) => drift.mismatch(
                field,
                "nullable in the spec, the generated type rejects null".into(),
            ),
            (false, true) if !self.spec_required => drift.allow(Rule::OptionalIsOption),
            (false, true) => drift.mismatch(
                field,
                "required and not nullable in the spec, nullable in Rust".into(),
            ),
            _ => {}
        }
    }
}
