//! The operation facts (`heygen-api/src/generated/operations.rs`): what heygen-api's
//! request hooks need to know about each operation without parsing URLs,
//! read from the normalized spec. The same list of operations drives the
//! pagination and data glue.

use std::fmt::Write as _;

use anyhow::{Context, Result};
use serde_json::Value;

use crate::names::{pascal, sanitize};
use crate::normalize::Normalized;
use crate::spec::{self, deref};

/// One query parameter's numeric bounds, as the spec states them.
pub struct QueryBound {
    pub name: String,
    pub minimum: Option<i64>,
    pub maximum: Option<i64>,
}

impl QueryBound {
    /// The bounds of the query parameter `name` with schema `schema`, if
    /// it states any.
    fn of(name: &str, schema: Option<&Value>) -> Option<QueryBound> {
        let bound = |k: &str| {
            schema
                .and_then(|s| s.get(k))
                .and_then(Value::as_f64)
                .map(|v| {
                    // Exclusive bounds tighten by one for integers.
                    let excl = schema.and_then(|s| s.get(format!("exclusive{}", &pascal(k))))
                        == Some(&Value::Bool(true));
                    let v = v as i64;
                    match (excl, k) {
                        (true, "minimum") => v + 1,
                        (true, _) => v - 1,
                        _ => v,
                    }
                })
        };
        let (minimum, maximum) = (bound("minimum"), bound("maximum"));
        (minimum.is_some() || maximum.is_some()).then(|| QueryBound {
            name: name.to_string(),
            minimum,
            maximum,
        })
    }
}

/// What the generated code needs to know about one operation.
pub struct Operation {
    pub id: String,
    pub method: String,
    pub path: String,
    pub idempotency_key: bool,
    pub query_bounds: Vec<QueryBound>,
    /// Takes a `token` query parameter (a cursor it can be walked with).
    pub takes_token: bool,
    /// The lowest 2xx status the spec declares for it.
    pub success_status: u16,
}

impl Operation {
    /// The method name progenitor gives the operation (and passes to the
    /// hooks as `OperationInfo::operation_id`).
    pub fn rust_name(&self) -> String {
        sanitize(&self.id, false)
    }

    /// The builder struct progenitor generates for it.
    pub fn builder_name(&self) -> String {
        sanitize(&self.id, true)
    }
}

pub struct Operations {
    pub ops: Vec<Operation>,
    pub version: String,
    pub left_out: Vec<(String, String)>,
    pub error_type: String,
}

impl Operations {
    pub fn from_doc(doc: &Value, normalized: &Normalized) -> Result<Operations> {
        let mut ops = Vec::new();
        for o in spec::operations(doc) {
            let (path, method, op) = (o.path, o.method, o.op);
            let id = o.id().unwrap_or_default().to_string();
            let params = o.parameters(doc);
            let mut query_bounds = Vec::new();
            let mut idempotency_key = false;
            let mut takes_token = false;
            for p in params {
                let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
                match p.get("in").and_then(Value::as_str) {
                    Some("header") if name.eq_ignore_ascii_case("idempotency-key") => {
                        idempotency_key = true;
                    }
                    Some("query") => {
                        if name == "token" {
                            takes_token = true;
                        }
                        let schema = p.get("schema").map(|s| deref(doc, s));
                        query_bounds.extend(QueryBound::of(name, schema));
                    }
                    _ => {}
                }
            }
            let success_status = success_status(op).with_context(|| {
                format!(
                    "{} {path} ({id}) declares no 2xx response",
                    method.to_uppercase()
                )
            })?;
            ops.push(Operation {
                id,
                method: method.to_uppercase(),
                path: path.to_string(),
                idempotency_key,
                query_bounds,
                takes_token,
                success_status,
            });
        }
        // Sorted by the name progenitor passes to the hooks, for binary search.
        ops.sort_by_key(Operation::rust_name);
        let version = doc
            .pointer("/info/version")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        Ok(Operations {
            ops,
            version,
            left_out: normalized.left_out.clone(),
            error_type: normalized.error_type.clone(),
        })
    }

