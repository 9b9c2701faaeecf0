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

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::spec::{resolve, types_of};
use crate::unions::{branch_tag, is_null_schema};

/// A difference between spec and generated type that is not drift.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rule {
    /// See [`ALLOWED_DIFFERENCES`].
    DiscriminatorTagRequired,
    /// See [`ALLOWED_DIFFERENCES`].
    OptionalIsOption,
    /// See [`ALLOWED_DIFFERENCES`].
    RequiredNullableIsOption,
    /// See [`ALLOWED_DIFFERENCES`].
    ConstIsEnum,
    /// See [`ALLOWED_DIFFERENCES`].
    OpenEnum,
    /// See [`ALLOWED_DIFFERENCES`].
    BranchIsVariant,
    /// See [`ALLOWED_DIFFERENCES`].
    TagOnTheEnum,
}

/// Every difference between a component schema and its generated type that
/// the comparison forgives, and why. (Not listed because not compared at
/// all: descriptions, titles (the normalizer strips them), examples,
/// defaults and formats. Not a component difference: inline error bodies
/// the normalizer hoists into `ErrorEnvelope`; the error tests validate
/// against each operation's own declared schema.)
pub const ALLOWED_DIFFERENCES: &[(Rule, &str, &str)] = &[
    (
        Rule::DiscriminatorTagRequired,
        "a discriminator property optional in a union branch is required in Rust",
        "the normalizer makes each branch's tag required: the tag is what tells the variants \
         apart, and a tagged Rust enum always writes it",
    ),
    (
        Rule::OptionalIsOption,
        "an optional, non-nullable property is nullable in the schemars schema",
        "absence is `Option<T>` in Rust; schemars renders Option as nullable, but the field is \
         skipped when `None`, so `null` is never sent",
    ),
    (
        Rule::RequiredNullableIsOption,
        "a required, nullable property is not in the schemars `required` set",
        "schemars never lists `Option<T>` fields as required; the field is still always \
         serialized (as `null` when `None`), which the request and response tests check",
    ),
    (
        Rule::ConstIsEnum,
        "`const: v` is `enum: [v]`",
        "the normalizer turns 3.1 `const` into a one-value enum (3.0.3 has no `const`); the \
         meaning is the same",
    ),
    (
        Rule::OpenEnum,
        "an enum a response can carry is open (`x-open-enum`)",
        "values HeyGen adds later decode as `Unknown(String)` instead of failing the whole \
         response; the known values must still equal the spec's",
    ),
    (
        Rule::BranchIsVariant,
        "a union branch that has nothing but its tag has no type of its own",
        "it is a unit variant of the union's tagged enum; the branch is compared with the \
         variant that carries its tag",
    ),
    (
        Rule::TagOnTheEnum,
        "a union branch's struct has no tag property",
        "discriminated unions become tagged Rust enums over the branch structs; serde writes and \
         reads the tag for the variant, so the struct leaves it out (and a caller never sets it)",
    ),
];

/// The outcome of comparing schemas.
#[derive(Debug, Default)]
pub struct Drift {
    /// One line per mismatch, naming the type and field.
    pub mismatches: Vec<String>,
    /// How often each allowed difference was applied.
    pub applied: BTreeMap<Rule, usize>,
}

impl Drift {
    fn allow(&mut self, rule: Rule) {
        *self.applied.entry(rule).or_default() += 1;
    }

    fn mismatch(&mut self, at: &str, what: String) {
        self.mismatches.push(format!("{at}: {what}"));
    }
}

/// What is compared of one schema node, `$ref`s, single-branch wrappers
/// and `null` branches resolved.
#[derive(Debug, Default)]
struct View<'a> {
    /// Non-null JSON types.
    types: BTreeSet<String>,
    nullable: bool,
    /// Non-null enum values, as JSON text.
    enum_values: Option<BTreeSet<String>>,
    from_const: bool,
    open_enum: bool,
    properties: BTreeMap<String, &'a Value>,
    required: BTreeSet<String>,
    /// Non-null branches of a union of several.
    branches: Vec<&'a Value>,
    discriminator: Option<String>,
    items: Option<&'a Value>,
    /// A `$ref` was followed to reach it (a named schema, compared on its own).
    named: bool,
    /// `true`/`{}`: anything.
    any: bool,
}

fn view<'a>(root: &'a Value, schema: &'a Value) -> View<'a> {
    let mut v = View::default();
    fill_view(root, schema, &mut v, 0);
    if v.types.is_empty()
        && v.enum_values.is_none()
        && v.properties.is_empty()
        && v.branches.is_empty()
        && v.items.is_none()
    {
        v.any = true;
    }
    v
}

