//! A loopback server that runs jobs on tokio's clock, for the bulk, batch
//! and agent waits: each job reaches its final status at a set time, and
//! the server answers HeyGen's bulk status, batch, job and session
//! endpoints from that, recording when it was asked what.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use heygen_api_ext::testing::{RecordedRequest, Reply, serve};
use heygen_api_ext::{Client, ClientBuilder};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// One job: its kind's path segment (`videos`, `video-translations`,
/// `lipsyncs`), when it ends, and how.
#[derive(Debug, Clone)]
pub struct Job {
    pub path: &'static str,
    pub done_at: Duration,
    pub failure: Option<(String, String)>,
    pub language: Option<String>,
}

/// A request as the server saw it, and when.
#[derive(Debug, Clone)]
pub struct Seen {
    pub at: Duration,
    pub request: RecordedRequest,
}

impl Seen {
    pub fn path(&self) -> &str {
        self.request.path()
    }

    /// The comma-separated ids of a bulk status request.
    pub fn ids(&self) -> Vec<String> {
        self.request
            .query()
            .into_iter()
            .filter(|(k, _)| k.ends_with("_ids"))
            .flat_map(|(_, v)| v.split(',').map(str::to_string).collect::<Vec<_>>())
            .collect()
    }
}

#[derive(Default)]
struct State {
    jobs: HashMap<String, Job>,
    /// Batch id to its items' job ids (`None`: the item failed before it
    /// had a job), and whether the batch as a whole failed.
    batches: HashMap<String, (Vec<Option<String>>, bool)>,
    /// Session id to its video's id and when the session names it.
    sessions: HashMap<String, (String, Duration)>,
    /// Replies served first to the next request whose path ends so.
    scripted: VecDeque<(String, Reply)>,
    seen: Vec<Seen>,
}

/// The server; stopped when dropped.
pub struct Sim {
    state: Arc<Mutex<State>>,
    started: Instant,
    base_url: String,
    task: JoinHandle<()>,
}

impl Drop for Sim {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Items per batch page, whatever `limit` asks: small, so that every
/// batch here has several pages.
const BATCH_PAGE: usize = 2;

impl Sim {
    pub async fn start() -> Sim {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State::default()));
        let started = Instant::now();
        let shared = state.clone();
        let task = tokio::spawn(serve(listener, move |sock, request| {
            let at = started.elapsed();
            let reply = answer(&mut lock(&shared), at, request);
            reply.write_to(sock)
        }));
        Sim {
            state,
            started,
            base_url,
            task,
        }
    }

    /// A client for the server: no timeouts (paused clock), and no
    /// retries of its own, so that the waiter meets every `429`.
    pub fn client(&self) -> Client {
        self.client_builder().build().unwrap()
    }

    pub fn client_builder(&self) -> ClientBuilder {
        Client::builder()
            .api_key("sk-sim")
            .base_url(&self.base_url)
            .without_timeouts()
            .max_retries(0)
    }

    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// A job of kind `path` that completes after `secs`.
    pub fn job(&self, path: &'static str, id: &str, secs: u64) {
        self.add(
            id,
            Job {
                path,
                done_at: Duration::from_secs(secs),
                failure: None,
                language: None,
            },
        );
    }

    /// A job that fails after `secs`.
    pub fn failing(&self, path: &'static str, id: &str, secs: u64, code: &str, message: &str) {
        self.add(
            id,
            Job {
                path,
                done_at: Duration::from_secs(secs),
                failure: Some((code.into(), message.into())),
                language: None,
            },
        );
    }

    pub fn add(&self, id: &str, job: Job) {
        lock(&self.state).jobs.insert(id.into(), job);
    }

    pub fn batch(&self, batch_id: &str, items: &[Option<&str>], failed: bool) {
        let items = items.iter().map(|i| i.map(str::to_string)).collect();
        lock(&self.state)
            .batches
            .insert(batch_id.into(), (items, failed));
    }

    /// A session that names `video_id` after `secs`.
    pub fn session(&self, session_id: &str, video_id: &str, secs: u64) {
        lock(&self.state).sessions.insert(
            session_id.into(),
            (video_id.into(), Duration::from_secs(secs)),
        );
    }

    /// Answers the next request whose path ends with `path` with `reply`.
    pub fn script(&self, path: &str, reply: Reply) {
        lock(&self.state).scripted.push_back((path.into(), reply));
    }

    /// Every request so far.
    pub fn seen(&self) -> Vec<Seen> {
        lock(&self.state).seen.clone()
    }

    /// The requests whose path ends with `path`.
    pub fn seen_at(&self, path: &str) -> Vec<Seen> {
        self.seen()
            .into_iter()
            .filter(|s| s.path().ends_with(path))
            .collect()
    }
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|p| p.into_inner())
}

