//! Getting files into the asset library: `uploadAsset` (multipart, up to
//! 32 MB) and the direct upload (`createAssetUpload`, a `PUT` of the bytes
//! to the presigned URL the fake serves itself, `completeAssetUpload`).

use std::collections::HashMap;

use bytes::Bytes;
use serde_json::{Value, json};
use tokio::time::Instant;

use super::State;
use super::assets::{Asset, AssetState, path_of};
use super::jobs::Timeline;
use super::request::{Call, FakeRequest, Reply, data};
use super::router::Handler;

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("uploadAsset", upload_multipart),
    ("createAssetUpload", create_direct_upload),
    ("completeAssetUpload", complete_upload),
];

/// The documented cap of `POST /v3/assets`.
const MULTIPART_LIMIT: usize = 32 * 1024 * 1024;
/// What the fake accepts through a direct upload.
const DIRECT_UPLOAD_LIMIT: i64 = 5 * 1024 * 1024 * 1024;
const UPLOAD_TOKEN_HEADER: &str = "x-fake-upload-token";
/// Where the presigned upload URLs point, on the API's own listener.
const UPLOAD_PREFIX: &str = "/fake-uploads/";

/// The asset a `PUT` to a presigned upload URL is for.
pub(super) fn upload_target(req: &FakeRequest) -> Option<String> {
    let id = req.path.strip_prefix(UPLOAD_PREFIX)?;
    (req.method == http::Method::PUT && !id.contains('/')).then(|| id.to_string())
}

fn create_direct_upload(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let body: heygen_api::types::CreateAssetUploadRequest = call.typed()?;
    Ok(data(state.direct_upload(body)?))
}

impl State {
    /// Reserves an asset and its presigned upload URL (an `AssetUpload`).
    pub(super) fn direct_upload(
        &mut self,
        body: heygen_api::types::CreateAssetUploadRequest,
    ) -> Result<Value, Reply> {
        if body.filename.trim().is_empty() {
            return Err(Reply::invalid("filename", "filename must not be empty"));
        }
        if body.size_bytes <= 0 {
            return Err(Reply::invalid("size_bytes", "size_bytes must be positive"));
        }
        if body.size_bytes > DIRECT_UPLOAD_LIMIT {
            return Err(Reply::error(
                413,
                "payload_too_large",
                &format!("size_bytes is over the {DIRECT_UPLOAD_LIMIT}-byte limit"),
                Some("size_bytes"),
            ));
        }
        let id = self.id("asset");
        let token = self.id("sig");
        let headers = HashMap::from([
            ("content-type".to_string(), body.content_type.clone()),
            (UPLOAD_TOKEN_HEADER.to_string(), token.clone()),
        ]);
        let upload = json!({
            "asset_id": id,
            "upload_url": format!("{}{UPLOAD_PREFIX}{id}?signature={token}", self.base_url),
            "upload_headers": headers,
            "expires_in_seconds": 900,
            "max_bytes": DIRECT_UPLOAD_LIMIT,
            "status": "pending_upload",
        });
        let uploaded_unix = self.unix_now();
        self.assets.push(Asset::new(
            id,
            body.filename,
            body.content_type,
            body.size_bytes,
            uploaded_unix,
            AssetState::AwaitingBytes { token, headers },
        ));
        Ok(upload)
    }

    /// Confirms the bytes of a direct upload; the asset then processes for
    /// a job's duration. Completing twice is harmless.
    pub(super) fn complete_asset(&mut self, id: &str) -> Result<Asset, Reply> {
        let duration = self.job_duration;
        let asset = self
            .assets
            .iter_mut()
            .find(|a| a.id == id && !a.deleted)
            .ok_or_else(|| Reply::not_found("resource_not_found", "asset", id))?;
        match asset.state {
            AssetState::AwaitingBytes { .. } => {
                return Err(Reply::invalid(
                    "asset_id",
                    &format!(
                        "no bytes were uploaded for asset {id}: PUT them to its upload_url first"
                    ),
                ));
            }
            AssetState::Uploaded => {
                asset.state = AssetState::Ready(Timeline {
                    start: Instant::now(),
                    duration,
                    seeded: false,
                });
            }
            AssetState::Ready(_) => {}
        }
        Ok(asset.clone())
    }

