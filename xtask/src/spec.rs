//! The OpenAPI document as JSON: JSON pointers, the one `$ref` resolver of
//! the xtask, the walk over every object, the operations of the paths, and
//! which components requests and responses reach.
//!
//! Every other module reads the document through these, so a `$ref` means
//! the same thing to the normalizer, the change report and every emitter.

use std::collections::{BTreeSet, VecDeque};
use std::fmt::Write as _;

use serde_json::{Map, Value};

/// The operation keys of an OpenAPI path item.
pub const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// JSON pointer segment escaping (RFC 6901).
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// The inverse of [`escape`].
pub fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

/// The pointer to the component schema `name`.
pub fn schema_pointer(name: &str) -> String {
    format!("/components/schemas/{}", escape(name))
}

/// The component schema `name`, if the document has it.
pub fn component<'a>(doc: &'a Value, name: &str) -> Option<&'a Value> {
    doc.pointer(&schema_pointer(name))
}

/// The component a `#/components/schemas/X` reference names (`X`,
/// unescaped).
pub fn component_name(r: &str) -> Option<String> {
    r.strip_prefix("#/components/schemas/").map(unescape)
}

// ----- the `$ref` resolver ----------------------------------------------------

/// The JSON pointer a local `$ref` found at `at` designates. Pydantic's
/// `#/$defs/X` is relative to the model it was emitted in (a body schema
/// embeds its models' `$defs`): when the root has no `$defs/X`, the nearest
/// enclosing schema that has one is meant.
pub fn ref_target_pointer(doc: &Value, r: &str, at: &str) -> Option<String> {
    let ptr = percent_decode(r.strip_prefix('#')?);
    if doc.pointer(&ptr).is_some() {
        return Some(ptr);
    }
    if !(ptr.starts_with("/$defs/") || ptr.starts_with("/definitions/")) {
        return None;
    }
    let mut scope = at;
    while let Some(i) = scope.rfind('/') {
        scope = &scope[..i];
        let candidate = format!("{scope}{ptr}");
        if doc.pointer(&candidate).is_some() {
            return Some(candidate);
        }
    }
    None
}

/// Follows `v`'s `$ref` (to a parameter, response, request body or
/// schema), and the target's, if there is one; `v` itself when it has none
/// or it points at nothing. The `$ref`s followed are read at the document's
/// top (no `$defs` scope).
pub fn deref<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    let mut cur = v;
    for _ in 0..16 {
        let Some(r) = cur.get("$ref").and_then(Value::as_str) else {
            return cur;
        };
        match ref_target_pointer(doc, r, "").and_then(|p| doc.pointer(&p)) {
            Some(t) => cur = t,
            None => return cur,
        }
    }
    cur
}

/// `%XX` escapes in a `$ref` fragment (`#/paths/~1pets~1%7Bpet_id%7D`).
/// Works on bytes: slicing the `&str` after a `%` could cut a multi-byte
/// character in two and panic. A `%` without two hex digits stays as is.
pub fn percent_decode(s: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        char::from(b)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(&[hi, lo]) = bytes.get(i + 1..i + 3)
            && let (Some(hi), Some(lo)) = (hex(hi), hex(lo))
        {
            out.push(hi << 4 | lo);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A JSON pointer as a URI fragment (the inverse of [`percent_decode`]): a
/// `$ref` is a URI, and `jsonschema` refuses one with the `{` `}` of a
/// templated path in it.
pub fn fragment_encode(ptr: &str) -> String {
    let mut out = String::with_capacity(ptr.len());
    for b in ptr.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

// ----- walking ------------------------------------------------------------------

/// Calls `f` with every object in `v` and its JSON pointer (`ptr` being
/// `v`'s own), parents before children.
pub fn visit_objects(v: &Value, ptr: String, f: &mut impl FnMut(&str, &Map<String, Value>)) {
    match v {
        Value::Object(m) => {
            f(&ptr, m);
            for (k, sub) in m {
                visit_objects(sub, format!("{ptr}/{}", escape(k)), f);
            }
        }
        Value::Array(a) => {
            for (i, sub) in a.iter().enumerate() {
                visit_objects(sub, format!("{ptr}/{i}"), f);
            }
        }
        _ => {}
    }
}

/// Every `$ref` in `v`: `(the pointer of the object holding it, the $ref)`.
pub fn collect_refs(v: &Value, ptr: String, out: &mut Vec<(String, String)>) {
    visit_objects(v, ptr, &mut |ptr, m| {
        if let Some(Value::String(r)) = m.get("$ref") {
            out.push((ptr.to_string(), r.clone()));
        }
    });
}

/// The names of the components `v` refers to (`#/components/schemas/X`).
pub fn component_refs(v: &Value, out: &mut BTreeSet<String>) {
    let mut refs = Vec::new();
    collect_refs(v, String::new(), &mut refs);
    out.extend(refs.iter().filter_map(|(_, r)| component_name(r)));
}

// ----- operations ---------------------------------------------------------------

/// One operation of the document's `paths`.
#[derive(Clone, Copy)]
pub struct Operation<'a> {
    pub path: &'a str,
    /// The lower-case key (`get`).
    pub method: &'static str,
    /// The path item holding it (its `parameters` apply to the operation).
    pub item: &'a Value,
    pub op: &'a Value,
}

impl<'a> Operation<'a> {
    pub fn id(&self) -> Option<&'a str> {
        self.op.get("operationId").and_then(Value::as_str)
    }

    /// The path item's parameters, then the operation's, `$ref`s resolved.
    pub fn parameters(&self, doc: &'a Value) -> impl Iterator<Item = &'a Value> + use<'a> {
        let list = |v: &'a Value| {
            v.get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
        };
        list(self.item)
            .chain(list(self.op))
            .map(move |p| deref(doc, p))
    }
}

