//! Request side: each operation called through `heygen_api_ext::Client`
//! with arguments made from the spec; the request the loopback server
//! receives must be the one the spec describes.

use heygen_contract_tests::compare::carried;
use heygen_contract_tests::generated;
use heygen_contract_tests::glue::Args;
use heygen_contract_tests::server::{API_KEY, Recorded, Reply, Server};
use heygen_contract_tests::spec::{Spec, SpecBody, SpecOp, percent_decode};
use heygen_contract_tests::synth::{Shape, synthesize, variety};
use serde_json::Value;

use crate::support::{args, assert_no_problems, one_test_per_operation, spec_op};

heygen_contract_tests::for_each_operation!(one_test_per_operation);

/// Deviations from the spec this suite found in code it does not own,
/// reported and awaiting a fix: `(operationId, problem prefix, what and
/// where to fix)`. A listed problem does not fail its test; a listed one
/// that no longer occurs does, so the entry is removed with the fix.
const KNOWN_DEVIATIONS: &[(&str, &str, &str)] = &[];

/// Takes the known deviations of `id` out of `problems` (printing them);
/// adds a problem for each listed deviation that did not occur.
fn known_deviations(id: &str, problems: &mut Vec<String>) {
    for (op, prefix, why) in KNOWN_DEVIATIONS.iter().filter(|(op, ..)| *op == id) {
        let before = problems.len();
        problems.retain(|p| {
            let known = p.starts_with(prefix);
            if known {
                eprintln!("known deviation of {op} (KNOWN_DEVIATIONS: {why}): {p}");
            }
            !known
        });
        if problems.len() == before {
            problems.push(format!(
                "the known deviation `{prefix}...` no longer occurs: remove it from requests::KNOWN_DEVIATIONS"
            ));
        }
    }
}

/// The calls made per operation: every parameter with a full body, only
/// the required ones (and a minimal body), nulls in every nullable body
/// field, and one body per union branch / enum value.
fn cases(spec: &Spec, op: &SpecOp) -> Vec<(String, Args)> {
    let mut cases = vec![(
        "all parameters, all body fields".to_string(),
        args(spec, op, true, Some(Shape::AllFields)),
    )];
    let minimal_body = match &op.body {
        Some(b) if b.required => Some(Shape::RequiredOnly),
        _ => None,
    };
    cases.push((
        "required parameters only".to_string(),
        args(spec, op, false, minimal_body),
    ));
    if let Some(body) = &op.body {
        cases.push((
            "body with nullable fields null".to_string(),
            args(spec, op, true, Some(Shape::Nulls)),
        ));
        for k in 1..variety(spec, &body.schema) {
            cases.push((
                format!("body {}", Shape::Variant(k).label()),
                args(spec, op, true, Some(Shape::Variant(k))),
            ));
        }
    }
    cases
}

async fn check(id: &str) {
    let (spec, op) = spec_op(id);
    let server = Server::start().await;
    let client = server.client();
    let mut problems = Vec::new();
    for (label, args) in cases(spec, op) {
        problems.extend(invalid_args(spec, op, &args).map(|p| format!("[{label}] {p}")));
        let (status, schema) = op.success.clone().unwrap_or((200, None));
        let reply = match schema {
            Some(ptr) => synthesize(spec, &ptr, Shape::AllFields),
            None => Value::Null,
        };
        server.push(Reply::json(status, &reply));
        let result = generated::call(&client, id, &args).await;
        if let Err(e) = result {
            problems.push(format!("[{label}] {e}"));
        }
        match server.take_requests().as_slice() {
            [request] => problems.extend(
                check_request(spec, op, &args, request)
                    .into_iter()
                    .map(|p| format!("[{label}] {p}")),
            ),
            other => problems.push(format!(
                "[{label}] expected one request on the wire, the server saw {}",
                other.len()
            )),
        }
    }
    known_deviations(id, &mut problems);
    assert_no_problems(
        &format!(
            "{id} ({} {}): the request does not match the spec",
            op.method, op.path
        ),
        &problems,
    );
}

