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

use std::fmt;
use std::future::IntoFuture;
use std::sync::Arc;
use std::time::Duration;

use heygen_api::hooks::BoxFuture;
use heygen_api::{open_enums, types};
use tokio::time::Instant;

use crate::data::SendData as _;
use crate::{Client, Error};

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

/// Where a job stands, read from its resource.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    /// Still going.
    Running,
    /// Done: hand the resource back.
    Finished,
    /// Ended in failure.
    Failed {
        code: Option<String>,
        message: Option<String>,
    },
}

type Fetch<T> = for<'c> fn(&'c Client, String) -> BoxFuture<'c, Result<T, Error>>;

/// What a waiter knows about one kind of job.
struct JobKind<T> {
    name: &'static str,
    fetch: Fetch<T>,
    /// The status as HeyGen spells it, and what it means.
    read: fn(&T) -> (String, Outcome),
}

/// A pending wait for one job; `.await` it. Made by `Client::wait_for_*`;
/// adjust with [`options`](Self::options) or the single-setting methods.
#[must_use = "a Wait does nothing until awaited"]
pub struct Wait<'a, T> {
    client: &'a Client,
    id: String,
    options: WaitOptions,
    kind: JobKind<T>,
}

impl<T> fmt::Debug for Wait<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wait")
            .field("kind", &self.kind.name)
            .field("id", &self.id)
            .field("options", &self.options)
            .finish()
    }
}

impl<'a, T: Send + 'a> Wait<'a, T> {
    fn new(client: &'a Client, id: impl Into<String>, kind: JobKind<T>) -> Self {
        Self {
            client,
            id: id.into(),
            options: WaitOptions::default(),
            kind,
        }
    }

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
    pub fn on_status(mut self, callback: impl Fn(&StatusChange) + Send + Sync + 'static) -> Self {
        self.options.on_status = Some(Arc::new(callback));
        self
    }

    async fn run(self) -> Result<T, Error> {
        let Wait {
            client,
            id,
            options,
            kind,
        } = self;
        if id.trim().is_empty() {
            return Err(Error::InvalidRequest {
                message: format!("waiting for a {}: the id is empty", kind.name),
            });
        }
        if options.max_delay.is_zero() {
            return Err(Error::InvalidRequest {
                message: "WaitOptions::max_delay must be above zero (it would poll in a busy loop)"
                    .into(),
            });
        }
        let started = Instant::now();
        // A timeout past what the clock can hold is no deadline at all.
        let deadline = started.checked_add(options.timeout);
        let mut base = options.initial_delay.min(options.max_delay);
        let mut delay = base;
        let mut last: Option<String> = None;
        let mut polled_last = false;
        loop {
            let next = next_poll(Instant::now(), delay, deadline).filter(|_| !polled_last);
            let Some((poll_at, is_last)) = next else {
                // The wait lasts its whole budget: a caller that gave it 20
                // minutes is told "20 minutes", not a moment less.
                if let Some(deadline) = deadline {
                    tokio::time::sleep_until(deadline).await;
                }
                return Err(Error::WaitTimeout {
                    kind: kind.name,
                    id,
                    waited: started.elapsed(),
                    last_status: last,
                });
            };
            polled_last = is_last;
            tokio::time::sleep_until(poll_at).await;
            // The poll's own call ends by the wait's deadline too.
            let polled = crate::transport::within(deadline, (kind.fetch)(client, id.clone())).await;
            (base, delay) = options.next_delay(base);
            match polled {
                Ok(resource) => {
                    let (status, outcome) = (kind.read)(&resource);
                    if last.as_deref() != Some(status.as_str()) {
                        tracing::debug!(kind = kind.name, id = %id, status = %status, "job status");
                        if let Some(callback) = &options.on_status {
                            callback(&StatusChange {
                                kind: kind.name,
                                id: id.clone(),
                                status: status.clone(),
                                previous: last.clone(),
                                elapsed: started.elapsed(),
                            });
                        }
                        last = Some(status);
                    }
                    match outcome {
                        Outcome::Finished => return Ok(resource),
                        Outcome::Failed { code, message } => {
                            return Err(Error::JobFailed {
                                kind: kind.name,
                                id,
                                code,
                                message,
                            });
                        }
                        Outcome::Running => {}
                    }
                }
                Err(e) if e.is_retryable() => {
                    // HeyGen asked for a pause: the next poll waits at
                    // least that long.
                    if let Some(wait) = e.retry_after() {
                        delay = delay.max(wait);
                    }
                    tracing::warn!(kind = kind.name, id = %id, error = %e, "polling failed; will poll again");
                }
                Err(e) => return Err(e),
            }
        }
    }
}

/// How much of the budget the last poll keeps for itself: a poll due after
/// the deadline is moved this far before it, so the wait still sees the
/// job's last status, and ends on time.
const LAST_POLL_LEAD: Duration = Duration::from_secs(1);

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

impl<'a, T: Send + 'a> IntoFuture for Wait<'a, T> {
    type Output = Result<T, Error>;
    type IntoFuture = BoxFuture<'a, Result<T, Error>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}

