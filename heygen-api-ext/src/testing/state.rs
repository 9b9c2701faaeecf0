//! What the fake knows (jobs, sessions, webhook endpoints, assets) and how
//! it answers each route. Everything here is synchronous: the server reads
//! a request whole, then holds the lock for one call to [`State::handle`].

// Handlers answer with a `Reply` whether they succeed or not; boxing the
// error side would buy nothing in a test server.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::{HeaderMap, Method};
use serde_json::{Value, json};
use tokio::time::Instant;

use super::Exchange;

/// The documented cap of `POST /v3/assets`.
const MULTIPART_LIMIT: usize = 32 * 1024 * 1024;
/// What the fake accepts through a direct upload.
const DIRECT_UPLOAD_LIMIT: i64 = 5 * 1024 * 1024 * 1024;
const UPLOAD_TOKEN_HEADER: &str = "x-fake-upload-token";

/// The operations the fake serves, by spec id.
pub(super) const SERVED: &[&str] = &[
    "listVideoAgentSessions",
    "createVideoAgentSession",
    "getVideoAgentSession",
    "listVideos",
    "createVideo",
    "getVideo",
    "deleteVideo",
    "createLipsync",
    "getLipsync",
    "createVideoTranslation",
    "getVideoTranslation",
    "listWebhookEndpoints",
    "createWebhookEndpoint",
    "updateWebhookEndpoint",
    "deleteWebhookEndpoint",
    "rotateWebhookSigningSecret",
    "listWebhookEvents",
    "uploadAsset",
    "createAssetUpload",
    "completeAssetUpload",
    "getAsset",
    "cloneVoice",
];

/// The spec id of a served operation named by spec id or method name.
pub(super) fn operation_id(name: &str) -> Option<&'static str> {
    if let Some(id) = SERVED.iter().find(|id| **id == name) {
        return Some(id);
    }
    let op = heygen_api::operations::OPERATIONS
        .iter()
        .find(|op| op.rust_name == name)?;
    SERVED.iter().find(|id| **id == op.id).copied()
}

/// A request, read whole.
pub(super) struct FakeRequest {
    pub method: Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// The parts of a multipart body, or why it could not be parsed.
    pub parts: Option<Result<Vec<Part>, String>>,
}

impl FakeRequest {
    fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn json(&self) -> Result<Value, Reply> {
        serde_json::from_slice(&self.body).map_err(|e| {
            Reply::error(
                400,
                "invalid_parameter",
                &format!("the body is not JSON: {e}"),
                None,
            )
        })
    }

    /// The body decoded as the generated request type, so the fake refuses
    /// what HeyGen's schema refuses.
    fn typed<T: serde::de::DeserializeOwned>(&self) -> Result<T, Reply> {
        let value = self.json()?;
        serde_json::from_value(value).map_err(|e| {
            Reply::error(
                400,
                "invalid_parameter",
                &format!("the body does not match the schema: {e}"),
                None,
            )
        })
    }
}

/// One part of a multipart body.
pub(super) struct Part {
    pub name: String,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub data: Bytes,
}

/// A response to send.
pub(super) struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Bytes,
    json: Option<Value>,
}

impl Reply {
    fn json(status: u16, value: Value) -> Reply {
        Reply {
            status,
            headers: vec![("content-type", "application/json".into())],
            body: Bytes::from(value.to_string()),
            json: Some(value),
        }
    }

    fn ok(data: Value) -> Reply {
        Reply::json(200, json!({ "data": data }))
    }

    /// HeyGen's error envelope.
    fn error(status: u16, code: &str, message: &str, param: Option<&str>) -> Reply {
        Reply::json(
            status,
            json!({"error": {
                "code": code,
                "message": message,
                "param": param,
                "doc_url": format!("https://developers.heygen.com/docs/error-codes#{code}"),
            }}),
        )
    }

    fn not_found(code: &str, what: &str, id: &str) -> Reply {
        Reply::error(404, code, &format!("{what} {id} not found"), None)
    }

