//! The fake's webhooks routes.

use super::*;

impl State {
    pub(super) fn list_endpoints(&mut self, req: &FakeRequest) -> Result<Reply, Reply> {
        let items: Vec<Value> = self.endpoints.iter().map(|e| e.json(false)).collect();
        paginate(req, items, 10, 100)
    }

    pub(super) fn create_endpoint(&mut self, req: &FakeRequest) -> Result<Reply, Reply> {
        let body: heygen_api::types::CreateWebhookEndpointRequest = req.typed()?;
        check_webhook_url(&body.url)?;
        let id = self.id("ep");
        let secret = self.id("whsec");
        let endpoint = Endpoint {
            id,
            url: body.url,
            events: body
                .events
                .map(|events| events.iter().map(|e| e.to_string()).collect()),
            secret,
            created_at: iso(SystemTime::now()),
        };
        let reply = Reply::ok(endpoint.json(true));
        self.endpoints.push(endpoint);
        Ok(reply)
    }

    pub(super) fn update_endpoint(
        &mut self,
        req: &FakeRequest,
        id: String,
    ) -> Result<Reply, Reply> {
        let body: heygen_api::types::UpdateWebhookEndpointRequest = req.typed()?;
        if let Some(url) = &body.url {
            check_webhook_url(url)?;
        }
        let endpoint = self
            .endpoints
            .iter_mut()
            .find(|e| e.id == id)
            .ok_or_else(|| Reply::not_found("resource_not_found", "webhook endpoint", &id))?;
        if let Some(url) = body.url {
            endpoint.url = url;
        }
        if let Some(events) = body.events {
            endpoint.events = Some(events.iter().map(|e| e.to_string()).collect());
        }
        Ok(Reply::ok(endpoint.json(false)))
    }

    pub(super) fn delete_endpoint(&mut self, id: String) -> Result<Reply, Reply> {
        let before = self.endpoints.len();
        self.endpoints.retain(|e| e.id != id);
        if self.endpoints.len() == before {
            return Err(Reply::not_found(
                "resource_not_found",
                "webhook endpoint",
                &id,
            ));
        }
        Ok(Reply::json(200, json!({"data": {}, "error": null})))
    }

    pub(super) fn rotate_secret(&mut self, id: String) -> Result<Reply, Reply> {
        let secret = self.id("whsec");
        let endpoint = self
            .endpoints
            .iter_mut()
            .find(|e| e.id == id)
            .ok_or_else(|| Reply::not_found("resource_not_found", "webhook endpoint", &id))?;
        endpoint.secret = secret;
        Ok(Reply::ok(
            json!({"endpoint_id": endpoint.id, "secret": endpoint.secret}),
        ))
    }

    pub(super) fn list_events(&mut self, req: &FakeRequest) -> Result<Reply, Reply> {
        let now = Instant::now();
        let event_type = req.query("event_type");
        let entity_id = req.query("entity_id");
        let mut done: Vec<&Job> = self
            .jobs
            .iter()
            .filter(|j| !j.seeded && j.phase(now) == Phase::Done)
            .filter(|j| entity_id.is_none_or(|e| e == j.id))
            .collect();
        done.sort_by(|a, b| {
            b.finished_wall()
                .cmp(&a.finished_wall())
                .then(b.seq.cmp(&a.seq))
        });
        let items: Vec<Value> = done
            .iter()
            .filter_map(|j| self.event_json(j))
            .filter(|e| event_type.is_none_or(|t| e["event_type"] == t))
            .collect();
        paginate(req, items, 10, 100)
    }

    /// The delivery-log entry of a finished job (lipsyncs have no event
    /// type in HeyGen's catalog).
    pub(super) fn event_json(&self, job: &Job) -> Option<Value> {
        let ok = job.failure.is_none();
        let (kind, key) = match job.kind {
            JobKind::Video => ("avatar_video", "video_id"),
            JobKind::Translation => ("video_translate", "video_translation_id"),
            JobKind::Session => ("video_agent", "session_id"),
            JobKind::Lipsync => return None,
        };
        let mut data = serde_json::Map::new();
        data.insert(key.into(), json!(job.id));
        data.insert("callback_id".into(), json!(job.callback_id));
        if ok {
            let url = match job.kind {
                JobKind::Session => job.video_id.as_deref().map(|v| self.media_url("videos", v)),
                _ => Some(self.media_url("videos", &job.id)),
            };
            data.insert("url".into(), json!(url));
        } else if let Some((_, message)) = &job.failure {
            data.insert("msg".into(), json!(message));
        }
        Some(json!({
            "event_id": format!("evt_{}", job.id),
            "event_type": format!("{kind}.{}", if ok { "success" } else { "fail" }),
            "event_data": data,
            "created_at": iso(job.finished_wall()),
        }))
    }
}

pub(super) fn check_webhook_url(url: &str) -> Result<(), Reply> {
    if url.starts_with("https://") || url.starts_with("http://") {
        Ok(())
    } else {
        Err(Reply::error(
            400,
            "invalid_parameter",
            "url must be an http(s) URL",
            Some("url"),
        ))
    }
}
