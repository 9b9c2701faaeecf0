//! One error type for every call, to match on.
//!
//! [`Error`] tells apart what a caller handles differently: fix the
//! request, fix the credentials, buy credits, wait and retry, or report a
//! server fault (with the request id HeyGen support asks for). Every error
//! of a call says what the SDK knows about the call ([`CallInfo`]): above
//! all, whether sending it again could run the work twice, and the
//! `Idempotency-Key` that makes a resend safe.
//!
//! This module holds the types; the transport decides what they contain
//! (and [`Error::is_retryable`] asks the transport's classifier).

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// Whether sending a failed call again could make HeyGen do its work twice.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Resend {
    /// The method is idempotent (`GET`, `PUT`, `DELETE`): resending is safe.
    Safe,
    /// A create that carried an `Idempotency-Key`: resending is safe with
    /// the same key ([`Error::idempotency_key`]), which HeyGen answers with
    /// the first call's result for 24 hours. A new key would run it again.
    WithSameKey,
    /// A create without a key: if the first call reached HeyGen, a resend
    /// runs (and bills) it twice. Also what the SDK assumes when it cannot
    /// tell.
    #[default]
    MayDuplicate,
}

/// What the SDK knows about the call an error ended.
///
/// Filled in for every call made through `.data()`, the list streams, the
/// waiters and the uploads. An error converted from a generated `send()`'s
/// own error type (`Error::from`) has only what that error carried: this
/// is then empty (`operation: None`) and [`Resend::MayDuplicate`] is
/// assumed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallInfo {
    /// The spec's operation id (`createVideo`), when known.
    pub operation: Option<&'static str>,
    /// The `Idempotency-Key` every attempt of the call carried.
    pub idempotency_key: Option<String>,
    /// Attempts made (0 when nothing was sent).
    pub attempts: u32,
    /// Whether a resend could duplicate work.
    pub resend: Resend,
}

/// An error HeyGen answered with: status, code and message from the error
/// envelope, and what the response headers said.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// Machine-readable code (`invalid_parameter`, `insufficient_credit`, ...).
    /// When the body was not an error envelope, derived from the status the
    /// way HeyGen's CLI does (`unauthorized`, `unclassified_server_error`, ...).
    pub code: String,
    /// Human-readable message.
    pub message: String,
    /// The request field at fault, on validation errors.
    pub param: Option<String>,
    /// Link to the error's documentation.
    pub doc_url: Option<String>,
    /// `X-Request-Id` of the response: quote it to HeyGen support.
    pub request_id: Option<String>,
    /// `Retry-After`, when the response carried one.
    pub retry_after: Option<Duration>,
    /// The body was not HeyGen's error envelope; `message` holds an excerpt.
    pub synthesized: bool,
    /// The call this answered.
    pub call: CallInfo,
}

impl ApiError {
    /// An error made by the SDK for a response whose body said nothing
    /// usable: `code` derived from the status.
    pub(crate) fn from_status(status: u16, message: String) -> ApiError {
        ApiError {
            status,
            code: code_for_status(status).to_string(),
            message,
            param: None,
            doc_url: None,
            request_id: None,
            retry_after: None,
            synthesized: true,
            call: CallInfo::default(),
        }
    }
}

