//! Response hygiene: what the transport does to every answer before the
//! generated decoder sees it (error bodies HeyGen did not write become its
//! envelope, no body is read past the size limit, any 2xx counts as the
//! declared success), and how a finished call becomes an [`Error`].

use bytes::Bytes;
use futures::StreamExt;
use heygen_api::operations::ErrorBody;
use progenitor_client::ResponseValue;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use super::classify::{TransportKind, transport_kind};
use super::policy;
use crate::error::{ApiError, BodyTooLarge, CallInfo, Error, code_for_status};

/// How much of an error body is read.
const ERROR_BODY_LIMIT: u64 = 256 * 1024;

/// How much of an undecodable body an error keeps.
const EXCERPT_LIMIT: usize = 512;

/// Header the transport sets on an error response whose body was not
/// HeyGen's error envelope (a proxy's HTML page, an empty body): the
/// envelope the caller sees was made from the status and the body excerpt.
const SYNTHESIZED_HEADER: &str = "x-heygen-rs-synthesized-error";

/// `X-Request-Id` of a response (a storage host's `x-amz-request-id`).
pub(crate) fn request_id(headers: &HeaderMap) -> Option<String> {
    // Looked up by a ready-made name: this runs on every answer.
    const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
    const AMZ_REQUEST_ID: HeaderName = HeaderName::from_static("x-amz-request-id");
    headers
        .get(REQUEST_ID)
        .or_else(|| headers.get(AMZ_REQUEST_ID))
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// The first bytes of a body, for a message.
pub(crate) fn excerpt(bytes: &[u8]) -> String {
    let cut = &bytes[..bytes.len().min(EXCERPT_LIMIT)];
    let mut s = String::from_utf8_lossy(cut).into_owned();
    if bytes.len() > EXCERPT_LIMIT {
        s.push_str("...");
    }
    s
}

/// A response with the given parts and a body.
fn rebuild(
    status: StatusCode,
    version: http::Version,
    headers: HeaderMap,
    body: impl Into<reqwest::Body>,
) -> reqwest::Response {
    let mut response = http::Response::new(body.into());
    *response.status_mut() = status;
    *response.version_mut() = version;
    *response.headers_mut() = headers;
    reqwest::Response::from(response)
}

/// An error response read whole (up to the limit), its body made HeyGen's
/// envelope if it was not one.
pub(crate) struct ErrorAnswer {
    pub status: StatusCode,
    version: http::Version,
    pub headers: HeaderMap,
    body: Bytes,
    /// HeyGen's error code, as the envelope says.
    pub code: Option<String>,
}

impl ErrorAnswer {
    /// Reads `response` (an error status): its body up to `limit` bytes
    /// (and at most [`ERROR_BODY_LIMIT`]); the rest is left unread, since an
    /// error needs only its envelope or an excerpt.
    pub(crate) async fn read(response: reqwest::Response, limit: u64) -> reqwest::Result<Self> {
        let status = response.status();
        let version = response.version();
        let mut headers = response.headers().clone();
        let cap = usize::try_from(limit.min(ERROR_BODY_LIMIT)).unwrap_or(usize::MAX);
        let mut stream = response.bytes_stream();
        let mut body = Vec::new();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk?;
            let room = cap.saturating_sub(body.len());
            body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if chunk.len() >= room {
                break;
            }
        }
        let body = Bytes::from(body);
        // Ours to set: a server sending it must not be believed.
        headers.remove(SYNTHESIZED_HEADER);
        headers.remove(reqwest::header::CONTENT_LENGTH);
        let envelope = serde_json::from_slice::<ErrorBody>(&body)
            .ok()
            .and_then(|e| e.error);
        let (body, code) = match envelope {
            Some(error) => (body, Some(error.code)),
            None => {
                headers.insert(SYNTHESIZED_HEADER, HeaderValue::from_static("1"));
                (synthesize_envelope(status, &body), None)
            }
        };
        Ok(ErrorAnswer {
            status,
            version,
            headers,
            body,
            code,
        })
    }

    /// The answer standing for an upload that stalled, were one to reach
    /// the generated decoder: a `408` in HeyGen's envelope.
    pub(crate) fn stalled(idle: std::time::Duration) -> Self {
        let status = StatusCode::REQUEST_TIMEOUT;
        let mut headers = HeaderMap::new();
        headers.insert(SYNTHESIZED_HEADER, HeaderValue::from_static("1"));
        let body = synthesize_envelope(status, format!("no byte moved for {idle:?}").as_bytes());
        ErrorAnswer {
            status,
            version: http::Version::HTTP_11,
            headers,
            body,
            code: None,
        }
    }

    /// Back to a response, for the generated decoder.
    pub(crate) fn into_response(self) -> reqwest::Response {
        rebuild(self.status, self.version, self.headers, self.body)
    }
}

