//! What the per-operation tests share: the arguments of a call, made from
//! the spec.

use heygen_contract_tests::glue::Args;
use heygen_contract_tests::spec::{Spec, SpecOp};
use heygen_contract_tests::synth::{Shape, param_value, synthesize};

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

/// Formats a list of problems under a heading, for an assertion message.
pub fn report(heading: &str, problems: &[String]) -> String {
    format!("{heading}:\n  - {}", problems.join("\n  - "))
}
