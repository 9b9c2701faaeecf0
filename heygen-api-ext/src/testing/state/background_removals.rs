//! Background removals: a video's layers, each a signed URL once done.

use serde_json::{Map, Value, json};
use tokio::time::Instant;

use super::super::files::FileHost;
use super::State;
use super::jobs::{Job, JobKind};
use super::request::{Call, Reply, data, page_of};
use super::router::Handler;

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("listBackgroundRemovals", list),
    ("createBackgroundRemoval", create),
    ("getBackgroundRemoval", get),
    ("deleteBackgroundRemoval", delete),
];

fn list(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let now = Instant::now();
    let jobs: Vec<Job> = state
        .newest(JobKind::BackgroundRemoval)
        .into_iter()
        .cloned()
        .collect();
    let files = &mut state.files;
    page_of(call, jobs, 10, |j| removal_json(j, files, now))
}

fn create(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let body: heygen_api::types::CreateBackgroundRemovalRequest = call.typed()?;
    let layers = if body.layers.is_empty() {
        vec!["foreground".to_string()]
    } else {
        body.layers
    };
    let job = state.new_job(JobKind::BackgroundRemoval, false);
    job.title = body.title;
    job.extra = json!({"layers": layers});
    let job = job.clone();
    Ok(data(removal_json(&job, &mut state.files, Instant::now())))
}

fn get(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let id = call.param("job_id");
    let job = state
        .job(JobKind::BackgroundRemoval, id)
        .cloned()
        .ok_or_else(|| not_found(id))?;
    Ok(data(removal_json(&job, &mut state.files, Instant::now())))
}

fn delete(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let id = call.param("job_id");
    state
        .delete_job(JobKind::BackgroundRemoval, id)
        .ok_or_else(|| not_found(id))?;
    Ok(data(json!({"id": id, "deleted": true})))
}

fn not_found(id: &str) -> Reply {
    Reply::not_found("resource_not_found", "background removal", id)
}

fn removal_json(job: &Job, files: &mut FileHost, now: Instant) -> Value {
    let done = job.succeeded(now);
    let mut layers = Map::new();
    if done {
        for layer in job.extra["layers"].as_array().into_iter().flatten() {
            let name = layer.as_str().unwrap_or("layer");
            let url = files.sign(&format!("/background-removals/{}/{name}.webm", job.id));
            layers.insert(name.to_string(), json!(url));
        }
    }
    json!({
        "id": job.id,
        "status": job.status(now),
        "layers": layers,
        "duration": done.then_some(12.5),
        "error": job.failure_message(now),
        "created_at": job.created_unix,
        "completed_at": done.then(|| job.created_unix + job.time.duration.as_secs() as i64),
    })
}