/// Everything a call can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request was refused before anything was sent.
    #[error("invalid request (nothing was sent): {message}")]
    InvalidRequest {
        /// What is wrong, naming the parameter.
        message: String,
    },
    /// The client could not be configured.
    #[error("client configuration: {message}")]
    Config {
        /// What is wrong, naming the setting or variable.
        message: String,
    },
    /// 400: HeyGen rejected the request's content.
    #[error("{}", describe(.0, "HeyGen rejected the request; fix the parameter it names"))]
    BadRequest(Box<ApiError>),
    /// 401: the API key or token is missing, wrong or expired.
    #[error("{}", describe(.0, "authentication failed; check HEYGEN_API_KEY (or the bearer token) is set and valid"))]
    Authentication(Box<ApiError>),
    /// 402: not enough credits or a plan limit.
    #[error("{}", describe(.0, "insufficient credit; add credits or upgrade the plan in HeyGen's dashboard"))]
    InsufficientCredit(Box<ApiError>),
    /// 403: the key may not do this.
    #[error("{}", describe(.0, "permission denied; this key or plan may not use this resource"))]
    PermissionDenied(Box<ApiError>),
    /// 404: no such resource (or it was deleted).
    #[error("{}", describe(.0, "not found; check the id (the resource may have been deleted)"))]
    NotFound(Box<ApiError>),
    /// 409: a conflict. `request_in_progress` means the first call with the
    /// same idempotency key is still running (the client already waited
    /// for it within the call's budget): resend with that key, never a new
    /// one.
    #[error("{}", describe(.0, "conflict; if the code is request_in_progress, the first call is still running: resend later with the same idempotency key, not a new request"))]
    Conflict(Box<ApiError>),
    /// 413: the upload or body is too large.
    #[error("{}", describe(.0, "payload too large; use the direct upload flow for large files"))]
    PayloadTooLarge(Box<ApiError>),
    /// 429: rate or concurrency limit; `retry_after` says when to try again.
    #[error("{}", describe(.0, "rate limited; retry after the delay HeyGen asked for"))]
    RateLimited(Box<ApiError>),
    /// 5xx: a fault on HeyGen's side (or a gateway before it).
    #[error("{}", describe(.0, "HeyGen server error; retry later and quote the request id if it persists"))]
    Server(Box<ApiError>),
    /// Any other status that is not a success.
    #[error("{}", describe(.0, "unexpected status"))]
    Api(Box<ApiError>),
    /// No response in time. Unless nothing was sent, the call may still
    /// have taken effect: see [`Error::is_retryable`] and
    /// [`Error::idempotency_key`] before sending it again.
    #[error("timed out waiting for HeyGen: {source}; the request may still have taken effect{}", resend_hint(.call))]
    Timeout {
        /// The underlying error.
        #[source]
        source: reqwest::Error,
        /// The call that timed out.
        call: CallInfo,
    },
    /// The connection could not be opened, or broke before a response
    /// arrived.
    #[error("could not reach HeyGen: {source}{}", resend_hint(.call))]
    Connection {
        /// The underlying error.
        #[source]
        source: reqwest::Error,
        /// The call that failed.
        call: CallInfo,
    },
    /// The TLS handshake failed (an untrusted certificate, a proxy that
    /// intercepts TLS, a server that does not speak TLS). Not retryable:
    /// check the base URL, and the CA roots or proxy of the HTTP client
    /// ([`ClientBuilder::http_client`](crate::ClientBuilder::http_client)).
    #[error(
        "TLS with HeyGen failed: {source}; check the base URL and the HTTP client's CA roots or proxy"
    )]
    Tls {
        /// The underlying error.
        #[source]
        source: reqwest::Error,
        /// The call that failed.
        call: CallInfo,
    },
    /// Redirects that did not end (a loop, or more than the HTTP client
    /// follows). Not retryable: the base URL or a proxy is misconfigured.
    #[error("HeyGen's answer kept redirecting: {source}; check the base URL")]
    Redirect {
        /// The underlying error.
        #[source]
        source: reqwest::Error,
        /// The call that failed.
        call: CallInfo,
    },
    /// An upload or download made no progress (no byte moved) for the idle
    /// timeout
    /// ([`ClientBuilder::upload_idle_timeout`](crate::ClientBuilder::upload_idle_timeout),
    /// [`ClientBuilder::download_idle_timeout`](crate::ClientBuilder::download_idle_timeout)).
    #[error("the transfer stalled: no byte moved for {idle:?}{}", resend_hint(.call))]
    Stalled {
        /// The idle timeout that ran out.
        idle: Duration,
        /// The call that stalled.
        call: CallInfo,
    },
    /// A response body larger than the configured maximum.
    #[error(
        "the response body exceeded the {limit}-byte limit (ClientBuilder::max_response_bytes); it was not read further"
    )]
    ResponseTooLarge {
        /// The limit in bytes.
        limit: u64,
        /// The call whose answer it was.
        call: CallInfo,
    },
    /// A response that could not be decoded into the expected type.
    #[error("could not decode HeyGen's response{}{}: {source}; body starts with: {excerpt:?}",
        .status.map(|s| format!(" (status {s})")).unwrap_or_default(),
        .request_id.as_deref().map(|r| format!(" [request id: {r}]")).unwrap_or_default())]
    Decode {
        /// HTTP status, when known.
        status: Option<u16>,
        /// `X-Request-Id` of the response, when known.
        request_id: Option<String>,
        /// The first bytes of the body (lossy UTF-8).
        excerpt: String,
        /// The decoding error.
        #[source]
        source: serde_json::Error,
        /// The call whose answer it was.
        call: CallInfo,
    },
    /// Sending an asset's bytes to the storage URL HeyGen handed out
    /// failed (the second step of
    /// [`Client::upload_asset_direct`](crate::Client::upload_asset_direct)).
    #[error("uploading the bytes of asset {asset_id} to {url} failed: {source}")]
    Upload {
        /// The asset that was announced but not completed.
        asset_id: String,
        /// The storage URL, without its query (the signature).
        url: String,
        /// What went wrong.
        #[source]
        source: Box<Error>,
    },
    /// A video has no file of the kind asked for: it is not finished yet,
    /// it failed, or HeyGen made no such file for it (no captions, say).
    /// Checked before anything is downloaded.
    #[error("{}", not_downloadable(.video_id, .field, .status))]
    NotDownloadable {
        /// The video.
        video_id: String,
        /// The field of the video that would hold the file's URL
        /// (`video_url`, `captioned_video_url`, ...).
        field: &'static str,
        /// The video's status (`completed`, `processing`, ...).
        status: String,
    },
    /// Downloading a video's file from the signed URL HeyGen handed out
    /// failed (see `Client::download_video`). Nothing was left at `path`.
    #[error("{}", download_failure(self))]
    Download {
        /// The video.
        video_id: String,
        /// The field of the video the URL came from (`video_url`, ...).
        field: &'static str,
        /// The file's URL, without its query (the signature).
        url: String,
        /// Where the file was to be written.
        path: PathBuf,
        /// Bytes received before the failure.
        received: u64,
        /// What went wrong.
        #[source]
        source: Box<Error>,
    },
    /// A local file could not be created, written or moved into place.
    #[error(
        "could not {action} {}: {source}; check that the directory exists and is writable, and that the disk has room",
        .path.display()
    )]
    File {
        /// What was being done (`create`, `write`, `rename onto`, ...).
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A waited-for job ended in failure (see `Client::wait_for_video` and friends).
    #[error("{kind} {id} failed{}: {}", .code.as_deref().map(|c| format!(" ({c})")).unwrap_or_default(), .message.as_deref().unwrap_or("no failure message"))]
    JobFailed {
        /// What kind of job (`video`, `lipsync`, ...).
        kind: &'static str,
        /// The job's id.
        id: String,
        /// The job's failure code.
        code: Option<String>,
        /// The job's failure message.
        message: Option<String>,
    },
    /// A waiter gave up; the job may still finish: do not resubmit it.
    #[error(
        "gave up waiting for {kind} {id} after {waited:?}; last status {last_status:?}. The job may still finish: poll it again later instead of resubmitting"
    )]
    WaitTimeout {
        /// What kind of job.
        kind: &'static str,
        /// The job's id.
        id: String,
        /// How long the waiter waited.
        waited: Duration,
        /// The last status seen.
        last_status: Option<String>,
    },
    /// A bulk or batch wait gave up with jobs still pending (see
    /// `Client::wait_for_videos` and friends); they may still finish: wait
    /// for them again rather than resubmitting them.
    #[error(
        "gave up waiting for {} {kind} job(s) after {waited:?}: {}. They may still finish: poll them again later instead of resubmitting",
        .pending.len(), some_ids(.pending)
    )]
    BulkWaitTimeout {
        /// What kind of jobs.
        kind: &'static str,
        /// The ids of the jobs still pending.
        pending: Vec<String>,
        /// How long the waiter waited.
        waited: Duration,
    },
    /// Walking a paginated list went wrong on HeyGen's side.
    #[error("pagination of {operation} stopped: {message}")]
    Pagination {
        /// The list operation.
        operation: &'static str,
        /// What went wrong.
        message: String,
    },
}