fn answer(state: &mut State, at: Duration, request: RecordedRequest) -> Reply {
    state.seen.push(Seen {
        at,
        request: request.clone(),
    });
    let path = request.path().to_string();
    let scripted = state.scripted.iter().position(|(p, _)| path.ends_with(p));
    if let Some((_, reply)) = scripted.and_then(|i| state.scripted.remove(i)) {
        return reply;
    }
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segments.as_slice() {
        ["v3", _, "statuses"] => statuses(state, at, &request),
        ["v3", "videos", "batches", b] => batch(state, at, b, &request),
        ["v3", "video-agents", s] => session(state, at, s),
        ["v3", kind, id] => match state.jobs.get(*id).filter(|j| j.path == *kind) {
            Some(job) => Reply::json(200, json!({ "data": resource(id, job, at) })),
            None => Reply::error(404, "not_found", &format!("{id} not found")),
        },
        _ => Reply::error(501, "not_implemented", "the sim does not serve this"),
    }
}

/// A job's status at `at`, as HeyGen spells it for its kind.
fn status(job: &Job, at: Duration) -> &'static str {
    let running = if job.path == "videos" {
        "processing"
    } else {
        "running"
    };
    if at >= job.done_at {
        if job.failure.is_some() {
            "failed"
        } else {
            "completed"
        }
    } else if at >= job.done_at / 3 {
        running
    } else {
        "pending"
    }
}

fn resource(id: &str, job: &Job, at: Duration) -> Value {
    let status = status(job, at);
    let done = status == "completed";
    let failure = job.failure.clone().filter(|_| status == "failed");
    json!({
        "id": id,
        "status": status,
        "title": null,
        "created_at": 1,
        "video_url": done.then(|| format!("https://cdn.example/{id}.mp4")),
        "output_language": job.language,
        "failure_code": failure.as_ref().map(|f| f.0.clone()),
        "failure_message": failure.as_ref().map(|f| f.1.clone()),
    })
}

fn statuses(state: &State, at: Duration, request: &RecordedRequest) -> Reply {
    let kind = request.path().split('/').nth(2).unwrap_or_default();
    let ids: Vec<String> = Seen {
        at,
        request: request.clone(),
    }
    .ids();
    let data: Vec<Value> = ids
        .iter()
        .map(|id| match state.jobs.get(id).filter(|j| j.path == kind) {
            Some(job) => {
                let status = status(job, at);
                let error = job
                    .failure
                    .as_ref()
                    .filter(|_| status == "failed")
                    .map(|(code, message)| json!({"code": code, "message": message}));
                json!({"video_id": id, "status": status, "error": error})
            }
            None => json!({"video_id": id, "status": "not_found"}),
        })
        .collect();
    Reply::json(
        200,
        json!({"data": data, "has_more": false, "next_token": null}),
    )
}

fn batch(state: &State, at: Duration, batch_id: &str, request: &RecordedRequest) -> Reply {
    let Some((items, failed)) = state.batches.get(batch_id) else {
        return Reply::error(404, "not_found", "no such batch");
    };
    let from: usize = request
        .query()
        .into_iter()
        .find(|(k, _)| k == "token")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let page: Vec<Value> = items
        .iter()
        .enumerate()
        .skip(from)
        .take(BATCH_PAGE)
        .map(|(index, job_id)| {
            let job = job_id.as_ref().and_then(|id| state.jobs.get(id));
            let status = match job {
                Some(job) => match status(job, at) {
                    "pending" => "queued",
                    "running" => "processing",
                    other => other,
                },
                None if *failed => "failed",
                None => "queued",
            };
            let error = job
                .and_then(|j| j.failure.clone())
                .filter(|_| status == "failed")
                .map(|(code, message)| json!({"code": code, "message": message}));
            json!({"item_index": index, "status": status, "video_id": job_id, "error": error})
        })
        .collect();
    let next = from + BATCH_PAGE;
    let has_more = next < items.len();
    Reply::json(
        200,
        json!({"data": {
            "batch_id": batch_id,
            "status": if *failed { "failed" } else { "processing" },
            "total_items": items.len(),
            "counts_by_status": {},
            "created_at": 1,
            "items": page,
            "has_more": has_more,
            "next_token": has_more.then(|| next.to_string()),
        }}),
    )
}

fn session(state: &State, at: Duration, session_id: &str) -> Reply {
    let Some((video_id, named_at)) = state.sessions.get(session_id) else {
        return Reply::error(404, "not_found", "no such session");
    };
    let named = at >= *named_at;
    Reply::json(
        200,
        json!({"data": {
            "session_id": session_id,
            "status": if named { "generating" } else { "thinking" },
            "created_at": 1,
            "messages": [],
            "video_id": named.then_some(video_id),
        }}),
    )
}
