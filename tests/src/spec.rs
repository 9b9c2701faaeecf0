//! The vendored spec, as the tests read it: operations with their
//! parameters, bodies and responses (as JSON pointers into the document),
//! and validation of any JSON against any schema of it.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use serde_json::Value;

/// The spec's text, compiled in: a change to it rebuilds the tests.
pub const SPEC_TEXT: &str = include_str!("../../openapi/heygen.yaml");

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// One operation of the spec.
#[derive(Debug, Clone)]
pub struct SpecOp {
    /// `operationId`.
    pub id: String,
    /// Upper case.
    pub method: String,
    /// The path template.
    pub path: String,
    /// Path-level and operation-level parameters, `$ref`s followed.
    pub params: Vec<SpecParam>,
    /// The request body, if any.
    pub body: Option<SpecBody>,
    /// The first 2xx response: status and JSON schema pointer.
    pub success: Option<(u16, Option<String>)>,
    /// Every declared 4xx/5xx response.
    pub errors: Vec<SpecResponse>,
}

/// One parameter.
#[derive(Debug, Clone)]
pub struct SpecParam {
    /// Its name.
    pub name: String,
    /// `path`, `query`, `header` or `cookie`.
    pub location: String,
    /// Whether the spec requires it.
    pub required: bool,
    /// Pointer to its schema.
    pub schema: String,
}

/// A request body.
#[derive(Debug, Clone)]
pub struct SpecBody {
    /// The first media type declared.
    pub content_type: String,
    /// Pointer to its schema.
    pub schema: String,
    /// Whether the body is required.
    pub required: bool,
}

/// A declared response.
#[derive(Debug, Clone)]
pub struct SpecResponse {
    /// HTTP status.
    pub status: u16,
    /// Pointer to its JSON schema, if it has one.
    pub schema: Option<String>,
    /// Names of the headers it declares.
    pub headers: Vec<String>,
}

/// The parsed spec.
pub struct Spec {
    /// The document as JSON (OpenAPI 3.1).
    pub doc: Value,
    /// Every operation, in document order.
    pub operations: Vec<SpecOp>,
    validators: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

/// The vendored spec, parsed once per test binary.
pub fn spec() -> &'static Spec {
    static SPEC: LazyLock<Spec> = LazyLock::new(|| {
        Spec::parse(SPEC_TEXT).unwrap_or_else(|e| panic!("openapi/heygen.yaml: {e}"))
    });
    &SPEC
}

/// RFC 6901 escaping of one pointer segment.
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

impl Spec {
    /// Parses a spec's YAML text.
    pub fn parse(text: &str) -> Result<Spec, String> {
        let doc: Value = serde_norway::from_str(text).map_err(|e| e.to_string())?;
        let mut operations = Vec::new();
        let paths = doc
            .get("paths")
            .and_then(Value::as_object)
            .ok_or("no `paths`")?;
        for (path, item) in paths {
            let item_ptr = format!("/paths/{}", escape(path));
            for method in METHODS {
                let Some(op) = item.get(*method) else {
                    continue;
                };
                let op_ptr = format!("{item_ptr}/{method}");
                let id = op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .ok_or_else(|| format!("{method} {path} has no operationId"))?
                    .to_string();
                let mut params: Vec<SpecParam> = Vec::new();
                let shared = (item.get("parameters"), format!("{item_ptr}/parameters"));
                let own = (op.get("parameters"), format!("{op_ptr}/parameters"));
                for (list, list_ptr) in [shared, own] {
                    for (i, p) in list
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .enumerate()
                    {
                        let (p, ptr) = follow(&doc, p, format!("{list_ptr}/{i}"));
                        let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
                        let location = p.get("in").and_then(Value::as_str).unwrap_or_default();
                        // An operation-level parameter overrides a path-level one.
                        params.retain(|q| !(q.name == name && q.location == location));
                        params.push(SpecParam {
                            name: name.to_string(),
                            location: location.to_string(),
                            required: p.get("required").and_then(Value::as_bool) == Some(true),
                            schema: format!("{ptr}/schema"),
                        });
                    }
                }
                let body = op.get("requestBody").and_then(|b| {
                    let (b, ptr) = follow(&doc, b, format!("{op_ptr}/requestBody"));
                    let (media, _) = b.get("content")?.as_object()?.iter().next()?;
                    Some(SpecBody {
                        content_type: media.clone(),
                        schema: format!("{ptr}/content/{}/schema", escape(media)),
                        required: b.get("required").and_then(Value::as_bool) == Some(true),
                    })
                });
                let mut success = None;
                let mut errors = Vec::new();
                for (code, r) in op
                    .get("responses")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                {
                    let Ok(status) = code.parse::<u16>() else {
                        continue;
                    };
                    let (r, ptr) = follow(&doc, r, format!("{op_ptr}/responses/{}", escape(code)));
                    let schema = r
                        .get("content")
                        .and_then(|c| c.get("application/json"))
                        .and_then(|m| m.get("schema"))
                        .map(|_| format!("{ptr}/content/application~1json/schema"));
                    let headers = r
                        .get("headers")
                        .and_then(Value::as_object)
                        .map(|h| h.keys().cloned().collect())
                        .unwrap_or_default();
                    if (200..300).contains(&status) {
                        if success.is_none() {
                            success = Some((status, schema));
                        }
                    } else if status >= 400 {
                        errors.push(SpecResponse {
                            status,
                            schema,
                            headers,
                        });
                    }
                }
                operations.push(SpecOp {
                    id,
                    method: method.to_uppercase(),
                    path: path.clone(),
                    params,
                    body,
                    success,
                    errors,
                });
            }
        }
        Ok(Spec {
            doc,
            operations,
            validators: Mutex::new(HashMap::new()),
        })
    }