    /// What a storage service answers: not HeyGen's envelope.
    fn storage_error(status: u16, code: &str, message: &str) -> Reply {
        Reply {
            status,
            headers: vec![("content-type", "application/xml".into())],
            body: Bytes::from(format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>"
            )),
            json: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JobKind {
    Video,
    Lipsync,
    Translation,
    Session,
}

impl JobKind {
    /// Status names for queued, running, done and failed.
    fn statuses(self) -> [&'static str; 4] {
        match self {
            JobKind::Video => ["pending", "processing", "completed", "failed"],
            JobKind::Lipsync | JobKind::Translation => {
                ["pending", "running", "completed", "failed"]
            }
            JobKind::Session => ["thinking", "generating", "completed", "failed"],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Queued,
    Running,
    Done,
}

#[derive(Debug, Clone)]
struct Job {
    id: String,
    kind: JobKind,
    seq: u64,
    created: Instant,
    created_unix: i64,
    created_wall: SystemTime,
    duration: Duration,
    /// Seeded jobs finished before the fake started.
    seeded: bool,
    failure: Option<(String, String)>,
    title: Option<String>,
    callback_id: Option<String>,
    output_language: Option<String>,
    /// A session's video.
    video_id: Option<String>,
    prompt: Option<String>,
    deleted: bool,
}

impl Job {
    fn phase(&self, now: Instant) -> Phase {
        if self.seeded {
            return Phase::Done;
        }
        let elapsed = now.saturating_duration_since(self.created);
        if elapsed >= self.duration {
            Phase::Done
        } else if elapsed >= self.duration / 3 {
            Phase::Running
        } else {
            Phase::Queued
        }
    }

    fn status(&self, now: Instant) -> &'static str {
        let [queued, running, done, failed] = self.kind.statuses();
        match self.phase(now) {
            Phase::Queued => queued,
            Phase::Running => running,
            Phase::Done if self.failure.is_some() => failed,
            Phase::Done => done,
        }
    }

    fn finished_wall(&self) -> SystemTime {
        self.created_wall + self.duration
    }

    fn finished_unix(&self) -> i64 {
        self.created_unix + self.duration.as_secs() as i64
    }
}

#[derive(Debug, Clone)]
struct Endpoint {
    id: String,
    url: String,
    events: Option<Vec<String>>,
    secret: String,
    created_at: String,
}

impl Endpoint {
    fn json(&self, with_secret: bool) -> Value {
        json!({
            "endpoint_id": self.id,
            "url": self.url,
            "events": self.events,
            "status": "enabled",
            "created_at": self.created_at,
            "secret": if with_secret { Some(&self.secret) } else { None },
        })
    }
}

#[derive(Debug, Clone)]
enum AssetState {
    /// Direct upload created; waiting for the bytes.
    AwaitingBytes {
        token: String,
        headers: HashMap<String, String>,
    },
    /// Bytes received; waiting for `/complete`.
    Uploaded,
    Ready,
}

#[derive(Debug, Clone)]
struct Asset {
    id: String,
    name: String,
    mime_type: String,
    size: i64,
    uploaded_unix: i64,
    state: AssetState,
}

/// Routes, each with its spec operation id.
enum Route {
    ListSessions,
    CreateSession,
    GetSession(String),
    ListVideos,
    CreateVideo,
    GetVideo(String),
    DeleteVideo(String),
    CreateLipsync,
    GetLipsync(String),
    CreateTranslation,
    GetTranslation(String),
    ListEndpoints,
    CreateEndpoint,
    UpdateEndpoint(String),
    DeleteEndpoint(String),
    RotateSecret(String),
    ListEvents,
    UploadAsset,
    CreateDirectUpload,
    CompleteUpload(String),
    GetAsset(String),
    CloneVoice,
}

impl Route {
    fn find(method: &Method, path: &str) -> Option<Route> {
        let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
        let id = |s: &str| s.to_string();
        let m = method.as_str();
        Some(match (m, segs.as_slice()) {
            ("GET", ["v3", "video-agents"]) => Route::ListSessions,
            ("POST", ["v3", "video-agents"]) => Route::CreateSession,
            ("GET", ["v3", "video-agents", s]) => Route::GetSession(id(s)),
            ("GET", ["v3", "videos"]) => Route::ListVideos,
            ("POST", ["v3", "videos"]) => Route::CreateVideo,
            ("GET", ["v3", "videos", v]) => Route::GetVideo(id(v)),
            ("DELETE", ["v3", "videos", v]) => Route::DeleteVideo(id(v)),
            ("POST", ["v3", "lipsyncs"]) => Route::CreateLipsync,
            ("GET", ["v3", "lipsyncs", l]) => Route::GetLipsync(id(l)),
            ("POST", ["v3", "video-translations"]) => Route::CreateTranslation,
            ("GET", ["v3", "video-translations", t]) => Route::GetTranslation(id(t)),
            ("GET", ["v3", "webhooks", "endpoints"]) => Route::ListEndpoints,
            ("POST", ["v3", "webhooks", "endpoints"]) => Route::CreateEndpoint,
            ("PATCH", ["v3", "webhooks", "endpoints", e]) => Route::UpdateEndpoint(id(e)),
            ("DELETE", ["v3", "webhooks", "endpoints", e]) => Route::DeleteEndpoint(id(e)),
            ("POST", ["v3", "webhooks", "endpoints", e, "rotate-secret"]) => {
                Route::RotateSecret(id(e))
            }
            ("GET", ["v3", "webhooks", "events"]) => Route::ListEvents,
            ("POST", ["v3", "assets"]) => Route::UploadAsset,
            ("POST", ["v3", "assets", "direct-uploads"]) => Route::CreateDirectUpload,
            ("POST", ["v3", "assets", a, "complete"]) => Route::CompleteUpload(id(a)),
            ("GET", ["v3", "assets", a]) => Route::GetAsset(id(a)),
            ("POST", ["v3", "voices", "clone"]) => Route::CloneVoice,
            _ => return None,
        })
    }

    fn operation_id(&self) -> &'static str {
        match self {
            Route::ListSessions => "listVideoAgentSessions",
            Route::CreateSession => "createVideoAgentSession",
            Route::GetSession(_) => "getVideoAgentSession",
            Route::ListVideos => "listVideos",
            Route::CreateVideo => "createVideo",
            Route::GetVideo(_) => "getVideo",
            Route::DeleteVideo(_) => "deleteVideo",
            Route::CreateLipsync => "createLipsync",
            Route::GetLipsync(_) => "getLipsync",
            Route::CreateTranslation => "createVideoTranslation",
            Route::GetTranslation(_) => "getVideoTranslation",
            Route::ListEndpoints => "listWebhookEndpoints",
            Route::CreateEndpoint => "createWebhookEndpoint",
            Route::UpdateEndpoint(_) => "updateWebhookEndpoint",
            Route::DeleteEndpoint(_) => "deleteWebhookEndpoint",
            Route::RotateSecret(_) => "rotateWebhookSigningSecret",
            Route::ListEvents => "listWebhookEvents",
            Route::UploadAsset => "uploadAsset",
            Route::CreateDirectUpload => "createAssetUpload",
            Route::CompleteUpload(_) => "completeAssetUpload",
            Route::GetAsset(_) => "getAsset",
            Route::CloneVoice => "cloneVoice",
        }
    }
}

pub(super) struct State {
    base_url: String,
    api_key: String,
    job_duration: Duration,
    jobs: Vec<Job>,
    endpoints: Vec<Endpoint>,
    assets: Vec<Asset>,
    rate_limits: HashMap<&'static str, (u32, Duration)>,
    next_id: u64,
    started: Instant,
    pub(super) exchanges: Vec<Exchange>,
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn iso(t: SystemTime) -> String {
    chrono::DateTime::<chrono::Utc>::from(t).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl State {
    pub(super) fn new(
        base_url: String,
        api_key: String,
        job_duration: Duration,
        sessions: usize,
    ) -> State {
        let mut state = State {
            base_url,
            api_key,
            job_duration,
            jobs: Vec::new(),
            endpoints: Vec::new(),
            assets: Vec::new(),
            rate_limits: HashMap::new(),
            next_id: 0,
            started: Instant::now(),
            exchanges: Vec::new(),
        };
        let now = unix_now();
        for i in 0..sessions {
            // Oldest first, an hour apart, so the newest-first list ends
            // with the oldest.
            let created = now - ((sessions - i) as i64) * 3600;
            let video = state.new_job(JobKind::Video, true);
            video.created_unix = created;
            video.title = Some(format!("Sample video {}", i + 1));
            let video_id = video.id.clone();
            let session = state.new_job(JobKind::Session, true);
            session.created_unix = created;
            session.title = Some(format!("Sample session {}", i + 1));
            session.prompt = Some(format!("A short explainer, take {}", i + 1));
            session.video_id = Some(video_id);
        }
        state
    }

    fn id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        // Spread the counter so ids look opaque, yet stay deterministic.
        format!(
            "{prefix}_{:016x}",
            self.next_id.wrapping_mul(0x9e37_79b9_7f4a_7c15)
        )
    }

    fn new_job(&mut self, kind: JobKind, seeded: bool) -> &mut Job {
        let prefix = match kind {
            JobKind::Video => "vid",
            JobKind::Lipsync => "ls",
            JobKind::Translation => "vt",
            JobKind::Session => "sess",
        };
        let id = self.id(prefix);
        let seq = self.next_id;
        self.jobs.push(Job {
            id,
            kind,
            seq,
            created: Instant::now(),
            created_unix: unix_now(),
            created_wall: SystemTime::now(),
            duration: self.job_duration,
            seeded,
            failure: None,
            title: None,
            callback_id: None,
            output_language: None,
            video_id: None,
            prompt: None,
            deleted: false,
        });
        let last = self.jobs.len() - 1;
        &mut self.jobs[last]
    }

    fn job(&self, kind: JobKind, id: &str) -> Option<&Job> {
        self.jobs
            .iter()
            .find(|j| j.kind == kind && j.id == id && !j.deleted)
    }

    pub(super) fn rate_limit(
        &mut self,
        operation: &'static str,
        times: u32,
        retry_after: Duration,
    ) {
        self.rate_limits.insert(operation, (times, retry_after));
    }

    pub(super) fn fail_job(&mut self, id: &str, code: &str, message: &str) -> bool {
        let Some(job) = self.jobs.iter_mut().find(|j| j.id == id) else {
            return false;
        };
        job.failure = Some((code.to_string(), message.to_string()));
        // A session fails through its video, and the other way round.
        let linked = job.video_id.clone();
        if let Some(video) = linked.and_then(|v| self.jobs.iter_mut().find(|j| j.id == v)) {
            video.failure = Some((code.to_string(), message.to_string()));
        }
        true
    }

    pub(super) fn handle(&mut self, req: &FakeRequest) -> Reply {
        let (operation_id, reply) = self.route(req);
        let redact = |name: &str| matches!(name, "x-api-key" | "authorization");
        self.exchanges.push(Exchange {
            operation_id,
            method: req.method.to_string(),
            path: req.path.clone(),
            request_headers: req
                .headers
                .iter()
                .map(|(n, v)| {
                    let value = if redact(n.as_str()) {
                        "<redacted>".to_string()
                    } else {
                        String::from_utf8_lossy(v.as_bytes()).into_owned()
                    };
                    (n.as_str().to_string(), value)
                })
                .collect(),
            elapsed: self.started.elapsed(),
            status: reply.status,
            response_body: reply.json.clone(),
        });
        let mut reply = reply;
        reply
            .headers
            .push(("x-request-id", format!("req_{}", self.exchanges.len())));
        reply
    }

    fn route(&mut self, req: &FakeRequest) -> (Option<&'static str>, Reply) {
        let segs: Vec<&str> = req.path.trim_matches('/').split('/').collect();
        // The fake's own URLs: presigned, so no API key.
        match (req.method.as_str(), segs.as_slice()) {
            ("PUT", ["fake-uploads", id]) => return (None, self.receive_upload(id, req)),
            ("GET", ["fake-media", ..]) => {
                return (
                    None,
                    Reply {
                        status: 200,
                        headers: vec![("content-type", "video/mp4".into())],
                        body: Bytes::from_static(b"fake media bytes"),
                        json: None,
                    },
                );
            }
            _ => {}
        }
        let Some(route) = Route::find(&req.method, &req.path) else {
            return (
                None,
                Reply::error(
                    404,
                    "not_found",
                    &format!("the fake HeyGen has no {} {}", req.method, req.path),
                    None,
                ),
            );
        };
        let op = route.operation_id();
        if !self.authorized(req) {
            return (
                Some(op),
                Reply::error(
                    401,
                    "unauthorized",
                    "Invalid or expired API key. Verify your x-api-key header.",
                    None,
                ),
            );
        }
        if let Some((left, wait)) = self.rate_limits.get_mut(op)
            && *left > 0
        {
            *left -= 1;
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            let mut reply = Reply::error(
                429,
                "rate_limit_exceeded",
                "Too many requests. Retry after the duration specified in the Retry-After header.",
                None,
            );
            reply.headers.push(("retry-after", secs.to_string()));
            return (Some(op), reply);
        }
        let reply = match self.dispatch(route, req) {
            Ok(r) | Err(r) => r,
        };
        (Some(op), reply)
    }

    fn authorized(&self, req: &FakeRequest) -> bool {
        req.header("x-api-key") == Some(self.api_key.as_str())
            || req
                .header("authorization")
                .and_then(|v| v.strip_prefix("Bearer "))
                == Some(self.api_key.as_str())
    }

    fn dispatch(&mut self, route: Route, req: &FakeRequest) -> Result<Reply, Reply> {
        let now = Instant::now();
        match route {
            Route::ListSessions => {
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
            Route::CreateSession => {
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
            Route::GetSession(id) => {
                let job = self
                    .job(JobKind::Session, &id)
                    .ok_or_else(|| Reply::not_found("resource_not_found", "session", &id))?;
                Ok(Reply::ok(session_json(job, now)))
            }
            Route::ListVideos => {
                let mut videos: Vec<&Job> = self
                    .jobs
                    .iter()
                    .filter(|j| j.kind == JobKind::Video && !j.deleted)
                    .collect();
                videos.sort_by_key(|v| std::cmp::Reverse(v.seq));
                let items: Vec<Value> = videos.iter().map(|v| self.video_json(v, now)).collect();
                paginate(req, items, 10, 100)
            }
            Route::CreateVideo => {
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
            Route::GetVideo(id) => {
                let job = self
                    .job(JobKind::Video, &id)
                    .ok_or_else(|| Reply::not_found("video_not_found", "video", &id))?;
                Ok(Reply::ok(self.video_json(job, now)))
            }
            Route::DeleteVideo(id) => {
                let job = self
                    .jobs
                    .iter_mut()
                    .find(|j| j.kind == JobKind::Video && j.id == id && !j.deleted)
                    .ok_or_else(|| Reply::not_found("video_not_found", "video", &id))?;
                job.deleted = true;
                Ok(Reply::ok(json!({"id": id, "deleted": true})))
            }
            Route::CloneVoice => {
                let _: heygen_api::types::CloneVoiceRequest = req.typed()?;
                Ok(Reply::ok(json!({"voice_clone_id": self.id("vc")})))
            }
            Route::CreateLipsync => {
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
            Route::GetLipsync(id) => {
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
            Route::CreateTranslation => {
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
            Route::GetTranslation(id) => {
                let job = self.job(JobKind::Translation, &id).ok_or_else(|| {
                    Reply::not_found("resource_not_found", "video translation", &id)
                })?;
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
            Route::ListEndpoints => {
                let items: Vec<Value> = self.endpoints.iter().map(|e| e.json(false)).collect();
                paginate(req, items, 10, 100)
            }
            Route::CreateEndpoint => {
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
            Route::UpdateEndpoint(id) => {
                let body: heygen_api::types::UpdateWebhookEndpointRequest = req.typed()?;
                if let Some(url) = &body.url {
                    check_webhook_url(url)?;
                }
                let endpoint = self
                    .endpoints
                    .iter_mut()
                    .find(|e| e.id == id)
                    .ok_or_else(|| {
                        Reply::not_found("resource_not_found", "webhook endpoint", &id)
                    })?;
                if let Some(url) = body.url {
                    endpoint.url = url;
                }
                if let Some(events) = body.events {
                    endpoint.events = Some(events.iter().map(|e| e.to_string()).collect());
                }
                Ok(Reply::ok(endpoint.json(false)))
            }
            Route::DeleteEndpoint(id) => {
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
            Route::RotateSecret(id) => {
                let secret = self.id("whsec");
                let endpoint = self
                    .endpoints
                    .iter_mut()
                    .find(|e| e.id == id)
                    .ok_or_else(|| {
                        Reply::not_found("resource_not_found", "webhook endpoint", &id)
                    })?;
                endpoint.secret = secret;
                Ok(Reply::ok(
                    json!({"endpoint_id": endpoint.id, "secret": endpoint.secret}),
                ))
            }
            Route::ListEvents => {
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
            Route::UploadAsset => self.upload_multipart(req),
            Route::CreateDirectUpload => {
                let body: heygen_api::types::CreateAssetUploadRequest = req.typed()?;
                if body.filename.trim().is_empty() {
                    return Err(Reply::error(
                        400,
                        "invalid_parameter",
                        "filename must not be empty",
                        Some("filename"),
                    ));
                }
                if body.size_bytes <= 0 {
                    return Err(Reply::error(
                        400,
                        "invalid_parameter",
                        "size_bytes must be positive",
                        Some("size_bytes"),
                    ));
                }
                if body.size_bytes > DIRECT_UPLOAD_LIMIT {
                    return Err(Reply::error(
                        413,
                        "payload_too_large",
                        &format!("size_bytes is over the {DIRECT_UPLOAD_LIMIT}-byte limit"),
                        Some("size_bytes"),
                    ));
                }
                let id = self.id("asset");
                let token = self.id("sig");
                let headers = HashMap::from([
                    ("content-type".to_string(), body.content_type.clone()),
                    (UPLOAD_TOKEN_HEADER.to_string(), token.clone()),
                ]);
                let reply = Reply::ok(json!({
                    "asset_id": id,
                    "upload_url": format!("{}/fake-uploads/{id}?signature={token}", self.base_url),
                    "upload_headers": headers,
                    "expires_in_seconds": 900,
                    "max_bytes": DIRECT_UPLOAD_LIMIT,
                    "status": "pending_upload",
                }));
                self.assets.push(Asset {
                    id,
                    name: body.filename,
                    mime_type: body.content_type,
                    size: body.size_bytes,
                    uploaded_unix: unix_now(),
                    state: AssetState::AwaitingBytes { token, headers },
                });
                Ok(reply)
            }
            Route::CompleteUpload(id) => {
                let _: heygen_api::types::CompleteAssetUploadRequest = req.typed()?;
                let base = self.base_url.clone();
                let asset = self
                    .assets
                    .iter_mut()
                    .find(|a| a.id == id)
                    .ok_or_else(|| Reply::not_found("resource_not_found", "asset", &id))?;
                if matches!(asset.state, AssetState::AwaitingBytes { .. }) {
                    return Err(Reply::error(
                        400,
                        "invalid_parameter",
                        &format!(
                            "no bytes were uploaded for asset {id}: PUT them to its upload_url first"
                        ),
                        Some("asset_id"),
                    ));
                }
                asset.state = AssetState::Ready;
                Ok(Reply::ok(json!({
                    "asset_id": asset.id,
                    "url": format!("{base}/fake-media/assets/{}/{}", asset.id, asset.name),
                    "mime_type": asset.mime_type,
                    "size_bytes": asset.size,
                    "status": "processing",
                })))
            }
            Route::GetAsset(id) => {
                let asset = self
                    .assets
                    .iter()
                    .find(|a| a.id == id && matches!(a.state, AssetState::Ready))
                    .ok_or_else(|| Reply::not_found("resource_not_found", "asset", &id))?;
                let kind = asset.mime_type.split('/').next().unwrap_or("file");
                Ok(Reply::ok(json!({
                    "id": asset.id,
                    "name": asset.name,
                    "type": kind,
                    "owner": "fake-user",
                    "space_id": "fake-space",
                    "folder_id": null,
                    "url": format!("{}/fake-media/assets/{}/{}", self.base_url, asset.id, asset.name),
                    "uploaded_at": asset.uploaded_unix,
                })))
            }
        }
    }

    fn media_url(&self, kind: &str, id: &str) -> String {
        format!("{}/fake-media/{kind}/{id}.mp4", self.base_url)
    }

    fn video_json(&self, job: &Job, now: Instant) -> Value {
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

    /// The delivery-log entry of a finished job (lipsyncs have no event
    /// type in HeyGen's catalog).
    fn event_json(&self, job: &Job) -> Option<Value> {
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

    fn upload_multipart(&mut self, req: &FakeRequest) -> Result<Reply, Reply> {
        let parts = match &req.parts {
            Some(Ok(parts)) => parts,
            Some(Err(e)) => {
                return Err(Reply::error(
                    400,
                    "invalid_parameter",
                    &format!("the multipart body could not be read: {e}"),
                    Some("file"),
                ));
            }
            None => {
                return Err(Reply::error(
                    400,
                    "invalid_parameter",
                    "POST /v3/assets takes multipart/form-data with a part named file",
                    Some("file"),
                ));
            }
        };
        let Some(file) = parts.iter().find(|p| p.name == "file") else {
            return Err(Reply::error(
                400,
                "invalid_parameter",
                "the multipart body has no part named file",
                Some("file"),
            ));
        };
        if file.data.len() > MULTIPART_LIMIT {
            return Err(Reply::error(
                413,
                "payload_too_large",
                "files over 32 MB go through the direct upload flow",
                Some("file"),
            ));
        }
        if file.data.is_empty() {
            return Err(Reply::error(
                400,
                "invalid_parameter",
                "the file is empty",
                Some("file"),
            ));
        }
        let name = file.filename.clone().unwrap_or_else(|| "upload".into());
        let mime_type = file
            .content_type
            .clone()
            .unwrap_or_else(|| "application/octet-stream".into());
        let id = self.id("asset");
        let url = format!("{}/fake-media/assets/{id}/{name}", self.base_url);
        let size = file.data.len() as i64;
        self.assets.push(Asset {
            id: id.clone(),
            name,
            mime_type: mime_type.clone(),
            size,
            uploaded_unix: unix_now(),
            state: AssetState::Ready,
        });
        Ok(Reply::ok(json!({
            "asset_id": id,
            "url": url,
            "mime_type": mime_type,
            "size_bytes": size,
        })))
    }

    /// The presigned upload URL, checked the way a storage service checks
    /// it: the signature in the URL, the signed headers exactly as issued,
    /// the declared length. An API key here would be a leaked credential.
    fn receive_upload(&mut self, id: &str, req: &FakeRequest) -> Reply {
        if req.header("x-api-key").is_some() || req.header("authorization").is_some() {
            return Reply::storage_error(
                400,
                "InvalidRequest",
                "credentials sent to a presigned URL: only the upload_headers belong here",
            );
        }
        if req.header("transfer-encoding").is_some() || req.header("content-length").is_none() {
            return Reply::storage_error(
                501,
                "NotImplemented",
                "a presigned PUT needs Content-Length; chunked bodies are not accepted",
            );
        }
        let Some(asset) = self.assets.iter_mut().find(|a| a.id == id) else {
            return Reply::storage_error(404, "NoSuchUpload", "unknown upload");
        };
        let AssetState::AwaitingBytes { token, headers } = &asset.state else {
            return Reply::storage_error(
                409,
                "UploadClosed",
                "this upload already received its bytes",
            );
        };
        if req.query("signature") != Some(token.as_str()) {
            return Reply::storage_error(403, "SignatureDoesNotMatch", "bad signature in the URL");
        }
        for (name, value) in headers {
            if req.header(name) != Some(value.as_str()) {
                return Reply::storage_error(
                    403,
                    "SignatureDoesNotMatch",
                    &format!("signed header {name} missing or changed"),
                );
            }
        }
        if req.body.len() as i64 != asset.size {
            return Reply::storage_error(
                400,
                "IncompleteBody",
                &format!(
                    "received {} bytes, the upload declared {}",
                    req.body.len(),
                    asset.size
                ),
            );
        }
        asset.state = AssetState::Uploaded;
        Reply {
            status: 200,
            headers: vec![("etag", format!("\"{id}\""))],
            body: Bytes::new(),
            json: None,
        }
    }
}

fn title_from(prompt: &str) -> String {
    prompt.chars().take(40).collect()
}

fn failure_message(job: &Job, now: Instant) -> Option<String> {
    match (&job.failure, job.phase(now)) {
        (Some((_, m)), Phase::Done) => Some(m.clone()),
        _ => None,
    }
}

fn session_json(job: &Job, now: Instant) -> Value {
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

fn check_webhook_url(url: &str) -> Result<(), Reply> {
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

/// One page of `items` by the request's `limit` and `token`, with the
/// spec's `has_more` and `next_token`.
fn paginate(
    req: &FakeRequest,
    items: Vec<Value>,
    default: usize,
    max: usize,
) -> Result<Reply, Reply> {
    let limit = match req.query("limit") {
        None => default,
        Some(raw) => match raw.parse::<usize>() {
            Ok(n) if (1..=max).contains(&n) => n,
            _ => {
                return Err(Reply::error(
                    400,
                    "invalid_parameter",
                    &format!("limit must be between 1 and {max}"),
                    Some("limit"),
                ));
            }
        },
    };
    let offset = match req.query("token") {
        None | Some("") => 0,
        Some(token) => token
            .strip_prefix("cur_")
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| *n <= items.len())
            .ok_or_else(|| {
                Reply::error(
                    400,
                    "invalid_parameter",
                    "token is not a cursor this server issued",
                    Some("token"),
                )
            })?,
    };
    let end = (offset + limit).min(items.len());
    let has_more = end < items.len();
    let page: Vec<Value> = items[offset..end].to_vec();
    Ok(Reply::json(
        200,
        json!({
            "data": page,
            "has_more": has_more,
            "next_token": has_more.then(|| format!("cur_{end}")),
        }),
    ))
}