    /// The presigned upload URL, checked the way a storage service checks
    /// it: the signature in the URL, the signed headers exactly as issued,
    /// the declared length. An API key here would be a leaked credential.
    pub(super) fn receive_upload(&mut self, id: &str, req: &FakeRequest) -> Reply {
        if req.header("x-api-key").is_some() || req.header("authorization").is_some() {
            return Reply::storage_error(
                400,
                "InvalidRequest",
                "credentials sent to a presigned URL: only the upload_headers belong here",
            );
        }
        if req.header("transfer-encoding").is_some() || req.header("content-length").is_none() {
            return Reply::storage_error(
                501,
                "NotImplemented",
                "a presigned PUT needs Content-Length; chunked bodies are not accepted",
            );
        }
        let Some(asset) = self.assets.iter_mut().find(|a| a.id == id) else {
            return Reply::storage_error(404, "NoSuchUpload", "unknown upload");
        };
        let AssetState::AwaitingBytes { token, headers } = &asset.state else {
            return Reply::storage_error(
                409,
                "UploadClosed",
                "this upload already received its bytes",
            );
        };
        if req.query("signature") != Some(token.as_str()) {
            return Reply::storage_error(403, "SignatureDoesNotMatch", "bad signature in the URL");
        }
        for (name, value) in headers {
            if req.header(name) != Some(value.as_str()) {
                return Reply::storage_error(
                    403,
                    "SignatureDoesNotMatch",
                    &format!("signed header {name} missing or changed"),
                );
            }
        }
        if req.body.len() as i64 != asset.size {
            return Reply::storage_error(
                400,
                "IncompleteBody",
                &format!(
                    "received {} bytes, the upload declared {}",
                    req.body.len(),
                    asset.size
                ),
            );
        }
        asset.state = AssetState::Uploaded;
        Reply {
            status: 200,
            headers: vec![("etag".into(), format!("\"{id}\""))],
            body: Bytes::new(),
        }
    }
}

fn complete_upload(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let _: heygen_api::types::CompleteAssetUploadRequest = call.typed()?;
    let asset = state.complete_asset(call.param("asset_id"))?;
    Ok(data(json!({
        "asset_id": asset.id,
        "url": state.files.public(&path_of(&asset)),
        "mime_type": asset.mime_type,
        "size_bytes": asset.size,
        "status": "processing",
    })))
}

fn upload_multipart(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let parts = match &call.req.parts {
        Some(Ok(parts)) => parts,
        Some(Err(e)) => {
            return Err(Reply::invalid(
                "file",
                &format!("the multipart body could not be read: {e}"),
            ));
        }
        None => {
            return Err(Reply::invalid(
                "file",
                "POST /v3/assets takes multipart/form-data with a part named file",
            ));
        }
    };
    let Some(file) = parts.iter().find(|p| p.name == "file") else {
        return Err(Reply::invalid(
            "file",
            "the multipart body has no part named file",
        ));
    };
    if file.data.len() > MULTIPART_LIMIT {
        return Err(Reply::error(
            413,
            "payload_too_large",
            "files over 32 MB go through the direct upload flow",
            Some("file"),
        ));
    }
    if file.data.is_empty() {
        return Err(Reply::invalid("file", "the file is empty"));
    }
    let name = file.filename.clone().unwrap_or_else(|| "upload".into());
    let mime_type = file
        .content_type
        .clone()
        .unwrap_or_else(|| "application/octet-stream".into());
    let id = state.id("asset");
    let size = file.data.len() as i64;
    // A small file is ready at once.
    let ready = AssetState::Ready(Timeline {
        start: Instant::now(),
        duration: std::time::Duration::ZERO,
        seeded: true,
    });
    let uploaded_unix = state.unix_now();
    let asset = Asset::new(id, name, mime_type, size, uploaded_unix, ready);
    let url = state.files.public(&path_of(&asset));
    let reply = json!({
        "asset_id": asset.id,
        "url": url,
        "mime_type": asset.mime_type,
        "size_bytes": size,
    });
    state.assets.push(asset);
    Ok(data(reply))
}
