//! The exchange: every request the SDK sends goes through [`Exchange::run`],
//! one attempt loop over a source of requests (a generated operation's
//! request and its copies, or an upload's body re-opened for each attempt),
//! with one deadline per call.
//!
//! - [`classify`]: whether a failure is worth another attempt (the only
//!   place that decides);
//! - [`policy`]: how long to wait first, and when the call's time is up;
//! - [`response`]: what is done to each answer (envelopes, size limit,
//!   success status) and how a failed call becomes an [`Error`].
//!
//! Generated operations reach the loop through `heygen_api::hooks`; their
//! decoded result comes back to [`call`], which turns a failure into an
//! [`Error`] carrying what the loop learned (attempts, idempotency key,
//! last status and request id). That hand-over uses a task-local record,
//! since the generated code sits between the two.

mod attempt;
mod call;
mod classify;
mod policy;
mod response;

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use heygen_api::facts::Operation;
use heygen_api::hooks::BoxFuture;
use reqwest::header::{HeaderName, HeaderValue};
use reqwest::{Method, Request, Response};
use tokio::time::Instant;

use attempt::Attempted;
pub(crate) use call::{call, conclude, missing, refusal, within};
pub use classify::RetryReason;
pub(crate) use classify::expired_signed_url;
pub(crate) use policy::backoff;
pub(crate) use response::{ErrorAnswer, LastResponse, redact_url};

use crate::config::{Credential, Options, Secret};
use crate::error::{CallInfo, Error, Resend};
use classify::Failure;

/// The `Idempotency-Key` header.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// A retry the client is about to make, as handed to the hook set with
/// [`ClientBuilder::on_retry`](crate::ClientBuilder::on_retry) (and
/// recorded as the tracing event `retrying heygen call`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryEvent {
    /// The spec's operation id (`createVideo`).
    pub operation: &'static str,
    /// Which retry this is: 1 for the second attempt.
    pub attempt: u32,
    /// Why the previous attempt is being repeated.
    pub reason: RetryReason,
    /// How long the client waits first: HeyGen's `Retry-After` (plus a
    /// little jitter) after a 429, else the backoff.
    pub delay: Duration,
}

/// The function [`ClientBuilder::on_retry`](crate::ClientBuilder::on_retry) installs.
#[derive(Clone)]
pub(crate) struct RetryHook(pub(crate) Arc<dyn Fn(&RetryEvent) + Send + Sync>);

impl fmt::Debug for RetryHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RetryHook(..)")
    }
}

/// Where a request goes: HeyGen gets the credential, a storage host never.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    HeyGen,
    Storage,
}

/// Bytes of an upload seen leaving, for the idle timeout.
#[derive(Debug)]
pub(crate) struct Progress(Mutex<Instant>);

impl Progress {
    pub(crate) fn new() -> Arc<Progress> {
        Arc::new(Progress(Mutex::new(Instant::now())))
    }

