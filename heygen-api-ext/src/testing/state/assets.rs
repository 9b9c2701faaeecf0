//! The fake's assets routes.

use super::*;

impl State {
    pub(super) fn create_direct_upload(&mut self, req: &FakeRequest) -> Result<Reply, Reply> {
        let body: heygen_api::types::CreateAssetUploadRequest = req.typed()?;
        if body.filename.trim().is_empty() {
            return Err(Reply::error(
                400,
                "invalid_parameter",
                "filename must not be empty",
                Some("filename"),
            ));
        }
        if body.size_bytes <= 0 {
            return Err(Reply::error(
                400,
                "invalid_parameter",
                "size_bytes must be positive",
                Some("size_bytes"),
            ));
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
        let reply = Reply::ok(json!({
            "asset_id": id,
            "upload_url": format!("{}/fake-uploads/{id}?signature={token}", self.base_url),
            "upload_headers": headers,
            "expires_in_seconds": 900,
            "max_bytes": DIRECT_UPLOAD_LIMIT,
            "status": "pending_upload",
        }));
        self.assets.push(Asset {
            id,
            name: body.filename,
            mime_type: body.content_type,
            size: body.size_bytes,
            uploaded_unix: unix_now(),
            state: AssetState::AwaitingBytes { token, headers },
        });
        Ok(reply)
    }

    pub(super) fn complete_upload(
        &mut self,
        req: &FakeRequest,
        id: String,
    ) -> Result<Reply, Reply> {
        let _: heygen_api::types::CompleteAssetUploadRequest = req.typed()?;
        let base = self.base_url.clone();
        let asset = self
            .assets
            .iter_mut()
            .find(|a| a.id == id)
            .ok_or_else(|| Reply::not_found("resource_not_found", "asset", &id))?;
        if matches!(asset.state, AssetState::AwaitingBytes { .. }) {
            return Err(Reply::error(
                400,
                "invalid_parameter",
                &format!("no bytes were uploaded for asset {id}: PUT them to its upload_url first"),
                Some("asset_id"),
            ));
        }
        asset.state = AssetState::Ready;
        Ok(Reply::ok(json!({
            "asset_id": asset.id,
            "url": format!("{base}/fake-media/assets/{}/{}", asset.id, asset.name),
            "mime_type": asset.mime_type,
            "size_bytes": asset.size,
            "status": "processing",
        })))
    }

    pub(super) fn get_asset(&mut self, id: String) -> Result<Reply, Reply> {
        let asset = self
            .assets
            .iter()
            .find(|a| a.id == id && matches!(a.state, AssetState::Ready))
            .ok_or_else(|| Reply::not_found("resource_not_found", "asset", &id))?;
        let kind = asset.mime_type.split('/').next().unwrap_or("file");
        Ok(Reply::ok(json!({
            "id": asset.id,
            "name": asset.name,
            "type": kind,
            "owner": "fake-user",
            "space_id": "fake-space",
            "folder_id": null,
            "url": format!("{}/fake-media/assets/{}/{}", self.base_url, asset.id, asset.name),
            "uploaded_at": asset.uploaded_unix,
        })))
    }

    pub(super) fn upload_multipart(&mut self, req: &FakeRequest) -> Result<Reply, Reply> {
        let parts = match &req.parts {
            Some(Ok(parts)) => parts,
            Some(Err(e)) => {
                return Err(Reply::error(
                    400,
                    "invalid_parameter",
                    &format!("the multipart body could not be read: {e}"),
                    Some("file"),
                ));
            }
            None => {
                return Err(Reply::error(
                    400,
                    "invalid_parameter",
                    "POST /v3/assets takes multipart/form-data with a part named file",
                    Some("file"),
                ));
            }
        };
        let Some(file) = parts.iter().find(|p| p.name == "file") else {
            return Err(Reply::error(
                400,
                "invalid_parameter",
                "the multipart body has no part named file",
                Some("file"),
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
            return Err(Reply::error(
                400,
                "invalid_parameter",
                "the file is empty",
                Some("file"),
            ));
        }
        let name = file.filename.clone().unwrap_or_else(|| "upload".into());
        let mime_type = file
            .content_type
            .clone()
            .unwrap_or_else(|| "application/octet-stream".into());
        let id = self.id("asset");
        let url = format!("{}/fake-media/assets/{id}/{name}", self.base_url);
        let size = file.data.len() as i64;
        self.assets.push(Asset {
            id: id.clone(),
            name,
            mime_type: mime_type.clone(),
            size,
            uploaded_unix: unix_now(),
            state: AssetState::Ready,
        });
        Ok(Reply::ok(json!({
            "asset_id": id,
            "url": url,
            "mime_type": mime_type,
            "size_bytes": size,
        })))
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
            headers: vec![("etag", format!("\"{id}\""))],
            body: Bytes::new(),
            json: None,
        }
    }
}
