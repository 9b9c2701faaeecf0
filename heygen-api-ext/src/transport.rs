//! How every generated operation's request is sent: client-side checks,
//! idempotency keys, the retry loop, tracing, and response hygiene (error
//! bodies HeyGen did not write, bodies over the size limit).

use std::cell::Cell;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use heygen_api::hooks::BoxFuture;
use heygen_api::operation::Operation;
use reqwest::header::{HeaderName, HeaderValue};
use reqwest::{Request, Response};
use tokio::time::Instant;
use tracing::Instrument;

use crate::config::Config;
use crate::error::{self, BodyTooLarge, SYNTHESIZED_HEADER};
use crate::retry;

/// The `Idempotency-Key` header.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

thread_local! {
    /// Set while a prefetched page's request is first polled (see
    /// [`prefetching`]).
    static PREFETCHING: Cell<bool> = const { Cell::new(false) };
}

/// Runs `first_poll` (the first poll of a prefetched page's fetch) so that
/// the HTTP exchange it starts runs as a task of its own. Polled only from
/// the caller's stream, it would stall whenever the caller is busy: the
/// connection is not yet back in the pool at the first poll, and the
/// connection task, woken from the caller's thread, waits in that thread's
/// queue while the caller computes.
pub(crate) fn prefetching<T>(first_poll: impl FnOnce() -> T) -> T {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            PREFETCHING.with(|p| p.set(self.0));
        }
    }
    let _reset = Reset(PREFETCHING.with(|p| p.replace(true)));
    first_poll()
}

/// A spawned task, aborted when its handle is dropped (the call was
/// dropped: nothing is waiting for the response any more).
struct Detached<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for Detached<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// `client.execute(request)` on a task of its own, which also reads the
/// body (up to `limit`): the decoder reads all of it anyway, and a body left
/// in the socket would be read only when the caller polls again.
async fn execute_detached(
    client: &reqwest::Client,
    request: Request,
    limit: u64,
) -> reqwest::Result<Response> {
    let client = client.clone();
    let mut task = Detached(tokio::spawn(async move {
        let resp = client.execute(request).await?;
        let (status, version, headers) = (resp.status(), resp.version(), resp.headers().clone());
        let body = read_limited(resp, limit).await?;
        let mut builder = http::Response::builder().status(status).version(version);
        if let Some(h) = builder.headers_mut() {
            *h = headers;
        }
        Ok(builder
            .body(body)
            .map(Response::from)
            .expect("status and headers come from a valid response"))
    }));
    match (&mut task.0).await {
        Ok(result) => result,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        // Cancelled: only by the runtime shutting down, which drops this
        // future as well.
        Err(_) => std::future::pending().await,
    }
}

pub(crate) struct Transport {
    config: Arc<Config>,
}

impl Transport {
    pub(crate) fn new(config: Arc<Config>) -> Self {
        Self { config }
    }
}

impl heygen_api::hooks::Transport for Transport {
    fn prepare(&self, request: &mut Request, op: Option<&'static Operation>) -> Result<(), String> {
        let Some(op) = op else { return Ok(()) };
        check_query_bounds(request, op)?;
        if op.idempotency_key
            && self.config.idempotency_keys
            && !request.headers().contains_key(IDEMPOTENCY_KEY)
        {
            // Made once per call, before the retry loop clones the request:
            // every attempt carries the same key.
            let key = uuid::Uuid::new_v4().to_string();
            let value = HeaderValue::from_str(&key).map_err(|e| e.to_string())?;
            request
                .headers_mut()
                .insert(HeaderName::from_static(IDEMPOTENCY_KEY), value);
        }
        Ok(())
    }

    fn send<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: Request,
        op: Option<&'static Operation>,
    ) -> BoxFuture<'a, reqwest::Result<Response>> {
        let span = tracing::info_span!(
            "heygen.call",
            operation = op.map(|o| o.id).unwrap_or("unknown"),
            method = %request.method(),
            path = op.map(|o| o.path).unwrap_or_else(|| request.url().path()),
        );
        let detached = PREFETCHING.with(Cell::get) && tokio::runtime::Handle::try_current().is_ok();
        Box::pin(
            self.send_with_retries(client, request, op, detached)
                .instrument(span),
        )
    }
}