    /// A byte moved.
    pub(crate) fn touch(&self) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Instant::now();
    }

    fn last(&self) -> Instant {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A call that moves a file. It is bounded by an idle timeout (a byte
/// must move every so often) instead of the call and attempt timeouts, so
/// that a large file on a slow link is not cut off while it progresses.
#[derive(Debug, Clone)]
pub(crate) enum Transfer {
    /// The request's body is the file; its bytes touch this progress as
    /// they leave (within [`Options::upload_idle_timeout`]). The answer is
    /// read whole.
    Upload(Arc<Progress>),
    /// The answer's body is the file: its head must come within
    /// [`Options::download_idle_timeout`], and a success's body is handed
    /// over unread and without the response size limit (a video is larger
    /// than any JSON answer), for the caller to read with the same timeout
    /// between chunks.
    Download,
}

/// What the loop needs to know about one call.
pub(crate) struct Plan {
    /// The spec's operation id, for tracing, retry events and errors.
    pub operation: &'static str,
    /// The success status the spec declares (any 2xx is read as it).
    pub declared_success: Option<u16>,
    pub target: Target,
    /// Whether a resend could duplicate work.
    pub resend: Resend,
    pub idempotency_key: Option<String>,
    /// A file transfer, bounded by an idle timeout instead of the call
    /// and attempt timeouts.
    pub transfer: Option<Transfer>,
    /// A deadline from outside the call (a waiter's), besides its own.
    pub deadline: Option<Instant>,
}

impl Plan {
    /// The plan of a generated operation's request.
    pub(crate) fn for_operation(op: Option<&'static Operation>, request: &Request) -> Plan {
        // Only operations that honour a key are looked at: this runs on
        // every call.
        let idempotency_key = op
            .filter(|o| o.idempotency_key)
            .and_then(|_| request.headers().get(IDEMPOTENCY_KEY))
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let honoured = idempotency_key.is_some();
        Plan {
            operation: op.map(|o| o.id).unwrap_or("unknown"),
            declared_success: op.map(|o| o.success_status),
            target: Target::HeyGen,
            resend: resend_for(request.method(), honoured),
            idempotency_key,
            transfer: None,
            deadline: None,
        }
    }

    fn call_info(&self) -> CallInfo {
        CallInfo {
            operation: Some(self.operation),
            idempotency_key: self.idempotency_key.clone(),
            attempts: 0,
            resend: self.resend,
        }
    }
}

/// Whether resending a request could duplicate work: idempotent methods
/// cannot; a POST or PATCH can, unless it carries an `Idempotency-Key` the
/// operation honours (HeyGen then replays the stored result).
pub(crate) fn resend_for(method: &Method, honoured_idempotency_key: bool) -> Resend {
    if matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
    ) {
        Resend::Safe
    } else if honoured_idempotency_key {
        Resend::WithSameKey
    } else {
        Resend::MayDuplicate
    }
}

/// Makes the request of each attempt after the first.
pub(crate) type Factory<'a> = Box<dyn FnMut() -> BoxFuture<'a, Result<Request, Error>> + Send + 'a>;

/// Where the requests of a call's attempts come from.
///
/// The requests are boxed: a `Request` is 264 bytes, and the loop's future
/// would otherwise hold room for it several times over (argument, attempt,
/// retry spare), growing past the allocator's fast path on every call
/// (BENCHMARKS.md, section 1).
pub(crate) enum Requests<'a> {
    /// One built request; later attempts send copies of it (a body that
    /// cannot be copied, a stream, is sent once).
    Copies(Box<Request>),
    /// The first request, and a factory for the others.
    Fresh(Box<Request>, Factory<'a>),
}

/// What the loop learned about a call, kept for the errors raised after it.
#[derive(Debug, Default)]
pub(crate) struct Record {
    pub call: CallInfo,
    pub last: LastResponse,
}

/// A call the loop gave up on without an answer.
#[derive(Debug)]
pub(crate) enum Failed {
    /// The HTTP exchange failed.
    Transport(reqwest::Error),
    /// An upload made no progress for its idle timeout.
    Stalled(Duration),
}

impl Failed {
    /// The [`Error`] it is, for the call `record` describes.
    pub(crate) fn into_error(self, record: Record) -> Error {
        match self {
            Failed::Transport(e) => response::from_transport(e, record.call),
            Failed::Stalled(idle) => Error::Stalled {
                idle,
                call: record.call,
            },
        }
    }
}

/// How a call ended with an answer.
pub(crate) enum Answered {
    /// A 2xx (given the declared success status).
    Success(Response),
    /// A 4xx or 5xx, read whole, in HeyGen's envelope.
    Error(ErrorAnswer),
    /// Anything else (a redirect that was not followed).
    Other(Response),
}

impl Answered {
    /// As a response, for the generated decoder.
    fn into_response(self) -> Response {
        match self {
            Answered::Success(r) | Answered::Other(r) => r,
            Answered::Error(a) => a.into_response(),
        }
    }
}

/// Everything a client's calls share: the HTTP client (one connection
/// pool), where requests go, the credential, and the per-call options.
pub(crate) struct Exchange {
    pub http: reqwest::Client,
    pub base_url: String,
    credential: Option<(HeaderName, HeaderValue)>,
    /// Set on each request when the HTTP client is the caller's (ours has
    /// it built in).
    user_agent: Option<HeaderValue>,
    pub options: Options,
    on_retry: Option<RetryHook>,
}

impl fmt::Debug for Exchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The credential's value is marked sensitive; it is left out anyway.
        f.debug_struct("Exchange")
            .field("base_url", &self.base_url)
            .field("options", &self.options)
            .field("on_retry", &self.on_retry)
            .finish_non_exhaustive()
    }
}

