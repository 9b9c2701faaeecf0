//! Video agent sessions: each makes a video (its `video_id`), a revision
//! asked for by message makes another; sessions list newest first.

use serde_json::{Value, json};
use tokio::time::Instant;

use super::State;
use super::jobs::{Job, JobKind, Phase};
use super::request::{Call, Reply, data, page_of, whole};
use super::router::Handler;
use super::videos::video_json;

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("listVideoAgentSessions", list),
    ("createVideoAgentSession", create),
    ("getVideoAgentSession", get),
    ("sendMessageOrRequestRevision", send_message),
    ("stopVideoAgentSession", stop),
    ("listSessionVideos", list_videos),
    ("getSessionResource", get_resource),
];

/// `count` finished sessions, an hour apart, the oldest first.
pub(super) fn seed(state: &mut State, count: usize) {
    let now = state.unix_now();
    for i in 0..count {
        let created = now - ((count - i) as i64) * 3600;
        let prompt = format!("A short explainer, take {}", i + 1);
        let video = state.new_job(JobKind::Video, true);
        video.created_unix = created;
        video.title = Some(format!("Sample video {}", i + 1));
        let video_id = video.id.clone();
        let session = state.new_job(JobKind::Session, true);
        session.created_unix = created;
        session.title = Some(format!("Sample session {}", i + 1));
        session.messages = vec![user_message(&prompt, created)];
        session.video_id = Some(video_id.clone());
        let session_id = session.id.clone();
        if let Some(video) = state.job_mut(JobKind::Video, &video_id) {
            video.parent = Some(session_id);
        }
    }
}

fn user_message(content: &str, at: i64) -> Value {
    json!({"role": "user", "type": "text", "content": content, "created_at": at})
}

fn list(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let sessions: Vec<Job> = state
        .newest(JobKind::Session)
        .into_iter()
        .cloned()
        .collect();
    page_of(
        call,
        sessions,
        20,
        |s| json!({"session_id": s.id, "title": s.title, "created_at": s.created_unix}),
    )
}

fn create(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let body: heygen_api::types::CreateVideoAgentSessionRequest = call.typed()?;
    if body.prompt.trim().is_empty() {
        return Err(Reply::invalid("prompt", "prompt must not be empty"));
    }
    let title: String = body.prompt.chars().take(40).collect();
    let now = state.unix_now();
    let session = state.new_job(JobKind::Session, false);
    session.title = Some(title.clone());
    session.messages = vec![user_message(&body.prompt, now)];
    session.callback_id = body.callback_id.clone();
    let session_id = session.id.clone();
    let created_at = session.created_unix;
    let video_id = state.revision(&session_id, Some(title), body.callback_id);
    Ok(data(json!({
        "session_id": session_id,
        "status": "thinking",
        "video_id": video_id,
        "created_at": created_at,
    })))
}

impl State {
    /// Starts a session's next video and points the session at it.
    fn revision(
        &mut self,
        session: &str,
        title: Option<String>,
        callback: Option<String>,
    ) -> String {
        let video = self.new_job(JobKind::Video, false);
        video.title = title;
        video.callback_id = callback;
        video.parent = Some(session.to_string());
        let id = video.id.clone();
        if let Some(s) = self.job_mut(JobKind::Session, session) {
            s.video_id = Some(id.clone());
        }
        id
    }

    fn session(&self, id: &str) -> Result<Job, Reply> {
        self.job(JobKind::Session, id)
            .cloned()
            .ok_or_else(|| Reply::not_found("resource_not_found", "session", id))
    }
}

fn get(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let session = state.session(call.param("session_id"))?;
    Ok(data(session_json(state, &session, Instant::now())))
}

