//! When to poll: the one schedule every waiter runs on, single or bulk.
//!
//! A [`Schedule`] owns a wait's budget and backoff: it sleeps until the
//! next poll is due, backs off after each poll (longer when HeyGen sent a
//! `Retry-After`), keeps the last poll inside the deadline, and reports
//! status changes to the caller's callback. The single waiters, the agent
//! video's two stages and the bulk streams all poll through it, so they
//! cannot drift apart in how politely they poll.

use std::time::Duration;

use tokio::time::Instant;

use super::{StatusChange, WaitOptions};
use crate::Error;

/// How much of the budget the last poll keeps for itself: a poll due after
/// the deadline is moved this far before it, so the wait still sees the
/// job's last status, and ends on time.
const LAST_POLL_LEAD: Duration = Duration::from_secs(1);

/// A wait's clock: its budget, its backoff, and its status callback.
pub(super) struct Schedule {
    options: WaitOptions,
    started: Instant,
    /// `None`: a timeout past what the clock can hold is no deadline.
    deadline: Option<Instant>,
    /// The delay before jitter, doubling after each poll.
    base: Duration,
    /// The delay before the next poll.
    delay: Duration,
    /// The poll just made was the last one the budget allows.
    polled_last: bool,
}

impl Schedule {
    /// Starts the clock, refusing options that would busy-loop.
    pub(super) fn start(options: WaitOptions) -> Result<Schedule, Error> {
        if options.max_delay.is_zero() {
            return Err(Error::invalid(
                "WaitOptions::max_delay must be above zero (it would poll in a busy loop)",
            ));
        }
        let started = Instant::now();
        let base = options.initial_delay.min(options.max_delay);
        Ok(Schedule {
            deadline: started.checked_add(options.timeout),
            started,
            base,
            delay: base,
            polled_last: false,
            options,
        })
    }

    /// Sleeps until the next poll is due. `false` once the budget is
    /// spent, after sleeping to the deadline: a caller that gave the wait
    /// 20 minutes is told "20 minutes", not a moment less.
    pub(super) async fn tick(&mut self) -> bool {
        let next = next_poll(Instant::now(), self.delay, self.deadline);
        let Some((poll_at, is_last)) = next.filter(|_| !self.polled_last) else {
            if let Some(deadline) = self.deadline {
                tokio::time::sleep_until(deadline).await;
            }
            return false;
        };
        self.polled_last = is_last;
        tokio::time::sleep_until(poll_at).await;
        true
    }

    /// After a poll: the next delay backs off, and lasts at least
    /// `retry_after` when HeyGen asked for a pause.
    pub(super) fn polled(&mut self, retry_after: Option<Duration>) {
        (self.base, self.delay) = self.options.next_delay(self.base);
        if let Some(wait) = retry_after {
            self.hold(wait);
        }
    }

    /// The next poll waits at least `wait` (a `Retry-After` that came
    /// after this round's backoff was set).
    pub(super) fn hold(&mut self, wait: Duration) {
        self.delay = self.delay.max(wait);
    }

    /// The wait's deadline, for the calls made inside it.
    pub(super) fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// Time since the wait started.
    pub(super) fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// Records `status` as job `id`'s latest, telling the callback (and
    /// the log) when it differs from `last`.
    pub(super) fn report(
        &self,
        kind: &'static str,
        id: &str,
        last: &mut Option<String>,
        status: &str,
    ) {
        if last.as_deref() == Some(status) {
            return;
        }
        tracing::debug!(kind, id, status, "job status");
        if let Some(callback) = &self.options.on_status {
            callback(&StatusChange {
                kind,
                id: id.to_string(),
                status: status.to_string(),
                previous: last.clone(),
                elapsed: self.elapsed(),
            });
        }
        *last = Some(status.to_string());
    }
}

/// When to poll next, and whether that is the last poll: after `delay`,
/// or, if that would be past the deadline, a last poll just before it.
/// `None` once the deadline has passed.
fn next_poll(now: Instant, delay: Duration, deadline: Option<Instant>) -> Option<(Instant, bool)> {
    let due = now.checked_add(delay);
    let Some(deadline) = deadline else {
        // No deadline: a delay past the clock's range is as good as never;
        // a year stands for it.
        let year = Duration::from_secs(365 * 24 * 3600);
        return Some((due.unwrap_or_else(|| now + year), false));
    };
    if now >= deadline {
        return None;
    }
    match due {
        Some(due) if due < deadline => Some((due, false)),
        _ => {
            let lead = LAST_POLL_LEAD.min(deadline - now) / 2;
            Some((deadline.checked_sub(lead).unwrap_or(now).max(now), true))
        }
    }
}
