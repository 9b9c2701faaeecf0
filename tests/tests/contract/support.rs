//! What the tests share: one test per operation, the operation's
//! arguments made from the spec, the operations left to hand-written code,
//! and how problems are reported.

use heygen_contract_tests::generated;
use heygen_contract_tests::glue::Args;
use heygen_contract_tests::spec::{Spec, SpecOp, spec};
use heygen_contract_tests::synth::{Shape, param_value, synthesize};
use serde_json::Value;

/// One `#[tokio::test]` per operation of the client, named after it, that
/// runs `check("<operationId>")` of the module it is expanded in, and
/// `COVERED`, the operations tested there (read by the coverage gate).
/// Expanded by `heygen_contract_tests::for_each_operation!`.
macro_rules! one_test_per_operation {
    ($($name:ident $id:literal)*) => {
        $(
            #[tokio::test]
            async fn $name() {
                check($id).await;
            }
        )*
        /// The operations with a test in this module.
        pub const COVERED: &[&str] = &[$($id),*];
    };
}

pub(crate) use one_test_per_operation;

/// The spec and its operation `id`, one the client has (so the spec must
/// have it too).
#[track_caller]
pub fn spec_op(id: &str) -> (&'static Spec, &'static SpecOp) {
    let spec = spec();
    let op = spec.op(id).unwrap_or_else(|| {
        panic!("{id}: the client has it but the spec does not (run `cargo xtask regen`)")
    });
    (spec, op)
}

/// Arguments for `op`: every parameter (`optional: true`) or only the
/// required ones, and a body of `body_shape` when the operation takes one.
pub fn args(spec: &Spec, op: &SpecOp, optional: bool, body_shape: Option<Shape>) -> Args {
    let mut args = Args::default();
    for p in &op.params {
        if p.required || optional {
            args.params
                .insert(p.name.clone(), param_value(spec, &op.id, p));
        }
    }
    if let (Some(body), Some(shape)) = (&op.body, body_shape) {
        args.body = Some(synthesize(spec, &body.schema, shape));
    }
    args
}

/// Fails listing `problems` under `heading`, if there are any.
#[track_caller]
pub fn assert_no_problems(heading: &str, problems: &[String]) {
    assert!(
        problems.is_empty(),
        "{heading}:\n  - {}",
        problems.join("\n  - ")
    );
}

/// An operation the client leaves to hand-written code
/// (`heygen_api::operations::LEFT_OUT`): its success body still has a
/// generated type, which is decoded directly.
pub struct LeftOut {
    /// The spec's `operationId`.
    pub id: &'static str,
    /// Pointer to its success schema.
    pub pointer: String,
    /// The generated type of that schema.
    pub rust: &'static str,
}

impl LeftOut {
    /// `served` decoded into the generated type and re-serialized.
    pub fn roundtrip(&self, served: &Value) -> Result<Value, String> {
        match generated::roundtrip(self.rust, served.clone()) {
            Some(Ok(decoded)) => Ok(decoded),
            Some(Err(e)) => Err(format!("does not decode: {e}")),
            None => Err(format!("no round-trip for {}", self.rust)),
        }
    }
}

/// The left-out operations with a JSON success body, each with the
/// generated type of it; a problem for each one the spec or the generated
/// types lack.
pub fn left_out(spec: &Spec, problems: &mut Vec<String>) -> Vec<LeftOut> {
    let mut out = Vec::new();
    for (id, _) in heygen_api::operations::LEFT_OUT {
        let Some(op) = spec.op(id) else {
            problems.push(format!("{id}: listed as left out but not in the spec"));
            continue;
        };
        let Some((_, Some(pointer))) = &op.success else {
            continue;
        };
        let Some(component) = spec
            .at(pointer)
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
        else {
            problems.push(format!("{id}: its success schema is not a named component"));
            continue;
        };
        let Some((_, rust)) = generated::COMPONENT_TYPES
            .iter()
            .find(|(c, _)| *c == component)
        else {
            problems.push(format!("{id}: no generated type for {component}"));
            continue;
        };
        out.push(LeftOut {
            id,
            pointer: pointer.clone(),
            rust,
        });
    }
    out
}
