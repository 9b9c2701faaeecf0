//! Waiting for HeyGen's long-running jobs: poll until a job reaches a final
//! status, without polling too early, too often or forever.
//!
//! Every waiter (`Client::wait_for_video`, `wait_for_lipsync`, ...) returns a
//! [`Wait`], a future that resolves to the job's final resource:
//!
//! - success (`completed`; `complete` for voices): `Ok(resource)`;
//! - failure: [`Error::JobFailed`] with the job's failure code and message;
//! - the job no longer exists: [`Error::NotFound`] at once (a deleted job
//!   never finishes);
//! - the time budget ran out: [`Error::WaitTimeout`] with the last status
//!   seen. The job may still finish: poll it again later rather than
//!   creating it again (that would render, and bill, twice).
//!
//! Polling starts after [`WaitOptions::initial_delay`] (a job is never done
//! the moment it is created), then backs off exponentially with jitter up to
//! [`WaitOptions::max_delay`]. A poll that fails with a retryable error (a
//! 5xx or connection fault that outlived the client's own retries) does not
//! end the wait; any other error does. Sleeps use tokio's clock, so tests
//! under `#[tokio::test(start_paused = true)]` run instantly.
//!
//! Beyond one job:
//!
//! - [`Client::wait_for_agent_video`] follows a video agent session to the
//!   video it makes (its `video_id`), then that video to its end, within
//!   one budget.
//! - [`Client::wait_for_videos`], `wait_for_video_translations`,
//!   `wait_for_lipsyncs` and `wait_for_assets` wait for many jobs of one
//!   kind through HeyGen's bulk status endpoints, one request per poll for
//!   up to [`MAX_IDS_PER_REQUEST`] ids; `wait_for_video_batch` and its
//!   siblings follow a batch's items. Each returns a [`WaitMany`]: a
//!   [`Stream`](futures::Stream) of [`FinishedJob`]s as they finish
//!   ([`WaitMany::stream`]), or all of them at once (`.await`). The
//!   `video_translation_ids` of a translation into several languages are
//!   waited for this way. On the same schedule as a single waiter; the
//!   budget spent, [`Error::BulkWaitTimeout`] names the jobs still pending.

use std::fmt;
use std::future::IntoFuture;
use std::sync::Arc;
use std::time::Duration;

use heygen_api::hooks::BoxFuture;
use heygen_api::types;

use crate::{Client, Error};
use kinds::{JobKind, Outcome};
use schedule::Schedule;

/// Sets the [`WaitOptions`] of a waiter's builder, one by one or all at
/// once: every waiter takes the same settings, written once here.
macro_rules! wait_settings {
    ($builder:ident) => {
        impl<T> $builder<'_, T> {
            /// Replaces all options.
            pub fn options(mut self, options: WaitOptions) -> Self {
                self.options = options;
                self
            }

            /// Sets [`WaitOptions::timeout`].
            pub fn timeout(mut self, timeout: Duration) -> Self {
                self.options.timeout = timeout;
                self
            }

            /// Sets [`WaitOptions::initial_delay`].
            pub fn initial_delay(mut self, delay: Duration) -> Self {
                self.options.initial_delay = delay;
                self
            }

            /// Sets [`WaitOptions::max_delay`].
            pub fn max_delay(mut self, delay: Duration) -> Self {
                self.options.max_delay = delay;
                self
            }

            /// Sets [`WaitOptions::on_status`].
            pub fn on_status(
                mut self,
                callback: impl Fn(&StatusChange) + Send + Sync + 'static,
            ) -> Self {
                self.options.on_status = Some(Arc::new(callback));
                self
            }
        }
    };
}

mod agent;
mod kinds;
mod many;
mod rounds;
mod schedule;

pub use agent::AgentSession;
pub use many::{FinishedJob, FinishedJobs, MAX_IDS_PER_REQUEST, WaitMany};

/// The shortest delay between polls after the first (unless
/// [`WaitOptions::max_delay`] is shorter).
pub const MIN_POLL_INTERVAL: Duration = Duration::from_millis(500);

/// Called with each status change a waiter sees.
pub type StatusCallback = Arc<dyn Fn(&StatusChange) + Send + Sync>;

/// A job's status changed (or was seen for the first time).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StatusChange {
    /// What kind of job (`video`, `lipsync`, ...).
    pub kind: &'static str,
    /// The job's id.
    pub id: String,
    /// The status now, as HeyGen spells it.
    pub status: String,
    /// The status before, `None` on the first poll.
    pub previous: Option<String>,
    /// Time since the wait started.
    pub elapsed: Duration,
}