/// Every operation, in the document's order of paths, then [`METHODS`].
pub fn operations(doc: &Value) -> Vec<Operation<'_>> {
    let mut ops = Vec::new();
    for (path, item) in doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        for method in METHODS {
            if let Some(op) = item.get(*method) {
                ops.push(Operation {
                    path,
                    method,
                    item,
                    op,
                });
            }
        }
    }
    ops
}

// ----- reach --------------------------------------------------------------------

/// Schemas that responses start from, and schemas that requests start from
/// (parameters and bodies), of every operation.
pub fn roots(doc: &Value) -> (Vec<Value>, Vec<Value>) {
    let mut responses = Vec::new();
    let mut requests = Vec::new();
    let schemas_of = |holder: &Value| -> Vec<Value> {
        deref(doc, holder)
            .get("content")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|c| c.values())
            .filter_map(|m| m.get("schema").cloned())
            .collect()
    };
    for o in operations(doc) {
        requests.extend(o.parameters(doc).filter_map(|p| p.get("schema").cloned()));
        if let Some(body) = o.op.get("requestBody") {
            requests.extend(schemas_of(body));
        }
        for resp in
            o.op.get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flat_map(|r| r.values())
        {
            responses.extend(schemas_of(resp));
        }
    }
    (responses, requests)
}

/// Component names reachable from `roots` through `$ref`s.
pub fn reach(doc: &Value, roots: &[Value]) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut queue: VecDeque<Value> = roots.iter().cloned().collect();
    while let Some(v) = queue.pop_front() {
        let mut refs = BTreeSet::new();
        component_refs(&v, &mut refs);
        for name in refs {
            if seen.insert(name.clone())
                && let Some(s) = component(doc, &name)
            {
                queue.push_back(s.clone());
            }
        }
    }
    seen
}

/// The components some response reaches.
pub fn response_reach(doc: &Value) -> BTreeSet<String> {
    reach(doc, &roots(doc).0)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn percent_decode_handles_escapes_and_leaves_anything_else() {
        assert_eq!(percent_decode("~1pets~1%7Bpet_id%7d"), "~1pets~1{pet_id}");
        assert_eq!(percent_decode("%C3%A9t%C3%A9"), "été");
        // Not an escape: kept as written, and no panic on a multi-byte
        // character right after the `%`.
        for s in ["%", "a%", "%4", "%zz", "%aé", "%é", "100%"] {
            assert_eq!(percent_decode(s), s);
        }
    }

    #[test]
    fn deref_follows_chains_and_stops_at_nothing() {
        let doc = json!({"components": {
            "parameters": {"A": {"$ref": "#/components/parameters/B"}, "B": {"name": "b"}},
        }});
        let a = json!({"$ref": "#/components/parameters/A"});
        assert_eq!(deref(&doc, &a), &json!({"name": "b"}));
        let dangling = json!({"$ref": "#/components/parameters/C"});
        assert_eq!(deref(&doc, &dangling), &dangling);
    }

    #[test]
    fn component_refs_are_unescaped_names() {
        let v = json!({"a": [{"$ref": "#/components/schemas/X~1Y"}], "b": {"$ref": "#/paths/p"}});
        let mut out = BTreeSet::new();
        component_refs(&v, &mut out);
        assert_eq!(out, BTreeSet::from(["X/Y".to_string()]));
    }
}
