//! How long to wait before another attempt, and when a call's time is up.
//! All arithmetic saturates: a setting of `Duration::MAX` means "no limit"
//! (or "longer than any cap"), never an overflow panic.

use std::time::Duration;

use reqwest::header::HeaderMap;
use tokio::time::Instant;

use crate::config::RetryPolicy;

/// `now + wait`, or `None` ("never") when that is past what the clock can
/// represent.
pub(crate) fn after(now: Instant, wait: Duration) -> Option<Instant> {
    now.checked_add(wait)
}

/// The earlier of two optional deadlines (`None` is "never").
pub(crate) fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The delay before retry number `retry` (0 for the first retry):
/// exponential, capped by `max_backoff`, with "equal jitter" (half fixed,
/// half random) so that many clients throttled at once do not come back in
/// lockstep.
pub(crate) fn backoff(policy: &RetryPolicy, retry: u32) -> Duration {
    let growth = policy
        .multiplier
        .max(1.0)
        .powi(i32::try_from(retry).unwrap_or(i32::MAX));
    let base = policy.initial_backoff.as_secs_f64() * growth;
    let capped = if base.is_finite() {
        base.min(policy.max_backoff.as_secs_f64())
    } else {
        policy.max_backoff.as_secs_f64()
    };
    let half = capped.max(0.0) / 2.0;
    Duration::try_from_secs_f64(half + half * fastrand::f64()).unwrap_or(policy.max_backoff)
}

/// The wait before retrying a response that carried `Retry-After: wait`:
/// the wait plus a little jitter (under 5 % of it, at most `cap`).
/// Everyone throttled in the same second is told the same `Retry-After`;
/// without the jitter they would all come back at the same instant and be
/// throttled again together.
pub(crate) fn after_retry_after(wait: Duration, cap: Duration) -> Duration {
    let jitter = (wait / 20).min(cap).mul_f64(fastrand::f64());
    wait.saturating_add(jitter)
}

/// `Retry-After` as delta-seconds or an HTTP-date.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = value.parse::<f64>()
        && secs.is_finite()
        && secs >= 0.0
    {
        // `try_`: a value past Duration's range (`1e20`) would panic.
        return Duration::try_from_secs_f64(secs).ok();
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        let p = RetryPolicy::default();
        for _ in 0..200 {
            let first = backoff(&p, 0);
            assert!(first >= Duration::from_millis(250) && first <= Duration::from_millis(500));
            let third = backoff(&p, 2);
            assert!(third >= Duration::from_secs(1) && third <= Duration::from_secs(2));
            let late = backoff(&p, 30);
            assert!(late >= Duration::from_secs(4) && late <= Duration::from_secs(8));
        }
        let distinct: std::collections::BTreeSet<u128> =
            (0..50).map(|_| backoff(&p, 3).as_micros()).collect();
        assert!(distinct.len() > 10, "jitter spreads retries: {distinct:?}");
    }

    #[test]
    fn extreme_settings_saturate() {
        let p = RetryPolicy {
            initial_backoff: Duration::MAX,
            max_backoff: Duration::MAX,
            multiplier: f64::MAX,
            ..RetryPolicy::default()
        };
        for retry in [0, 1, 64, u32::MAX] {
            let _ = backoff(&p, retry);
        }
        let p = RetryPolicy {
            multiplier: f64::NAN,
            ..RetryPolicy::default()
        };
        assert!(backoff(&p, 3) <= p.max_backoff);
        assert_eq!(after(Instant::now(), Duration::MAX), None);
        assert!(after_retry_after(Duration::MAX, Duration::MAX) == Duration::MAX);
    }
}