fn session_json(state: &State, job: &Job, now: Instant) -> Value {
    let progress = match job.phase(now) {
        Phase::Queued => 10,
        Phase::Running => 60,
        Phase::Done => 100,
    };
    let mut messages = job.messages.clone();
    let finished = state.unix(job.time.end());
    match (&job.failure, job.phase(now), &job.video_id) {
        (Some((_, message)), Phase::Done, _) => messages.push(json!({
            "role": "assistant", "type": "error", "content": message, "created_at": finished,
        })),
        (None, Phase::Done, Some(video)) => messages.push(json!({
            "role": "assistant",
            "type": "resource",
            "content": "Your video is ready.",
            "resource_ids": [resource_id(video)],
            "created_at": finished,
        })),
        _ => {}
    }
    json!({
        "session_id": job.id,
        "status": job.status(now),
        "title": job.title,
        "progress": progress,
        "video_id": job.video_id,
        "messages": messages,
        "created_at": job.created_unix,
    })
}

fn send_message(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let body: heygen_api::types::SendVideoAgentMessageRequest = call.typed()?;
    if body.message.trim().is_empty() {
        return Err(Reply::invalid("message", "message must not be empty"));
    }
    let session = state.session(call.param("session_id"))?;
    let now = state.unix_now();
    let run_id = state.id("run");
    state.revision(
        &session.id,
        session.title.clone(),
        session.callback_id.clone(),
    );
    let duration = state.job_duration;
    if let Some(s) = state.job_mut(JobKind::Session, &session.id) {
        // The agent works again: the session runs its course once more.
        s.messages.push(user_message(&body.message, now));
        s.time.start = Instant::now();
        s.time.duration = duration;
        s.time.seeded = false;
        s.failure = None;
    }
    Ok(data(json!({
        "session_id": session.id,
        "run_id": run_id,
        "title": session.title,
    })))
}

fn stop(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let _: heygen_api::types::StopVideoAgentSessionRequest = call.typed()?;
    let session = state.session(call.param("session_id"))?;
    let now = Instant::now();
    if session.phase(now) != Phase::Done {
        let stopped = Some((
            "stopped".to_string(),
            "The session was stopped.".to_string(),
        ));
        let video = session.video_id.clone().unwrap_or_default();
        for id in [session.id.as_str(), video.as_str()] {
            if let Some(job) = state.jobs.iter_mut().find(|j| j.id == id) {
                job.failure = stopped.clone();
                job.time.finish(now);
            }
        }
    }
    Ok(data(json!({"session_id": session.id})))
}

fn list_videos(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let session = state.session(call.param("session_id"))?;
    let now = Instant::now();
    let videos: Vec<Job> = state
        .newest(JobKind::Video)
        .into_iter()
        .filter(|v| v.parent.as_deref() == Some(session.id.as_str()))
        .cloned()
        .collect();
    let files = &mut state.files;
    Ok(whole(
        videos.iter().map(|v| video_json(v, files, now)).collect(),
    ))
}

/// A session's resource: each of its videos is one.
fn resource_id(video: &str) -> String {
    format!("res_{video}")
}

fn get_resource(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let session = state.session(call.param("session_id"))?;
    let wanted = call.param("resource_id");
    let video = wanted
        .strip_prefix("res_")
        .and_then(|v| state.job(JobKind::Video, v))
        .filter(|v| v.parent.as_deref() == Some(session.id.as_str()))
        .cloned()
        .ok_or_else(|| Reply::not_found("resource_not_found", "session resource", wanted))?;
    let now = Instant::now();
    let done = video.succeeded(now);
    let mut file =
        |name: &str| done.then(|| state.files.sign(&format!("/videos/{}/{name}", video.id)));
    Ok(data(json!({
        "resource_id": wanted,
        "resource_type": "video",
        "source_type": "generated",
        "url": file("video.mp4"),
        "preview_url": file("preview.gif"),
        "thumbnail_url": file("thumbnail.jpg"),
        "metadata": {"video_id": video.id, "status": video.status(now)},
        "created_at": video.created_unix,
    })))
}
