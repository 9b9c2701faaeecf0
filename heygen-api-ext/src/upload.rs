//! Uploading files as HeyGen assets.
//!
//! Two ways in, both streamed from disk (a file is never read into memory
//! whole) and both reporting progress:
//!
//! - [`Client::upload_asset`]: one multipart `POST /v3/assets` with a part
//!   named `file`. HeyGen caps it at 32 MB ([`MULTIPART_LIMIT`]); a larger
//!   source is refused before anything is sent.
//! - [`Client::upload_asset_direct`]: the presigned three-step flow for large
//!   files: `POST /v3/assets/direct-uploads` announces the file, its bytes
//!   go by `PUT` straight to the storage URL HeyGen returns (with the
//!   `upload_headers` exactly as given, and without the API key: that URL is
//!   on another host and is its own credential), then
//!   `POST /v3/assets/{asset_id}/complete` closes it.
//!
//! The content type is taken from the file name's extension unless given.
//! Use the returned `asset_id` wherever a request takes an `AssetInput`.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;
use futures::{Stream, StreamExt};
use heygen_api::types;
use reqwest::header::{HeaderName, HeaderValue};

use crate::data::SendData as _;
use crate::error::Resend;
use crate::transport::{self, Plan, Progress, Record, Requests, Target, Transfer};
use crate::{Client, Error};
use progenitor_client::ClientInfo as _;

/// The largest file `POST /v3/assets` takes (HeyGen documents 32 MB);
/// larger ones go through [`Client::upload_asset_direct`].
pub const MULTIPART_LIMIT: u64 = 32 * 1024 * 1024;

/// How much of a file is read (and reported) at a time.
const CHUNK: usize = 64 * 1024;

/// What to upload: a file on disk (streamed) or bytes in memory.
#[derive(Clone)]
pub enum AssetSource {
    /// A file, read as it is sent.
    File(PathBuf),
    /// Bytes in memory, with the file name HeyGen should record.
    Bytes {
        /// The asset's file name (its extension also picks the content
        /// type unless one is given).
        filename: String,
        /// The content.
        data: Bytes,
    },
}

impl AssetSource {
    /// A file on disk.
    pub fn file(path: impl Into<PathBuf>) -> Self {
        AssetSource::File(path.into())
    }

    /// Bytes in memory, named `filename`.
    pub fn bytes(filename: impl Into<String>, data: impl Into<Bytes>) -> Self {
        AssetSource::Bytes {
            filename: filename.into(),
            data: data.into(),
        }
    }
}

impl fmt::Debug for AssetSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AssetSource::File(path) => f.debug_tuple("File").field(path).finish(),
            AssetSource::Bytes { filename, data } => f
                .debug_struct("Bytes")
                .field("filename", filename)
                .field("len", &data.len())
                .finish(),
        }
    }
}

impl From<PathBuf> for AssetSource {
    fn from(path: PathBuf) -> Self {
        AssetSource::File(path)
    }
}

impl From<&Path> for AssetSource {
    fn from(path: &Path) -> Self {
        AssetSource::File(path.to_path_buf())
    }
}

/// How far an upload has got: bytes handed to the connection so far, of
/// the total. A retried upload starts again from zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadProgress {
    /// Bytes of the file sent so far.
    pub sent: u64,
    /// The file's size.
    pub total: u64,
}

/// Called as an upload's bytes go out.
pub type ProgressCallback = Arc<dyn Fn(UploadProgress) + Send + Sync>;

/// Settings shared by both upload flows.
#[derive(Clone)]
struct Settings {
    source: AssetSource,
    filename: Option<String>,
    content_type: Option<String>,
    on_progress: Option<ProgressCallback>,
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("source", &self.source)
            .field("filename", &self.filename)
            .field("content_type", &self.content_type)
            .field(
                "on_progress",
                &self.on_progress.as_ref().map(|_| "callback"),
            )
            .finish()
    }
}

/// What will be sent, checked before any request.
#[derive(Debug)]
struct Resolved {
    source: AssetSource,
    filename: String,
    content_type: String,
    size: u64,
}

impl Settings {
    fn new(source: AssetSource) -> Self {
        Self {
            source,
            filename: None,
            content_type: None,
            on_progress: None,
        }
    }

