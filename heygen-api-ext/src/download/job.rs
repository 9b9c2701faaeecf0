//! One download's steps: the file's URL, the file host's answer (a
//! redirect to another host followed, an expired URL replaced once by a
//! fresh one from `getVideo`), and its body, written to the temporary
//! file and resumed with a `Range` request when the connection breaks
//! midway.

use std::path::PathBuf;
use std::time::Duration;

use futures::StreamExt;
use heygen_api::open_enums::VideoStatus;
use heygen_api::types::Video;
use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap, HeaderValue};

use super::partial::Partial;
use super::{DownloadCallback, DownloadProgress, Downloaded, VideoFile, VideoRef};
use crate::data::SendData as _;
use crate::error::Resend;
use crate::transport::{
    self, Answered, Plan, Record, Requests, RetryEvent, Target, Transfer, expired_signed_url,
};
use crate::{Client, Error};

/// The name the download's requests go by in traces, retry events and
/// errors (it is not one of HeyGen's operations).
const OPERATION: &str = "downloadVideo";

/// Redirects to another host followed at most (the client's own HTTP
/// client follows those within a host).
const MAX_REDIRECTS: usize = 5;

/// One download, as its steps share it.
pub(super) struct Job<'a> {
    pub(super) client: &'a Client,
    pub(super) video_id: String,
    pub(super) file: VideoFile,
    pub(super) path: PathBuf,
    pub(super) on_progress: Option<DownloadCallback>,
}

/// What a download has got so far, across its requests.
#[derive(Debug, Default)]
struct Got {
    /// Bytes written to the temporary file.
    written: u64,
    /// The file's size, when the file host said.
    total: Option<u64>,
    /// The file's strong `ETag` or its `Last-Modified`, sent as `If-Range`
    /// when resuming, so that the rest comes from the same file (a file
    /// that changed meanwhile is sent whole).
    validator: Option<HeaderValue>,
    content_type: Option<String>,
    /// Whether the URL was refreshed already (once per download).
    refreshed: bool,
    /// Requests sent, for retry events.
    sent: u32,
}

