//! The fake's media jobs routes.

use super::*;

impl State {
    pub(super) fn create_lipsync(&mut self, req: &FakeRequest) -> Result<Reply, Reply> {
        let _: heygen_api::types::CreateLipsyncRequest = req.typed()?;
        let raw = req.json()?;
        let job = self.new_job(JobKind::Lipsync, false);
        job.title = raw.get("title").and_then(Value::as_str).map(str::to_string);
        job.callback_id = raw
            .get("callback_id")
            .and_then(Value::as_str)
            .map(str::to_string);
        Ok(Reply::ok(json!({"lipsync_id": job.id})))
    }

    pub(super) fn get_lipsync(&mut self, id: String) -> Result<Reply, Reply> {
        let now = Instant::now();
        let job = self
            .job(JobKind::Lipsync, &id)
            .ok_or_else(|| Reply::not_found("resource_not_found", "lipsync", &id))?;
        let done = job.phase(now) == Phase::Done && job.failure.is_none();
        Ok(Reply::ok(json!({
            "id": job.id,
            "status": job.status(now),
            "title": job.title,
            "duration": if done { Some(12.5) } else { None },
            "video_url": done.then(|| self.media_url("lipsyncs", &job.id)),
            "callback_id": job.callback_id,
            "created_at": job.created_unix,
            "failure_message": failure_message(job, now),
        })))
    }

    pub(super) fn create_translation(&mut self, req: &FakeRequest) -> Result<Reply, Reply> {
        let body: heygen_api::types::CreateVideoTranslationRequest = req.typed()?;
        if body.output_languages.is_empty() {
            return Err(Reply::error(
                400,
                "invalid_parameter",
                "output_languages needs at least one language",
                Some("output_languages"),
            ));
        }
        let mut ids = Vec::new();
        for language in &body.output_languages {
            let job = self.new_job(JobKind::Translation, false);
            job.title = body.title.clone();
            job.callback_id = body.callback_id.clone();
            job.output_language = Some(language.clone());
            ids.push(job.id.clone());
        }
        Ok(Reply::ok(json!({"video_translation_ids": ids})))
    }

    pub(super) fn get_translation(&mut self, id: String) -> Result<Reply, Reply> {
        let now = Instant::now();
        let job = self
            .job(JobKind::Translation, &id)
            .ok_or_else(|| Reply::not_found("resource_not_found", "video translation", &id))?;
        let done = job.phase(now) == Phase::Done && job.failure.is_none();
        Ok(Reply::ok(json!({
            "id": job.id,
            "status": job.status(now),
            "title": job.title,
            "input_language": "en",
            "output_language": job.output_language,
            "duration": if done { Some(12.5) } else { None },
            "video_url": done.then(|| self.media_url("translations", &job.id)),
            "callback_id": job.callback_id,
            "created_at": job.created_unix,
            "failure_message": failure_message(job, now),
        })))
    }

    pub(super) fn clone_voice(&mut self, req: &FakeRequest) -> Result<Reply, Reply> {
        let _: heygen_api::types::CloneVoiceRequest = req.typed()?;
        Ok(Reply::ok(json!({"voice_clone_id": self.id("vc")})))
    }
}
