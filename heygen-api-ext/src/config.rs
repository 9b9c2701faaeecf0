//! Plain settings: what a [`Client`](crate::Client) is configured with, as
//! data. Nothing here sends, decides or computes; the transport reads these
//! values (and does the arithmetic, saturating, so no setting can panic).

use std::fmt;
use std::time::Duration;

/// HeyGen's production API.
pub const DEFAULT_BASE_URL: &str = "https://api.heygen.com";
/// The variable [`Client::from_env`](crate::Client::from_env) reads the API key from.
pub const API_KEY_VAR: &str = "HEYGEN_API_KEY";
/// The variable [`Client::from_env`](crate::Client::from_env) reads a base URL override from.
pub const BASE_URL_VAR: &str = "HEYGEN_BASE_URL";

/// A secret that never shows in `Debug` or `Display`.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Secret(pub(crate) String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"<redacted>\"")
    }
}

/// How requests authenticate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Credential {
    /// `x-api-key: <key>`.
    ApiKey(Secret),
    /// `Authorization: Bearer <token>` (OAuth).
    Bearer(Secret),
}

/// Backoff and retry limits.
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

/// The settings of each call, which [`Client::with_options`] adjusts for a
/// clone of the client. Every setter takes any value: a duration too large
/// to add to a clock means "no limit", never a panic.
///
/// [`Client::with_options`]: crate::Client::with_options
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Options {
    /// Backoff and retry limits.
    pub retry: RetryPolicy,
    /// The whole call's budget, every attempt and backoff included
    /// (default 120 s; `None`: unbounded).
    pub timeout: Option<Duration>,
    /// One attempt's budget, so that a hung attempt leaves time for another
    /// (default 60 s; `None`: bounded by `timeout` only).
    pub attempt_timeout: Option<Duration>,
    /// An upload fails after this long without a byte moving (default
    /// 30 s). Uploads are bounded by it rather than by `timeout`, so a large
    /// file on a slow link is not cut off while it progresses.
    pub upload_idle_timeout: Option<Duration>,
    /// A download fails after this long without a byte arriving (default
    /// 30 s). Downloads are bounded by it rather than by `timeout`, for the
    /// same reason as uploads.
    pub download_idle_timeout: Option<Duration>,
    /// Give each call of an operation that honours `Idempotency-Key` a
    /// fresh key, reused by its retries (default on).
    pub idempotency_keys: bool,
    /// Largest response body read (default 64 MiB).
    pub max_response_bytes: u64,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            retry: RetryPolicy::default(),
            timeout: Some(Duration::from_secs(120)),
            attempt_timeout: Some(Duration::from_secs(60)),
            upload_idle_timeout: Some(Duration::from_secs(30)),
            download_idle_timeout: Some(Duration::from_secs(30)),
            idempotency_keys: true,
            max_response_bytes: 64 * 1024 * 1024,
        }
    }
}

impl Options {
    /// Retries after the first attempt (default 2).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.retry.max_retries = retries;
        self
    }

    /// First backoff between attempts (default 500 ms; it doubles, capped
    /// by [`max_backoff`](Self::max_backoff)).
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.retry.initial_backoff = backoff;
        self
    }

    /// Longest backoff between attempts (default 8 s).
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.retry.max_backoff = backoff;
        self
    }

    /// Longest `Retry-After` slept through (default 60 s); beyond it the
    /// rate-limited error is returned with `retry_after()`.
    pub fn max_retry_after(mut self, wait: Duration) -> Self {
        self.retry.max_retry_after = wait;
        self
    }

    /// The whole call's budget, retries and backoff included (default
    /// 120 s). Nothing is retried once it has passed.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// One attempt's budget (default 60 s): an attempt that takes longer is
    /// abandoned and, if the call is safe to repeat, retried within
    /// [`timeout`](Self::timeout).
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// How long an upload may go without a byte moving (default 30 s).
    pub fn upload_idle_timeout(mut self, timeout: Duration) -> Self {
        self.upload_idle_timeout = Some(timeout);
        self
    }

    /// How long a download may go without a byte arriving (default 30 s).
    pub fn download_idle_timeout(mut self, timeout: Duration) -> Self {
        self.download_idle_timeout = Some(timeout);
        self
    }

    /// No call, attempt, upload-idle or download-idle timeout. Meant for
    /// tests under tokio's paused clock, where any pending timer fires while
    /// a socket is read.
    pub fn without_timeouts(mut self) -> Self {
        self.timeout = None;
        self.attempt_timeout = None;
        self.upload_idle_timeout = None;
        self.download_idle_timeout = None;
        self
    }

    /// Whether creates that honour `Idempotency-Key` get one (default on).
    /// Off, such creates are not retried once they may have reached HeyGen.
    pub fn idempotency_keys(mut self, enabled: bool) -> Self {
        self.idempotency_keys = enabled;
        self
    }

    /// Largest response body read (default 64 MiB).
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = limit;
        self
    }
}