    /// `heygen-api/src/generated/operations.rs`.
    pub fn operations_rs(&self, sha256: &str) -> Result<String> {
        let mut s = String::new();
        writeln!(
            s,
            "//! Facts about every generated operation, read from the spec: what the\n\
             //! request hooks need to know without parsing URLs (which operations honour\n\
             //! an `Idempotency-Key`, the bounds of numeric query parameters, the status\n\
             //! each declares for success).\n"
        )?;
        writeln!(s, "use crate::facts::{{Operation, QueryBound}};\n")?;
        writeln!(
            s,
            "/// `info.version` of the spec this crate was generated from."
        )?;
        writeln!(s, "pub const SPEC_VERSION: &str = {:?};", self.version)?;
        writeln!(
            s,
            "/// sha256 of the spec file this crate was generated from."
        )?;
        writeln!(s, "pub const SPEC_SHA256: &str = {sha256:?};\n")?;
        writeln!(
            s,
            "/// The type every operation's error responses decode into."
        )?;
        writeln!(
            s,
            "pub type ErrorBody = crate::types::{};\n",
            self.error_type
        )?;
        writeln!(
            s,
            "/// Operations in the spec that are not generated, and what replaces them."
        )?;
        writeln!(s, "pub const LEFT_OUT: &[(&str, &str)] = &[")?;
        for (id, instead) in &self.left_out {
            writeln!(s, "    ({id:?}, {instead:?}),")?;
        }
        writeln!(s, "];\n")?;
        writeln!(s, "/// Every generated operation, sorted by `rust_name`.")?;
        writeln!(s, "pub const OPERATIONS: &[Operation] = &[")?;
        for op in &self.ops {
            writeln!(s, "    Operation {{")?;
            writeln!(s, "        id: {:?},", op.id)?;
            writeln!(s, "        rust_name: {:?},", op.rust_name())?;
            writeln!(s, "        method: {:?},", op.method)?;
            writeln!(s, "        path: {:?},", op.path)?;
            writeln!(s, "        idempotency_key: {},", op.idempotency_key)?;
            writeln!(s, "        success_status: {},", op.success_status)?;
            if op.query_bounds.is_empty() {
                writeln!(s, "        query_bounds: &[],")?;
            } else {
                writeln!(s, "        query_bounds: &[")?;
                for b in &op.query_bounds {
                    writeln!(
                        s,
                        "            QueryBound {{ name: {:?}, minimum: {:?}, maximum: {:?} }},",
                        b.name, b.minimum, b.maximum
                    )?;
                }
                writeln!(s, "        ],")?;
            }
            writeln!(s, "    }},")?;
        }
        writeln!(s, "];")?;
        Ok(s)
    }
}

/// The lowest 2xx status among an operation's declared responses (`2XX`
/// counts as 200).
fn success_status(op: &Value) -> Option<u16> {
    op.get("responses")?
        .as_object()?
        .keys()
        .filter_map(|code| match code.as_str() {
            "2XX" | "2xx" => Some(200),
            code => code.parse::<u16>().ok().filter(|c| (200..300).contains(c)),
        })
        .min()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::prepare::prepare_text;

    /// A list operation and a batch GET that pages over `data.items`.
    pub(crate) const SPEC: &str = r#"openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /v3/things:
    get:
      operationId: listThings
      parameters:
        - {name: token, in: query, required: false, schema: {type: string}}
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {$ref: '#/components/schemas/ThingList'}}}
  /v3/batches/{batch_id}:
    get:
      operationId: getBatch
      parameters:
        - {name: batch_id, in: path, required: true, schema: {type: string}}
        - {name: token, in: query, required: false, schema: {type: string}}
      responses:
        '202':
          description: accepted
          content: {application/json: {schema: {$ref: '#/components/schemas/BatchResponse'}}}
        '200':
          description: ok
          content: {application/json: {schema: {$ref: '#/components/schemas/BatchResponse'}}}
components:
  schemas:
    Thing:
      type: object
      properties: {id: {type: string}}
      required: [id]
    ThingList:
      type: object
      properties:
        data: {type: array, items: {$ref: '#/components/schemas/Thing'}}
        has_more: {type: boolean}
        next_token: {anyOf: [{type: string}, {type: 'null'}]}
      required: [data, has_more]
    Batch:
      type: object
      properties:
        items: {type: array, items: {$ref: '#/components/schemas/Thing'}}
        next_token: {anyOf: [{type: string}, {type: 'null'}]}
      required: [items]
    BatchResponse:
      type: object
      properties:
        data: {anyOf: [{$ref: '#/components/schemas/Batch'}, {type: 'null'}]}
"#;

    pub(crate) fn operations(spec: &str) -> Operations {
        let prepared = prepare_text(spec, "test").unwrap();
        Operations::from_doc(&prepared.normalized.doc, &prepared.normalized).unwrap()
    }

    #[test]
    fn the_success_status_is_the_lowest_declared_2xx() {
        let ops = operations(SPEC);
        let status: Vec<(&str, u16)> = ops
            .ops
            .iter()
            .map(|o| (o.id.as_str(), o.success_status))
            .collect();
        assert_eq!(status, [("getBatch", 200), ("listThings", 200)]);
        let rs = ops.operations_rs("sha").unwrap();
        assert!(rs.contains("        success_status: 200,\n"), "{rs}");
        let only_202 = SPEC.replacen("        '200':\n          description: ok\n          content: {application/json: {schema: {$ref: '#/components/schemas/BatchResponse'}}}\n", "", 1);
        let ops = operations(&only_202);
        let batch = ops.ops.iter().find(|o| o.id == "getBatch").unwrap();
        assert_eq!(batch.success_status, 202);
    }
}