fn describe(e: &ApiError, hint: &str) -> String {
    let mut s = format!("{hint} (HTTP {} {}): {}", e.status, e.code, e.message);
    if let Some(p) = &e.param {
        s.push_str(&format!(" [param: {p}]"));
    }
    if let Some(d) = e.retry_after {
        s.push_str(&format!(" [retry after {d:?}]"));
    }
    if let Some(id) = &e.request_id {
        s.push_str(&format!(" [request id: {id}]"));
    }
    s.push_str(&resend_hint(&e.call));
    s
}

fn not_downloadable(video_id: &str, field: &str, status: &str) -> String {
    match status {
        "completed" => format!(
            "video {video_id} has no {field}: HeyGen made no such file for it (captions, for one, exist only when asked for at creation); download another file of it"
        ),
        "failed" => format!(
            "video {video_id} failed, so it has no {field} to download; read its failure_code and failure_message with client.get_video"
        ),
        other => format!(
            "video {video_id} is {other}, not completed, so it has no {field} yet; wait for it (client.wait_for_video) and download it then"
        ),
    }
}

/// The message of [`Error::Download`]: what happened in the file host's
/// terms (the source's own message speaks of HeyGen's API), and what to do.
fn download_failure(e: &Error) -> String {
    let Error::Download {
        video_id,
        field,
        url,
        path,
        received,
        source,
    } = e
    else {
        return String::new();
    };
    let cause = match &**source {
        Error::Connection { .. } if *received > 0 => {
            "the connection broke before the whole file arrived".to_string()
        }
        Error::Connection { source, .. } => format!("could not reach the file host ({source})"),
        Error::Timeout { .. } => "the file host did not answer in time".to_string(),
        Error::Stalled { idle, .. } => {
            format!("no byte arrived for {idle:?} (ClientBuilder::download_idle_timeout)")
        }
        other => match other.api_error() {
            Some(api) if api.synthesized => api.message.clone(),
            _ => other.to_string(),
        },
    };
    let advice = match &**source {
        Error::File { .. } => "fix the destination and download again",
        other if matches!(other.status(), Some(403 | 404)) => {
            "the video may have been deleted: check it with client.get_video, then download again"
        }
        _ => "download again",
    };
    format!(
        "downloading the {field} of video {video_id} from {url} failed after {received} bytes: {cause}; nothing was written to {}; {advice}",
        path.display()
    )
}

