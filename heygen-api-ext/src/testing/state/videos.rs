//! Videos: `listVideos`, `createVideo`, `getVideo`, `deleteVideo`. A
//! finished video carries every URL `Video` has, signed, on the file host.

use serde_json::{Value, json};
use tokio::time::Instant;

use super::super::files::FileHost;
use super::State;
use super::jobs::{Job, JobKind};
use super::request::{Call, Reply, data, page_of};
use super::router::Handler;

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("listVideos", list),
    ("createVideo", create),
    ("getVideo", get),
    ("deleteVideo", delete),
];

fn list(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let now = Instant::now();
    let folder = call.query("folder_id");
    let title = call.query("title").map(str::to_lowercase);
    let videos: Vec<Job> = state
        .newest(JobKind::Video)
        .into_iter()
        .filter(|v| folder.is_none_or(|f| v.folder_id.as_deref() == Some(f)))
        .filter(|v| {
            title.as_ref().is_none_or(|t| {
                v.title
                    .as_deref()
                    .is_some_and(|have| have.to_lowercase().contains(t.as_str()))
            })
        })
        .cloned()
        .collect();
    let files = &mut state.files;
    page_of(call, videos, 10, |v| video_json(v, files, now))
}

fn create(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let _: heygen_api::types::CreateVideoRequest = call.typed()?;
    let raw = call.json()?;
    let id = state.start_video(&raw);
    Ok(data(json!({
        "video_id": id,
        "status": "waiting",
        "output_format": output_format(&raw),
    })))
}

fn get(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let id = call.param("video_id");
    let video = state.video(id)?;
    Ok(data(video_json(&video, &mut state.files, Instant::now())))
}

fn delete(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let id = call.param("video_id");
    state
        .delete_job(JobKind::Video, id)
        .ok_or_else(|| not_found(id))?;
    Ok(data(json!({"id": id, "deleted": true})))
}

fn not_found(id: &str) -> Reply {
    Reply::not_found("video_not_found", "video", id)
}

/// `mp4` unless the request asks for `webm`.
fn output_format(raw: &Value) -> &str {
    raw.get("output_format")
        .and_then(Value::as_str)
        .unwrap_or("mp4")
}

impl State {
    /// Starts rendering a video described by a create body (title,
    /// callback id, folder, output format); its id.
    pub(super) fn start_video(&mut self, raw: &Value) -> String {
        let text = |name: &str| raw.get(name).and_then(Value::as_str).map(str::to_string);
        let format = output_format(raw).to_string();
        let video = self.new_job(JobKind::Video, false);
        video.title = text("title");
        video.callback_id = text("callback_id");
        video.folder_id = text("folder_id");
        video.extra = json!({"output_format": format});
        video.id.clone()
    }

    /// A video that exists, or `404 video_not_found`.
    pub(super) fn video(&self, id: &str) -> Result<Job, Reply> {
        self.job(JobKind::Video, id)
            .cloned()
            .ok_or_else(|| not_found(id))
    }
}

/// A video as `Video`: a finished one with a fresh signed URL for each of
/// its files.
pub(super) fn video_json(job: &Job, files: &mut FileHost, now: Instant) -> Value {
    let done = job.succeeded(now);
    let (code, message) = match (&job.failure, job.phase(now)) {
        (Some((c, m)), super::jobs::Phase::Done) => (Some(c.clone()), Some(m.clone())),
        _ => (None, None),
    };
    let format = job.extra["output_format"].as_str().unwrap_or("mp4");
    let mut file = |name: &str| done.then(|| files.sign(&format!("/videos/{}/{name}", job.id)));
    json!({
        "id": job.id,
        "title": job.title,
        "status": job.status(now),
        "duration": done.then_some(12.5),
        "video_url": file(&format!("video.{format}")),
        "captioned_video_url": file(&format!("captioned.{format}")),
        "gif_url": file("preview.gif"),
        "thumbnail_url": file("thumbnail.jpg"),
        "subtitle_url": file("captions.srt"),
        "video_page_url": file("index.html"),
        "output_language": job.output_language,
        "folder_id": job.folder_id,
        "created_at": job.created_unix,
        "completed_at": done.then(|| job.created_unix + job.time.duration.as_secs() as i64),
        "failure_code": code,
        "failure_message": message,
    })
}