/// HeyGen's `{"error": {"code": ..., "message": ...}}` for a body that was
/// not one, classified by status, with an excerpt of what was there.
fn synthesize_envelope(status: StatusCode, body: &[u8]) -> Bytes {
    let what = if body.is_empty() {
        "an empty body".to_string()
    } else {
        format!("a body that is not a HeyGen error: {}", excerpt(body))
    };
    let message = format!(
        "HTTP {} {} with {what}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    );
    let envelope = serde_json::json!({
        "error": {
            "code": code_for_status(status.as_u16()),
            "message": message,
            "param": null,
            "doc_url": null,
        }
    });
    Bytes::from(envelope.to_string())
}

/// A success response, made safe for the generated decoder: any 2xx is
/// given the status the spec declares (a `200` where the spec says `202`
/// carries the same body), and the body fails with [`BodyTooLarge`] past
/// `limit` bytes instead of filling memory.
pub(crate) fn success(
    response: reqwest::Response,
    declared: Option<u16>,
    limit: u64,
) -> reqwest::Response {
    let declared = declared.and_then(|s| StatusCode::from_u16(s).ok());
    let fits = response.content_length().is_some_and(|len| len <= limit);
    let rewrite = declared.filter(|d| *d != response.status());
    if fits && rewrite.is_none() {
        return response;
    }
    let status = rewrite.unwrap_or(response.status());
    let version = response.version();
    let headers = response.headers().clone();
    if fits {
        return rebuild(
            status,
            version,
            headers,
            reqwest::Body::wrap_stream(response.bytes_stream()),
        );
    }
    rebuild(status, version, headers, limited_body(response, limit))
}

/// The body of `response` as a stream that fails with [`BodyTooLarge`]
/// past `limit` bytes.
fn limited_body(response: reqwest::Response, limit: u64) -> reqwest::Body {
    let mut seen: u64 = 0;
    let stream = response.bytes_stream().map(move |chunk| {
        let chunk = chunk.map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)?;
        seen = seen.saturating_add(chunk.len() as u64);
        if seen > limit {
            return Err(Box::new(BodyTooLarge(limit)) as Box<dyn std::error::Error + Send + Sync>);
        }
        Ok(chunk)
    });
    reqwest::Body::wrap_stream(stream)
}

/// Reads a whole body, failing past `limit` bytes.
pub(crate) async fn read_limited(
    response: reqwest::Response,
    limit: u64,
) -> reqwest::Result<Bytes> {
    if response.content_length().is_some_and(|len| len <= limit) {
        return response.bytes().await;
    }
    let status = response.status();
    let version = response.version();
    let headers = response.headers().clone();
    rebuild(status, version, headers, limited_body(response, limit))
        .bytes()
        .await
}

/// A whole response (status, head and body up to `limit`) read on the
/// current task, so that the body is not left in the socket until the
/// caller polls again (used for uploads, whose idle watch ends with the body read).
pub(crate) async fn buffered(
    response: reqwest::Response,
    limit: u64,
) -> reqwest::Result<reqwest::Response> {
    let status = response.status();
    let version = response.version();
    let headers = response.headers().clone();
    let body = read_limited(response, limit).await?;
    Ok(rebuild(status, version, headers, body))
}

/// What the transport learned about the last response of a call, for the
/// errors the decoder raises afterwards.
#[derive(Debug, Clone, Default)]
pub(crate) struct LastResponse {
    pub status: Option<u16>,
    pub request_id: Option<String>,
    /// `Retry-After`, parsed once by the loop.
    pub retry_after: Option<std::time::Duration>,
}

