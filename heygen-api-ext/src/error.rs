//! One error type for every call, to match on.
//!
//! Generated methods return `progenitor_client::Error<ErrorEnvelope>`; `?`
//! turns it into [`Error`], which tells apart what a caller handles
//! differently: fix the request, fix the credentials, buy credits, wait and
//! retry, or report a server fault (with the request id HeyGen support asks
//! for).

use std::fmt;
use std::time::Duration;

use heygen_api::operations::ErrorBody as ErrorEnvelope;
use reqwest::header::HeaderMap;

/// Header the transport sets on an error response whose body was not
/// HeyGen's error envelope (a proxy's HTML page, an empty body): the
/// envelope the caller sees was made from the status and the body excerpt.
pub(crate) const SYNTHESIZED_HEADER: &str = "x-heygen-rs-synthesized-error";

/// How much of an undecodable body an error keeps.
pub(crate) const EXCERPT_LIMIT: usize = 512;

/// An error HeyGen answered with: status, code and message from the error
/// envelope, and what the response headers said.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// 409: a conflict, including `request_in_progress` (the same
    /// idempotency key is still being processed: wait, do not resubmit).
    #[error("{}", describe(.0, "conflict; if the code is request_in_progress, the first call is still running: wait for it instead of resubmitting"))]
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
    /// Any other error status.
    #[error("{}", describe(.0, "unexpected error status"))]
    Api(Box<ApiError>),
    /// No response in time: the call may or may not have taken effect.
    #[error("timed out waiting for HeyGen: {source}; the request may still have taken effect")]
    Timeout {
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },
    /// The connection failed (refused, reset, TLS, DNS).
    #[error("could not reach HeyGen: {source}")]
    Connection {
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },
    /// A response body larger than the configured maximum.
    #[error(
        "the response body exceeded the {limit}-byte limit (ClientBuilder::max_response_bytes); it was not read further"
    )]
    ResponseTooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// A response that could not be decoded into the expected type.
    #[error("could not decode HeyGen's response{}: {source}; body starts with: {excerpt:?}", .status.map(|s| format!(" (status {s})")).unwrap_or_default())]
    Decode {
        /// HTTP status, when known.
        status: Option<u16>,
        /// The first bytes of the body (lossy UTF-8).
        excerpt: String,
        /// The decoding error.
        #[source]
        source: serde_json::Error,
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
    s
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
            _ => None,
        }
    }

    /// HTTP status, when the error came with a response.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Decode { status, .. } => *status,
            Error::Timeout { source } | Error::Connection { source } => {
                source.status().map(|s| s.as_u16())
            }
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
        self.api_error().and_then(|e| e.request_id.as_deref())
    }

    /// How long HeyGen asked to wait (`Retry-After`).
    pub fn retry_after(&self) -> Option<Duration> {
        self.api_error().and_then(|e| e.retry_after)
    }

    /// Whether the same call may succeed if made again later. (The client
    /// already retried what was safe to retry before returning this.)
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::RateLimited(_) | Error::Server(_) | Error::Connection { .. } => true,
            Error::Api(e) => e.status == 408,
            Error::Timeout { .. } => true,
            _ => false,
        }
    }

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

    pub(crate) fn config(message: impl Into<String>) -> Error {
        Error::Config {
            message: message.into(),
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

pub(crate) fn request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// `Retry-After` as delta-seconds or an HTTP-date.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = value.parse::<f64>()
        && secs.is_finite()
        && secs >= 0.0
    {
        // `try_`: a value past Duration's range (`1e20`) would panic.
        return Duration::try_from_secs_f64(secs).ok();
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

pub(crate) fn excerpt(bytes: &[u8]) -> String {
    let cut = &bytes[..bytes.len().min(EXCERPT_LIMIT)];
    let mut s = String::from_utf8_lossy(cut).into_owned();
    if bytes.len() > EXCERPT_LIMIT {
        s.push_str("...");
    }
    s
}

fn api_error(status: u16, headers: &HeaderMap, envelope: Option<ErrorEnvelope>) -> ApiError {
    let body = envelope.and_then(|e| e.error);
    let synthesized = headers.contains_key(SYNTHESIZED_HEADER);
    ApiError {
        status,
        code: body
            .as_ref()
            .map(|b| b.code.clone())
            .unwrap_or_else(|| code_for_status(status).to_string()),
        message: body
            .as_ref()
            .map(|b| b.message.clone())
            .unwrap_or_else(|| format!("HTTP {status} without an error body")),
        param: body.as_ref().and_then(|b| b.param.clone()),
        doc_url: body.as_ref().and_then(|b| b.doc_url.clone()),
        request_id: request_id(headers),
        retry_after: retry_after(headers),
        synthesized,
    }
}

/// Finds an error of type `T` in `e`'s source chain.
pub(crate) fn find_source<'a, T: std::error::Error + 'static>(
    e: &'a (dyn std::error::Error + 'static),
) -> Option<&'a T> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(t) = err.downcast_ref::<T>() {
            return Some(t);
        }
        cur = err.source();
    }
    None
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

fn from_reqwest(source: reqwest::Error) -> Error {
    if let Some(BodyTooLarge(limit)) = find_source::<BodyTooLarge>(&source) {
        return Error::ResponseTooLarge { limit: *limit };
    }
    if source.is_timeout() {
        Error::Timeout { source }
    } else {
        Error::Connection { source }
    }
}

impl From<progenitor_client::Error<ErrorEnvelope>> for Error {
    fn from(e: progenitor_client::Error<ErrorEnvelope>) -> Self {
        use progenitor_client::Error as P;
        match e {
            P::InvalidRequest(message) | P::Custom(message) => Error::InvalidRequest { message },
            P::CommunicationError(source)
            | P::InvalidUpgrade(source)
            | P::ResponseBodyError(source) => from_reqwest(source),
            P::ErrorResponse(rv) => {
                let status = rv.status().as_u16();
                let headers = rv.headers().clone();
                Error::from_api(api_error(status, &headers, Some(rv.into_inner())))
            }
            P::InvalidResponsePayload(bytes, source) => Error::Decode {
                status: None,
                excerpt: excerpt(&bytes),
                source,
            },
            P::UnexpectedResponse(resp) => {
                let status = resp.status().as_u16();
                Error::from_api(api_error(status, resp.headers(), None))
            }
        }
    }
}
