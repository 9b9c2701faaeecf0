//! The fake's one clock: tokio's (so a paused clock moves jobs and expires
//! URLs), told as Unix time from the moment the fake started.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::time::Instant;

#[derive(Debug, Clone, Copy)]
pub(super) struct Clock {
    started: Instant,
    started_unix: i64,
}

impl Clock {
    pub(super) fn start() -> Clock {
        let started_unix = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        Clock {
            started: Instant::now(),
            started_unix,
        }
    }

    /// Time since the fake started, on tokio's clock.
    pub(super) fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// `at` as Unix seconds.
    pub(super) fn unix(&self, at: Instant) -> i64 {
        let offset = at.saturating_duration_since(self.started).as_secs() as i64;
        let before = self.started.saturating_duration_since(at).as_secs() as i64;
        self.started_unix + offset - before
    }

    /// `at` as ISO 8601, UTC (webhooks and glossaries use strings).
    pub(super) fn iso(&self, at: Instant) -> String {
        iso_unix(self.unix(at))
    }
}

/// Unix seconds as ISO 8601, UTC.
pub(super) fn iso_unix(secs: i64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp(secs, 0)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
