//! The bulk status lookups: many jobs of one kind in one request, by id
//! and by batch, at most [`MAX_IDS`] ids a request (the spec's limit).
//! Unknown ids answer `not_found` in place, as HeyGen's do.

use serde_json::{Value, json};
use tokio::time::Instant;

use super::State;
use super::batches::BatchKind;
use super::request::{Call, Reply, whole};
use super::router::Handler;

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("bulkVideoStatuses", videos),
    ("bulkLipsyncStatuses", lipsyncs),
    ("bulkVideoTranslationStatuses", translations),
    ("bulkAssetStatuses", assets),
];

/// "Comma-separated video ids (up to 100)", and likewise for the others.
pub(super) const MAX_IDS: usize = 100;

fn videos(state: &mut State, call: &Call) -> Result<Value, Reply> {
    statuses(state, call, BatchKind::Video, "video_ids")
}

fn lipsyncs(state: &mut State, call: &Call) -> Result<Value, Reply> {
    statuses(state, call, BatchKind::Lipsync, "lipsync_ids")
}

fn translations(state: &mut State, call: &Call) -> Result<Value, Reply> {
    statuses(state, call, BatchKind::Translation, "video_translation_ids")
}

fn assets(state: &mut State, call: &Call) -> Result<Value, Reply> {
    statuses(state, call, BatchKind::Asset, "asset_ids")
}

/// A comma-separated list, blanks dropped.
fn list<'a>(call: &'a Call, name: &str) -> Vec<&'a str> {
    call.query(name)
        .map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

fn statuses(
    state: &mut State,
    call: &Call,
    kind: BatchKind,
    ids_param: &str,
) -> Result<Value, Reply> {
    let ids = list(call, ids_param);
    let batch_ids = list(call, "batch_ids");
    if ids.is_empty() && batch_ids.is_empty() {
        return Err(Reply::invalid(
            ids_param,
            &format!("give {ids_param}, batch_ids or both"),
        ));
    }
    if ids.len() > MAX_IDS {
        return Err(Reply::invalid(
            ids_param,
            &format!("{ids_param} takes at most {MAX_IDS} ids, not {}", ids.len()),
        ));
    }
    let now = Instant::now();
    let mut items = Vec::new();
    for id in ids {
        items.push(item(state, kind, id, None, now));
    }
    for batch_id in batch_ids {
        match state.batch(kind, batch_id) {
            Ok(batch) => {
                for (index, id) in batch.items.iter().enumerate() {
                    items.push(item(state, kind, id, Some((batch_id, index)), now));
                }
            }
            Err(_) => items.push(json!({"batch_id": batch_id, "status": "not_found"})),
        }
    }
    Ok(whole(items))
}

/// One status entry; `batch` when it was looked up through its batch.
fn item(
    state: &State,
    kind: BatchKind,
    id: &str,
    batch: Option<(&str, usize)>,
    now: Instant,
) -> Value {
    let Some(s) = state.item_state(kind, id, now) else {
        return json!({"video_id": id, "status": "not_found"});
    };
    let owner = batch
        .map(|(b, i)| (b.to_string(), i))
        .or_else(|| state.batch_of(id));
    json!({
        "video_id": id,
        "batch_id": owner.as_ref().map(|(b, _)| b),
        "item_index": owner.as_ref().map(|(_, i)| i),
        "status": s.status,
        "error": s.error,
    })
}

impl State {
    /// The batch an item was made in, with its index there.
    fn batch_of(&self, id: &str) -> Option<(String, usize)> {
        self.batches.iter().find_map(|b| {
            b.items
                .iter()
                .position(|i| i == id)
                .map(|index| (b.id.clone(), index))
        })
    }
}
