//! The one place that decides whether a failure is worth another attempt:
//! the retry loop asks it after each attempt, and [`Error::is_retryable`]
//! asks it for the caller's own loop. Both give the same answer for the
//! same failure.
//!
//! The rule: a failure is retried when a later attempt may succeed *and*
//! sending again cannot make HeyGen do the work twice ([`Resend`]). A `429`
//! and a connection that never opened are always safe (nothing was done);
//! a `5xx`, a timeout or a broken connection only for idempotent methods
//! and for creates that carry an `Idempotency-Key`.

use std::fmt;

use crate::error::{Error, Resend};

/// Why an attempt is worth repeating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetryReason {
    /// 429: HeyGen refused the request before doing anything.
    RateLimited,
    /// 409 `request_in_progress`: the first attempt with this idempotency
    /// key is still running; the next attempt gets its result.
    InProgress,
    /// 408, 500, 502, 503, 504.
    TransientStatus(u16),
    /// The connection failed: never opened, or broke before a response.
    Connection,
    /// An attempt took longer than the attempt timeout.
    Timeout,
    /// An upload or download stopped making progress.
    Stalled,
    /// A file host refused a signed URL HeyGen handed out (403 or 404, as
    /// storage services answer once the signature has expired): the next
    /// attempt goes to a fresh URL, fetched from HeyGen.
    ExpiredUrl(u16),
}

impl RetryReason {
    /// A short label, as tracing records it (`rate_limited`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            RetryReason::RateLimited => "rate_limited",
            RetryReason::InProgress => "request_in_progress",
            RetryReason::TransientStatus(_) => "transient_status",
            RetryReason::Connection => "connection",
            RetryReason::Timeout => "timeout",
            RetryReason::Stalled => "stalled",
            RetryReason::ExpiredUrl(_) => "expired_url",
        }
    }
}

impl fmt::Display for RetryReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RetryReason::RateLimited => f.write_str("429 Too Many Requests"),
            RetryReason::InProgress => f.write_str("409 request_in_progress"),
            RetryReason::TransientStatus(s) => write!(f, "HTTP {s}"),
            RetryReason::Connection => f.write_str("a broken connection"),
            RetryReason::Timeout => f.write_str("an attempt timeout"),
            RetryReason::Stalled => f.write_str("a stalled transfer"),
            RetryReason::ExpiredUrl(s) => {
                write!(f, "HTTP {s} from the file host (an expired signed URL)")
            }
        }
    }
}

/// One failed attempt, as the classifier sees it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Failure<'a> {
    /// A response that is not a success, with HeyGen's error code.
    Status { status: u16, code: Option<&'a str> },
    /// The HTTP exchange itself failed.
    Transport(&'a reqwest::Error),
    /// An upload made no progress for its idle timeout.
    Stalled,
}

/// What kind of transport failure a `reqwest::Error` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TransportKind {
    /// No connection could be opened (refused, DNS, connect timeout):
    /// nothing was sent.
    NotConnected,
    /// The TLS handshake failed.
    Tls,
    /// Redirects did not end.
    Redirect,
    /// The request could not be built: nothing was sent.
    Builder,
    /// No response (or body) in time, after the request went out.
    Timeout,
    /// The response body exceeded the size limit.
    TooLarge,
    /// The connection broke after the request went out.
    Broken,
}

/// Sorts a transport error.
pub(crate) fn transport_kind(e: &reqwest::Error) -> TransportKind {
    if find_source::<crate::error::BodyTooLarge>(e).is_some() {
        TransportKind::TooLarge
    } else if e.is_builder() {
        TransportKind::Builder
    } else if e.is_redirect() {
        TransportKind::Redirect
    } else if e.is_connect() && is_tls(e) {
        TransportKind::Tls
    } else if e.is_connect() {
        // A connect timeout is here too: the connection never opened, so
        // the request was never written.
        TransportKind::NotConnected
    } else if e.is_timeout() {
        TransportKind::Timeout
    } else {
        TransportKind::Broken
    }
}

/// A connect error caused by TLS. rustls reports a failed handshake as an
/// `InvalidData` I/O error wrapping its own error, native-tls as errors
/// that name TLS, SSL or certificates; a plain connect failure is neither.
fn is_tls(e: &reqwest::Error) -> bool {
    fn tls_io(io: &std::io::Error) -> bool {
        io.kind() == std::io::ErrorKind::InvalidData
            || io
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<std::io::Error>())
                .is_some_and(tls_io)
    }
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if err.downcast_ref::<std::io::Error>().is_some_and(tls_io) {
            return true;
        }
        let text = err.to_string().to_ascii_lowercase();
        if [
            "certificate",
            "tls",
            "ssl",
            "handshake",
            "corrupt message",
            "alert",
        ]
        .iter()
        .any(|w| text.contains(w))
        {
            return true;
        }
        cur = err.source();
    }
    false
}