/// The synthesized arguments themselves must satisfy the spec (else the
/// synthesizer, not the client, is at fault).
fn invalid_args<'a>(
    spec: &'a Spec,
    op: &'a SpecOp,
    args: &'a Args,
) -> impl Iterator<Item = String> + 'a {
    let params = op.params.iter().filter_map(move |p| {
        let v = args.param(&p.name)?;
        spec.validate(&p.schema, v).err().map(|e| {
            format!(
                "synthesized value {v} for parameter `{}` breaks its schema: {}",
                p.name,
                e.join("; ")
            )
        })
    });
    let body = op
        .body
        .as_ref()
        .zip(args.body.as_ref())
        .and_then(|(b, v)| spec.validate(&b.schema, v).err())
        .map(|e| format!("synthesized body breaks its schema: {}", e.join("; ")));
    params.chain(body)
}

/// Characters a path segment may hold unescaped (RFC 3986 `pchar`).
fn is_pchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@%".contains(&b)
}

fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn same_scalar(expected: &Value, wire: &str) -> bool {
    match expected {
        Value::Number(n) => wire
            .parse::<f64>()
            .ok()
            .zip(n.as_f64())
            .is_some_and(|(a, b)| (a - b).abs() < 1e-9),
        other => as_text(other) == wire,
    }
}

/// What is wrong with `r`, the request the client sent for `op` called
/// with `args`: each part of it checked on its own.
fn check_request(spec: &Spec, op: &SpecOp, args: &Args, r: &Recorded) -> Vec<String> {
    let mut problems = Vec::new();
    if r.method != op.method {
        problems.push(format!(
            "method is {}, the spec says {}",
            r.method, op.method
        ));
    }
    check_path(op, args, r, &mut problems);
    check_query(op, args, r, &mut problems);
    check_credential(r, &mut problems);
    check_header_params(op, args, r, &mut problems);
    check_idempotency_key(spec, op, r, &mut problems);
    check_body(spec, op, args, r, &mut problems);
    problems
}

/// Path: one segment per template segment, each parameter value encoded
/// so that it stays inside its segment and decodes back unchanged.
fn check_path(op: &SpecOp, args: &Args, r: &Recorded, problems: &mut Vec<String>) {
    let template: Vec<&str> = op.path.split('/').collect();
    let sent: Vec<&str> = r.path().split('/').collect();
    if template.len() != sent.len() {
        problems.push(format!(
            "path `{}` has {} segments, the template `{}` has {} (a path parameter was not percent-encoded?)",
            r.path(),
            sent.len(),
            op.path,
            template.len()
        ));
        return;
    }
    for (t, s) in template.iter().zip(&sent) {
        let mut expected = t.to_string();
        for p in op.params.iter().filter(|p| p.location == "path") {
            if let Some(v) = args.param(&p.name) {
                expected = expected.replace(&format!("{{{}}}", p.name), &as_text(v));
            }
        }
        if let Some(bad) = s.bytes().find(|b| !is_pchar(*b)) {
            problems.push(format!(
                "path segment `{s}` holds `{}` unescaped",
                char::from(bad)
            ));
        }
        if percent_decode(s) != expected {
            problems.push(format!(
                "path segment `{s}` decodes to `{}`, expected `{expected}` (template `{t}`)",
                percent_decode(s)
            ));
        }
    }
}

/// Query: exactly the parameters set, with their values.
fn check_query(op: &SpecOp, args: &Args, r: &Recorded, problems: &mut Vec<String>) {
    let query = r.query();
    for p in op.params.iter().filter(|p| p.location == "query") {
        let sent: Vec<&String> = query
            .iter()
            .filter(|(k, _)| *k == p.name)
            .map(|(_, v)| v)
            .collect();
        match (args.param(&p.name), sent.as_slice()) {
            (Some(v), [one]) if same_scalar(v, one) => {}
            (Some(v), [one]) => problems.push(format!(
                "query parameter `{}` is `{one}`, expected `{}`",
                p.name,
                as_text(v)
            )),
            (Some(_), []) => problems.push(format!(
                "query parameter `{}`{} was set but not sent",
                p.name,
                if p.required { " (required)" } else { "" }
            )),
            (Some(_), many) => problems.push(format!(
                "query parameter `{}` sent {} times",
                p.name,
                many.len()
            )),
            (None, []) => {}
            (None, [one, ..]) => problems.push(format!(
                "query parameter `{}` was not set but is sent as `{one}`",
                p.name
            )),
        }
    }
    for (k, v) in &query {
        if !op
            .params
            .iter()
            .any(|p| p.location == "query" && p.name == *k)
        {
            problems.push(format!(
                "query parameter `{k}` (= `{v}`) is not declared by the spec"
            ));
        }
    }
}

