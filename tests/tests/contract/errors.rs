//! Error side: every error status an operation declares, answered with the
//! spec's error envelope, must come back as the matching
//! `heygen_api_ext::Error` variant carrying the envelope's code, message
//! and param (and `Retry-After` where the response declares it).

use std::time::Duration;

use heygen_api_ext::Error;
use heygen_contract_tests::generated;
use heygen_contract_tests::glue::CallError;
use heygen_contract_tests::server::{Reply, Server};
use heygen_contract_tests::synth::{Shape, synthesize};
use serde_json::{Value, json};

use crate::support::{args, assert_no_problems, one_test_per_operation, spec_op};

heygen_contract_tests::for_each_operation!(one_test_per_operation);

/// The variant a status must map to (HeyGen's status table): a variant of
/// its own for 400, 401, 402, 403, 404, 409, 413 and 429, `Server` for any
/// 5xx, `Api` for any other status.
fn expected_variant(status: u16) -> &'static str {
    match status {
        400 => "BadRequest",
        401 => "Authentication",
        402 => "InsufficientCredit",
        403 => "PermissionDenied",
        404 => "NotFound",
        409 => "Conflict",
        413 => "PayloadTooLarge",
        429 => "RateLimited",
        500..=599 => "Server",
        _ => "Api",
    }
}

fn variant(e: &Error) -> &'static str {
    match e {
        Error::BadRequest(_) => "BadRequest",
        Error::Authentication(_) => "Authentication",
        Error::InsufficientCredit(_) => "InsufficientCredit",
        Error::PermissionDenied(_) => "PermissionDenied",
        Error::NotFound(_) => "NotFound",
        Error::Conflict(_) => "Conflict",
        Error::PayloadTooLarge(_) => "PayloadTooLarge",
        Error::RateLimited(_) => "RateLimited",
        Error::Server(_) => "Server",
        Error::Api(_) => "Api",
        Error::InvalidRequest { .. } => "InvalidRequest",
        Error::Decode { .. } => "Decode",
        Error::Timeout { .. } => "Timeout",
        Error::Connection { .. } => "Connection",
        _ => "another variant",
    }
}

async fn check(id: &str) {
    let (spec, op) = spec_op(id);
    assert!(
        !op.errors.is_empty(),
        "{id}: the spec declares no error response"
    );
    let server = Server::start().await;
    let client = server.client();
    let call_args = args(spec, op, true, Some(Shape::AllFields));
    let mut problems = Vec::new();
    for declared in &op.errors {
        let status = declared.status;
        let Some(pointer) = &declared.schema else {
            problems.push(format!("{status}: declared without a JSON error body"));
            continue;
        };
        let (code, message, param) = (
            format!("contract_code_{status}"),
            format!("HTTP {status} as the contract test serves it"),
            format!("field_{status}"),
        );
        let mut body = synthesize(spec, pointer, Shape::AllFields);
        match body.get_mut("error").and_then(Value::as_object_mut) {
            Some(e) => {
                e.insert("code".into(), json!(code));
                e.insert("message".into(), json!(message));
                e.insert("param".into(), json!(param));
            }
            None => {
                problems.push(format!(
                    "{status}: the spec's error body has no `error` object"
                ));
                continue;
            }
        }
        if let Err(e) = spec.validate(pointer, &body) {
            problems.push(format!(
                "{status}: the envelope breaks its own schema: {}",
                e.join("; ")
            ));
            continue;
        }
        let retry_after = declared
            .headers
            .iter()
            .any(|h| h.eq_ignore_ascii_case("retry-after"));
        let mut reply = Reply::json(status, &body);
        if retry_after {
            reply = reply.header("retry-after", "7");
        }
        server.push(reply);
        let result = generated::call(&client, id, &call_args).await;
        server.take_requests();
        let e = match result {
            Err(CallError::Api(e)) => e,
            Err(other) => {
                problems.push(format!("{status}: {other}"));
                continue;
            }
            Ok(v) => {
                problems.push(format!("{status}: decoded as a success: {v}"));
                continue;
            }
        };
        let want = expected_variant(status);
        if variant(&e) != want {
            problems.push(format!(
                "{status}: became Error::{}, expected Error::{want}: {e}",
                variant(&e)
            ));
        }
        if e.status() != Some(status) {
            problems.push(format!("{status}: status() is {:?}", e.status()));
        }
        if e.code() != Some(code.as_str()) {
            problems.push(format!(
                "{status}: code() is {:?}, the envelope said {code:?}",
                e.code()
            ));
        }
        if e.message() != message {
            problems.push(format!(
                "{status}: message() is {:?}, the envelope said {message:?}",
                e.message()
            ));
        }
        if e.param() != Some(param.as_str()) {
            problems.push(format!(
                "{status}: param() is {:?}, the envelope said {param:?}",
                e.param()
            ));
        }
        if retry_after && e.retry_after() != Some(Duration::from_secs(7)) {
            problems.push(format!(
                "{status}: retry_after() is {:?} though Retry-After: 7 was sent",
                e.retry_after()
            ));
        }
    }
    assert_no_problems(
        &format!(
            "{id} ({} {}): declared errors do not decode as the spec says",
            op.method, op.path
        ),
        &problems,
    );
}