impl Exchange {
    pub(crate) fn new(
        http: reqwest::Client,
        base_url: String,
        credential: &Credential,
        user_agent: Option<&str>,
        options: Options,
        on_retry: Option<RetryHook>,
    ) -> Result<Exchange, Error> {
        let (name, value) = match credential {
            Credential::ApiKey(Secret(key)) => ("x-api-key", key.clone()),
            Credential::Bearer(Secret(token)) => ("authorization", format!("Bearer {token}")),
        };
        let mut value = HeaderValue::from_str(&value).map_err(|_| {
            Error::config(
                "the API key or token contains characters not allowed in an HTTP header \
                 (a stray newline or quote when copying it?)",
            )
        })?;
        // Keeps the value out of reqwest's and hyper's debug output.
        value.set_sensitive(true);
        let user_agent = user_agent
            .map(|agent| {
                HeaderValue::from_str(agent).map_err(|_| {
                    Error::config(format!(
                        "the user agent {agent:?} has characters not allowed in an HTTP header"
                    ))
                })
            })
            .transpose()?;
        Ok(Exchange {
            http,
            base_url,
            credential: Some((HeaderName::from_static(name), value)),
            user_agent,
            options,
            on_retry,
        })
    }

    /// The same exchange with other options (sharing the connection pool).
    pub(crate) fn with_options(&self, options: Options) -> Exchange {
        Exchange {
            http: self.http.clone(),
            base_url: self.base_url.clone(),
            credential: self.credential.clone(),
            user_agent: self.user_agent.clone(),
            options,
            on_retry: self.on_retry.clone(),
        }
    }

    /// Says that a retry is about to happen: a tracing event, and the
    /// caller's hook.
    pub(crate) fn retrying(&self, event: &RetryEvent) {
        tracing::info!(
            attempt = event.attempt,
            delay_ms = u64::try_from(event.delay.as_millis()).unwrap_or(u64::MAX),
            reason = event.reason.as_str(),
            "retrying heygen call"
        );
        if let Some(hook) = &self.on_retry {
            (hook.0)(event);
        }
    }

    /// Sends a call's requests until one succeeds, a failure is final, the
    /// retries are spent or the deadline would pass. Error answers come
    /// back as responses (HeyGen's envelope guaranteed); failures without
    /// an answer as [`Failed`]. `record` says what happened either way.
    pub(crate) async fn run(
        &self,
        plan: &Plan,
        requests: Requests<'_>,
        record: &mut Record,
    ) -> Result<Answered, Failed> {
        let options = &self.options;
        let started = Instant::now();
        let own_deadline = match (&plan.transfer, options.timeout) {
            (None, Some(t)) => policy::after(started, t),
            _ => None,
        };
        let deadline = policy::earliest(own_deadline, plan.deadline);
        let (mut request, mut factory) = match requests {
            Requests::Copies(r) => (r, None),
            Requests::Fresh(r, f) => (r, Some(f)),
        };
        record.call = plan.call_info();
        let mut counted_retries: u32 = 0;
        loop {
            record.call.attempts += 1;
            let attempt = record.call.attempts;
            let may_retry = counted_retries < options.retry.max_retries
                || (deadline.is_some() && plan.resend == Resend::WithSameKey);
            let spare = match factory {
                None if may_retry => request.try_clone().map(Box::new),
                _ => None,
            };
            let attempt_started = Instant::now();
            self.prepare_attempt(&mut request, plan, deadline, attempt_started);
            let outcome = self.attempt(request, plan).await;
            let (failure, retry_after) = self.inspect(&outcome, record, attempt, attempt_started);
            let reason = failure.and_then(|f| classify::classify(f, plan.resend));
            let Some(reason) = reason else {
                return finish(outcome, plan, options.max_response_bytes);
            };
            // In-progress answers are waited out within the deadline; every
            // other retry counts against `max_retries`.
            let counts = !(reason == RetryReason::InProgress && deadline.is_some());
            if counts && counted_retries >= options.retry.max_retries {
                return finish(outcome, plan, options.max_response_bytes);
            }
            let delay = match retry_after {
                // Honoured, unless it asks for more than the caller allows:
                // then the answer goes back with `retry_after()` set.
                Some(wait) if wait > options.retry.max_retry_after => {
                    return finish(outcome, plan, options.max_response_bytes);
                }
                Some(wait) => policy::after_retry_after(wait, options.retry.initial_backoff),
                None => policy::backoff(&options.retry, counted_retries),
            };
            let wake = policy::after(Instant::now(), delay);
            if deadline.is_some_and(|d| wake.is_none_or(|w| w >= d)) {
                return finish(outcome, plan, options.max_response_bytes);
            }
            let next = match (spare, factory.as_mut()) {
                (Some(copy), _) => copy,
                (None, Some(make)) => match make().await {
                    Ok(fresh) => Box::new(fresh),
                    Err(e) => {
                        tracing::warn!(error = %e, "could not make the request for a retry");
                        return finish(outcome, plan, options.max_response_bytes);
                    }
                },
                (None, None) => return finish(outcome, plan, options.max_response_bytes),
            };
            if counts {
                counted_retries += 1;
            }
            self.retrying(&RetryEvent {
                operation: plan.operation,
                attempt,
                reason,
                delay,
            });
            drop(outcome);
            request = next;
            // Boxed: a timer is large, and only a retry needs one; inline,
            // it would grow (and move) every call's future.
            Box::pin(tokio::time::sleep(delay)).await;
        }
    }