fn video() -> JobKind<types::Video> {
    JobKind {
        name: "video",
        fetch: |c, id| Box::pin(async move { c.get_video().video_id(id).data().await }),
        read: |v| {
            let outcome = match v.status {
                open_enums::VideoStatus::Completed => Outcome::Finished,
                open_enums::VideoStatus::Failed => Outcome::Failed {
                    code: v.failure_code.clone(),
                    message: v.failure_message.clone(),
                },
                _ => Outcome::Running,
            };
            (v.status.to_string(), outcome)
        },
    }
}

fn video_agent_session() -> JobKind<types::VideoAgentSession> {
    JobKind {
        name: "video agent session",
        fetch: |c, id| {
            Box::pin(async move { c.get_video_agent_session().session_id(id).data().await })
        },
        read: |s| {
            use open_enums::VideoAgentSessionStatus as S;
            let outcome = match s.status {
                // The chat-mode pauses wait on the caller, not on HeyGen:
                // hand the session back so the caller can answer.
                S::Completed | S::WaitingForInput | S::Reviewing => Outcome::Finished,
                S::Failed => Outcome::Failed {
                    code: None,
                    // The session has no failure fields; its last error
                    // message says what went wrong.
                    message: s
                        .messages
                        .iter()
                        .rev()
                        .find(|m| matches!(m.type_, open_enums::VideoAgentMessageType::Error))
                        .map(|m| m.content.clone()),
                },
                _ => Outcome::Running,
            };
            (s.status.to_string(), outcome)
        },
    }
}

fn video_translation() -> JobKind<types::VideoTranslation> {
    JobKind {
        name: "video translation",
        fetch: |c, id| {
            Box::pin(async move {
                c.get_video_translation()
                    .video_translation_id(id)
                    .data()
                    .await
            })
        },
        read: |t| {
            use open_enums::VideoTranslationStatus as S;
            let outcome = match t.status {
                S::Completed => Outcome::Finished,
                S::Failed => failed(None, t.failure_message.as_ref()),
                _ => Outcome::Running,
            };
            (t.status.to_string(), outcome)
        },
    }
}

fn lipsync() -> JobKind<types::Lipsync> {
    JobKind {
        name: "lipsync",
        fetch: |c, id| Box::pin(async move { c.get_lipsync().lipsync_id(id).data().await }),
        read: |l| {
            use open_enums::LipsyncStatus as S;
            let outcome = match l.status {
                S::Completed => Outcome::Finished,
                S::Failed => failed(None, l.failure_message.as_ref()),
                _ => Outcome::Running,
            };
            (l.status.to_string(), outcome)
        },
    }
}

fn proofread() -> JobKind<types::Proofread> {
    JobKind {
        name: "proofread",
        fetch: |c, id| {
            Box::pin(async move { c.get_proofread_session().proofread_id(id).data().await })
        },
        read: |p| {
            use open_enums::ProofreadStatus as S;
            let outcome = match p.status {
                S::Completed => Outcome::Finished,
                S::Failed => failed(None, p.failure_message.as_ref()),
                _ => Outcome::Running,
            };
            (p.status.to_string(), outcome)
        },
    }
}

fn background_removal() -> JobKind<types::BackgroundRemoval> {
    JobKind {
        name: "background removal",
        fetch: |c, id| Box::pin(async move { c.get_background_removal().job_id(id).data().await }),
        // The spec gives no enum here; its description lists pending,
        // processing, completed, failed and deleted.
        read: |b| {
            let outcome = match b.status.as_str() {
                "completed" => Outcome::Finished,
                "failed" => failed(None, b.error.as_ref()),
                "deleted" => Outcome::Failed {
                    code: Some("deleted".into()),
                    message: Some("the background removal was deleted".into()),
                },
                _ => Outcome::Running,
            };
            (b.status.clone(), outcome)
        },
    }
}

fn ai_clipping() -> JobKind<types::AiClipping> {
    JobKind {
        name: "AI clipping",
        fetch: |c, id| Box::pin(async move { c.get_ai_clipping().job_id(id).data().await }),
        read: |j| {
            use open_enums::AiClippingStatus as S;
            let outcome = match j.status {
                S::Completed => Outcome::Finished,
                S::Failed => failed(None, j.failure_message.as_ref()),
                S::Cancelled => Outcome::Failed {
                    code: Some("cancelled".into()),
                    message: j
                        .failure_message
                        .clone()
                        .or_else(|| Some("the AI clipping job was cancelled".into())),
                },
                _ => Outcome::Running,
            };
            (j.status.to_string(), outcome)
        },
    }
}

fn voice() -> JobKind<types::VoiceDetail> {
    JobKind {
        name: "voice",
        fetch: |c, id| Box::pin(async move { c.get_voice().voice_id(id).data().await }),
        read: |v| {
            use open_enums::VoiceStatus as S;
            let outcome = match &v.status {
                // Voices end in `complete`, not `completed`; a voice
                // without a status (a stock voice) is ready.
                None | Some(S::Complete) => Outcome::Finished,
                Some(S::Failed) => failed(None, v.failure_message.as_ref()),
                Some(_) => Outcome::Running,
            };
            let status = v
                .status
                .as_ref()
                .map(|s| s.to_string())
                .unwrap_or_else(|| "complete".into());
            (status, outcome)
        },
    }
}

