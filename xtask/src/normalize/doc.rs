//! What the passes share about the document: its operations, its
//! component schemas and the free names among them, and response media.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use crate::names::{name_by_meaning, pascal, sanitize};
use crate::spec::{self, escape};

/// One operation's location in the document (owned: the passes rewrite
/// the document while they go through its operations).
#[derive(Clone)]
pub(super) struct OpRef {
    pub(super) path: String,
    pub(super) method: String,
    pub(super) id: String,
}

impl OpRef {
    pub(super) fn pointer(&self) -> String {
        format!("/paths/{}/{}", escape(&self.path), self.method)
    }
    pub(super) fn label(&self) -> String {
        format!("{} {} ({})", self.method.to_uppercase(), self.path, self.id)
    }
}

/// Every operation of `doc`, in the document's order.
pub(super) fn operations(doc: &Value) -> Vec<OpRef> {
    spec::operations(doc)
        .iter()
        .map(|o| OpRef {
            path: o.path.to_string(),
            method: o.method.to_string(),
            id: o.id().unwrap_or_default().to_string(),
        })
        .collect()
}

/// `components/schemas`, created if missing.
pub(super) fn components_mut(doc: &mut Value) -> &mut Map<String, Value> {
    let root = doc.as_object_mut().expect("document root is an object");
    let comps = root
        .entry("components")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .expect("components is an object");
    comps
        .entry("schemas")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .expect("components.schemas is an object")
}

/// The first of `candidates` (see [`name_by_meaning`]) whose Rust type
/// name neither the document's component schemas nor the `pending` ones
/// (created, not yet in the document) have.
pub(super) fn unique_name<S: AsRef<str>>(
    doc: &Value,
    pending: &[(String, Value)],
    candidates: &[S],
) -> String {
    let mut taken: BTreeSet<String> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| m.keys().map(|n| sanitize(n, true)).collect())
        .unwrap_or_default();
    taken.extend(pending.iter().map(|(n, _)| sanitize(n, true)));
    name_by_meaning(candidates, |n| taken.contains(&sanitize(n, true)))
}

/// The API's own name, from `info.title` without the words every API has
/// (`HeyGen External API` -> `HeyGenExternal`): the context for a name
/// that belongs to the whole document.
pub(super) fn api_name(doc: &Value) -> String {
    const GENERIC: &[&str] = &["api", "apis", "service", "server", "rest", "http", "app"];
    doc.pointer("/info/title")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty() && !GENERIC.contains(&w.to_ascii_lowercase().as_str()))
        .map(pascal)
        .collect()
}

pub(super) fn json_schema_of(resp: &Value) -> Option<&Value> {
    let content = resp.get("content")?.as_object()?;
    content
        .iter()
        .find(|(k, _)| is_json(k))
        .and_then(|(_, m)| m.get("schema"))
}

pub(super) fn is_json(media_type: &str) -> bool {
    media_type == "application/json" || media_type.starts_with("application/json;")
}

pub(super) fn is_error_code(code: &str) -> bool {
    matches!(code.as_bytes().first(), Some(b'4' | b'5'))
}

pub(super) fn is_success_code(code: &str) -> bool {
    code.starts_with('2')
}