    /// Adds what every attempt carries: the credential (HeyGen only: the
    /// HTTP client itself carries none, so no other host ever sees it),
    /// the user agent, and the attempt's time limit.
    fn prepare_attempt(
        &self,
        request: &mut Request,
        plan: &Plan,
        deadline: Option<Instant>,
        now: Instant,
    ) {
        if plan.target == Target::HeyGen {
            let headers = request.headers_mut();
            if let Some((name, value)) = &self.credential {
                headers.insert(name.clone(), value.clone());
            }
            if let Some(agent) = &self.user_agent {
                headers
                    .entry(reqwest::header::USER_AGENT)
                    .or_insert_with(|| agent.clone());
            }
        }
        let limit = if plan.transfer.is_some() {
            None
        } else {
            let left = deadline.map(|d| d.saturating_duration_since(now));
            match (self.options.attempt_timeout, left) {
                (Some(a), Some(l)) => Some(a.min(l)),
                (a, l) => a.or(l),
            }
        };
        *request.timeout_mut() = limit;
    }

    /// Records an attempt's outcome (tracing, last status) and says what
    /// failed, for the classifier, and any `Retry-After`.
    fn inspect<'o>(
        &self,
        outcome: &'o Attempted,
        record: &mut Record,
        attempt: u32,
        started: Instant,
    ) -> (Option<Failure<'o>>, Option<Duration>) {
        let elapsed_ms = || u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let headers = match outcome {
            Attempted::Success(r) | Attempted::Other(r) => Some((r.status(), r.headers(), None)),
            Attempted::Answer(a) => Some((a.status, &a.headers, policy::retry_after(&a.headers))),
            _ => None,
        };
        if let Some((status, headers, retry_after)) = headers {
            // Header look-ups are done once, here: this is on every call's
            // path (see BENCHMARKS.md).
            record.last = LastResponse {
                status: Some(status.as_u16()),
                request_id: response::request_id(headers),
                retry_after,
            };
            tracing::debug!(
                attempt,
                status = status.as_u16(),
                request_id = record.last.request_id.as_deref(),
                elapsed_ms = elapsed_ms(),
                "heygen attempt"
            );
        }
        match outcome {
            Attempted::Success(_) | Attempted::Other(_) => (None, None),
            Attempted::Answer(a) => (
                Some(Failure::Status {
                    status: a.status.as_u16(),
                    code: a.code.as_deref(),
                }),
                record.last.retry_after,
            ),
            Attempted::Transport(e) => {
                tracing::debug!(attempt, error = %e, elapsed_ms = elapsed_ms(), "heygen attempt failed");
                (Some(Failure::Transport(e)), None)
            }
            Attempted::Stalled(idle) => {
                tracing::debug!(
                    attempt,
                    idle_ms = u64::try_from(idle.as_millis()).unwrap_or(u64::MAX),
                    "heygen upload stalled"
                );
                (Some(Failure::Stalled), None)
            }
        }
    }
}

/// The outcome of the last attempt, as the call's result.
fn finish(outcome: Attempted, plan: &Plan, limit: u64) -> Result<Answered, Failed> {
    match outcome {
        // A downloaded file is no answer to decode, and may be larger than
        // any limit meant for one: its reader bounds it.
        Attempted::Success(r) if matches!(plan.transfer, Some(Transfer::Download)) => {
            Ok(Answered::Success(r))
        }
        Attempted::Success(r) => Ok(Answered::Success(response::success(
            r,
            plan.declared_success,
            limit,
        ))),
        Attempted::Answer(a) => Ok(Answered::Error(a)),
        Attempted::Other(r) => Ok(Answered::Other(r)),
        Attempted::Transport(e) => Err(Failed::Transport(e)),
        Attempted::Stalled(idle) => Err(Failed::Stalled(idle)),
    }
}