/// The [`Error`] for a failed call, from what the generated code returned
/// and what the transport recorded about the call.
pub(crate) fn into_error(
    e: progenitor_client::Error<ErrorBody>,
    call: CallInfo,
    last: &LastResponse,
) -> Error {
    use progenitor_client::Error as P;
    match e {
        P::InvalidRequest(message) | P::Custom(message) => Error::InvalidRequest { message },
        P::CommunicationError(source) | P::InvalidUpgrade(source) => from_transport(source, call),
        P::ResponseBodyError(source) => from_transport(source, call),
        P::ErrorResponse(rv) => {
            let status = rv.status().as_u16();
            let headers = rv.headers().clone();
            let mut api = api_error(status, &headers, Some(rv.into_inner()), call);
            // What the loop read from this answer is not read again.
            if last.status == Some(status) {
                api.retry_after = last.retry_after;
            }
            Error::from_api(api)
        }
        P::InvalidResponsePayload(bytes, source) => Error::Decode {
            status: last.status,
            request_id: last.request_id.clone(),
            excerpt: excerpt(&bytes),
            source,
            call,
        },
        P::UnexpectedResponse(resp) => {
            let status = resp.status().as_u16();
            let mut api = api_error(status, resp.headers(), None, call);
            if resp.status().is_redirection() {
                api.message = format!(
                    "HTTP {status}: a redirect to another host, not followed (the credential would go with it){}",
                    resp.headers()
                        .get(reqwest::header::LOCATION)
                        .and_then(|l| l.to_str().ok())
                        .map(|l| format!("; location: {}", redact_url(l)))
                        .unwrap_or_default()
                );
            }
            Error::from_api(api)
        }
    }
}

/// The [`Error`] for a transport failure.
pub(crate) fn from_transport(source: reqwest::Error, call: CallInfo) -> Error {
    let source = match source.url() {
        Some(url) if url.query().is_some() => {
            let mut clean = url.clone();
            clean.set_query(None);
            source.with_url(clean)
        }
        _ => source,
    };
    match transport_kind(&source) {
        TransportKind::TooLarge => {
            let limit = super::classify::find_source::<BodyTooLarge>(&source)
                .map(|b| b.0)
                .unwrap_or_default();
            Error::ResponseTooLarge { limit, call }
        }
        TransportKind::Builder => Error::InvalidRequest {
            message: format!("the HTTP request could not be built: {source}"),
        },
        TransportKind::Tls => Error::Tls { source, call },
        TransportKind::Redirect => Error::Redirect { source, call },
        TransportKind::Timeout => Error::Timeout { source, call },
        TransportKind::NotConnected | TransportKind::Broken => Error::Connection { source, call },
    }
}

fn api_error(
    status: u16,
    headers: &HeaderMap,
    envelope: Option<ErrorBody>,
    call: CallInfo,
) -> ApiError {
    let body = envelope.and_then(|e| e.error);
    let had_body = body.is_some();
    let mut api = ApiError::from_status(status, format!("HTTP {status} without an error body"));
    if let Some(body) = body {
        api.code = body.code;
        api.message = body.message;
        api.param = body.param;
        api.doc_url = body.doc_url;
    }
    api.synthesized = headers.contains_key(SYNTHESIZED_HEADER) || !had_body;
    api.request_id = request_id(headers);
    api.call = call;
    api.retry_after = policy::retry_after(headers);
    api
}

/// An error HeyGen (or a host it sent the caller to) answered with, for
/// requests that do not go through the generated decoder.
pub(crate) fn answer_error(answer: &ErrorAnswer, call: CallInfo) -> ApiError {
    let envelope = serde_json::from_slice::<ErrorBody>(&answer.body).ok();
    api_error(answer.status.as_u16(), &answer.headers, envelope, call)
}

/// A URL without its query and fragment: a presigned URL's query is a
/// signature, a credential of its own.
pub(crate) fn redact_url(raw: &str) -> String {
    match reqwest::Url::parse(raw) {
        Ok(mut url) => {
            url.set_query(None);
            url.set_fragment(None);
            url.to_string()
        }
        Err(_) => raw.split(['?', '#']).next().unwrap_or_default().to_string(),
    }
}

/// Decodes a HeyGen JSON success body, for requests that do not go
/// through the generated decoder.
pub(crate) async fn decode<T: serde::de::DeserializeOwned>(
    response: reqwest::Response,
    call: CallInfo,
) -> Result<T, Error> {
    let last = LastResponse {
        status: Some(response.status().as_u16()),
        request_id: request_id(response.headers()),
        retry_after: None,
    };
    ResponseValue::<T>::from_response::<ErrorBody>(response)
        .await
        .map(ResponseValue::into_inner)
        .map_err(|e| into_error(e, call, &last))
}