/// Finds an error of type `T` in `e`'s source chain.
pub(crate) fn find_source<'a, T: std::error::Error + 'static>(
    e: &'a (dyn std::error::Error + 'static),
) -> Option<&'a T> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(t) = err.downcast_ref::<T>() {
            return Some(t);
        }
        cur = err.source();
    }
    None
}

/// Whether `failure` is worth another attempt of a call whose resend
/// safety is `resend`, and why.
pub(crate) fn classify(failure: Failure<'_>, resend: Resend) -> Option<RetryReason> {
    let repeatable = resend != Resend::MayDuplicate;
    match failure {
        Failure::Status { status: 429, .. } => Some(RetryReason::RateLimited),
        Failure::Status {
            status: 409,
            code: Some("request_in_progress"),
        } if resend == Resend::WithSameKey => Some(RetryReason::InProgress),
        Failure::Status {
            status: s @ (408 | 500 | 502 | 503 | 504),
            ..
        } if repeatable => Some(RetryReason::TransientStatus(s)),
        Failure::Status { .. } => None,
        Failure::Stalled => repeatable.then_some(RetryReason::Stalled),
        Failure::Transport(e) => match transport_kind(e) {
            TransportKind::NotConnected => Some(RetryReason::Connection),
            TransportKind::Timeout if repeatable => Some(RetryReason::Timeout),
            TransportKind::Broken if repeatable => Some(RetryReason::Connection),
            _ => None,
        },
    }
}

/// Whether a file host's answer to a signed URL HeyGen handed out says
/// the URL has expired, so that a fresh URL (from HeyGen again) may
/// succeed where resending this one cannot. S3 and CloudFront answer 403
/// once a signature's time is up; some hosts answer 404.
pub(crate) fn expired_signed_url(status: u16) -> Option<RetryReason> {
    matches!(status, 403 | 404).then_some(RetryReason::ExpiredUrl(status))
}

impl Error {
    /// Whether sending the same call again may succeed without making
    /// HeyGen do the work twice: a `429`, a connection that never opened,
    /// or a transient failure (`5xx`, timeout, broken connection) of a read
    /// or of a create that carried an idempotency key. For such a create,
    /// resend with the same key ([`Error::idempotency_key`]); a new key
    /// would render, and bill, again. The client has already retried what
    /// its policy allowed before returning this.
    pub fn is_retryable(&self) -> bool {
        self.retry_reason().is_some()
    }

    /// Why sending the failed call again may succeed without duplicating
    /// work ([`is_retryable`](Self::is_retryable)), for the SDK's own
    /// retries outside the loop (a download resumed midway).
    pub(crate) fn retry_reason(&self) -> Option<RetryReason> {
        let call = self.call()?;
        let failure = match self {
            Error::Timeout { source, .. } | Error::Connection { source, .. } => {
                Failure::Transport(source)
            }
            Error::Stalled { .. } => Failure::Stalled,
            Error::Upload { source, .. } | Error::Download { source, .. } => {
                return source.retry_reason();
            }
            _ => {
                let api = self.api_error()?;
                Failure::Status {
                    status: api.status,
                    code: Some(api.code.as_str()),
                }
            }
        };
        classify(failure, call.resend)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(status: u16) -> Failure<'static> {
        Failure::Status { status, code: None }
    }

    #[test]
    fn statuses_follow_the_resend_rule() {
        for resend in [Resend::Safe, Resend::WithSameKey, Resend::MayDuplicate] {
            assert_eq!(
                classify(status(429), resend),
                Some(RetryReason::RateLimited)
            );
            for code in [400, 401, 402, 403, 404, 409, 413, 422, 501, 505] {
                assert_eq!(classify(status(code), resend), None, "{code}");
            }
        }
        for code in [408, 500, 502, 503, 504] {
            let reason = Some(RetryReason::TransientStatus(code));
            assert_eq!(classify(status(code), Resend::Safe), reason);
            assert_eq!(classify(status(code), Resend::WithSameKey), reason);
            assert_eq!(classify(status(code), Resend::MayDuplicate), None);
        }
        let in_progress = Failure::Status {
            status: 409,
            code: Some("request_in_progress"),
        };
        assert_eq!(
            classify(in_progress, Resend::WithSameKey),
            Some(RetryReason::InProgress)
        );
        assert_eq!(classify(in_progress, Resend::MayDuplicate), None);
        assert_eq!(
            classify(Failure::Stalled, Resend::Safe),
            Some(RetryReason::Stalled)
        );
        assert_eq!(classify(Failure::Stalled, Resend::MayDuplicate), None);
    }

    #[test]
    fn only_403_and_404_call_for_a_fresh_url() {
        for status in [403, 404] {
            assert_eq!(
                expired_signed_url(status),
                Some(RetryReason::ExpiredUrl(status))
            );
        }
        for status in [200, 400, 401, 410, 429, 500, 503] {
            assert_eq!(expired_signed_url(status), None, "{status}");
        }
    }
}