    async fn resolve(&self, what: &str) -> Result<Resolved, Error> {
        let (size, default_name) = match &self.source {
            AssetSource::File(path) => {
                let meta = tokio::fs::metadata(path).await.map_err(|e| {
                    Error::invalid(format!("{what}: cannot read {}: {e}", path.display()))
                })?;
                if !meta.is_file() {
                    return Err(Error::invalid(format!(
                        "{what}: {} is not a regular file",
                        path.display()
                    )));
                }
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                (meta.len(), name)
            }
            AssetSource::Bytes { filename, data } => (data.len() as u64, filename.clone()),
        };
        let filename = self.filename.clone().unwrap_or(default_name);
        if filename.trim().is_empty() {
            return Err(Error::invalid(format!(
                "{what}: the asset needs a file name (set one with .filename(...))"
            )));
        }
        if size == 0 {
            return Err(Error::invalid(format!(
                "{what}: {filename} is empty; HeyGen rejects empty assets"
            )));
        }
        let content_type = match &self.content_type {
            Some(given) => {
                given.parse::<mime_guess::mime::Mime>().map_err(|e| {
                    Error::invalid(format!(
                        "{what}: content type {given:?} is not a MIME type ({e}); e.g. \"video/mp4\""
                    ))
                })?;
                given.clone()
            }
            None => mime_guess::from_path(&filename)
                .first_or_octet_stream()
                .to_string(),
        };
        Ok(Resolved {
            source: self.source.clone(),
            filename,
            content_type,
            size,
        })
    }
}

type ByteStream = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send>>;

/// The source as a stream of chunks that reports progress and refuses to
/// send a byte more, or less, than the `size` announced.
async fn open(
    resolved: &Resolved,
    progress: Option<ProgressCallback>,
    moved: Arc<Progress>,
) -> Result<ByteStream, Error> {
    let total = resolved.size;
    let chunks: ByteStream = match &resolved.source {
        AssetSource::File(path) => {
            let file = tokio::fs::File::open(path)
                .await
                .map_err(|e| Error::invalid(format!("cannot open {}: {e}", path.display())))?;
            Box::pin(tokio_util::io::ReaderStream::with_capacity(file, CHUNK))
        }
        AssetSource::Bytes { data, .. } => {
            let data = data.clone();
            let pieces: Vec<io::Result<Bytes>> = (0..data.len())
                .step_by(CHUNK)
                .map(|at| Ok(data.slice(at..(at + CHUNK).min(data.len()))))
                .collect();
            Box::pin(futures::stream::iter(pieces))
        }
    };
    let name = resolved.filename.clone();
    let mut sent: u64 = 0;
    let counted = chunks.map(move |chunk| {
        let chunk = chunk?;
        moved.touch();
        sent += chunk.len() as u64;
        if sent > total {
            return Err(io::Error::other(format!(
                "{name} grew while it was being uploaded (announced {total} bytes)"
            )));
        }
        if let Some(report) = &progress {
            report(UploadProgress { sent, total });
        }
        Ok(chunk)
    });
    Ok(Box::pin(counted))
}

/// A multipart upload; `.send().await` it. Made by [`Client::upload_asset`].
#[must_use = "an upload does nothing until sent"]
#[derive(Debug)]
pub struct UploadAsset<'a> {
    client: &'a Client,
    settings: Settings,
}

/// A three-step direct upload; `.send().await` it. Made by
/// [`Client::upload_asset_direct`].
#[must_use = "an upload does nothing until sent"]
#[derive(Debug)]
pub struct DirectUpload<'a> {
    client: &'a Client,
    settings: Settings,
    checksum_sha256: Option<String>,
}

macro_rules! common_setters {
    () => {
        /// The file name HeyGen records (default: the file's own name, or
        /// the one given with the bytes).
        pub fn filename(mut self, name: impl Into<String>) -> Self {
            self.settings.filename = Some(name.into());
            self
        }

        /// The content type (default: guessed from the file name's
        /// extension, `application/octet-stream` when unknown).
        pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
            self.settings.content_type = Some(content_type.into());
            self
        }

        /// Called as bytes go out, with the bytes sent so far and the total.
        /// To get a channel instead, send from the callback (e.g. into a
        /// `tokio::sync::watch`).
        pub fn on_progress(
            mut self,
            report: impl Fn(UploadProgress) + Send + Sync + 'static,
        ) -> Self {
            self.settings.on_progress = Some(Arc::new(report));
            self
        }
    };
}

impl<'a> UploadAsset<'a> {
    common_setters!();

