//! Video translations: one job per output language.

use serde_json::{Value, json};
use tokio::time::Instant;

use super::super::files::FileHost;
use super::State;
use super::jobs::{Job, JobKind};
use super::request::{Call, Reply, data, page_of};
use super::router::Handler;

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("listVideoTranslations", list),
    ("createVideoTranslation", create),
    ("getVideoTranslation", get),
    ("updateVideoTranslation", update),
    ("deleteVideoTranslation", delete),
    ("listSupportedTranslationLanguages", languages),
];

/// The languages the fake says it translates into.
const LANGUAGES: &[&str] = &[
    "English",
    "Spanish",
    "French",
    "German",
    "Italian",
    "Portuguese",
    "Japanese",
    "Korean",
    "Chinese",
    "Hindi",
];

fn list(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let now = Instant::now();
    let jobs: Vec<Job> = state
        .newest(JobKind::Translation)
        .into_iter()
        .cloned()
        .collect();
    let files = &mut state.files;
    page_of(call, jobs, 10, |j| translation_json(j, files, now))
}

fn create(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let _: heygen_api::types::CreateVideoTranslationRequest = call.typed()?;
    let ids = state.start_translations(&call.json()?)?;
    Ok(data(json!({"video_translation_ids": ids})))
}

impl State {
    /// Starts one translation per output language of a create body.
    pub(super) fn start_translations(&mut self, raw: &Value) -> Result<Vec<String>, Reply> {
        let text = |name: &str| raw.get(name).and_then(Value::as_str).map(str::to_string);
        let languages: Vec<String> = raw["output_languages"]
            .as_array()
            .map(|l| {
                l.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        if languages.is_empty() {
            return Err(Reply::invalid(
                "output_languages",
                "output_languages needs at least one language",
            ));
        }
        let audio_only = raw["translate_audio_only"].as_bool().unwrap_or(false);
        let mut ids = Vec::new();
        for language in languages {
            let job = self.new_job(JobKind::Translation, false);
            job.title = text("title");
            job.callback_id = text("callback_id");
            job.folder_id = text("folder_id");
            job.input_language = Some(text("input_language").unwrap_or_else(|| "English".into()));
            job.output_language = Some(language);
            job.extra = json!({"translate_audio_only": audio_only});
            ids.push(job.id.clone());
        }
        Ok(ids)
    }

    fn translation(&self, id: &str) -> Result<Job, Reply> {
        self.job(JobKind::Translation, id)
            .cloned()
            .ok_or_else(|| Reply::not_found("resource_not_found", "video translation", id))
    }
}

fn get(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let job = state.translation(call.param("video_translation_id"))?;
    Ok(data(translation_json(
        &job,
        &mut state.files,
        Instant::now(),
    )))
}

fn update(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let body: heygen_api::types::UpdateVideoTranslationRequest = call.typed()?;
    let id = call.param("video_translation_id");
    state.translation(id)?;
    if let Some(job) = state.job_mut(JobKind::Translation, id) {
        job.title = Some(body.title);
    }
    get(state, call)
}

fn delete(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let id = call.param("video_translation_id");
    state
        .delete_job(JobKind::Translation, id)
        .ok_or_else(|| Reply::not_found("resource_not_found", "video translation", id))?;
    Ok(data(json!({"id": id})))
}

fn languages(_: &mut State, _: &Call) -> Result<Value, Reply> {
    Ok(data(json!({"languages": LANGUAGES})))
}

pub(super) fn translation_json(job: &Job, files: &mut FileHost, now: Instant) -> Value {
    let done = job.succeeded(now);
    let audio_only = job.extra["translate_audio_only"].as_bool();
    let mut file =
        |name: &str| done.then(|| files.sign(&format!("/video-translations/{}/{name}", job.id)));
    let video = if audio_only == Some(true) {
        None
    } else {
        file("video.mp4")
    };
    json!({
        "id": job.id,
        "status": job.status(now),
        "title": job.title,
        "input_language": job.input_language,
        "output_language": job.output_language,
        "duration": done.then_some(12.5),
        "translate_audio_only": audio_only,
        "video_url": video,
        "audio_url": file("audio.mp3"),
        "srt_caption_url": file("captions.srt"),
        "vtt_caption_url": file("captions.vtt"),
        "callback_id": job.callback_id,
        "created_at": job.created_unix,
        "failure_message": job.failure_message(now),
    })
}
