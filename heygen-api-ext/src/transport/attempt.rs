//! One attempt: send a request, and read what the loop needs of the
//! answer (an error body within its cap, a success passed on or buffered),
//! on the caller's task, or watched for progress (an upload).

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
    pub(super) async fn attempt(&self, request: Box<Request>, plan: &Plan) -> Attempted {
        let limit = self.options.max_response_bytes;
        if let Some(Transfer::Download) = plan.transfer {
            // Only the head is awaited here; the body is the caller's to
            // read, with the same idle timeout between its chunks.
            let head = receive(self.http.execute(*request), limit, false);
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
                let exchange = receive(self.http.execute(*request), limit, true);
                // Boxed, like every path off the common one: the state of
                // a call's future is allocated, and moved, on every call.
                Box::pin(watch(exchange, idle, progress))
                    .await
                    .unwrap_or(Attempted::Stalled(idle))
            }
            _ => receive(self.http.execute(*request), limit, false).await,
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