    /// Uploads the file and returns the new asset (`asset_id`, `url`,
    /// `mime_type`, `size_bytes`). The upload carries no idempotency key,
    /// so it is sent again (the file read again) only when HeyGen cannot
    /// have stored it: a `429`, or a connection that never opened. It is
    /// bounded by the upload idle timeout, not the call timeout.
    pub async fn send(self) -> Result<types::UploadedAsset, Error> {
        let resolved = Arc::new(self.settings.resolve("upload_asset").await?);
        if resolved.size > MULTIPART_LIMIT {
            return Err(Error::invalid(format!(
                "upload_asset: {} is {} bytes, over the {MULTIPART_LIMIT}-byte limit of POST /v3/assets; use Client::upload_asset_direct for large files",
                resolved.filename, resolved.size
            )));
        }
        let exchange = &self.client.exchange;
        let url = format!("{}/v3/assets", exchange.base_url);
        let moved = Progress::new();
        let progress = self.settings.on_progress.clone();
        let make = {
            let (http, url, resolved, moved) = (
                exchange.http.clone(),
                url.clone(),
                resolved.clone(),
                moved.clone(),
            );
            move || {
                let (http, url, resolved, moved, progress) = (
                    http.clone(),
                    url.clone(),
                    resolved.clone(),
                    moved.clone(),
                    progress.clone(),
                );
                Box::pin(
                    async move { multipart_request(&http, &url, &resolved, progress, moved).await },
                )
                    as heygen_api::hooks::BoxFuture<'static, Result<reqwest::Request, Error>>
            }
        };
        let mut make: transport::Factory<'static> = Box::new(make);
        let first = make().await?;
        let plan = Plan {
            operation: "uploadAsset",
            declared_success: Some(200),
            target: Target::HeyGen,
            resend: Resend::MayDuplicate,
            idempotency_key: None,
            transfer: Some(Transfer::Upload(moved)),
            deadline: None,
        };
        let span = tracing::info_span!(
            "heygen.call",
            operation = "uploadAsset",
            method = "POST",
            path = "/v3/assets"
        );
        let mut record = Record::default();
        let sent = exchange.run(&plan, Requests::Fresh(Box::new(first), make), &mut record);
        let response = match tracing::Instrument::instrument(sent, span).await {
            Ok(response) => response,
            Err(failed) => return Err(failed.into_error(record)),
        };
        let uploaded: types::UploadedAssetResponse = transport::conclude(response, &record).await?;
        uploaded.data.ok_or_else(|| {
            transport::missing("the uploadAsset answer has no `data`".into(), record)
        })
    }
}

/// One attempt's multipart request: the file opened afresh.
async fn multipart_request(
    http: &reqwest::Client,
    url: &str,
    resolved: &Resolved,
    progress: Option<ProgressCallback>,
    moved: Arc<Progress>,
) -> Result<reqwest::Request, Error> {
    let body = open(resolved, progress, moved).await?;
    let part = reqwest::multipart::Part::stream_with_length(
        reqwest::Body::wrap_stream(body),
        resolved.size,
    )
    .file_name(resolved.filename.clone())
    .mime_str(&resolved.content_type)
    .map_err(|e| Error::invalid(format!("upload_asset: content type: {e}")))?;
    http.post(url)
        .header(reqwest::header::ACCEPT, "application/json")
        .header("api-version", heygen_api::Client::api_version())
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .build()
        .map_err(|e| Error::invalid(format!("upload_asset: building the request: {e}")))
}

impl<'a> DirectUpload<'a> {
    common_setters!();

    /// The file's SHA-256 (hex), sent with the announcement and the
    /// completion so HeyGen can verify what arrived.
    pub fn checksum_sha256(mut self, hex: impl Into<String>) -> Self {
        self.checksum_sha256 = Some(hex.into());
        self
    }

    /// Announces the file, sends its bytes to the presigned URL, completes
    /// the upload, and returns the completed asset.
    pub async fn send(self) -> Result<types::CompletedAssetUpload, Error> {
        let resolved = self.settings.resolve("upload_asset_direct").await?;
        let size = i64::try_from(resolved.size).map_err(|_| {
            Error::invalid(format!(
                "upload_asset_direct: {} is too large",
                resolved.filename
            ))
        })?;
        let client = self.client;
        let mut announce = types::CreateAssetUploadRequest::builder()
            .content_type(resolved.content_type.clone())
            .filename(resolved.filename.clone())
            .size_bytes(size);
        let mut complete = types::CompleteAssetUploadRequest::builder();
        if let Some(sum) = self.checksum_sha256 {
            announce = announce.checksum_sha256(sum.clone());
            complete = complete.checksum_sha256(sum);
        }
        let created = client.create_asset_upload().body(announce).data().await?;
        if created.max_bytes < size {
            return Err(Error::invalid(format!(
                "upload_asset_direct: {} is {size} bytes; HeyGen accepts at most {} for asset {} (nothing was uploaded)",
                resolved.filename, created.max_bytes, created.asset_id
            )));
        }
        let span = tracing::info_span!("heygen.upload", asset_id = %created.asset_id, bytes = size);
        let put = put_bytes(
            client,
            &created,
            Arc::new(resolved),
            self.settings.on_progress.clone(),
        );
        tracing::Instrument::instrument(put, span).await?;
        client
            .complete_asset_upload()
            .asset_id(created.asset_id.clone())
            .body(complete)
            .data()
            .await
    }
}

