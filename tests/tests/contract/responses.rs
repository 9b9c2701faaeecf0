//! Response side: bodies synthesized from each operation's success schema
//! (all fields; required only; nullable fields null; unknown extra fields;
//! every union branch and enum value) must decode into the generated type
//! and re-serialize to JSON that still validates and still carries every
//! value that was served.

use heygen_contract_tests::compare::carried;
use heygen_contract_tests::generated;
use heygen_contract_tests::server::{Reply, Server};
use heygen_contract_tests::spec::{Spec, spec};
use heygen_contract_tests::synth::{Shape, strip_extras, synthesize, variety};
use serde_json::Value;

use crate::support::{args, assert_no_problems, left_out, one_test_per_operation, spec_op};

heygen_contract_tests::for_each_operation!(one_test_per_operation);

/// The shapes served for a schema.
pub fn shapes(spec: &Spec, pointer: &str) -> Vec<Shape> {
    let mut shapes = vec![
        Shape::AllFields,
        Shape::RequiredOnly,
        Shape::Nulls,
        Shape::ExtraFields,
    ];
    shapes.extend((1..variety(spec, pointer)).map(Shape::Variant));
    shapes
}

/// What is wrong with `decoded`, the generated type's rendering of
/// `served` (a body of the schema at `pointer`).
pub fn check_roundtrip(spec: &Spec, pointer: &str, served: &Value, decoded: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    if let Err(errors) = spec.validate(pointer, decoded) {
        problems.extend(
            errors
                .into_iter()
                .map(|e| format!("re-serialized body breaks the spec's schema {e}")),
        );
    }
    // Unknown fields may be dropped; everything else must survive.
    problems.extend(carried(
        spec,
        pointer,
        &strip_extras(served),
        &strip_extras(decoded),
    ));
    problems
}

async fn check(id: &str) {
    let (spec, op) = spec_op(id);
    let Some((status, Some(pointer))) = op.success.clone() else {
        panic!("{id}: the spec declares no JSON success response");
    };
    let server = Server::start().await;
    let client = server.client();
    let call_args = args(spec, op, true, Some(Shape::AllFields));
    let mut problems = Vec::new();
    for shape in shapes(spec, &pointer) {
        let label = shape.label();
        let served = synthesize(spec, &pointer, shape);
        if let Err(e) = spec.validate(&pointer, &served) {
            problems.push(format!(
                "[{label}] the synthesized body breaks the spec (synthesizer fault): {}",
                e.join("; ")
            ));
            continue;
        }
        server.push(Reply::json(status, &served));
        match generated::call(&client, id, &call_args).await {
            Ok(decoded) => problems.extend(
                check_roundtrip(spec, &pointer, &served, &decoded)
                    .into_iter()
                    .map(|p| format!("[{label}] {p}")),
            ),
            Err(e) => problems.push(format!("[{label}] {e}")),
        }
        server.take_requests();
    }
    assert_no_problems(
        &format!(
            "{id} ({} {} -> {status}): the response does not round-trip",
            op.method, op.path
        ),
        &problems,
    );
}

/// Operations the client leaves to hand-written code
/// (`heygen_api::operations::LEFT_OUT`) still answer with a generated type:
/// it gets the same bodies, decoded directly.
#[test]
fn left_out_operations_response_types_round_trip() {
    let spec = spec();
    let mut problems = Vec::new();
    for op in left_out(spec, &mut problems) {
        for shape in shapes(spec, &op.pointer) {
            let served = synthesize(spec, &op.pointer, shape);
            let at = format!("{} ({}) [{}]", op.id, op.rust, shape.label());
            match op.roundtrip(&served) {
                Ok(decoded) => problems.extend(
                    check_roundtrip(spec, &op.pointer, &served, &decoded)
                        .into_iter()
                        .map(|p| format!("{at} {p}")),
                ),
                Err(e) => problems.push(format!("{at} {e}")),
            }
        }
    }
    assert_no_problems("left-out operations' responses", &problems);
}
