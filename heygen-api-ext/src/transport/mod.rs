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

mod classify;
mod policy;
mod response;

use std::cell::{Cell, RefCell};
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use heygen_api::hooks::BoxFuture;
use heygen_api::operation::Operation;
use heygen_api::operations::ErrorBody;
use progenitor_client::ResponseValue;
use reqwest::header::{HeaderName, HeaderValue};
use reqwest::{Method, Request, Response};
use tokio::time::Instant;
use tracing::Instrument;

pub use classify::RetryReason;
pub(crate) use response::{ErrorAnswer, LastResponse, redact_url};

use crate::config::{Credential, Options, Secret};
use crate::error::{ApiError, CallInfo, Error, Resend};
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
    /// Bounded by the idle timeout (and this progress) instead of the
    /// call and attempt timeouts: uploads.
    pub upload: Option<Arc<Progress>>,
}

impl Plan {
    /// The plan of a generated operation's request.
    fn for_operation(op: Option<&'static Operation>, request: &Request) -> Plan {
        let idempotency_key = request
            .headers()
            .get(IDEMPOTENCY_KEY)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let honoured = op.is_some_and(|o| o.idempotency_key) && idempotency_key.is_some();
        Plan {
            operation: op.map(|o| o.id).unwrap_or("unknown"),
            declared_success: op.map(|o| o.success_status),
            target: Target::HeyGen,
            resend: resend_for(request.method(), honoured),
            idempotency_key,
            upload: None,
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
pub(crate) enum Requests<'a> {
    /// One built request; later attempts send copies of it (a body that
    /// cannot be copied, a stream, is sent once).
    Copies(Request),
    /// The first request, and a factory for the others.
    Fresh(Request, Factory<'a>),
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

/// One attempt's outcome.
enum Attempted {
    /// A 2xx.
    Success(Response),
    /// A 4xx or 5xx, read whole.
    Answer(ErrorAnswer),
    /// Anything else (a redirect that was not followed), passed on.
    Other(Response),
    Transport(reqwest::Error),
    Stalled(Duration),
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
    fn retrying(&self, event: &RetryEvent) {
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
        let own_deadline = match (&plan.upload, options.timeout) {
            (None, Some(t)) => policy::after(started, t),
            _ => None,
        };
        let deadline = policy::earliest(own_deadline, inherited_deadline());
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
                None if may_retry => request.try_clone(),
                _ => None,
            };
            self.prepare_attempt(&mut request, plan, deadline);
            let attempt_started = Instant::now();
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
                    Ok(fresh) => fresh,
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
            tokio::time::sleep(delay).await;
            request = next;
        }
    }

    /// Adds what every attempt carries: the credential (HeyGen only: the
    /// HTTP client itself carries none, so no other host ever sees it),
    /// the user agent, and the attempt's time limit.
    fn prepare_attempt(&self, request: &mut Request, plan: &Plan, deadline: Option<Instant>) {
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
        let limit = if plan.upload.is_some() {
            None
        } else {
            let now = Instant::now();
            let left = deadline.map(|d| d.saturating_duration_since(now));
            match (self.options.attempt_timeout, left) {
                (Some(a), Some(l)) => Some(a.min(l)),
                (a, l) => a.or(l),
            }
        };
        *request.timeout_mut() = limit;
    }

    /// Sends one request and reads what is needed to classify the answer.
    async fn attempt(&self, request: Request, plan: &Plan) -> Attempted {
        let limit = self.options.max_response_bytes;
        match (&plan.upload, self.options.upload_idle_timeout) {
            (Some(progress), Some(idle)) => {
                progress.touch();
                let exchange = receive(self.http.execute(request), limit, true);
                watch(exchange, idle, progress)
                    .await
                    .unwrap_or(Attempted::Stalled(idle))
            }
            _ if PREFETCHING.with(Cell::get) && tokio::runtime::Handle::try_current().is_ok() => {
                detached(&self.http, request, limit).await
            }
            _ => receive(self.http.execute(request), limit, false).await,
        }
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
        let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
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
                elapsed_ms,
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
                tracing::debug!(attempt, error = %e, elapsed_ms, "heygen attempt failed");
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

/// Runs `exchange` until it ends, or until `progress` has not moved for
/// `idle` (`None`).
async fn watch<T>(
    exchange: impl Future<Output = T>,
    idle: Duration,
    progress: &Progress,
) -> Option<T> {
    tokio::pin!(exchange);
    loop {
        let Some(wake) = policy::after(progress.last(), idle) else {
            return Some(exchange.await);
        };
        tokio::select! {
            done = &mut exchange => return Some(done),
            () = tokio::time::sleep_until(wake) => {
                if policy::after(progress.last(), idle).is_some_and(|w| w <= Instant::now()) {
                    return None;
                }
            }
        }
    }
}

tokio::task_local! {
    /// The call a generated operation's request belongs to, while
    /// [`call`] awaits it.
    static CALL: RefCell<Scope>;
}

/// What [`call`] hands the transport, and gets back.
#[derive(Debug, Default)]
struct Scope {
    /// A deadline set from outside the call (a waiter's).
    deadline: Option<Instant>,
    /// What the loop learned, written when it returns.
    record: Option<Record>,
}

fn inherited_deadline() -> Option<Instant> {
    CALL.try_with(|s| s.borrow().deadline).ok().flatten()
}

/// Awaits a generated operation's `send()` and turns its failure into an
/// [`Error`] that carries what the transport learned (attempts, the
/// idempotency key, the last status and request id).
pub(crate) async fn call<T>(
    sent: impl Future<Output = Result<ResponseValue<T>, progenitor_client::Error<ErrorBody>>>,
) -> Result<(ResponseValue<T>, Record), Error> {
    let scope = RefCell::new(Scope {
        deadline: inherited_deadline(),
        record: None,
    });
    let (result, record) = CALL
        .scope(scope, async {
            let result = sent.await;
            let record = CALL.with(|s| s.borrow_mut().record.take());
            (result, record.unwrap_or_default())
        })
        .await;
    match result {
        Ok(value) => Ok((value, record)),
        Err(e) => Err(response::into_error(e, record.call, &record.last)),
    }
}

/// Runs `calls` with every call in it bounded by `deadline` as well as by
/// its own timeout.
pub(crate) async fn within<F: Future>(deadline: Option<Instant>, calls: F) -> F::Output {
    let deadline = policy::earliest(deadline, inherited_deadline());
    CALL.scope(
        RefCell::new(Scope {
            deadline,
            record: None,
        }),
        calls,
    )
    .await
}

/// Turns a failed call into an [`Error`] (for results of `send()` outside
/// [`call`]: only what the error itself says is known).
impl From<progenitor_client::Error<ErrorBody>> for Error {
    fn from(e: progenitor_client::Error<ErrorBody>) -> Self {
        response::into_error(e, CallInfo::default(), &LastResponse::default())
    }
}

/// Reads what the loop returned for a request the generated code does not
/// decode (uploads): the success body, or the error answered.
pub(crate) async fn conclude<T: serde::de::DeserializeOwned>(
    answered: Answered,
    record: &Record,
) -> Result<T, Error> {
    match answered {
        Answered::Success(r) => response::decode(r, record.call.clone()).await,
        other => Err(refusal(other, record)),
    }
}

/// The error an answer that is not a success stands for.
pub(crate) fn refusal(answered: Answered, record: &Record) -> Error {
    let api = match answered {
        Answered::Error(answer) => response::answer_error(&answer, record.call.clone()),
        Answered::Success(r) | Answered::Other(r) => {
            let status = r.status().as_u16();
            let mut api =
                ApiError::from_status(status, format!("HTTP {status}: not an answer HeyGen gives"));
            api.request_id = response::request_id(r.headers());
            api.call = record.call.clone();
            api
        }
    };
    Error::from_api(api)
}

/// `Error::Decode` for an answer that lacks what the spec promises.
pub(crate) fn missing(what: String, record: Record) -> Error {
    Error::Decode {
        status: record.last.status,
        request_id: record.last.request_id,
        excerpt: String::new(),
        source: <serde_json::Error as serde::de::Error>::custom(what),
        call: record.call,
    }
}

impl heygen_api::hooks::Transport for Exchange {
    fn prepare(&self, request: &mut Request, op: Option<&'static Operation>) -> Result<(), String> {
        let Some(op) = op else { return Ok(()) };
        check_query_bounds(request, op)?;
        if op.idempotency_key
            && self.options.idempotency_keys
            && !request.headers().contains_key(IDEMPOTENCY_KEY)
        {
            // Made once per call, before the loop copies the request: every
            // attempt carries the same key.
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
        _client: &'a reqwest::Client,
        request: Request,
        op: Option<&'static Operation>,
    ) -> BoxFuture<'a, reqwest::Result<Response>> {
        let plan = Plan::for_operation(op, &request);
        let span = tracing::info_span!(
            "heygen.call",
            operation = plan.operation,
            method = %request.method(),
            path = op.map(|o| o.path).unwrap_or_else(|| request.url().path()),
        );
        Box::pin(
            async move {
                let mut record = Record::default();
                let result = self
                    .run(&plan, Requests::Copies(request), &mut record)
                    .await;
                let result = match result {
                    Ok(answered) => Ok(answered.into_response()),
                    Err(Failed::Transport(e)) => Err(e),
                    // Generated operations have no idle timeout; were one
                    // to stall, it would read as a timeout answer.
                    Err(Failed::Stalled(idle)) => Ok(ErrorAnswer::stalled(idle).into_response()),
                };
                let _ = CALL.try_with(|s| s.borrow_mut().record = Some(record));
                result
            }
            .instrument(span),
        )
    }
}

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

/// The outcome of `sent`: an error answer read (within its cap), a success
/// passed on (or read whole, with `buffer`, so that the body is not left
/// in the socket until the caller polls again).
async fn receive(
    sent: impl Future<Output = reqwest::Result<Response>>,
    limit: u64,
    buffer: bool,
) -> Attempted {
    let response = match sent.await {
        Ok(r) => r,
        Err(e) => return Attempted::Transport(e),
    };
    let status = response.status();
    if status.is_client_error() || status.is_server_error() {
        return match ErrorAnswer::read(response, limit).await {
            Ok(answer) => Attempted::Answer(answer),
            Err(e) => Attempted::Transport(e),
        };
    }
    let response = if buffer {
        match response::buffered(response, limit).await {
            Ok(r) => r,
            Err(e) => return Attempted::Transport(e),
        }
    } else {
        response
    };
    if status.is_success() {
        Attempted::Success(response)
    } else {
        Attempted::Other(response)
    }
}

/// A spawned task, aborted when its handle is dropped (the call was
/// dropped: nothing is waiting for the response any more).
struct Detached<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for Detached<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// [`receive`] on a task of its own, for a prefetched page (see
/// [`prefetching`]).
async fn detached(client: &reqwest::Client, request: Request, limit: u64) -> Attempted {
    let client = client.clone();
    let mut task = Detached(tokio::spawn(async move {
        receive(client.execute(request), limit, true).await
    }));
    match (&mut task.0).await {
        Ok(attempted) => attempted,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        // Cancelled: only by the runtime shutting down, which drops this
        // future as well.
        Err(_) => std::future::pending().await,
    }
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
        let range = match (bound.minimum, bound.maximum) {
            (Some(min), Some(max)) if n < min || n > max => format!("between {min} and {max}"),
            (Some(min), None) if n < min => format!("at least {min}"),
            (None, Some(max)) if n > max => format!("at most {max}"),
            _ => continue,
        };
        return Err(format!(
            "`{name}` must be {range} for {} ({} {}), got {n}",
            op.id, op.method, op.path
        ));
    }
    Ok(())
}
