//! Proofreads: a translation's text, reviewed before the video is made
//! from it (one proofread per output language).

use serde_json::{Value, json};
use tokio::time::Instant;

use super::State;
use super::jobs::{Job, JobKind};
use super::request::{Call, Reply, data};
use super::router::Handler;

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("createProofreadSession", create),
    ("getProofreadSession", get),
    ("generateVideoFromProofread", generate),
    ("downloadProofreadSrt", download_srt),
    ("uploadProofreadSrt", upload_srt),
];

fn create(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let body: heygen_api::types::CreateProofreadRequest = call.typed()?;
    if body.output_languages.is_empty() {
        return Err(Reply::invalid(
            "output_languages",
            "output_languages needs at least one language",
        ));
    }
    let mut ids = Vec::new();
    for language in body.output_languages {
        let job = state.new_job(JobKind::Proofread, false);
        job.title = Some(body.title.clone());
        job.input_language = Some("English".into());
        job.output_language = Some(language);
        job.folder_id = body.folder_id.clone();
        job.extra = json!({"submitted_for_review": false});
        ids.push(job.id.clone());
    }
    Ok(data(json!({"proofread_ids": ids, "status": "processing"})))
}

impl State {
    fn proofread(&self, id: &str) -> Result<Job, Reply> {
        self.job(JobKind::Proofread, id)
            .cloned()
            .ok_or_else(|| Reply::not_found("resource_not_found", "proofread", id))
    }

    /// A proofread whose text is ready, or `409`.
    fn finished_proofread(&self, id: &str) -> Result<Job, Reply> {
        let job = self.proofread(id)?;
        if job.succeeded(Instant::now()) {
            Ok(job)
        } else {
            Err(Reply::error(
                409,
                "conflict",
                &format!("proofread {id} is {}", job.status(Instant::now())),
                None,
            ))
        }
    }
}

fn proofread_json(job: &Job, now: Instant) -> Value {
    json!({
        "id": job.id,
        "status": job.status(now),
        "title": job.title,
        "input_language": job.input_language,
        "output_language": job.output_language,
        "submitted_for_review": job.extra["submitted_for_review"].as_bool(),
        "created_at": job.created_unix,
        "failure_message": job.failure_message(now),
    })
}

fn get(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let job = state.proofread(call.param("proofread_id"))?;
    Ok(data(proofread_json(&job, Instant::now())))
}

fn generate(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let body: heygen_api::types::GenerateProofreadVideoRequest = call.typed()?;
    let proofread = state.finished_proofread(call.param("proofread_id"))?;
    let job = state.new_job(JobKind::Translation, false);
    job.title = proofread.title.clone();
    job.callback_id = body.callback_id;
    job.parent = Some(proofread.id.clone());
    job.input_language = proofread.input_language.clone();
    job.output_language = proofread.output_language.clone();
    job.extra = json!({"translate_audio_only": body.translate_audio_only});
    let id = job.id.clone();
    Ok(data(
        json!({"video_translation_id": id, "status": "processing"}),
    ))
}

fn download_srt(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let job = state.finished_proofread(call.param("proofread_id"))?;
    let path = |name: &str| format!("/proofreads/{}/{name}", job.id);
    Ok(data(json!({
        "srt_url": state.files.sign(&path("translated.srt")),
        "original_srt_url": state.files.sign(&path("original.srt")),
    })))
}

fn upload_srt(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let _: heygen_api::types::UploadProofreadSrtRequest = call.typed()?;
    let id = call.param("proofread_id");
    state.finished_proofread(id)?;
    if let Some(job) = state.job_mut(JobKind::Proofread, id) {
        job.extra = json!({"submitted_for_review": true});
    }
    get(state, call)
}