/// Step 2: the bytes, to the presigned URL, with exactly the headers HeyGen
/// gave and without the credential (the URL is on another host and is its
/// own credential). `PUT` is idempotent, so a failed attempt is sent again
/// (the file read again) within the retry policy; the upload is bounded by
/// the idle timeout. Neither the URL's query (a signature) nor the headers
/// are logged or put in errors.
async fn put_bytes(
    client: &Client,
    created: &types::AssetUpload,
    resolved: Arc<Resolved>,
    progress: Option<ProgressCallback>,
) -> Result<(), Error> {
    let redacted = transport::redact_url(&created.upload_url);
    let bad_answer = |what: String| Error::Decode {
        status: Some(200),
        request_id: None,
        excerpt: String::new(),
        source: <serde_json::Error as serde::de::Error>::custom(what),
        call: crate::CallInfo::default(),
    };
    let url = reqwest::Url::parse(&created.upload_url).map_err(|e| {
        bad_answer(format!(
            "createAssetUpload returned an upload_url that is not a URL ({e}): {redacted}"
        ))
    })?;
    let mut headers = reqwest::header::HeaderMap::new();
    for (name, value) in &created.upload_headers {
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
            bad_answer(format!(
                "upload_headers has an invalid header name {name:?}"
            ))
        })?;
        let value = HeaderValue::from_str(value)
            .map_err(|_| bad_answer(format!("upload_headers has an invalid value for {name}")))?;
        headers.insert(name, value);
    }
    // Storage services want the length up front, not a chunked body.
    if !headers.contains_key(reqwest::header::CONTENT_LENGTH) {
        headers.insert(
            reqwest::header::CONTENT_LENGTH,
            HeaderValue::from(resolved.size),
        );
    }
    let exchange = &client.exchange;
    let moved = Progress::new();
    let make = {
        let http = exchange.http.clone();
        let moved = moved.clone();
        move || {
            let (http, url, headers, resolved, progress, moved) = (
                http.clone(),
                url.clone(),
                headers.clone(),
                resolved.clone(),
                progress.clone(),
                moved.clone(),
            );
            Box::pin(async move {
                let body = open(&resolved, progress, moved).await?;
                http.put(url)
                    .headers(headers)
                    .body(reqwest::Body::wrap_stream(body))
                    .build()
                    .map_err(|e| {
                        Error::invalid(format!("upload_asset_direct: building the upload: {e}"))
                    })
            }) as heygen_api::hooks::BoxFuture<'static, Result<reqwest::Request, Error>>
        }
    };
    let mut make: transport::Factory<'static> = Box::new(make);
    let first = make().await?;
    let plan = Plan {
        operation: "uploadAssetBytes",
        declared_success: None,
        target: Target::Storage,
        resend: Resend::Safe,
        idempotency_key: None,
        transfer: Some(Transfer::Upload(moved)),
        deadline: None,
    };
    let mut record = Record::default();
    let failed = |source: Error| Error::Upload {
        asset_id: created.asset_id.clone(),
        url: redacted.clone(),
        source: Box::new(source),
    };
    let answered = match exchange
        .run(&plan, Requests::Fresh(Box::new(first), make), &mut record)
        .await
    {
        Ok(answered) => answered,
        Err(e) => return Err(failed(e.into_error(record))),
    };
    match answered {
        // A storage host's success body is not HeyGen's JSON; any 2xx will do.
        transport::Answered::Success(_) => Ok(()),
        other => Err(failed(transport::refusal(other, &record))),
    }
}

/// Uploads.
impl Client {
    /// Uploads a file (or bytes) of at most 32 MB as an asset with one
    /// multipart `POST /v3/assets`:
    /// `client.upload_asset(Path::new("logo.png")).send().await?`.
    pub fn upload_asset(&self, source: impl Into<AssetSource>) -> UploadAsset<'_> {
        UploadAsset {
            client: self,
            settings: Settings::new(source.into()),
        }
    }

    /// Uploads a file (or bytes) of any size the API allows through the
    /// presigned three-step flow (create, `PUT` the bytes, complete).
    pub fn upload_asset_direct(&self, source: impl Into<AssetSource>) -> DirectUpload<'_> {
        DirectUpload {
            client: self,
            settings: Settings::new(source.into()),
            checksum_sha256: None,
        }
    }
}