impl Job<'_> {
    pub(super) async fn run(&self, video: VideoRef) -> Result<Downloaded, Error> {
        let mut url = match video {
            VideoRef::Id(_) => self.fresh_url().await?,
            VideoRef::Video(video) => self.signed_url(&video)?.to_string(),
        };
        let mut partial = Partial::create(&self.path)
            .await
            .map_err(|e| self.failed(&url, 0, e))?;
        let got = match self.fill(&mut partial, &mut url).await {
            Ok(got) => got,
            Err(e) => {
                partial.discard().await;
                return Err(e);
            }
        };
        partial
            .keep(&self.path)
            .await
            .map_err(|e| self.failed(&url, got.written, e))?;
        tracing::debug!(bytes = got.written, path = %self.path.display(), "heygen download complete");
        Ok(Downloaded {
            path: self.path.clone(),
            bytes: got.written,
            content_type: got.content_type,
        })
    }

    /// The video as HeyGen has it now, and the (freshly signed) URL of
    /// the file.
    async fn fresh_url(&self) -> Result<String, Error> {
        let video = self
            .client
            .get_video()
            .video_id(&self.video_id)
            .data()
            .await?;
        Ok(self.signed_url(&video)?.to_string())
    }

    /// The file's URL, if the video is finished and has the file.
    fn signed_url<'v>(&self, video: &'v Video) -> Result<&'v str, Error> {
        let refused = || Error::NotDownloadable {
            video_id: video.id.clone(),
            field: self.file.field(),
            status: video.status.as_str().to_string(),
        };
        if video.status != VideoStatus::Completed {
            return Err(refused());
        }
        self.file.url(video).ok_or_else(refused)
    }

    /// Writes the file to `partial`. A body cut off (or stalled) midway
    /// is resumed from where it stopped, as often as the client's retry
    /// policy allows a retry, after its backoff. `url` is left at the URL
    /// last used.
    async fn fill(&self, partial: &mut Partial, url: &mut String) -> Result<Got, Error> {
        let retry = &self.client.options().retry;
        let mut got = Got::default();
        let mut resumes: u32 = 0;
        loop {
            let (response, record) = self.open(url, &mut got).await?;
            self.take_head(&response, &mut got, partial)
                .await
                .map_err(|e| self.failed(url, got.written, e))?;
            let failure = match self.write_body(response, record, partial, &mut got).await {
                Ok(()) => return Ok(got),
                Err(failure) => failure,
            };
            // The classifier says whether the same GET may succeed; the
            // bytes already written are not fetched again.
            let reason = match failure.retry_reason() {
                Some(reason) if resumes < retry.max_retries => reason,
                _ => return Err(self.failed(url, got.written, failure)),
            };
            let delay = transport::backoff(retry, resumes);
            resumes += 1;
            self.client.exchange.retrying(&RetryEvent {
                operation: OPERATION,
                attempt: got.sent,
                reason,
                delay,
            });
            tokio::time::sleep(delay).await;
        }
    }

    /// Sends the request for `url` (for the rest of the file, when some of
    /// it was written) until the file host answers with the file: a
    /// redirect to another host is followed, and an answer that says the
    /// signed URL expired is met, once per download, with a fresh URL from
    /// `getVideo`. Returns the answer, its body unread, and what the loop
    /// recorded of it; `url` is left at the URL that gave it.
    async fn open(
        &self,
        url: &mut String,
        got: &mut Got,
    ) -> Result<(reqwest::Response, Record), Error> {
        let exchange = &self.client.exchange;
        let mut redirects = 0;
        loop {
            let request = self
                .request(url, got)
                .map_err(|e| self.failed(url, got.written, e))?;
            let plan = Plan {
                operation: OPERATION,
                declared_success: None,
                // Never HeyGen: the request carries no credential.
                target: Target::Storage,
                resend: Resend::Safe,
                idempotency_key: None,
                transfer: Some(Transfer::Download),
                deadline: None,
            };
            let mut record = Record::default();
            let answered = exchange
                .run(&plan, Requests::Copies(Box::new(request)), &mut record)
                .await;
            got.sent += record.call.attempts;
            let answered = match answered {
                Ok(answered) => answered,
                Err(e) => return Err(self.failed(url, got.written, e.into_error(record))),
            };
            *url = match answered {
                Answered::Success(response) => return Ok((response, record)),
                Answered::Error(answer) => match expired_signed_url(answer.status.as_u16()) {
                    Some(reason) if !got.refreshed => {
                        got.refreshed = true;
                        exchange.retrying(&RetryEvent {
                            operation: OPERATION,
                            attempt: got.sent,
                            reason,
                            delay: Duration::ZERO,
                        });
                        self.fresh_url().await?
                    }
                    _ => {
                        let refusal = refused(Answered::Error(answer), &record, got.refreshed);
                        return Err(self.failed(url, got.written, refusal));
                    }
                },
                Answered::Other(response) => match redirect_target(&response, url) {
                    Some(next) if redirects < MAX_REDIRECTS => {
                        redirects += 1;
                        next
                    }
                    _ => {
                        let refusal = refused(Answered::Other(response), &record, got.refreshed);
                        return Err(self.failed(url, got.written, refusal));
                    }
                },
            };
        }
    }

    /// The `GET` of `url`, as it goes to the file host: no credential, no
    /// header of HeyGen's API, uncompressed; a `Range` for the rest when
    /// resuming.
    fn request(&self, url: &str, got: &Got) -> Result<reqwest::Request, Error> {
        let bad = |what: &str| {
            decode_error(format!(
                "getVideo returned a {} that is {what}",
                self.file.field()
            ))
        };
        let parsed = reqwest::Url::parse(url).map_err(|_| bad("not a URL"))?;
        if !matches!(parsed.scheme(), "https" | "http") {
            return Err(bad("not an http(s) URL"));
        }
        // The file as it is: with the `gzip` feature the client would ask
        // for a compressed answer, whose byte ranges are not the file's.
        let mut request = self
            .client
            .exchange
            .http
            .get(parsed)
            .header(header::ACCEPT_ENCODING, "identity");
        if got.written > 0 {
            request = request.header(header::RANGE, format!("bytes={}-", got.written));
            if let Some(validator) = &got.validator {
                request = request.header(header::IF_RANGE, validator.clone());
            }
        }
        request
            .build()
            .map_err(|e| bad(&format!("not a URL to request ({})", e.without_url())))
    }

    /// Reads a successful answer's head: the rest of the file (a `206`
    /// that starts where the written bytes end) is appended; the whole
    /// file (a `200`: the host ignores ranges, or the file changed) starts
    /// the temporary file over.
    async fn take_head(
        &self,
        response: &reqwest::Response,
        got: &mut Got,
        partial: &mut Partial,
    ) -> Result<(), Error> {
        let headers = response.headers();
        let partial_content = response.status() == StatusCode::PARTIAL_CONTENT;
        let range = partial_content.then(|| content_range(headers)).flatten();
        let start = if partial_content {
            range.map(|(start, _)| start)
        } else {
            Some(0)
        };
        match start {
            Some(start) if start == got.written => {}
            Some(0) => {
                partial.restart().await?;
                got.written = 0;
            }
            _ => {
                return Err(decode_error(format!(
                    "the file host sent bytes from {start:?} on, asked for the rest from {}",
                    got.written
                )));
            }
        }
        if got.written == 0 {
            got.total = match range {
                Some((_, total)) => total,
                None => response.content_length(),
            };
            got.validator = validator(headers);
            got.content_type = headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
        }
        Ok(())
    }

    /// Reads the body into `partial`, within the idle timeout between
    /// chunks, reporting progress.
    async fn write_body(
        &self,
        response: reqwest::Response,
        record: Record,
        partial: &mut Partial,
        got: &mut Got,
    ) -> Result<(), Error> {
        let idle = self.client.options().download_idle_timeout;
        let mut body = response.bytes_stream();
        loop {
            let next = match idle {
                Some(idle) => match tokio::time::timeout(idle, body.next()).await {
                    Ok(next) => next,
                    Err(_) => {
                        let call = record.call;
                        return Err(Error::Stalled { idle, call });
                    }
                },
                None => body.next().await,
            };
            let chunk = match next {
                None => return Ok(()),
                Some(Ok(chunk)) => chunk,
                Some(Err(e)) => return Err(transport::Failed::Transport(e).into_error(record)),
            };
            partial.write(&chunk).await?;
            got.written += chunk.len() as u64;
            if let Some(report) = &self.on_progress {
                report(DownloadProgress {
                    written: got.written,
                    total: got.total,
                });
            }
        }
    }

    /// The error of this download, ended by `source`.
    fn failed(&self, url: &str, received: u64, source: Error) -> Error {
        Error::Download {
            video_id: self.video_id.clone(),
            field: self.file.field(),
            url: transport::redact_url(url),
            path: self.path.clone(),
            received,
            source: Box::new(source),
        }
    }
}

