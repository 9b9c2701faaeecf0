//! Batches: several videos, lipsyncs, translations or direct uploads made
//! by one request, followed by their batch id. Each item is an ordinary
//! job (or asset): `getVideo`, `listVideos` and the bulk status lookups
//! see it too.

use serde_json::{Map, Value, json};
use tokio::time::Instant;

use super::State;
use super::jobs::JobKind;
use super::request::{Call, Reply, data, slice};
use super::router::Handler;

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("createVideoBatch", create_videos),
    ("getVideoBatch", get_videos),
    ("createLipsyncBatch", create_lipsyncs),
    ("getLipsyncBatch", get_lipsyncs),
    ("createVideoTranslationBatch", create_translations),
    ("getVideoTranslationBatch", get_translations),
    ("createAssetUploadBatch", create_uploads),
    ("completeAssetUploadBatch", complete_uploads),
    ("getAssetBatch", get_uploads),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BatchKind {
    Video,
    Lipsync,
    Translation,
    Asset,
}

impl BatchKind {
    /// The job kind of its items (assets are no job).
    pub(super) fn job(self) -> Option<JobKind> {
        match self {
            BatchKind::Video => Some(JobKind::Video),
            BatchKind::Lipsync => Some(JobKind::Lipsync),
            BatchKind::Translation => Some(JobKind::Translation),
            BatchKind::Asset => None,
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct Batch {
    pub id: String,
    pub kind: BatchKind,
    pub title: Option<String>,
    pub created_unix: i64,
    /// Item ids (jobs or assets), by item index.
    pub items: Vec<String>,
}

/// Where one item stands.
#[derive(Debug, Clone)]
pub(super) struct ItemState {
    /// Its resource's own status (`pending`, `running`, `pending_upload`..).
    pub status: String,
    /// As a batch item: `queued`, `processing`, `completed`, `failed`.
    pub item_status: &'static str,
    pub error: Value,
}

impl State {
    /// Where the item `id` of a `kind` batch stands, if it exists (a
    /// deleted one does not).
    pub(super) fn item_state(&self, kind: BatchKind, id: &str, now: Instant) -> Option<ItemState> {
        if let Some(job_kind) = kind.job() {
            let job = self.job(job_kind, id)?;
            return Some(ItemState {
                status: job.status(now).to_string(),
                item_status: job.item_status(now),
                error: job.error_json(now),
            });
        }
        self.asset_state(id, now)
    }

    pub(super) fn batch(&self, kind: BatchKind, id: &str) -> Result<&Batch, Reply> {
        self.batches
            .iter()
            .find(|b| b.kind == kind && b.id == id)
            .ok_or_else(|| Reply::not_found("resource_not_found", "batch", id))
    }

    /// Records a batch of items made already; its id.
    fn new_batch(&mut self, kind: BatchKind, raw: &Value, items: Vec<String>) -> String {
        let id = self.id("batch");
        let batch = Batch {
            id: id.clone(),
            kind,
            title: raw["title"].as_str().map(str::to_string),
            created_unix: self.unix_now(),
            items,
        };
        self.batches.push(batch);
        id
    }
}

/// The entries of a batch create body, at least one.
fn entries<'a>(raw: &'a Value, field: &str) -> Result<&'a Vec<Value>, Reply> {
    raw[field]
        .as_array()
        .filter(|e| !e.is_empty())
        .ok_or_else(|| Reply::invalid(field, &format!("{field} needs at least one entry")))
}

fn accepted(id: &str, total: usize) -> Value {
    data(json!({"batch_id": id, "status": "processing", "total_items": total}))
}

fn create_videos(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let _: heygen_api::types::CreateVideoBatchRequest = call.typed()?;
    let raw = call.json()?;
    let items: Vec<String> = entries(&raw, "videos")?
        .iter()
        .map(|v| state.start_video(v))
        .collect();
    let total = items.len();
    Ok(accepted(
        &state.new_batch(BatchKind::Video, &raw, items),
        total,
    ))
}

fn create_lipsyncs(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let _: heygen_api::types::CreateLipsyncBatchRequest = call.typed()?;
    let raw = call.json()?;
    let items: Vec<String> = entries(&raw, "lipsyncs")?
        .iter()
        .map(|l| state.start_lipsync(l))
        .collect();
    let total = items.len();
    Ok(accepted(
        &state.new_batch(BatchKind::Lipsync, &raw, items),
        total,
    ))
}

/// One item per translation made: an entry with several output languages
/// is several items.
fn create_translations(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let _: heygen_api::types::CreateVideoTranslationBatchRequest = call.typed()?;
    let raw = call.json()?;
    let mut items = Vec::new();
    for entry in entries(&raw, "video_translations")? {
        items.extend(state.start_translations(entry)?);
    }
    let total = items.len();
    Ok(accepted(
        &state.new_batch(BatchKind::Translation, &raw, items),
        total,
    ))
}

fn create_uploads(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let _: heygen_api::types::CreateAssetUploadBatchRequest = call.typed()?;
    let raw = call.json()?;
    let mut uploads = Vec::new();
    for file in entries(&raw, "files")? {
        let request = serde_json::from_value(file.clone()).map_err(|e| {
            Reply::invalid("files", &format!("a file does not match the schema: {e}"))
        })?;
        uploads.push(state.direct_upload(request)?);
    }
    let ids = uploads
        .iter()
        .map(|u| u["asset_id"].as_str().unwrap_or_default().to_string())
        .collect();
    let id = state.new_batch(BatchKind::Asset, &raw, ids);
    Ok(data(json!({"batch_id": id, "items": uploads})))
}

fn complete_uploads(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let body: heygen_api::types::CompleteAssetUploadBatchRequest = call.typed()?;
    let items = state.batch(BatchKind::Asset, &body.batch_id)?.items.clone();
    for id in &items {
        state.complete_asset(id)?;
    }
    Ok(accepted(&body.batch_id, items.len()))
}

fn get_videos(state: &mut State, call: &Call) -> Result<Value, Reply> {
    batch_page(state, call, BatchKind::Video)
}

fn get_lipsyncs(state: &mut State, call: &Call) -> Result<Value, Reply> {
    batch_page(state, call, BatchKind::Lipsync)
}

fn get_translations(state: &mut State, call: &Call) -> Result<Value, Reply> {
    batch_page(state, call, BatchKind::Translation)
}

fn get_uploads(state: &mut State, call: &Call) -> Result<Value, Reply> {
    batch_page(state, call, BatchKind::Asset)
}

/// A batch with one page of its items (the cursor inside `data`).
fn batch_page(state: &mut State, call: &Call, kind: BatchKind) -> Result<Value, Reply> {
    let now = Instant::now();
    let batch = state.batch(kind, call.param("batch_id"))?.clone();
    let states: Vec<(usize, String, Option<ItemState>)> = batch
        .items
        .iter()
        .enumerate()
        .map(|(i, id)| (i, id.clone(), state.item_state(kind, id, now)))
        .collect();
    let mut counts = Map::new();
    for status in ["queued", "processing", "completed", "failed"] {
        let n = states
            .iter()
            .filter(|(_, _, s)| s.as_ref().map_or("failed", |s| s.item_status) == status)
            .count();
        counts.insert(status.into(), json!(n));
    }
    let finished =
        counts["completed"].as_u64().unwrap_or(0) + counts["failed"].as_u64().unwrap_or(0);
    let status = match (
        finished as usize == states.len(),
        counts["completed"] == json!(0),
    ) {
        (false, _) => "processing",
        (true, true) => "failed",
        (true, false) => "completed",
    };
    let (page, has_more, next) = slice(call, states, 100)?;
    let items: Vec<Value> = page
        .iter()
        .map(|(index, id, s)| {
            json!({
                "item_index": index,
                "status": s.as_ref().map_or("failed", |s| s.item_status),
                "video_id": id,
                "error": s.as_ref().map_or(json!({"code": "not_found"}), |s| s.error.clone()),
            })
        })
        .collect();
    Ok(data(json!({
        "batch_id": batch.id,
        "title": batch.title,
        "status": status,
        "total_items": batch.items.len(),
        "counts_by_status": counts,
        "created_at": batch.created_unix,
        "items": items,
        "has_more": has_more,
        "next_token": next,
    })))
}
