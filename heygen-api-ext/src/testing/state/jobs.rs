//! Jobs: what HeyGen renders over time (videos, lipsyncs, translations,
//! agent sessions, proofreads, background removals, AI clippings), each on
//! a [`Timeline`] that moves it from queued to running to done.

use std::time::Duration;

use serde_json::{Value, json};
use tokio::time::Instant;

use super::State;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum JobKind {
    Video,
    Lipsync,
    Translation,
    Session,
    Proofread,
    BackgroundRemoval,
    Clipping,
}

impl JobKind {
    /// Status names for queued, running, done and failed, as each
    /// resource's schema spells them.
    fn statuses(self) -> [&'static str; 4] {
        match self {
            JobKind::Video | JobKind::BackgroundRemoval => {
                ["pending", "processing", "completed", "failed"]
            }
            JobKind::Lipsync | JobKind::Translation | JobKind::Clipping => {
                ["pending", "running", "completed", "failed"]
            }
            JobKind::Session => ["thinking", "generating", "completed", "failed"],
            JobKind::Proofread => ["processing", "processing", "completed", "failed"],
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            JobKind::Video => "vid",
            JobKind::Lipsync => "ls",
            JobKind::Translation => "vt",
            JobKind::Session => "sess",
            JobKind::Proofread => "pr",
            JobKind::BackgroundRemoval => "br",
            JobKind::Clipping => "clip",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
    Queued,
    Running,
    Done,
}

/// When something started and how long it takes: the first third of the
/// duration is spent queued, the rest running.
#[derive(Debug, Clone)]
pub(super) struct Timeline {
    pub start: Instant,
    pub duration: Duration,
    /// Seeded items finished before the fake started.
    pub seeded: bool,
}

impl Timeline {
    pub(super) fn phase(&self, now: Instant) -> Phase {
        if self.seeded {
            return Phase::Done;
        }
        let elapsed = now.saturating_duration_since(self.start);
        if elapsed >= self.duration {
            Phase::Done
        } else if elapsed >= self.duration / 3 {
            Phase::Running
        } else {
            Phase::Queued
        }
    }

    pub(super) fn done(&self, now: Instant) -> bool {
        self.phase(now) == Phase::Done
    }

    pub(super) fn end(&self) -> Instant {
        self.start + self.duration
    }

    /// Ends it now (a stopped session).
    pub(super) fn finish(&mut self, now: Instant) {
        self.duration = now.saturating_duration_since(self.start);
    }
}

#[derive(Debug, Clone)]
pub(super) struct Job {
    pub id: String,
    pub kind: JobKind,
    pub seq: u64,
    pub created_unix: i64,
    pub time: Timeline,
    pub failure: Option<(String, String)>,
    pub title: Option<String>,
    pub callback_id: Option<String>,
    pub input_language: Option<String>,
    pub output_language: Option<String>,
    pub folder_id: Option<String>,
    /// What made it: a video's agent session, a translation's proofread.
    pub parent: Option<String>,
    /// A session's latest video.
    pub video_id: Option<String>,
    /// A session's chat, oldest first.
    pub messages: Vec<Value>,
    /// What only one kind keeps (a clipping's output settings, the layers
    /// a background removal was asked for).
    pub extra: Value,
    pub deleted: bool,
}

impl Job {
    pub(super) fn phase(&self, now: Instant) -> Phase {
        self.time.phase(now)
    }

    pub(super) fn status(&self, now: Instant) -> &'static str {
        let [queued, running, done, failed] = self.kind.statuses();
        match self.phase(now) {
            Phase::Queued => queued,
            Phase::Running => running,
            Phase::Done if self.failure.is_some() => failed,
            Phase::Done => done,
        }
    }

    /// Finished without failing.
    pub(super) fn succeeded(&self, now: Instant) -> bool {
        self.phase(now) == Phase::Done && self.failure.is_none()
    }

    /// Its failure message, once it has failed.
    pub(super) fn failure_message(&self, now: Instant) -> Option<String> {
        match (&self.failure, self.phase(now)) {
            (Some((_, m)), Phase::Done) => Some(m.clone()),
            _ => None,
        }
    }

    /// The free-form `error` object of bulk and batch items.
    pub(super) fn error_json(&self, now: Instant) -> Value {
        match (&self.failure, self.phase(now)) {
            (Some((code, message)), Phase::Done) => json!({"code": code, "message": message}),
            _ => Value::Null,
        }
    }

    /// A batch item's status.
    pub(super) fn item_status(&self, now: Instant) -> &'static str {
        match self.phase(now) {
            Phase::Queued => "queued",
            Phase::Running => "processing",
            Phase::Done if self.failure.is_some() => "failed",
            Phase::Done => "completed",
        }
    }
}

impl State {
    /// A new job of `kind`, started now (or finished already, `seeded`).
    pub(super) fn new_job(&mut self, kind: JobKind, seeded: bool) -> &mut Job {
        let id = self.id(kind.prefix());
        let seq = self.next_id;
        let now = Instant::now();
        let job = Job {
            id,
            kind,
            seq,
            created_unix: self.unix(now),
            time: Timeline {
                start: now,
                duration: self.job_duration,
                seeded,
            },
            failure: None,
            title: None,
            callback_id: None,
            input_language: None,
            output_language: None,
            folder_id: None,
            parent: None,
            video_id: None,
            messages: Vec::new(),
            extra: Value::Null,
            deleted: false,
        };
        self.jobs.push(job);
        let last = self.jobs.len() - 1;
        &mut self.jobs[last]
    }

    pub(super) fn job(&self, kind: JobKind, id: &str) -> Option<&Job> {
        self.jobs
            .iter()
            .find(|j| j.kind == kind && j.id == id && !j.deleted)
    }

    pub(super) fn job_mut(&mut self, kind: JobKind, id: &str) -> Option<&mut Job> {
        self.jobs
            .iter_mut()
            .find(|j| j.kind == kind && j.id == id && !j.deleted)
    }

    /// Jobs of `kind` that are not deleted, newest first.
    pub(super) fn newest(&self, kind: JobKind) -> Vec<&Job> {
        let mut jobs: Vec<&Job> = self
            .jobs
            .iter()
            .filter(|j| j.kind == kind && !j.deleted)
            .collect();
        jobs.sort_by_key(|j| std::cmp::Reverse(j.seq));
        jobs
    }

    /// Marks a job deleted; `None` when there is no such job.
    pub(super) fn delete_job(&mut self, kind: JobKind, id: &str) -> Option<()> {
        self.job_mut(kind, id)?.deleted = true;
        Some(())
    }

    /// Makes a job (or asset, voice, avatar) end in failure. A session
    /// fails through its video, and the other way round.
    pub(in crate::testing) fn fail_job(&mut self, id: &str, code: &str, message: &str) -> bool {
        let failure = Some((code.to_string(), message.to_string()));
        if let Some(job) = self.jobs.iter_mut().find(|j| j.id == id) {
            job.failure = failure.clone();
            let linked = job.video_id.clone();
            if let Some(video) = linked.and_then(|v| self.jobs.iter_mut().find(|j| j.id == v)) {
                video.failure = failure;
            }
            return true;
        }
        self.fail_other(id, failure)
    }
}
