//! The hand-over between the loop and the code around it: the generated
//! operations reach the loop through `heygen_api::hooks`, and their result
//! comes back to [`call`], which makes their failure an [`Error`] carrying
//! what the loop learned. The generated code sits between the two, so the
//! record travels in a task-local.

use std::cell::RefCell;
use std::future::Future;

use heygen_api::facts::Operation;
use heygen_api::hooks::BoxFuture;
use heygen_api::operations::ErrorBody;
use progenitor_client::ResponseValue;
use reqwest::header::{HeaderName, HeaderValue};
use reqwest::{Request, Response};
use tokio::time::Instant;
use tracing::Instrument;

use super::{
    Answered, ErrorAnswer, Exchange, Failed, IDEMPOTENCY_KEY, LastResponse, Plan, Record, Requests,
    policy, response,
};
use crate::error::{ApiError, CallInfo, Error};

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

/// Awaits a generated operation's `send()` and takes what the caller wants
/// out of the answer with `take`. A failure becomes an [`Error`] that
/// carries what the transport learned (attempts, the idempotency key, the
/// last status and request id); an answer `take` finds nothing in is
/// [`Error::Decode`] saying `absent()`.
pub(crate) async fn call<T, D>(
    sent: impl Future<Output = Result<ResponseValue<T>, progenitor_client::Error<ErrorBody>>>,
    take: impl FnOnce(T) -> Option<D>,
    absent: impl FnOnce() -> String,
) -> Result<D, Error> {
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
        Ok(value) => take(value.into_inner()).ok_or_else(|| missing(absent(), record)),
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

/// Turns a generated operation's error into an [`Error`]. Only what the
/// error itself says is known: use `.data()` for errors that also carry
/// the call's record ([`CallInfo`]).
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
        let mut plan = Plan::for_operation(op, &request);
        plan.deadline = inherited_deadline();
        let span = tracing::info_span!(
            "heygen.call",
            operation = plan.operation,
            method = %request.method(),
            path = op.map(|o| o.path).unwrap_or_else(|| request.url().path()),
        );
        // Boxed before the future captures it (see `Requests`).
        let request = Box::new(request);
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
