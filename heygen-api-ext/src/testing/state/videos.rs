//! The fake's videos routes.

use super::*;

impl State {
    pub(super) fn list_videos(&mut self, req: &FakeRequest) -> Result<Reply, Reply> {
        let now = Instant::now();
        let mut videos: Vec<&Job> = self
            .jobs
            .iter()
            .filter(|j| j.kind == JobKind::Video && !j.deleted)
            .collect();
        videos.sort_by_key(|v| std::cmp::Reverse(v.seq));
        let items: Vec<Value> = videos.iter().map(|v| self.video_json(v, now)).collect();
        paginate(req, items, 10, 100)
    }

    pub(super) fn create_video(&mut self, req: &FakeRequest) -> Result<Reply, Reply> {
        let body: heygen_api::types::CreateVideoRequest = req.typed()?;
        let raw = req.json()?;
        let video = self.new_job(JobKind::Video, false);
        video.title = raw.get("title").and_then(Value::as_str).map(str::to_string);
        video.callback_id = raw
            .get("callback_id")
            .and_then(Value::as_str)
            .map(str::to_string);
        let format = match body {
            heygen_api::types::CreateVideoRequest::Avatar(v) => {
                v.output_format.map(|f| f.to_string())
            }
            heygen_api::types::CreateVideoRequest::Image(v) => {
                v.output_format.map(|f| f.to_string())
            }
            _ => None,
        };
        Ok(Reply::ok(json!({
            "video_id": video.id,
            "status": "waiting",
            "output_format": format.unwrap_or_else(|| "mp4".to_string()),
        })))
    }

    pub(super) fn get_video(&mut self, id: String) -> Result<Reply, Reply> {
        let now = Instant::now();
        let job = self
            .job(JobKind::Video, &id)
            .ok_or_else(|| Reply::not_found("video_not_found", "video", &id))?;
        Ok(Reply::ok(self.video_json(job, now)))
    }

    pub(super) fn delete_video(&mut self, id: String) -> Result<Reply, Reply> {
        let job = self
            .jobs
            .iter_mut()
            .find(|j| j.kind == JobKind::Video && j.id == id && !j.deleted)
            .ok_or_else(|| Reply::not_found("video_not_found", "video", &id))?;
        job.deleted = true;
        Ok(Reply::ok(json!({"id": id, "deleted": true})))
    }

    pub(super) fn video_json(&self, job: &Job, now: Instant) -> Value {
        let done = job.phase(now) == Phase::Done && job.failure.is_none();
        let (code, message) = match (&job.failure, job.phase(now)) {
            (Some((c, m)), Phase::Done) => (Some(c.clone()), Some(m.clone())),
            _ => (None, None),
        };
        json!({
            "id": job.id,
            "title": job.title,
            "status": job.status(now),
            "duration": if done { Some(12.5) } else { None },
            "video_url": done.then(|| self.media_url("videos", &job.id)),
            "thumbnail_url": done.then(|| format!("{}/fake-media/thumbnails/{}.jpg", self.base_url, job.id)),
            "video_page_url": done.then(|| format!("{}/fake-media/pages/{}", self.base_url, job.id)),
            "created_at": job.created_unix,
            "completed_at": done.then(|| job.finished_unix()),
            "failure_code": code,
            "failure_message": message,
        })
    }
}
