//! Per-operation glue generated from the normalized spec: the operation
//! facts table heygen-api's hooks consult, and the pagination impls
//! heygen-api-ext uses for `.items()`/`.pages()`.

use std::fmt::Write as _;

use anyhow::Result;
use serde_json::Value;

use crate::normalize::{Normalized, pascal};

/// One query parameter's numeric bounds, as the spec states them.
pub struct QueryBound {
    pub name: String,
    pub minimum: Option<i64>,
    pub maximum: Option<i64>,
}

/// What the glue needs to know about one operation.
pub struct Operation {
    pub id: String,
    pub method: String,
    pub path: String,
    pub idempotency_key: bool,
    pub query_bounds: Vec<QueryBound>,
    /// Takes a `token` query parameter (a cursor it can be walked with).
    pub takes_token: bool,
}

pub struct Operations {
    pub ops: Vec<Operation>,
    pub version: String,
    pub left_out: Vec<(String, String)>,
}

impl Operations {
    pub fn from_doc(doc: &Value, normalized: &Normalized) -> Result<Operations> {
        let mut ops = Vec::new();
        let paths = doc.get("paths").and_then(Value::as_object);
        for (path, item) in paths.into_iter().flatten() {
            let path_params = item.get("parameters").and_then(Value::as_array);
            for method in ["get", "put", "post", "delete", "options", "head", "patch", "trace"] {
                let Some(op) = item.get(method) else { continue };
                let id = op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                let params: Vec<&Value> = path_params
                    .into_iter()
                    .flatten()
                    .chain(op.get("parameters").and_then(Value::as_array).into_iter().flatten())
                    .map(|p| resolve(doc, p))
                    .collect();
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
                            let schema = p.get("schema").map(|s| resolve(doc, s));
                            let bound = |k: &str| {
                                schema.and_then(|s| s.get(k)).and_then(Value::as_f64).map(|v| {
                                    // Exclusive bounds tighten by one for integers.
                                    let excl = schema
                                        .and_then(|s| s.get(format!("exclusive{}", &pascal(k))))
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
                            if minimum.is_some() || maximum.is_some() {
                                query_bounds.push(QueryBound {
                                    name: name.to_string(),
                                    minimum,
                                    maximum,
                                });
                            }
                        }
                        _ => {}
                    }
                }
                ops.push(Operation {
                    id,
                    method: method.to_uppercase(),
                    path: path.clone(),
                    idempotency_key,
                    query_bounds,
                    takes_token,
                });
            }
        }
        ops.sort_by(|a, b| a.id.cmp(&b.id));
        let version = doc
            .pointer("/info/version")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        Ok(Operations {
            ops,
            version,
            left_out: normalized.left_out.clone(),
        })
    }

    /// `heygen-api/src/operations.rs`.
    pub fn operations_rs(&self, sha256: &str) -> Result<String> {
        let mut s = String::new();
        writeln!(
            s,
            "//! Facts about every generated operation, read from the spec: what the\n\
             //! request hooks need to know without parsing URLs (which operations honour\n\
             //! an `Idempotency-Key`, the bounds of numeric query parameters).\n"
        )?;
        writeln!(s, "use crate::operation::{{Operation, QueryBound}};\n")?;
        writeln!(s, "/// `info.version` of the spec this crate was generated from.")?;
        writeln!(s, "pub const SPEC_VERSION: &str = {:?};", self.version)?;
        writeln!(s, "/// sha256 of the spec file this crate was generated from.")?;
        writeln!(s, "pub const SPEC_SHA256: &str = {sha256:?};\n")?;
        writeln!(
            s,
            "/// Operations in the spec that are not generated, and what replaces them."
        )?;
        writeln!(s, "pub const LEFT_OUT: &[(&str, &str)] = &[")?;
        for (id, instead) in &self.left_out {
            writeln!(s, "    ({id:?}, {instead:?}),")?;
        }
        writeln!(s, "];\n")?;
        writeln!(s, "/// Every generated operation, sorted by operation id.")?;
        writeln!(s, "pub const OPERATIONS: &[Operation] = &[")?;
        for op in &self.ops {
            writeln!(s, "    Operation {{")?;
            writeln!(s, "        id: {:?},", op.id)?;
            writeln!(s, "        method: {:?},", op.method)?;
            writeln!(s, "        path: {:?},", op.path)?;
            writeln!(s, "        idempotency_key: {},", op.idempotency_key)?;
            writeln!(s, "        paginated: {},", op.takes_token)?;
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

    /// `heygen-api-ext/src/paginate/generated.rs`.
    pub fn pagination_rs(&self) -> Result<String> {
        Ok(String::new())
    }
}

fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => r
            .strip_prefix('#')
            .and_then(|p| doc.pointer(p))
            .map(|t| resolve(doc, t))
            .unwrap_or(v),
        None => v,
    }
}