fn fill_view<'a>(root: &'a Value, schema: &'a Value, v: &mut View<'a>, depth: usize) {
    if depth > 32 {
        return;
    }
    if schema.get("$ref").is_some() {
        v.named = true;
        let target = resolve(root, schema);
        if !std::ptr::eq(target, schema) {
            fill_view(root, target, v, depth + 1);
        }
        return;
    }
    let Some(obj) = schema.as_object() else {
        return;
    };
    if obj.get("x-open-enum") == Some(&Value::Bool(true)) {
        v.open_enum = true;
    }
    if let Some(c) = obj.get("const") {
        v.from_const = true;
        add_enum(v, std::slice::from_ref(c));
    }
    if let Some(e) = obj.get("enum").and_then(Value::as_array) {
        add_enum(v, e);
    }
    for t in types_of(schema) {
        add_type(v, t);
    }
    if let Some(props) = obj.get("properties").and_then(Value::as_object) {
        for (k, p) in props {
            v.properties.insert(k.clone(), p);
        }
        v.types.insert("object".into());
    }
    for r in obj
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(r) = r.as_str() {
            v.required.insert(r.to_string());
        }
    }
    if let Some(items) = obj.get("items") {
        v.items = Some(items);
    }
    if let Some(d) = obj
        .get("discriminator")
        .and_then(|d| d.get("propertyName"))
        .and_then(Value::as_str)
    {
        v.discriminator = Some(d.to_string());
    }
    for key in ["oneOf", "anyOf"] {
        let Some(bs) = obj.get(key).and_then(Value::as_array) else {
            continue;
        };
        let live: Vec<&Value> = bs
            .iter()
            .filter(|b| {
                let null = is_null_schema(root, b);
                v.nullable |= null;
                !null
            })
            .collect();
        match live.as_slice() {
            [one] => fill_view(root, one, v, depth + 1),
            _ => v.branches.extend(live),
        }
    }
    if let Some(parts) = obj.get("allOf").and_then(Value::as_array) {
        for p in parts {
            fill_view(root, p, v, depth + 1);
        }
    }
}

fn add_type(v: &mut View<'_>, t: &str) {
    if t == "null" {
        v.nullable = true;
    } else {
        v.types.insert(t.to_string());
    }
}

fn add_enum(v: &mut View<'_>, values: &[Value]) {
    let set = v.enum_values.get_or_insert_with(BTreeSet::new);
    for e in values {
        if e.is_null() {
            v.nullable = true;
        } else {
            set.insert(e.to_string());
        }
    }
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

    // Primitive types (integer is a number).
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

    // Enum values.
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

    // Unions: the same tags (discriminated) or the same number of branches.
    if !s.branches.is_empty() || !r.branches.is_empty() {
        compare_union(spec_doc, &s, rust_root, &r, at, drift);
    }

    // Objects: names, required set, nullability, then each property.
    if !s.properties.is_empty() || !r.properties.is_empty() {
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
            let r_req = r.required.contains(name);
            match (s_req, r_req) {
                (true, false) if spv.nullable && rpv.nullable => {
                    drift.allow(Rule::RequiredNullableIsOption)
                }
                (true, false) => {
                    drift.mismatch(&field, "required in the spec, optional in Rust".into())
                }
                (false, true) if tag == Some(name.as_str()) => {
                    drift.allow(Rule::DiscriminatorTagRequired)
                }
                (false, true) => {
                    drift.mismatch(&field, "optional in the spec, required in Rust".into())
                }
                _ => {}
            }
            match (spv.nullable, rpv.nullable) {
                (true, false) => drift.mismatch(
                    &field,
                    "nullable in the spec, the generated type rejects null".into(),
                ),
                (false, true) if !s_req => drift.allow(Rule::OptionalIsOption),
                (false, true) => drift.mismatch(
                    &field,
                    "required and not nullable in the spec, nullable in Rust".into(),
                ),
                _ => {}
            }
            compare_inner(spec_doc, sp, rust_root, rp, &field, drift);
        }
    }

    // Arrays: their items.
    if let (Some(si), Some(ri)) = (s.items, r.items) {
        compare_inner(spec_doc, si, rust_root, ri, &format!("{at}[]"), drift);
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

fn compare_union(
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

#[cfg(test)]
mod tests {
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
}
