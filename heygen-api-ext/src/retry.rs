//! Which failures are worth another attempt (the classifier), and how long
//! to wait before it (the policy). Kept apart so either can change alone.

use std::time::Duration;

use reqwest::{Method, StatusCode};

/// Backoff and retry limits. Every field has a `ClientBuilder` setter.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (so `max_retries + 1` attempts).
    pub max_retries: u32,
    /// The first backoff.
    pub initial_backoff: Duration,
    /// Growth factor of each further backoff.
    pub multiplier: f64,
    /// No backoff is longer than this.
    pub max_backoff: Duration,
    /// A `Retry-After` longer than this is not slept through: the call
    /// returns the rate-limited error, `retry_after()` set, at once.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 2,
            initial_backoff: Duration::from_millis(500),
            multiplier: 2.0,
            max_backoff: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The delay before retry number `retry` (0 for the first retry):
    /// exponential, capped, with "equal jitter" (half fixed, half random) so
    /// that many clients throttled at once do not come back in lockstep.
    pub fn backoff(&self, retry: u32) -> Duration {
        let base = self.initial_backoff.as_secs_f64() * self.multiplier.powi(retry as i32);
        let capped = base.min(self.max_backoff.as_secs_f64()).max(0.0);
        let half = capped / 2.0;
        Duration::from_secs_f64(half + half * fastrand::f64())
    }
}

/// Why an attempt is worth repeating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryReason {
    /// 429: HeyGen refused the request before doing anything.
    RateLimited,
    /// 408, 500, 502, 503, 504.
    TransientStatus(u16),
    /// The connection failed.
    Connection,
}

impl RetryReason {
    /// A short label, as tracing records it (`rate_limited`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            RetryReason::RateLimited => "rate_limited",
            RetryReason::TransientStatus(_) => "transient_status",
            RetryReason::Connection => "connection",
        }
    }
}

impl std::fmt::Display for RetryReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RetryReason::RateLimited => f.write_str("429 Too Many Requests"),
            RetryReason::TransientStatus(s) => write!(f, "HTTP {s}"),
            RetryReason::Connection => f.write_str("a broken connection"),
        }
    }
}

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

/// Whether a request may safely be sent again: its method is idempotent,
/// or it is a POST/PATCH that carries an `Idempotency-Key` the operation
/// honours (HeyGen replays the stored result instead of running it twice).
pub fn is_replayable(method: &Method, has_honoured_idempotency_key: bool) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
    ) || has_honoured_idempotency_key
}

/// Classifies a response status. A create that is not replayable is never
/// sent twice, however the first attempt failed: a duplicate video costs
/// the user credits.
pub fn classify_status(status: StatusCode, replayable: bool) -> Option<RetryReason> {
    match status.as_u16() {
        429 => Some(RetryReason::RateLimited),
        s @ (408 | 500 | 502 | 503 | 504) if replayable => Some(RetryReason::TransientStatus(s)),
        _ => None,
    }
}

/// Classifies a transport error. Timeouts are final: the caller's time
/// budget is spent.
pub fn classify_error(error: &reqwest::Error, replayable: bool) -> Option<RetryReason> {
    if error.is_timeout() || !replayable {
        return None;
    }
    (error.is_connect() || error.is_request() || error.is_body()).then_some(RetryReason::Connection)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        let p = RetryPolicy::default();
        for _ in 0..200 {
            let first = p.backoff(0);
            assert!(first >= Duration::from_millis(250) && first <= Duration::from_millis(500));
            let third = p.backoff(2);
            assert!(third >= Duration::from_secs(1) && third <= Duration::from_secs(2));
            let late = p.backoff(30);
            assert!(late >= Duration::from_secs(4) && late <= Duration::from_secs(8));
        }
        let distinct: std::collections::BTreeSet<u128> =
            (0..50).map(|_| p.backoff(3).as_micros()).collect();
        assert!(distinct.len() > 10, "jitter spreads retries: {distinct:?}");
    }

    #[test]
    fn classification_follows_the_policy() {
        let s = |c| StatusCode::from_u16(c).unwrap();
        assert_eq!(
            classify_status(s(429), false),
            Some(RetryReason::RateLimited)
        );
        for code in [408, 500, 502, 503, 504] {
            assert_eq!(
                classify_status(s(code), true),
                Some(RetryReason::TransientStatus(code))
            );
            assert_eq!(classify_status(s(code), false), None);
        }
        for code in [400, 401, 402, 403, 404, 409, 413, 501] {
            assert_eq!(classify_status(s(code), true), None);
        }
        assert!(is_replayable(&Method::GET, false));
        assert!(is_replayable(&Method::DELETE, false));
        assert!(!is_replayable(&Method::POST, false));
        assert!(is_replayable(&Method::POST, true));
        assert!(!is_replayable(&Method::PATCH, false));
    }
}