/// The error for a file host's answer that is not the file. Its body is
/// not quoted: it is no HeyGen error, and a storage service's can quote
/// the signature (S3's `SignatureDoesNotMatch`).
fn refused(answered: Answered, record: &Record, refreshed: bool) -> Error {
    let mut error = transport::refusal(answered, record);
    if let Some(api) = error.api_error_mut()
        && api.synthesized
    {
        let status = api.status;
        api.message = if (300..400).contains(&status) {
            format!(
                "the file host answered HTTP {status}: a redirect without a usable location, or more than {MAX_REDIRECTS}"
            )
        } else if refreshed {
            format!(
                "the file host answered HTTP {status} to the URL getVideo gave, and to a fresh one as well"
            )
        } else {
            format!("the file host answered HTTP {status}")
        };
    }
    error
}

/// An answer that is not what HTTP promises.
fn decode_error(what: String) -> Error {
    Error::Decode {
        status: None,
        request_id: None,
        excerpt: String::new(),
        source: <serde_json::Error as serde::de::Error>::custom(what),
        call: crate::CallInfo::default(),
    }
}

/// Where a redirect that the HTTP client did not follow (one to another
/// host) points, if it is to http(s).
fn redirect_target(response: &reqwest::Response, from: &str) -> Option<String> {
    if !response.status().is_redirection() {
        return None;
    }
    let location = response.headers().get(header::LOCATION)?.to_str().ok()?;
    let next = reqwest::Url::parse(from).ok()?.join(location).ok()?;
    matches!(next.scheme(), "https" | "http").then(|| next.to_string())
}

/// `Content-Range: bytes <start>-<end>/<total or *>`: the start, and the
/// file's size when given.
fn content_range(headers: &HeaderMap) -> Option<(u64, Option<u64>)> {
    let value = headers.get(header::CONTENT_RANGE)?.to_str().ok()?;
    let (range, total) = value.strip_prefix("bytes ")?.split_once('/')?;
    let start = range.split_once('-')?.0.trim().parse().ok()?;
    Some((start, total.trim().parse().ok()))
}

/// What identifies this version of the file for `If-Range`: a strong
/// `ETag` (a weak one may not be used there), else `Last-Modified`.
fn validator(headers: &HeaderMap) -> Option<HeaderValue> {
    let strong = headers
        .get(header::ETAG)
        .filter(|tag| !tag.as_bytes().starts_with(b"W/"));
    strong
        .or_else(|| headers.get(header::LAST_MODIFIED))
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(n, v)| (n.clone(), HeaderValue::from_str(v).unwrap()))
            .collect()
    }

    #[test]
    fn content_ranges_are_read() {
        let h = |v| headers(&[(header::CONTENT_RANGE, v)]);
        assert_eq!(
            content_range(&h("bytes 100-199/200")),
            Some((100, Some(200)))
        );
        assert_eq!(content_range(&h("bytes 0-9/*")), Some((0, None)));
        assert_eq!(content_range(&h("items 0-9/10")), None);
        assert_eq!(content_range(&HeaderMap::new()), None);
    }

    #[test]
    fn if_range_uses_a_strong_etag_or_the_date() {
        let date = "Wed, 21 Oct 2015 07:28:00 GMT";
        let strong = headers(&[(header::ETAG, "\"abc\""), (header::LAST_MODIFIED, date)]);
        assert_eq!(validator(&strong).unwrap(), "\"abc\"");
        let weak = headers(&[(header::ETAG, "W/\"abc\""), (header::LAST_MODIFIED, date)]);
        assert_eq!(validator(&weak).unwrap(), date);
        assert_eq!(validator(&headers(&[(header::ETAG, "W/\"abc\"")])), None);
    }
}
