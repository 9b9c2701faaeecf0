//! AI clipping: a long video cut into short clips, three of them here.

use serde_json::{Value, json};
use tokio::time::Instant;

use super::super::files::FileHost;
use super::State;
use super::jobs::{Job, JobKind, Phase};
use super::request::{Call, Reply, data, page_of};
use super::router::Handler;

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("listAiClipping", list),
    ("createAiClipping", create),
    ("getAiClipping", get),
    ("deleteAiClipping", delete),
];

/// How many clips a job makes.
const CLIPS: usize = 3;

fn list(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let now = Instant::now();
    let jobs: Vec<Job> = state
        .newest(JobKind::Clipping)
        .into_iter()
        .cloned()
        .collect();
    let files = &mut state.files;
    page_of(call, jobs, 10, |j| clipping_json(j, files, now))
}

fn create(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let body: heygen_api::types::CreateAiClippingRequest = call.typed()?;
    // The settings as the schema fills them in, defaults included.
    let settings = serde_json::to_value(&body.output_settings).unwrap_or(Value::Null);
    let job = state.new_job(JobKind::Clipping, false);
    job.title = body.title;
    job.callback_id = body.callback_id;
    job.input_language = body.input_language;
    job.extra = json!({"output_settings": settings});
    Ok(data(json!({"ai_clipping_id": job.id})))
}

fn get(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let id = call.param("job_id");
    let job = state
        .job(JobKind::Clipping, id)
        .cloned()
        .ok_or_else(|| not_found(id))?;
    Ok(data(clipping_json(&job, &mut state.files, Instant::now())))
}

fn delete(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let id = call.param("job_id");
    state
        .delete_job(JobKind::Clipping, id)
        .ok_or_else(|| not_found(id))?;
    Ok(data(json!({"id": id})))
}

fn not_found(id: &str) -> Reply {
    Reply::not_found("resource_not_found", "AI clipping job", id)
}

fn clipping_json(job: &Job, files: &mut FileHost, now: Instant) -> Value {
    let settings = &job.extra["output_settings"];
    let aspect = settings["aspect_ratio"].as_str().unwrap_or("portrait");
    let (progress, clip_status) = match job.phase(now) {
        Phase::Queued => (0, None),
        Phase::Running => (50, Some("pending")),
        Phase::Done if job.failure.is_some() => (100, None),
        Phase::Done => (100, Some("completed")),
    };
    let done = clip_status == Some("completed");
    let clips: Vec<Value> = clip_status
        .map(|status| {
            (1..=CLIPS)
                .map(|n| {
                    let mut file = |name: &str| {
                        done.then(|| {
                            files.sign(&format!("/ai-clipping/{}/clip-{n}/{name}", job.id))
                        })
                    };
                    json!({
                        "id": format!("{}_c{n}", job.id),
                        "status": status,
                        "title": format!("Clip {n}"),
                        "aspect_ratio": aspect,
                        "duration_seconds": done.then_some(30.0),
                        "virality_score": done.then_some(90 - 10 * n as i64),
                        "video_url": file("video.mp4"),
                        "thumbnail_url": file("thumbnail.jpg"),
                        "failure_message": null,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    json!({
        "id": job.id,
        "status": job.status(now),
        "title": job.title,
        "progress": progress,
        "input_language": job.input_language,
        "source_duration": 300.0,
        "output_settings": if settings.is_object() { settings.clone() } else { Value::Null },
        "clips": clips,
        "callback_id": job.callback_id,
        "created_at": job.created_unix,
        "failure_message": job.failure_message(now),
    })
}
