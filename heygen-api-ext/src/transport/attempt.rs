//! One attempt: send a request, and read what the loop needs of the
//! answer (an error body within its cap, a success passed on or buffered),
//! on the caller's task, on a task of its own (a prefetched page), or
//! watched for progress (an upload).

use std::cell::Cell;
use std::future::Future;
use std::time::Duration;

use reqwest::{Request, Response};
use tokio::time::Instant;

use super::{ErrorAnswer, Exchange, Plan, Progress, Transfer, policy, response};

/// One attempt's outcome.
pub(super) enum Attempted {
    /// A 2xx.
    Success(Response),
    /// A 4xx or 5xx, read whole.
    Answer(ErrorAnswer),
    /// Anything else (a redirect that was not followed), passed on.
    Other(Response),
    Transport(reqwest::Error),
    Stalled(Duration),
}

impl Exchange {
    /// Sends one request and reads what is needed to classify the answer.
    pub(super) async fn attempt(&self, request: Request, plan: &Plan) -> Attempted {
        let limit = self.options.max_response_bytes;
        if let Some(Transfer::Download) = plan.transfer {
            // Only the head is awaited here; the body is the caller's to
            // read, with the same idle timeout between its chunks.
            let head = receive(self.http.execute(request), limit, false);
            return match self.options.download_idle_timeout {
                Some(idle) => Box::pin(tokio::time::timeout(idle, head))
                    .await
                    .unwrap_or(Attempted::Stalled(idle)),
                None => Box::pin(head).await,
            };
        }
        let upload = match &plan.transfer {
            Some(Transfer::Upload(progress)) => Some(progress),
            _ => None,
        };
        match (upload, self.options.upload_idle_timeout) {
            (Some(progress), Some(idle)) => {
                progress.touch();
                let exchange = receive(self.http.execute(request), limit, true);
                // Boxed, like every path off the common one: the state of
                // a call's future is allocated, and moved, on every call.
                Box::pin(watch(exchange, idle, progress))
                    .await
                    .unwrap_or(Attempted::Stalled(idle))
            }
            _ if PREFETCHING.with(Cell::get) && tokio::runtime::Handle::try_current().is_ok() => {
                Box::pin(detached(&self.http, request, limit)).await
            }
            _ => receive(self.http.execute(request), limit, false).await,
        }
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
        return match Box::pin(ErrorAnswer::read(response, limit)).await {
            Ok(answer) => Attempted::Answer(answer),
            Err(e) => Attempted::Transport(e),
        };
    }
    let response = if buffer {
        match Box::pin(response::buffered(response, limit)).await {
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