impl Transport {
    async fn send_with_retries(
        &self,
        client: &reqwest::Client,
        request: Request,
        op: Option<&'static Operation>,
        detached: bool,
    ) -> reqwest::Result<Response> {
        let policy = &self.config.retry;
        let started = Instant::now();
        let deadline = self.config.timeout.map(|t| started + t);
        let honoured_key = op.is_some_and(|o| o.idempotency_key)
            && request.headers().contains_key(IDEMPOTENCY_KEY);
        let replayable = retry::is_replayable(request.method(), honoured_key);

        let mut next = Some(request);
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let Some(mut current) = next.take() else {
                unreachable!("the loop only continues with a spare request");
            };
            // Keep a copy for the next attempt; a body that cannot be
            // cloned (a stream) is sent once.
            if attempt <= policy.max_retries {
                next = current.try_clone();
            }
            if let Some(deadline) = deadline {
                *current.timeout_mut() = Some(deadline.saturating_duration_since(Instant::now()));
            }
            let attempt_started = Instant::now();
            let result = if detached {
                execute_detached(client, current, self.config.max_response_bytes).await
            } else {
                client.execute(current).await
            };

            // Header look-ups and log fields are computed only when needed:
            // this loop is on every call's path (see BENCHMARKS.md).
            let (reason, retry_after) = match &result {
                Ok(resp) => {
                    tracing::debug!(
                        attempt,
                        status = resp.status().as_u16(),
                        request_id = error::request_id(resp.headers()).as_deref(),
                        elapsed_ms = attempt_started.elapsed().as_millis() as u64,
                        "heygen attempt"
                    );
                    let reason = retry::classify_status(resp.status(), replayable);
                    (
                        reason,
                        reason.and_then(|_| error::retry_after(resp.headers())),
                    )
                }
                Err(e) => {
                    tracing::debug!(
                        attempt,
                        error = %e,
                        elapsed_ms = attempt_started.elapsed().as_millis() as u64,
                        "heygen attempt failed"
                    );
                    (retry::classify_error(e, replayable), None)
                }
            };

            let (Some(reason), true) = (reason, next.is_some()) else {
                return self.finish(result).await;
            };
            let delay = match retry_after {
                // Honoured, unless it asks for more than the caller allows:
                // then the 429 goes back with `retry_after()` set.
                Some(wait) if wait > policy.max_retry_after => return self.finish(result).await,
                Some(wait) => wait + retry_after_jitter(wait, policy.initial_backoff),
                None => policy.backoff(attempt - 1),
            };
            if deadline.is_some_and(|d| Instant::now() + delay >= d) {
                return self.finish(result).await;
            }
            self.config.retrying(&retry::RetryEvent {
                operation: op.map(|o| o.id).unwrap_or("unknown"),
                attempt,
                reason,
                delay,
            });
            drop(result);
            tokio::time::sleep(delay).await;
        }
    }

    /// Makes the response safe for the generated decoder: error bodies that
    /// are not HeyGen's envelope become one (classified by status, with an
    /// excerpt of what was there), and no body is read past the limit.
    async fn finish(&self, result: reqwest::Result<Response>) -> reqwest::Result<Response> {
        let resp = result?;
        let limit = self.config.max_response_bytes;
        let status = resp.status();
        if status.is_client_error() || status.is_server_error() {
            let headers = resp.headers().clone();
            let version = resp.version();
            let body = read_limited(resp, limit).await?;
            let synthesized = !is_error_envelope(&body);
            let body = if synthesized {
                synthesize_envelope(status, &body)
            } else {
                body
            };
            let mut builder = http::Response::builder().status(status).version(version);
            if let Some(h) = builder.headers_mut() {
                *h = headers;
                h.remove(reqwest::header::CONTENT_LENGTH);
                // Ours to set: a server sending it must not be believed.
                h.remove(SYNTHESIZED_HEADER);
                if synthesized {
                    h.insert(SYNTHESIZED_HEADER, HeaderValue::from_static("1"));
                }
            }
            return Ok(builder
                .body(body)
                .map(Response::from)
                .expect("status and headers come from a valid response"));
        }
        if resp.content_length().is_some_and(|len| len <= limit) {
            return Ok(resp);
        }
        Ok(limit_body(resp, limit))
    }
}

