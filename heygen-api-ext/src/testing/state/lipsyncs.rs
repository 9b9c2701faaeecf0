//! Lipsyncs: a video given new audio.

use serde_json::{Value, json};
use tokio::time::Instant;

use super::super::files::FileHost;
use super::State;
use super::jobs::{Job, JobKind};
use super::request::{Call, Reply, data, page_of};
use super::router::Handler;

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("listLipsyncs", list),
    ("createLipsync", create),
    ("getLipsync", get),
    ("updateLipsync", update),
    ("deleteLipsync", delete),
];

fn list(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let now = Instant::now();
    let jobs: Vec<Job> = state
        .newest(JobKind::Lipsync)
        .into_iter()
        .cloned()
        .collect();
    let files = &mut state.files;
    page_of(call, jobs, 10, |j| lipsync_json(j, files, now))
}

fn create(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let _: heygen_api::types::CreateLipsyncRequest = call.typed()?;
    let id = state.start_lipsync(&call.json()?);
    Ok(data(json!({"lipsync_id": id})))
}

impl State {
    /// Starts a lipsync described by a create body; its id.
    pub(super) fn start_lipsync(&mut self, raw: &Value) -> String {
        let text = |name: &str| raw.get(name).and_then(Value::as_str).map(str::to_string);
        let job = self.new_job(JobKind::Lipsync, false);
        job.title = text("title");
        job.callback_id = text("callback_id");
        job.folder_id = text("folder_id");
        job.id.clone()
    }

    fn lipsync(&self, id: &str) -> Result<Job, Reply> {
        self.job(JobKind::Lipsync, id)
            .cloned()
            .ok_or_else(|| Reply::not_found("resource_not_found", "lipsync", id))
    }
}

fn get(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let job = state.lipsync(call.param("lipsync_id"))?;
    Ok(data(lipsync_json(&job, &mut state.files, Instant::now())))
}

fn update(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let body: heygen_api::types::UpdateLipsyncRequest = call.typed()?;
    let id = call.param("lipsync_id");
    state.lipsync(id)?;
    if let Some(job) = state.job_mut(JobKind::Lipsync, id) {
        job.title = Some(body.title);
    }
    get(state, call)
}

fn delete(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let id = call.param("lipsync_id");
    state
        .delete_job(JobKind::Lipsync, id)
        .ok_or_else(|| Reply::not_found("resource_not_found", "lipsync", id))?;
    Ok(data(json!({"id": id})))
}

fn lipsync_json(job: &Job, files: &mut FileHost, now: Instant) -> Value {
    let done = job.succeeded(now);
    let mut file = |name: &str| done.then(|| files.sign(&format!("/lipsyncs/{}/{name}", job.id)));
    json!({
        "id": job.id,
        "status": job.status(now),
        "title": job.title,
        "duration": done.then_some(12.5),
        "video_url": file("video.mp4"),
        "caption_url": file("captions.srt"),
        "callback_id": job.callback_id,
        "created_at": job.created_unix,
        "failure_message": job.failure_message(now),
    })
}
