//! The fake's agent routes.

use super::*;

impl State {
    pub(super) fn list_sessions(&mut self, req: &FakeRequest) -> Result<Reply, Reply> {
        let mut sessions: Vec<&Job> = self
            .jobs
            .iter()
            .filter(|j| j.kind == JobKind::Session)
            .collect();
        sessions.sort_by_key(|s| std::cmp::Reverse(s.seq));
        let items: Vec<Value> = sessions
            .iter()
            .map(|s| json!({"session_id": s.id, "title": s.title, "created_at": s.created_unix}))
            .collect();
        paginate(req, items, 20, 100)
    }

    pub(super) fn create_session(&mut self, req: &FakeRequest) -> Result<Reply, Reply> {
        let body: heygen_api::types::CreateVideoAgentSessionRequest = req.typed()?;
        if body.prompt.trim().is_empty() {
            return Err(Reply::error(
                400,
                "invalid_parameter",
                "prompt must not be empty",
                Some("prompt"),
            ));
        }
        let video = self.new_job(JobKind::Video, false);
        video.title = Some(title_from(&body.prompt));
        video.callback_id = body.callback_id.clone();
        let video_id = video.id.clone();
        let session = self.new_job(JobKind::Session, false);
        session.title = Some(title_from(&body.prompt));
        session.prompt = Some(body.prompt);
        session.callback_id = body.callback_id;
        session.video_id = Some(video_id.clone());
        Ok(Reply::ok(json!({
            "session_id": session.id,
            "status": "thinking",
            "video_id": video_id,
            "created_at": session.created_unix,
        })))
    }

    pub(super) fn get_session(&mut self, id: String) -> Result<Reply, Reply> {
        let now = Instant::now();
        let job = self
            .job(JobKind::Session, &id)
            .ok_or_else(|| Reply::not_found("resource_not_found", "session", &id))?;
        Ok(Reply::ok(session_json(job, now)))
    }
}

pub(super) fn session_json(job: &Job, now: Instant) -> Value {
    let status = job.status(now);
    let progress = match job.phase(now) {
        Phase::Queued => 10,
        Phase::Running => 60,
        Phase::Done => 100,
    };
    let mut messages = vec![json!({
        "role": "user",
        "type": "text",
        "content": job.prompt.clone().unwrap_or_default(),
        "created_at": job.created_unix,
    })];
    if let (Some((_, message)), Phase::Done) = (&job.failure, job.phase(now)) {
        messages.push(json!({
            "role": "assistant",
            "type": "error",
            "content": message,
            "created_at": job.finished_unix(),
        }));
    }
    json!({
        "session_id": job.id,
        "status": status,
        "title": job.title,
        "progress": progress,
        "video_id": job.video_id,
        "messages": messages,
        "created_at": job.created_unix,
    })
}

pub(super) fn title_from(prompt: &str) -> String {
    prompt.chars().take(40).collect()
}