/// A random extra wait on top of `Retry-After`: under 5% of it, at most
/// `cap` (the initial backoff). Everyone throttled in the same second is
/// told the same `Retry-After`; without this they would all come back at
/// the same instant and be throttled again together. (Small enough that a
/// wait shown to a tenth of a second still reads as what HeyGen asked.)
fn retry_after_jitter(wait: Duration, cap: Duration) -> Duration {
    (wait / 20).min(cap).mul_f64(fastrand::f64())
}

/// HeyGen's `{"error": {"code": ..., "message": ...}}`, as the generated
/// decoder will read it: a body it would reject (a `param` that is not a
/// string, say) is synthesized over, or the caller would get a decode error
/// that has lost the status.
fn is_error_envelope(body: &[u8]) -> bool {
    serde_json::from_slice::<heygen_api::types::ErrorEnvelope>(body)
        .is_ok_and(|envelope| envelope.error.is_some())
}

fn synthesize_envelope(status: reqwest::StatusCode, body: &[u8]) -> Bytes {
    let what = if body.is_empty() {
        "an empty body".to_string()
    } else {
        format!(
            "a body that is not a HeyGen error: {}",
            error::excerpt(body)
        )
    };
    let message = format!(
        "HTTP {} {} with {what}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    );
    let envelope = serde_json::json!({
        "error": {
            "code": error::code_for_status(status.as_u16()),
            "message": message,
            "param": null,
            "doc_url": null,
        }
    });
    Bytes::from(serde_json::to_vec(&envelope).expect("a JSON value serializes"))
}

async fn read_limited(resp: Response, limit: u64) -> reqwest::Result<Bytes> {
    // Error bodies are buffered to classify them; the limit still holds.
    let mut stream = limit_body(resp, limit).bytes_stream();
    let mut buf = Vec::new();
    while let Some(chunk) = stream.next().await {
        buf.extend_from_slice(&chunk?);
    }
    Ok(Bytes::from(buf))
}

/// The response with a body that fails with [`BodyTooLarge`] past `limit`
/// bytes instead of filling memory.
fn limit_body(resp: Response, limit: u64) -> Response {
    let status = resp.status();
    let version = resp.version();
    let headers = resp.headers().clone();
    let mut seen: u64 = 0;
    let stream = resp.bytes_stream().map(move |chunk| {
        let chunk = chunk.map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)?;
        seen += chunk.len() as u64;
        if seen > limit {
            return Err(Box::new(BodyTooLarge(limit)) as Box<dyn std::error::Error + Send + Sync>);
        }
        Ok(chunk)
    });
    let mut builder = http::Response::builder().status(status).version(version);
    if let Some(h) = builder.headers_mut() {
        *h = headers;
    }
    builder
        .body(reqwest::Body::wrap_stream(stream))
        .map(Response::from)
        .expect("status and headers come from a valid response")
}

/// progenitor enforces only `minimum: 1` on query parameters (as
/// `NonZeroU64`); the spec's maximum is checked here, before sending.
fn check_query_bounds(request: &Request, op: &Operation) -> Result<(), String> {
    if op.query_bounds.is_empty() {
        return Ok(());
    }
    for (name, value) in request.url().query_pairs() {
        let Some(bound) = op.query_bounds.iter().find(|b| b.name == name) else {
            continue;
        };
        let Ok(n) = value.parse::<i64>() else {
            continue;
        };
        let below = bound.minimum.is_some_and(|min| n < min);
        let above = bound.maximum.is_some_and(|max| n > max);
        if below || above {
            let range = match (bound.minimum, bound.maximum) {
                (Some(min), Some(max)) => format!("between {min} and {max}"),
                (Some(min), None) => format!("at least {min}"),
                (None, Some(max)) => format!("at most {max}"),
                (None, None) => unreachable!("a bound has a side"),
            };
            return Err(format!(
                "`{name}` must be {range} for {} ({} {}), got {n}",
                op.id, op.method, op.path
            ));
        }
    }
    Ok(())
}
