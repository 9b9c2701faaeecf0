//! The asset library (`listAssets`, `getAsset`, `deleteAsset`) and the
//! stock search (`searchAssets`); uploads are in [`super::uploads`].

use std::collections::HashMap;

use serde_json::{Value, json};
use tokio::time::Instant;

use super::State;
use super::batches::ItemState;
use super::jobs::Timeline;
use super::request::{Call, Reply, data, page, page_of};
use super::router::Handler;
use super::user::USERNAME;

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("listAssets", list),
    ("getAsset", get),
    ("deleteAsset", delete),
    ("searchAssets", search),
];

/// How many stock hits any search finds.
const STOCK_HITS: usize = 30;

#[derive(Debug, Clone)]
pub(super) enum AssetState {
    /// Direct upload created; waiting for the bytes.
    AwaitingBytes {
        token: String,
        headers: HashMap<String, String>,
    },
    /// Bytes received; waiting for `/complete`.
    Uploaded,
    /// In the library, processing until its timeline is done.
    Ready(Timeline),
}

#[derive(Debug, Clone)]
pub(super) struct Asset {
    pub id: String,
    pub name: String,
    pub mime_type: String,
    pub size: i64,
    pub uploaded_unix: i64,
    pub state: AssetState,
    pub failure: Option<(String, String)>,
    pub deleted: bool,
}

impl Asset {
    pub(super) fn new(
        id: String,
        name: String,
        mime_type: String,
        size: i64,
        uploaded_unix: i64,
        state: AssetState,
    ) -> Asset {
        Asset {
            id,
            name,
            mime_type,
            size,
            uploaded_unix,
            state,
            failure: None,
            deleted: false,
        }
    }

    /// `pending_upload`, `uploaded`, `processing`, `completed` or `failed`.
    fn status(&self, now: Instant) -> &'static str {
        match &self.state {
            AssetState::AwaitingBytes { .. } => "pending_upload",
            AssetState::Uploaded => "uploaded",
            AssetState::Ready(t) if !t.done(now) => "processing",
            AssetState::Ready(_) if self.failure.is_some() => "failed",
            AssetState::Ready(_) => "completed",
        }
    }

    fn in_library(&self) -> bool {
        !self.deleted && matches!(self.state, AssetState::Ready(_))
    }
}

/// Where the file host serves an asset (library URLs are plain, not
/// signed: they are how assets are referred to).
pub(super) fn path_of(asset: &Asset) -> String {
    format!(
        "{}{}/{}",
        super::super::files::ASSETS_PREFIX,
        asset.id,
        encode(&asset.name)
    )
}

/// A file name as one URL path segment.
fn encode(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl State {
    /// An asset's standing as a bulk or batch item.
    pub(super) fn asset_state(&self, id: &str, now: Instant) -> Option<ItemState> {
        let asset = self.assets.iter().find(|a| a.id == id && !a.deleted)?;
        let status = asset.status(now);
        let item_status = match status {
            "pending_upload" => "queued",
            "uploaded" | "processing" => "processing",
            "failed" => "failed",
            _ => "completed",
        };
        let error = match (&asset.failure, status) {
            (Some((code, message)), "failed") => json!({"code": code, "message": message}),
            _ => Value::Null,
        };
        Some(ItemState {
            status: status.to_string(),
            item_status,
            error,
        })
    }

    fn asset_json(&self, asset: &Asset) -> Value {
        let kind = asset.mime_type.split('/').next().unwrap_or("file");
        json!({
            "id": asset.id,
            "name": asset.name,
            "type": kind,
            "owner": USERNAME,
            "space_id": "fake-space",
            "folder_id": null,
            "url": self.files.public(&path_of(asset)),
            "uploaded_at": asset.uploaded_unix,
        })
    }
}

fn list(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let username = call.required_query("username")?;
    let mine = username == USERNAME;
    let assets: Vec<Asset> = state
        .assets
        .iter()
        .rev()
        .filter(|a| mine && a.in_library())
        .cloned()
        .collect();
    page_of(call, assets, 20, |a| state.asset_json(a))
}

fn get(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let id = call.param("asset_id");
    let asset = state
        .assets
        .iter()
        .find(|a| a.id == id && a.in_library())
        .ok_or_else(|| Reply::not_found("resource_not_found", "asset", id))?;
    Ok(data(state.asset_json(asset)))
}

fn delete(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let id = call.param("asset_id");
    let asset = state
        .assets
        .iter_mut()
        .find(|a| a.id == id && !a.deleted)
        .ok_or_else(|| Reply::not_found("resource_not_found", "asset", id))?;
    asset.deleted = true;
    Ok(data(json!({"id": id})))
}

/// Stock images or icons: the same hits for the same query.
fn search(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let query = call.required_query("query")?;
    let kind = call.required_query("type")?;
    if !matches!(kind, "image" | "icon") {
        return Err(Reply::invalid("type", "type must be image or icon"));
    }
    let slug: String = query
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let hits: Vec<Value> = (1..=STOCK_HITS)
        .map(|n| {
            let id = format!("{kind}_{slug}_{n}");
            let ext = if kind == "icon" { "png" } else { "jpg" };
            json!({
                "type": kind,
                "id": id,
                "url": state.files.public(&format!("/assets/stock/{id}.{ext}")),
                "width": if kind == "icon" { 256 } else { 1920 },
                "height": if kind == "icon" { 256 } else { 1080 },
                "orientation": if kind == "icon" { "square" } else { "landscape" },
                "is_transparent": kind == "icon",
            })
        })
        .collect();
    page(call, hits, 20)
}