/// The first few of `ids`, and how many more: a message that names a
/// thousand ids helps no one.
fn some_ids(ids: &[String]) -> String {
    const SHOWN: usize = 10;
    let mut s = ids
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if ids.len() > SHOWN {
        s.push_str(&format!(" and {} more", ids.len() - SHOWN));
    }
    s
}

/// What a reader of the message needs to resend safely.
fn resend_hint(call: &CallInfo) -> String {
    match (&call.idempotency_key, call.resend) {
        (Some(key), _) => format!(" [idempotency key: {key}; resend with it, never a new one]"),
        (None, Resend::MayDuplicate) if call.operation.is_some() && call.attempts > 0 => {
            " [no idempotency key: a resend may run the call twice]".to_string()
        }
        _ => String::new(),
    }
}

impl Error {
    /// The API error, for errors HeyGen answered with.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::BadRequest(e)
            | Error::Authentication(e)
            | Error::InsufficientCredit(e)
            | Error::PermissionDenied(e)
            | Error::NotFound(e)
            | Error::Conflict(e)
            | Error::PayloadTooLarge(e)
            | Error::RateLimited(e)
            | Error::Server(e)
            | Error::Api(e) => Some(&**e),
            Error::Upload { source, .. } | Error::Download { source, .. } => source.api_error(),
            _ => None,
        }
    }

    /// The API error, to adjust it (the SDK's own use).
    pub(crate) fn api_error_mut(&mut self) -> Option<&mut ApiError> {
        match self {
            Error::BadRequest(e)
            | Error::Authentication(e)
            | Error::InsufficientCredit(e)
            | Error::PermissionDenied(e)
            | Error::NotFound(e)
            | Error::Conflict(e)
            | Error::PayloadTooLarge(e)
            | Error::RateLimited(e)
            | Error::Server(e)
            | Error::Api(e) => Some(&mut **e),
            Error::Upload { source, .. } | Error::Download { source, .. } => source.api_error_mut(),
            _ => None,
        }
    }

    /// What the SDK knows about the call, for errors of a call.
    pub fn call(&self) -> Option<&CallInfo> {
        match self {
            Error::Timeout { call, .. }
            | Error::Connection { call, .. }
            | Error::Tls { call, .. }
            | Error::Redirect { call, .. }
            | Error::Stalled { call, .. }
            | Error::ResponseTooLarge { call, .. }
            | Error::Decode { call, .. } => Some(call),
            Error::Upload { source, .. } | Error::Download { source, .. } => source.call(),
            _ => self.api_error().map(|e| &e.call),
        }
    }

    /// The `Idempotency-Key` the failed call carried (the client makes one
    /// for every create that honours it). Resend with it
    /// (`.idempotency_key(key)` on the operation's builder) and HeyGen
    /// answers with the first call's result instead of rendering, and
    /// billing, twice.
    pub fn idempotency_key(&self) -> Option<&str> {
        self.call().and_then(|c| c.idempotency_key.as_deref())
    }

    /// HTTP status, when the error came with a response.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Decode { status, .. } => *status,
            Error::Timeout { source, .. } | Error::Connection { source, .. } => {
                source.status().map(|s| s.as_u16())
            }
            Error::Upload { source, .. } | Error::Download { source, .. } => source.status(),
            _ => self.api_error().map(|e| e.status),
        }
    }

    /// HeyGen's error code (`invalid_parameter`, `rate_limit_exceeded`, ...),
    /// or the job's failure code for [`Error::JobFailed`].
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::JobFailed { code, .. } => code.as_deref(),
            _ => self.api_error().map(|e| e.code.as_str()),
        }
    }

    /// The human-readable message: HeyGen's, or this error's own.
    pub fn message(&self) -> String {
        match self {
            Error::JobFailed {
                message: Some(m), ..
            } => m.clone(),
            _ => match self.api_error() {
                Some(e) => e.message.clone(),
                None => self.to_string(),
            },
        }
    }

    /// The request field at fault, on validation errors.
    pub fn param(&self) -> Option<&str> {
        self.api_error().and_then(|e| e.param.as_deref())
    }

    /// `X-Request-Id` of the failing response.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Decode { request_id, .. } => request_id.as_deref(),
            _ => self.api_error().and_then(|e| e.request_id.as_deref()),
        }
    }

    /// How long HeyGen asked to wait (`Retry-After`).
    pub fn retry_after(&self) -> Option<Duration> {
        self.api_error().and_then(|e| e.retry_after)
    }

    pub(crate) fn config(message: impl Into<String>) -> Error {
        Error::Config {
            message: message.into(),
        }
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Error {
        Error::InvalidRequest {
            message: message.into(),
        }
    }

    /// The variant for an API error, by status.
    pub(crate) fn from_api(e: ApiError) -> Error {
        let e = Box::new(e);
        match e.status {
            400 => Error::BadRequest(e),
            401 => Error::Authentication(e),
            402 => Error::InsufficientCredit(e),
            403 => Error::PermissionDenied(e),
            404 => Error::NotFound(e),
            409 => Error::Conflict(e),
            413 => Error::PayloadTooLarge(e),
            429 => Error::RateLimited(e),
            500..=599 => Error::Server(e),
            _ => Error::Api(e),
        }
    }
}

/// The code HeyGen's CLI derives from a status when the body says nothing.
pub(crate) fn code_for_status(status: u16) -> &'static str {
    match status {
        400 => "validation_error",
        401 => "unauthorized",
        402 => "insufficient_credit",
        403 => "forbidden",
        404 => "not_found",
        409 => "conflict",
        413 => "payload_too_large",
        429 => "rate_limit_exceeded",
        500..=599 => "unclassified_server_error",
        _ => "unclassified_client_error",
    }
}

/// Raised inside a response body stream past `max_response_bytes`.
#[derive(Debug)]
pub(crate) struct BodyTooLarge(pub u64);

impl fmt::Display for BodyTooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "response body over {} bytes", self.0)
    }
}

impl std::error::Error for BodyTooLarge {}
