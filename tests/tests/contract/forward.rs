//! Forward compatibility: a value HeyGen adds after this SDK was generated
//! must not fail a response. For every operation's success response, the
//! all-fields body is served once per place where a string enum value or a
//! union tag appears, with that one value replaced by one the spec does not
//! list; the generated client must decode it and re-serialize it unchanged
//! at that place (open enums keep it in `Unknown(String)`, open unions in
//! `Unknown { tag, body }`), with everything else still carried.

use heygen_contract_tests::compare::carried;
use heygen_contract_tests::generated;
use heygen_contract_tests::glue::Args;
use heygen_contract_tests::server::{Reply, Server};
use heygen_contract_tests::spec::{Spec, spec};
use heygen_contract_tests::synth::{Shape, synthesize};
use heygen_contract_tests::walk::{Step, walk};
use serde_json::Value;

use crate::support::{LeftOut, args, assert_no_problems, left_out};

/// The value the spec does not list.
const UNKNOWN: &str = "added_by_heygen_tomorrow";

/// Fewer places than this means the walk lost track of the spec.
const MIN_SITES: usize = 50;

/// What appears at a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A value of a string enum of two or more values.
    Enum,
    /// A discriminated union's tag.
    Tag,
}

/// A place in a body: its JSON pointer and what is there.
#[derive(Debug, Clone)]
struct Site {
    pointer: String,
    kind: Kind,
}

/// The enum values and union tags of `value`, an instance of `schema`.
fn sites(spec: &Spec, schema: &Value, value: &Value) -> Vec<Site> {
    let site = |step| match step {
        Step::Tag { at } => Some(Site {
            pointer: at,
            kind: Kind::Tag,
        }),
        Step::Value { at, value, schema } => {
            let values = schema.get("enum").and_then(Value::as_array)?;
            let strings = values.iter().filter(|v| v.is_string()).count();
            (strings >= 2 && value.is_string()).then_some(Site {
                pointer: at,
                kind: Kind::Enum,
            })
        }
    };
    walk(spec, schema, value)
        .into_iter()
        .filter_map(site)
        .collect()
}

/// `body` with the value at `pointer` replaced by [`UNKNOWN`].
fn with_unknown(body: &Value, pointer: &str) -> Value {
    let mut body = body.clone();
    if let Some(v) = body.pointer_mut(pointer) {
        *v = Value::String(UNKNOWN.to_string());
    }
    body
}

/// What is wrong with `decoded`, the client's rendering of `served` (the
/// body with [`UNKNOWN`] at `site`).
fn check(spec: &Spec, pointer: &str, site: &Site, served: &Value, decoded: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    match decoded.pointer(&site.pointer) {
        Some(Value::String(s)) if s == UNKNOWN => {}
        other => problems.push(format!(
            "{:?} at {}: served {UNKNOWN:?}, re-serialized as {}",
            site.kind,
            site.pointer,
            other.map_or("nothing".to_string(), Value::to_string)
        )),
    }
    problems.extend(
        carried(spec, pointer, served, decoded)
            .into_iter()
            .map(|p| format!("{:?} at {}: {p}", site.kind, site.pointer)),
    );
    problems
}

/// Where a body goes to be decoded.
enum Decoder<'a> {
    /// Served as the answer to the operation's call through the client.
    Client {
        server: &'a Server,
        client: &'a heygen_api_ext::Client,
        id: &'static str,
        args: Args,
        status: u16,
    },
    /// Decoded directly into a left-out operation's generated type.
    Direct(&'a LeftOut),
}

impl Decoder<'_> {
    /// `served` decoded and re-serialized.
    async fn decode(&self, served: &Value) -> Result<Value, String> {
        match self {
            Decoder::Client {
                server,
                client,
                id,
                args,
                status,
            } => {
                server.push(Reply::json(*status, served));
                let decoded = generated::call(client, id, args).await;
                server.take_requests();
                decoded.map_err(|e| e.to_string())
            }
            Decoder::Direct(op) => op.roundtrip(served),
        }
    }
}

/// How many sites were checked, of each kind and per operation.
#[derive(Default)]
struct Tally {
    enums: usize,
    tags: usize,
    per_operation: Vec<String>,
}

/// Serves the all-fields body of the schema at `pointer` once per site,
/// with [`UNKNOWN`] there; what goes wrong, each line under `label`.
async fn check_sites(
    spec: &Spec,
    label: &str,
    pointer: &str,
    decoder: &Decoder<'_>,
    tally: &mut Tally,
) -> Vec<String> {
    let mut problems = Vec::new();
    let body = synthesize(spec, pointer, Shape::AllFields);
    let found = sites(spec, spec.at(pointer), &body);
    for site in &found {
        let served = with_unknown(&body, &site.pointer);
        match decoder.decode(&served).await {
            Ok(decoded) => problems.extend(
                check(spec, pointer, site, &served, &decoded)
                    .into_iter()
                    .map(|p| format!("{label}: {p}")),
            ),
            Err(e) => problems.push(format!("{label}: {:?} at {}: {e}", site.kind, site.pointer)),
        }
        match site.kind {
            Kind::Enum => tally.enums += 1,
            Kind::Tag => tally.tags += 1,
        }
    }
    if !found.is_empty() {
        tally.per_operation.push(format!("{label} {}", found.len()));
    }
    problems
}

#[tokio::test]
async fn unknown_enum_values_and_union_tags_decode_and_round_trip() {
    let spec = spec();
    let server = Server::start().await;
    let client = server.client();
    let mut problems = Vec::new();
    let mut tally = Tally::default();

    // Every operation the client has, through the client.
    for glue in generated::OPERATIONS {
        let Some(op) = spec.op(glue.id) else {
            problems.push(format!("{}: in the client, not in the spec", glue.id));
            continue;
        };
        let Some((status, Some(pointer))) = op.success.clone() else {
            continue;
        };
        let decoder = Decoder::Client {
            server: &server,
            client: &client,
            id: glue.id,
            args: args(spec, op, true, Some(Shape::AllFields)),
            status,
        };
        problems.extend(check_sites(spec, glue.id, &pointer, &decoder, &mut tally).await);
    }

    // Operations left to hand-written code: their response type directly.
    for op in left_out(spec, &mut problems) {
        let label = format!("{} ({})", op.id, op.rust);
        let decoder = Decoder::Direct(&op);
        problems.extend(check_sites(spec, &label, &op.pointer, &decoder, &mut tally).await);
    }

    let Tally {
        enums,
        tags,
        per_operation,
    } = tally;
    let total = enums + tags;
    println!(
        "forward compatibility: {total} sites checked ({enums} enum values, {tags} union tags) \
         in {} operations: {}",
        per_operation.len(),
        per_operation.join(", ")
    );
    assert_no_problems(
        &format!(
            "of {total} sites ({enums} enum values, {tags} union tags), a value the spec does not list fails or is lost"
        ),
        &problems,
    );
    assert!(
        total >= MIN_SITES,
        "only {total} sites ({enums} enum values, {tags} union tags) found; expected at least {MIN_SITES}"
    );
}