    /// The operation `id`.
    pub fn op(&self, id: &str) -> Option<&SpecOp> {
        self.operations.iter().find(|o| o.id == id)
    }

    /// The value at a JSON pointer.
    pub fn at(&self, pointer: &str) -> &Value {
        static NULL: Value = Value::Null;
        self.doc.pointer(pointer).unwrap_or(&NULL)
    }

    /// `schema` with its `$ref` chain followed (local refs only).
    pub fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        resolve(&self.doc, schema)
    }

    /// Validates `instance` against the schema at `pointer`, in place in
    /// the document so that its `$ref`s resolve. Errors read
    /// `at /data/0/id: ...`.
    pub fn validate(&self, pointer: &str, instance: &Value) -> Result<(), Vec<String>> {
        let validator = self.validator(pointer)?;
        let errors: Vec<String> = validator
            .iter_errors(instance)
            .map(|e| {
                let at = e.instance_path().to_string();
                let at = if at.is_empty() { "/".to_string() } else { at };
                format!("at {at}: {e}")
            })
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    fn validator(&self, pointer: &str) -> Result<Arc<jsonschema::Validator>, Vec<String>> {
        let mut cache = self.validators.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(v) = cache.get(pointer) {
            return Ok(v.clone());
        }
        let mut root = self.doc.clone();
        if let Some(obj) = root.as_object_mut() {
            obj.insert(
                "$ref".into(),
                Value::String(format!("#{}", fragment_encode(pointer))),
            );
        }
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(&root)
            .map_err(|e| vec![format!("the schema at {pointer} does not compile: {e}")])?;
        let validator = Arc::new(validator);
        cache.insert(pointer.to_string(), validator.clone());
        Ok(validator)
    }
}

/// Follows `$ref` from a parameter/body/response object, returning the
/// target and its pointer (`ptr`, that of `v`, when there is no `$ref`).
fn follow<'a>(doc: &'a Value, v: &'a Value, ptr: String) -> (&'a Value, String) {
    let (target, at) = chain(doc, v);
    (target, at.unwrap_or(ptr))
}

/// `schema` with its `$ref` chain followed.
pub fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    chain(doc, schema).0
}

/// Where the `$ref` chain from `v` ends (local refs only; a ref that does
/// not resolve ends it, and so do 32 links, which only a cycle reaches),
/// and the pointer of the last target, if any ref was followed.
fn chain<'a>(doc: &'a Value, v: &'a Value) -> (&'a Value, Option<String>) {
    let (mut cur, mut at) = (v, None);
    for _ in 0..32 {
        let Some(target) = cur
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .map(percent_decode)
        else {
            break;
        };
        let Some(next) = doc.pointer(&target) else {
            break;
        };
        cur = next;
        at = Some(target);
    }
    (cur, at)
}

/// The property names a schema lists as `required`.
pub fn required_names(schema: &Value) -> impl Iterator<Item = &str> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
}

/// The JSON types a schema names (`type: x` or `type: [x, 'null']`).
pub fn types_of(schema: &Value) -> Vec<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// A JSON pointer written as a URI fragment (a `$ref` is a URI: the
/// braces of a path template must be escaped).
pub fn fragment_encode(ptr: &str) -> String {
    let mut out = String::with_capacity(ptr.len());
    for b in ptr.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `%XX` escapes (bytes, then UTF-8, lossily).
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}
