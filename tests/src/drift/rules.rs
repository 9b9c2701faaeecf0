//! What drift is not: the differences between a component schema and
//! its generated type that the comparison forgives, each with its reason;
//! and the outcome of a comparison, which counts each one applied.

use std::collections::BTreeMap;

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
    pub(super) fn allow(&mut self, rule: Rule) {
        *self.applied.entry(rule).or_default() += 1;
    }

    pub(super) fn mismatch(&mut self, at: &str, what: String) {
        self.mismatches.push(format!("{at}: {what}"));
    }
}
