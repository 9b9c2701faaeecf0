//! Pass 3, request bodies: progenitor 0.15 generates one body per
//! operation, and only as application/json, application/x-www-form-urlencoded,
//! application/octet-stream or text/plain. Each body keeps the one media
//! type progenitor handles best (and loses `encoding`, which it ignores);
//! raw bodies get the exact schemas progenitor accepts for them. An
//! operation whose body it cannot generate at all is left out when a
//! hand-written call replaces it (`HAND_WRITTEN`) or when generating a
//! standalone crate (`Ungenerated::LeftOut`), and is an error otherwise.

use serde_json::{Value, json};

use super::doc::{OpRef, operations};
use super::{Log, Ungenerated, WRITE_BY_HAND};
use crate::spec::{METHODS, deref, escape};

pub(super) fn run(
    doc: &mut Value,
    ungenerated: Ungenerated<'_>,
    log: &mut Log,
) -> Vec<(String, String)> {
    let mut left_out = Vec::new();
    for op in operations(doc) {
        let body_ptr = format!("{}/requestBody", op.pointer());
        let Some(body) = doc.pointer(&body_ptr).cloned() else {
            continue;
        };
        // Inline a referenced body: it is rewritten per operation below.
        let mut body = deref(doc, &body).clone();
        let Some(content) = body.get_mut("content").and_then(Value::as_object_mut) else {
            continue;
        };
        let kinds: Vec<(String, Option<BodyKind>)> = content
            .keys()
            .map(|k| (k.clone(), BodyKind::of(k)))
            .collect();
        let best = kinds
            .iter()
            .filter_map(|(k, kind)| kind.map(|kind| (kind, k.clone())))
            .min_by_key(|(kind, _)| *kind);
        let Some((kind, keep)) = best else {
            let types: Vec<&str> = kinds.iter().map(|(k, _)| k.as_str()).collect();
            let instead = match ungenerated {
                Ungenerated::LeftOut => Some(WRITE_BY_HAND),
                Ungenerated::HandWritten(list) => list
                    .iter()
                    .find(|(id, _)| *id == op.id)
                    .map(|(_, instead)| *instead),
            };
            if let Some(instead) = instead {
                left_out.push((op.id.clone(), instead.to_string()));
                log.notes.push(format!(
                    "left out {}: request body {} cannot be generated; use {instead}",
                    op.label(),
                    types.join(", ")
                ));
                remove_operation(doc, &op);
            } else {
                log.problems.push(format!(
                    "{body_ptr}: {} takes {}, which progenitor 0.15 cannot generate \
                     (it generates application/json, application/x-www-form-urlencoded, \
                     application/octet-stream and text/plain); write the call by hand and \
                     list the operation in xtask's HAND_WRITTEN",
                    op.label(),
                    types.join(", ")
                ));
            }
            continue;
        };
        if content.len() > 1 {
            let dropped: Vec<String> = content.keys().filter(|k| **k != keep).cloned().collect();
            content.retain(|k, _| *k == keep);
            log.notes.push(format!(
                "{}: request body sent as {keep} only (also accepts {})",
                op.label(),
                dropped.join(", ")
            ));
        }
        let media = content
            .get_mut(&keep)
            .and_then(Value::as_object_mut)
            .expect("kept media type exists");
        if media.remove("encoding").is_some() {
            log.notes.push(format!(
                "{}: dropped the request body's `encoding`",
                op.label()
            ));
        }
        // progenitor accepts raw bodies only with exactly these schemas.
        match kind {
            BodyKind::OctetStream => {
                media.insert(
                    "schema".into(),
                    json!({"type": "string", "format": "binary"}),
                );
            }
            BodyKind::Text => {
                media.insert("schema".into(), json!({"type": "string"}));
            }
            BodyKind::Json | BodyKind::Form => {
                media.entry("schema").or_insert_with(|| json!({}));
            }
        }
        *doc.pointer_mut(&body_ptr).expect("body exists") = body;
    }
    left_out
}

fn remove_operation(doc: &mut Value, op: &OpRef) {
    let item_ptr = format!("/paths/{}", escape(&op.path));
    if let Some(item) = doc.pointer_mut(&item_ptr).and_then(Value::as_object_mut) {
        item.remove(&op.method);
        if !METHODS.iter().any(|m| item.contains_key(*m)) {
            let path = op.path.clone();
            if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
                paths.remove(&path);
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum BodyKind {
    Json,
    Form,
    Text,
    OctetStream,
}

impl BodyKind {
    fn of(media_type: &str) -> Option<BodyKind> {
        let base = media_type.split(';').next().unwrap_or_default().trim();
        match base {
            "application/json" => Some(BodyKind::Json),
            "application/x-www-form-urlencoded" => Some(BodyKind::Form),
            "text/plain" | "text/x-markdown" => Some(BodyKind::Text),
            "application/octet-stream" => Some(BodyKind::OctetStream),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::normalize::test_support::*;

    #[test]
    fn a_hand_written_multipart_operation_is_left_out_with_a_note() {
        let n = run(with_paths(
            r#"
/assets:
  post:
    operationId: uploadAsset
    requestBody:
      content:
        multipart/form-data:
          schema: {type: object, properties: {file: {type: string, format: binary}}}
    responses: {'200': {description: OK}}
/other:
  get:
    operationId: getOther
    responses: {'204': {description: Nothing}}
"#,
            "",
        ));
        assert_eq!(
            n.left_out,
            [(
                "uploadAsset".to_string(),
                "heygen_api_ext::Client::upload_asset".to_string()
            )]
        );
        assert!(n.doc.pointer("/paths/~1assets").is_none());
        assert!(n.doc.pointer("/paths/~1other/get").is_some());
        assert!(
        n.notes.iter().any(|note| note
            == "left out POST /assets (uploadAsset): request body multipart/form-data cannot be \
                generated; use heygen_api_ext::Client::upload_asset"),
        "{:#?}",
        n.notes
    );
    }

    #[test]
    fn error_multipart_body_not_hand_written() {
        let msg = failure(with_paths(
            r#"
/files:
  post:
    operationId: uploadFile
    requestBody:
      content:
        multipart/form-data:
          schema: {type: object, properties: {file: {type: string, format: binary}}}
    responses: {'200': {description: OK}}
"#,
            "",
        ));
        assert!(
        msg.contains(
            "/paths/~1files/post/requestBody: POST /files (uploadFile) takes multipart/form-data"
        ),
        "{msg}"
    );
        assert!(msg.contains("HAND_WRITTEN"), "{msg}");
    }

    #[test]
    fn a_standalone_crate_leaves_out_any_multipart_operation_and_keeps_the_rest() {
        let doc = with_paths(
            r#"
/files:
  post:
    operationId: uploadFile
    requestBody:
      content:
        multipart/form-data:
          schema: {type: object, properties: {file: {type: string, format: binary}}}
    responses: {'200': {description: OK}}
  get:
    operationId: listFiles
    responses: {'204': {description: Nothing}}
"#,
            "",
        );
        let n = normalize(doc, Ungenerated::LeftOut).expect("a standalone crate is generated");
        assert_eq!(
            n.left_out,
            [("uploadFile".to_string(), super::WRITE_BY_HAND.to_string())]
        );
        assert!(n.doc.pointer("/paths/~1files/post").is_none());
        assert!(n.doc.pointer("/paths/~1files/get").is_some());
    }
}