/// The credential: the configured key in `x-api-key`, and nothing else.
fn check_credential(r: &Recorded, problems: &mut Vec<String>) {
    if r.header("x-api-key") != Some(API_KEY) {
        problems.push(format!(
            "x-api-key header is {:?}, expected the configured key",
            r.header("x-api-key")
        ));
    }
    if r.header("authorization").is_some() {
        problems.push("an Authorization header is sent alongside x-api-key".into());
    }
}

/// The declared header parameters: each one set is sent with its value.
fn check_header_params(op: &SpecOp, args: &Args, r: &Recorded, problems: &mut Vec<String>) {
    for p in op.params.iter().filter(|p| p.location == "header") {
        let lower = p.name.to_ascii_lowercase();
        match (args.param(&p.name), r.header(&lower)) {
            (Some(v), Some(h)) if as_text(v) == h => {}
            (Some(v), Some(h)) => problems.push(format!(
                "header `{}` is `{h}`, expected `{}`",
                p.name,
                as_text(v)
            )),
            (Some(_), None) => problems.push(format!("header `{}` was set but not sent", p.name)),
            (None, _) => {}
        }
    }
}

/// `Idempotency-Key`: sent exactly where the spec declares it; unset by
/// the caller, the client makes one, which must fit the spec.
fn check_idempotency_key(spec: &Spec, op: &SpecOp, r: &Recorded, problems: &mut Vec<String>) {
    let declared_key = op
        .params
        .iter()
        .find(|p| p.location == "header" && p.name.eq_ignore_ascii_case("idempotency-key"));
    match (declared_key, r.header("idempotency-key")) {
        (Some(p), Some(h)) => {
            if let Err(e) = spec.validate(&p.schema, &Value::String(h.to_string())) {
                problems.push(format!(
                    "Idempotency-Key `{h}` breaks its schema: {}",
                    e.join("; ")
                ));
            }
        }
        (Some(_), None) => problems.push(
            "no Idempotency-Key header, though the spec declares one (the client should make one per call)"
                .into(),
        ),
        (None, Some(h)) => problems.push(format!(
            "Idempotency-Key `{h}` sent, but the spec does not declare the header for this operation"
        )),
        (None, None) => {}
    }
}

/// Body: JSON of the declared media type, valid against the spec's
/// schema, carrying exactly what was set (plus the spec's defaults); none,
/// or the empty value an unset optional body means, when none was set.
fn check_body(spec: &Spec, op: &SpecOp, args: &Args, r: &Recorded, problems: &mut Vec<String>) {
    match (&op.body, &args.body) {
        (Some(body), Some(input)) => check_set_body(spec, body, input, r, problems),
        // An optional body left unset may go out as its empty value `{}`
        // (the generated builder starts from it), provided the schema
        // takes it: it means what no body means.
        (Some(body), None) if !body.required && !r.body.is_empty() => {
            let sent = serde_json::from_slice::<Value>(&r.body).unwrap_or(Value::Null);
            if sent != serde_json::json!({}) {
                problems.push(format!(
                    "an optional body was left unset, yet the client sent {sent} (expected none or `{{}}`)"
                ));
            } else if let Err(e) = spec.validate(&body.schema, &sent) {
                problems.push(format!(
                    "the empty body sent for an unset optional body breaks its schema: {}",
                    e.join("; ")
                ));
            }
        }
        (_, None) => {
            if !r.body.is_empty() {
                problems.push(format!(
                    "a body was sent though none was set: {}",
                    String::from_utf8_lossy(&r.body)
                ));
            }
        }
        (None, Some(_)) => {}
    }
}

/// A body that was set: its media type, its validity, what it carries.
fn check_set_body(
    spec: &Spec,
    body: &SpecBody,
    input: &Value,
    r: &Recorded,
    problems: &mut Vec<String>,
) {
    let ct = r.header("content-type").unwrap_or_default();
    if !ct.starts_with(&body.content_type) {
        problems.push(format!(
            "content-type is `{ct}`, the spec says `{}`",
            body.content_type
        ));
    }
    let sent = match serde_json::from_slice::<Value>(&r.body) {
        Ok(sent) => sent,
        Err(e) => {
            problems.push(format!("the body is not JSON: {e}"));
            return;
        }
    };
    if let Err(errors) = spec.validate(&body.schema, &sent) {
        problems.extend(
            errors
                .into_iter()
                .map(|e| format!("body breaks the spec's request schema {e}")),
        );
    }
    problems.extend(
        carried(spec, &body.schema, input, &sent)
            .into_iter()
            .map(|d| format!("body {d}")),
    );
}