/// How a waiter polls. `WaitOptions::default()` suits real renders; every
/// field is public, so `WaitOptions { timeout, ..Default::default() }` works.
#[derive(Clone)]
pub struct WaitOptions {
    /// Delay before the first poll (default 2 s).
    pub initial_delay: Duration,
    /// Longest delay between polls (default 30 s). Delays double from
    /// `initial_delay` up to this cap, each spread by ±25 % so that many
    /// waiters started together do not poll in lockstep.
    pub max_delay: Duration,
    /// The whole wait's budget (default 20 min); then
    /// [`Error::WaitTimeout`].
    pub timeout: Duration,
    /// Called on every status change, including the first status seen.
    pub on_status: Option<StatusCallback>,
}

impl Default for WaitOptions {
    fn default() -> Self {
        Self {
            initial_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(30),
            timeout: Duration::from_secs(20 * 60),
            on_status: None,
        }
    }
}

impl fmt::Debug for WaitOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitOptions")
            .field("initial_delay", &self.initial_delay)
            .field("max_delay", &self.max_delay)
            .field("timeout", &self.timeout)
            .field("on_status", &self.on_status.as_ref().map(|_| "callback"))
            .finish()
    }
}

impl WaitOptions {
    /// Sets [`on_status`](Self::on_status).
    pub fn on_status(mut self, callback: impl Fn(&StatusChange) + Send + Sync + 'static) -> Self {
        self.on_status = Some(Arc::new(callback));
        self
    }

    /// The delay after a poll whose delay was `base` (before jitter): the
    /// next base, and the jittered delay to sleep. Delays double, and never
    /// stay below [`MIN_POLL_INTERVAL`] (unless `max_delay` is below it):
    /// an `initial_delay` of zero polls at once, then backs off.
    fn next_delay(&self, base: Duration) -> (Duration, Duration) {
        let next = base
            .saturating_mul(2)
            .max(MIN_POLL_INTERVAL)
            .min(self.max_delay);
        (next, self.jittered(next))
    }

    fn jittered(&self, base: Duration) -> Duration {
        let factor = 0.75 + 0.5 * fastrand::f64();
        let delay = base.mul_f64(factor);
        if delay <= self.max_delay {
            return delay;
        }
        // Clipping to the cap would put every waiter that reached it on the
        // same 30 s beat; below the cap, they stay spread.
        self.max_delay.mul_f64(0.75 + 0.25 * fastrand::f64())
    }
}

/// What a [`Wait`] runs once awaited: the id and options in, the result
/// out. A closure, so that a wait in stages (the agent's video) is the
/// same `Wait` as one that polls a single job.
type Run<'a, T> = Box<
    dyn FnOnce(&'a Client, String, WaitOptions) -> BoxFuture<'a, Result<T, Error>>
        + Send
        + Sync
        + 'a,
>;

/// A pending wait for one job; `.await` it. Made by `Client::wait_for_*`;
/// adjust with [`options`](Self::options) or the single-setting methods.
#[must_use = "a Wait does nothing until awaited"]
pub struct Wait<'a, T> {
    client: &'a Client,
    id: String,
    options: WaitOptions,
    kind: &'static str,
    run: Run<'a, T>,
}

impl<T> fmt::Debug for Wait<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wait")
            .field("kind", &self.kind)
            .field("id", &self.id)
            .field("options", &self.options)
            .finish()
    }
}

wait_settings!(Wait);

impl<'a, T: Send + 'a> Wait<'a, T> {
    /// A wait that polls one job of `kind`.
    fn new(client: &'a Client, id: impl Into<String>, kind: JobKind<T>) -> Self {
        let name = kind.name;
        Self::staged(client, id, name, move |client, id, options| {
            Box::pin(async move {
                let mut schedule = Schedule::start(options)?;
                follow(client, &kind, &id, &mut schedule, |resource, outcome| {
                    outcome.settle(kind.name, &id, resource)
                })
                .await
            })
        })
    }

    /// A wait that runs `run` (checked for an empty id first).
    fn staged(
        client: &'a Client,
        id: impl Into<String>,
        kind: &'static str,
        run: impl FnOnce(&'a Client, String, WaitOptions) -> BoxFuture<'a, Result<T, Error>>
        + Send
        + Sync
        + 'a,
    ) -> Self {
        Self {
            client,
            id: id.into(),
            options: WaitOptions::default(),
            kind,
            run: Box::new(run),
        }
    }
}

impl<'a, T: Send + 'a> IntoFuture for Wait<'a, T> {
    type Output = Result<T, Error>;
    type IntoFuture = BoxFuture<'a, Result<T, Error>>;

    fn into_future(self) -> Self::IntoFuture {
        let Wait {
            client,
            id,
            options,
            kind,
            run,
        } = self;
        if id.trim().is_empty() {
            let message = format!("waiting for a {kind}: the id is empty");
            return Box::pin(async move { Err(Error::invalid(message)) });
        }
        run(client, id, options)
    }
}

