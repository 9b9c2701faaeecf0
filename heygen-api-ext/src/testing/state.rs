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
use route::Route;

mod agent;
mod assets;
mod media_jobs;
mod route;
mod videos;
mod webhooks;

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

    /// Answers a route: each is a method in the module of its resource.
    fn dispatch(&mut self, route: Route, req: &FakeRequest) -> Result<Reply, Reply> {
        match route {
            Route::ListSessions => self.list_sessions(req),
            Route::CreateSession => self.create_session(req),
            Route::GetSession(id) => self.get_session(id),
            Route::ListVideos => self.list_videos(req),
            Route::CreateVideo => self.create_video(req),
            Route::GetVideo(id) => self.get_video(id),
            Route::DeleteVideo(id) => self.delete_video(id),
            Route::CloneVoice => self.clone_voice(req),
            Route::CreateLipsync => self.create_lipsync(req),
            Route::GetLipsync(id) => self.get_lipsync(id),
            Route::CreateTranslation => self.create_translation(req),
            Route::GetTranslation(id) => self.get_translation(id),
            Route::ListEndpoints => self.list_endpoints(req),
            Route::CreateEndpoint => self.create_endpoint(req),
            Route::UpdateEndpoint(id) => self.update_endpoint(req, id),
            Route::DeleteEndpoint(id) => self.delete_endpoint(id),
            Route::RotateSecret(id) => self.rotate_secret(id),
            Route::ListEvents => self.list_events(req),
            Route::UploadAsset => self.upload_multipart(req),
            Route::CreateDirectUpload => self.create_direct_upload(req),
            Route::CompleteUpload(id) => self.complete_upload(req, id),
            Route::GetAsset(id) => self.get_asset(id),
        }
    }

    fn media_url(&self, kind: &str, id: &str) -> String {
        format!("{}/fake-media/{kind}/{id}.mp4", self.base_url)
    }
}

fn failure_message(job: &Job, now: Instant) -> Option<String> {
    match (&job.failure, job.phase(now)) {
        (Some((_, m)), Phase::Done) => Some(m.clone()),
        _ => None,
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