/// Avatars pause in `pending_consent` until the owner consents; like the
/// agent's chat pauses, that waits on the caller, so the avatar is handed
/// back.
fn avatar_outcome(
    status: Option<&open_enums::AvatarStatus>,
    error: Option<&types::AvatarError>,
) -> (String, Outcome) {
    use open_enums::AvatarStatus as S;
    let outcome = match status {
        None | Some(S::Completed) | Some(S::PendingConsent) => Outcome::Finished,
        Some(S::Failed) => Outcome::Failed {
            code: error.map(|e| e.code.clone()),
            message: error.map(|e| e.message.clone()),
        },
        Some(_) => Outcome::Running,
    };
    let status = status
        .map(|s| s.to_string())
        .unwrap_or_else(|| "completed".into());
    (status, outcome)
}

fn avatar_group() -> JobKind<types::AvatarGroup> {
    JobKind {
        name: "avatar group",
        fetch: |c, id| Box::pin(async move { c.get_avatar_group().group_id(id).data().await }),
        read: |g| avatar_outcome(g.status.as_ref(), g.error.as_ref()),
    }
}

fn avatar_look() -> JobKind<types::AvatarLook> {
    JobKind {
        name: "avatar look",
        fetch: |c, id| Box::pin(async move { c.get_avatar_look().look_id(id).data().await }),
        read: |l| avatar_outcome(l.status.as_ref(), l.error.as_ref()),
    }
}

fn failed(code: Option<&String>, message: Option<&String>) -> Outcome {
    Outcome::Failed {
        code: code.cloned(),
        message: message.cloned(),
    }
}

/// Waiting for jobs. Each method polls the job's `GET` endpoint; see the
/// [`wait`](crate::wait) module for the rules.
impl Client {
    /// Waits for a video (`POST /v3/videos`, a template or an agent
    /// session's video) to be `completed`; returns it with its `video_url`.
    pub fn wait_for_video(&self, video_id: impl Into<String>) -> Wait<'_, types::Video> {
        Wait::new(self, video_id, video())
    }

    /// Waits for a video agent session to be `completed`, or to pause for
    /// you (`waiting_for_input`, `reviewing`: chat mode): check `status`
    /// on what it returns. A failed session's error message is the
    /// failure message.
    pub fn wait_for_video_agent_session(
        &self,
        session_id: impl Into<String>,
    ) -> Wait<'_, types::VideoAgentSession> {
        Wait::new(self, session_id, video_agent_session())
    }

    /// Waits for one video translation (one output language) to be
    /// `completed`.
    pub fn wait_for_video_translation(
        &self,
        video_translation_id: impl Into<String>,
    ) -> Wait<'_, types::VideoTranslation> {
        Wait::new(self, video_translation_id, video_translation())
    }

    /// Waits for a lipsync to be `completed`.
    pub fn wait_for_lipsync(&self, lipsync_id: impl Into<String>) -> Wait<'_, types::Lipsync> {
        Wait::new(self, lipsync_id, lipsync())
    }

    /// Waits for a translation proofread session to be `completed`.
    pub fn wait_for_proofread(
        &self,
        proofread_id: impl Into<String>,
    ) -> Wait<'_, types::Proofread> {
        Wait::new(self, proofread_id, proofread())
    }

    /// Waits for a background removal to be `completed` (`failed` and
    /// `deleted` end it with [`Error::JobFailed`]).
    pub fn wait_for_background_removal(
        &self,
        job_id: impl Into<String>,
    ) -> Wait<'_, types::BackgroundRemoval> {
        Wait::new(self, job_id, background_removal())
    }

    /// Waits for an AI clipping job to be `completed` (`failed` and
    /// `cancelled` end it with [`Error::JobFailed`]).
    pub fn wait_for_ai_clipping(&self, job_id: impl Into<String>) -> Wait<'_, types::AiClipping> {
        Wait::new(self, job_id, ai_clipping())
    }

    /// Waits for a designed or cloned voice to be `complete` (voices say
    /// `complete`, not `completed`).
    pub fn wait_for_voice(&self, voice_id: impl Into<String>) -> Wait<'_, types::VoiceDetail> {
        Wait::new(self, voice_id, voice())
    }

    /// Waits for an avatar group to be `completed`, or `pending_consent`
    /// (it then waits on the owner's consent, not on HeyGen).
    pub fn wait_for_avatar_group(
        &self,
        group_id: impl Into<String>,
    ) -> Wait<'_, types::AvatarGroup> {
        Wait::new(self, group_id, avatar_group())
    }

    /// Waits for an avatar look to be `completed`, or `pending_consent`.
    pub fn wait_for_avatar_look(&self, look_id: impl Into<String>) -> Wait<'_, types::AvatarLook> {
        Wait::new(self, look_id, avatar_look())
    }
}