/// Polls job `id` of `kind` on `schedule` until `settle` makes something
/// of what it reads: the resource and what its status means. A poll that
/// fails with a retryable error (a 5xx or connection fault that outlived
/// the client's own retries, a 429) does not end the wait; any other
/// error does. The budget spent, [`Error::WaitTimeout`] with the last
/// status seen.
async fn follow<T, R>(
    client: &Client,
    kind: &JobKind<T>,
    id: &str,
    schedule: &mut Schedule,
    mut settle: impl FnMut(T, Outcome) -> Option<Result<R, Error>>,
) -> Result<R, Error> {
    let mut last: Option<String> = None;
    while schedule.tick().await {
        // The poll's own call ends by the wait's deadline too.
        let polled =
            crate::transport::within(schedule.deadline(), (kind.fetch)(client, id.to_string()))
                .await;
        match polled {
            Ok(resource) => {
                schedule.polled(None);
                let (status, outcome) = (kind.read)(&resource);
                schedule.report(kind.name, id, &mut last, &status);
                if let Some(settled) = settle(resource, outcome) {
                    return settled;
                }
            }
            Err(e) if e.is_retryable() => {
                // HeyGen asked for a pause: the next poll waits at least
                // that long.
                schedule.polled(e.retry_after());
                tracing::warn!(kind = kind.name, id, error = %e, "polling failed; will poll again");
            }
            Err(e) => return Err(e),
        }
    }
    Err(Error::WaitTimeout {
        kind: kind.name,
        id: id.to_string(),
        waited: schedule.elapsed(),
        last_status: last,
    })
}

/// Waiting for jobs. Each method polls the job's `GET` endpoint; see the
/// [`wait`](crate::wait) module for the rules.
impl Client {
    /// Waits for a video (`POST /v3/videos`, a template or an agent
    /// session's video) to be `completed`; returns it with its `video_url`.
    pub fn wait_for_video(&self, video_id: impl Into<String>) -> Wait<'_, types::Video> {
        Wait::new(self, video_id, kinds::video())
    }

    /// Waits for a video agent session to be `completed`, or to pause for
    /// you (`waiting_for_input`, `reviewing`: chat mode): check `status`
    /// on what it returns. A failed session's error message is the
    /// failure message.
    pub fn wait_for_video_agent_session(
        &self,
        session_id: impl Into<String>,
    ) -> Wait<'_, types::VideoAgentSession> {
        Wait::new(self, session_id, kinds::video_agent_session())
    }

    /// Waits for one video translation (one output language) to be
    /// `completed`.
    pub fn wait_for_video_translation(
        &self,
        video_translation_id: impl Into<String>,
    ) -> Wait<'_, types::VideoTranslation> {
        Wait::new(self, video_translation_id, kinds::video_translation())
    }

    /// Waits for a lipsync to be `completed`.
    pub fn wait_for_lipsync(&self, lipsync_id: impl Into<String>) -> Wait<'_, types::Lipsync> {
        Wait::new(self, lipsync_id, kinds::lipsync())
    }

    /// Waits for a translation proofread session to be `completed`.
    pub fn wait_for_proofread(
        &self,
        proofread_id: impl Into<String>,
    ) -> Wait<'_, types::Proofread> {
        Wait::new(self, proofread_id, kinds::proofread())
    }

    /// Waits for a background removal to be `completed` (`failed` and
    /// `deleted` end it with [`Error::JobFailed`]).
    pub fn wait_for_background_removal(
        &self,
        job_id: impl Into<String>,
    ) -> Wait<'_, types::BackgroundRemoval> {
        Wait::new(self, job_id, kinds::background_removal())
    }

    /// Waits for an AI clipping job to be `completed` (`failed` and
    /// `cancelled` end it with [`Error::JobFailed`]).
    pub fn wait_for_ai_clipping(&self, job_id: impl Into<String>) -> Wait<'_, types::AiClipping> {
        Wait::new(self, job_id, kinds::ai_clipping())
    }

    /// Waits for a designed or cloned voice to be `complete` (voices say
    /// `complete`, not `completed`).
    pub fn wait_for_voice(&self, voice_id: impl Into<String>) -> Wait<'_, types::VoiceDetail> {
        Wait::new(self, voice_id, kinds::voice())
    }

    /// Waits for an avatar group to be `completed`, or `pending_consent`
    /// (it then waits on the owner's consent, not on HeyGen).
    pub fn wait_for_avatar_group(
        &self,
        group_id: impl Into<String>,
    ) -> Wait<'_, types::AvatarGroup> {
        Wait::new(self, group_id, kinds::avatar_group())
    }

    /// Waits for an avatar look to be `completed`, or `pending_consent`.
    pub fn wait_for_avatar_look(&self, look_id: impl Into<String>) -> Wait<'_, types::AvatarLook> {
        Wait::new(self, look_id, kinds::avatar_look())
    }
}
