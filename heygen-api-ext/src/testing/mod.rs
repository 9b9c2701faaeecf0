//! A fake HeyGen server for tests and the quickstart (feature `testing`).
//!
//! [`FakeHeyGen`] runs in-process on `127.0.0.1` and answers the main flows
//! of HeyGen's v3 API the way HeyGen does: video agent sessions over several
//! pages, videos, lipsyncs and video translations that move through their
//! statuses over a few seconds and finish with a URL, webhook endpoints and
//! their event log, asset uploads (multipart, and the presigned direct
//! upload, whose upload URL the fake serves itself). It also misbehaves on
//! request: a `429` with `Retry-After` on chosen operations, a job that ends
//! in failure, and the error envelope, `401` and `404` of the real API.
//!
//! Its responses validate against the vendored OpenAPI spec (a test checks
//! every body it sends). It is not a simulator of HeyGen's rendering: jobs
//! complete on a timer and media URLs serve a few placeholder bytes.
//!
//! ```
//! use heygen_api_ext::testing::FakeHeyGen;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let fake = FakeHeyGen::start().await?;
//! let client = heygen_api_ext::Client::builder()
//!     .api_key(fake.api_key())
//!     .base_url(fake.base_url())
//!     .build()?;
//! let page = client.list_video_agent_sessions().send().await?;
//! assert_eq!(page.data.len(), 20);
//! # Ok(())
//! # }
//! ```
//!
//! Under tokio's paused clock (`#[tokio::test(start_paused = true)]`) jobs
//! finish as soon as the waiter's sleeps are skipped; build the client with
//! [`ClientBuilder::without_timeouts`](crate::ClientBuilder::without_timeouts)
//! there.

mod http;
mod server;
mod state;

pub use http::{RecordedRequest, Reply, ScriptedServer, read_request, serve};

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::{Client, ClientBuilder, WaitOptions};
use state::State;

/// The API key a fake accepts unless told otherwise.
pub const DEFAULT_API_KEY: &str = "fake-heygen-key";

/// A fake HeyGen server on `127.0.0.1`, stopped when dropped.
///
/// Start it with [`FakeHeyGen::start`] (defaults) or
/// [`FakeHeyGen::builder`]; point a client at [`base_url`](Self::base_url)
/// with [`api_key`](Self::api_key), or take [`client`](Self::client).
pub struct FakeHeyGen {
    base_url: String,
    api_key: String,
    job_duration: Duration,
    state: Arc<Mutex<State>>,
    task: JoinHandle<()>,
}

impl fmt::Debug for FakeHeyGen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeHeyGen")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl Drop for FakeHeyGen {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Why the fake could not start or could not take a setting.
#[derive(Debug)]
pub struct FakeError(String);

impl fmt::Display for FakeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FakeError {}

/// One request the fake answered, as [`FakeHeyGen::exchanges`] lists them.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Exchange {
    /// The spec's `operationId` of the route (`createVideo`, ...); `None`
    /// for the fake's own URLs (the presigned upload URL, media) and for
    /// paths the API does not have.
    pub operation_id: Option<&'static str>,
    /// HTTP method.
    pub method: String,
    /// Path, without the query.
    pub path: String,
    /// Request headers, names lower-cased; credential values are replaced
    /// by `<redacted>`.
    pub request_headers: Vec<(String, String)>,
    /// When the request arrived, on tokio's clock, since the fake started.
    pub elapsed: Duration,
    /// Response status.
    pub status: u16,
    /// The response body, when it was JSON.
    pub response_body: Option<serde_json::Value>,
}

impl Exchange {
    /// The value of a request header (name in lower case).
    pub fn request_header(&self, name: &str) -> Option<&str> {
        self.request_headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Options for a [`FakeHeyGen`]; start with [`FakeHeyGen::builder`].
#[derive(Clone)]
pub struct FakeHeyGenBuilder {
    api_key: String,
    job_duration: Duration,
    sessions: usize,
    rate_limits: Vec<(String, u32, Duration)>,
}

impl fmt::Debug for FakeHeyGenBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Even a fake's key is kept out of logs, like any other.
        f.debug_struct("FakeHeyGenBuilder")
            .field("api_key", &"<redacted>")
            .field("job_duration", &self.job_duration)
            .field("sessions", &self.sessions)
            .field("rate_limits", &self.rate_limits)
            .finish()
    }
}

impl Default for FakeHeyGenBuilder {
    fn default() -> Self {
        Self {
            api_key: DEFAULT_API_KEY.to_string(),
            job_duration: Duration::from_secs(3),
            sessions: 45,
            rate_limits: Vec::new(),
        }
    }
}

impl FakeHeyGenBuilder {
    /// The only API key accepted (as `x-api-key` or a bearer token); any
    /// other gets `401` (default [`DEFAULT_API_KEY`]).
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = key.into();
        self
    }

    /// How long a job (video, lipsync, translation, agent session) takes
    /// from creation to its final status (default 3 s; HeyGen takes
    /// minutes). The first third of it is spent queued (`pending`,
    /// `thinking`), the rest processing.
    pub fn job_duration(mut self, duration: Duration) -> Self {
        self.job_duration = duration;
        self
    }

    /// How many finished video agent sessions exist at start (default 45:
    /// three pages at the default page size of 20).
    pub fn sessions(mut self, count: usize) -> Self {
        self.sessions = count;
        self
    }

    /// The next `times` calls of an operation (its spec id, `createVideo`,
    /// or its method name, `create_video`) get `429 rate_limit_exceeded`
    /// with `Retry-After` (whole seconds, rounded up).
    pub fn rate_limit(mut self, operation: &str, times: u32, retry_after: Duration) -> Self {
        self.rate_limits
            .push((operation.to_string(), times, retry_after));
        self
    }

    /// Starts the fake unless `HEYGEN_API_KEY` is set: the way a program
    /// runs offline by default and against HeyGen when given a key
    /// (`None` then; build the client with [`Client::builder_from_env`]).
    pub async fn start_unless_api_key(self) -> Result<Option<FakeHeyGen>, FakeError> {
        if std::env::var(crate::config::API_KEY_VAR).is_ok_and(|k| !k.trim().is_empty()) {
            return Ok(None);
        }
        self.start().await.map(Some)
    }

    /// Binds `127.0.0.1` on a free port and starts serving on the current
    /// tokio runtime.
    pub async fn start(self) -> Result<FakeHeyGen, FakeError> {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| FakeError(format!("binding 127.0.0.1: {e}")))?;
        let addr = listener
            .local_addr()
            .map_err(|e| FakeError(format!("reading the bound address: {e}")))?;
        let base_url = format!("http://{addr}");
        let mut state = State::new(
            base_url.clone(),
            self.api_key.clone(),
            self.job_duration,
            self.sessions,
        );
        for (operation, times, retry_after) in &self.rate_limits {
            let id = state::operation_id(operation).ok_or_else(|| unknown_operation(operation))?;
            state.rate_limit(id, *times, *retry_after);
        }
        let state = Arc::new(Mutex::new(state));
        let task = tokio::spawn(server::serve(listener, state.clone()));
        Ok(FakeHeyGen {
            base_url,
            api_key: self.api_key,
            job_duration: self.job_duration,
            state,
            task,
        })
    }
}

fn unknown_operation(operation: &str) -> FakeError {
    FakeError(format!(
        "{operation:?} is not an operation the fake serves; use a spec operationId such as \"createVideo\" (or its method name, \"create_video\"); served: {}",
        state::SERVED.join(", ")
    ))
}

impl FakeHeyGen {
    /// Starts a fake with the defaults of [`FakeHeyGenBuilder`].
    pub async fn start() -> Result<FakeHeyGen, FakeError> {
        Self::builder().start().await
    }

    /// Options before starting.
    pub fn builder() -> FakeHeyGenBuilder {
        FakeHeyGenBuilder::default()
    }

    /// `http://127.0.0.1:<port>`: the base URL to give a client.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The API key the fake accepts.
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    /// A client builder pointed at the fake with its key; add settings
    /// (e.g. `without_timeouts()` under a paused clock) and `build()`.
    pub fn client_builder(&self) -> ClientBuilder {
        Client::builder()
            .api_key(&self.api_key)
            .base_url(&self.base_url)
    }

    /// Waiter options that poll the fake often enough to see each status
    /// its jobs pass through: a sixth of the job duration apart (HeyGen's
    /// renders take minutes, and [`WaitOptions::default`] polls for that).
    pub fn wait_options(&self) -> WaitOptions {
        let every = (self.job_duration / 6).max(Duration::from_millis(10));
        WaitOptions {
            initial_delay: every,
            max_delay: every,
            ..WaitOptions::default()
        }
    }

    /// A client pointed at the fake with its key and default settings.
    pub fn client(&self) -> Result<Client, crate::Error> {
        self.client_builder().build()
    }

    /// Like [`FakeHeyGenBuilder::rate_limit`], on a running fake.
    pub fn rate_limit(
        &self,
        operation: &str,
        times: u32,
        retry_after: Duration,
    ) -> Result<(), FakeError> {
        let id = state::operation_id(operation).ok_or_else(|| unknown_operation(operation))?;
        self.lock().rate_limit(id, times, retry_after);
        Ok(())
    }

    /// Makes the job `id` (a video, lipsync, video translation or video
    /// agent session) end in `failed` with this failure code and message
    /// when its time is up. Returns whether the job exists.
    pub fn fail_job(&self, id: &str, code: &str, message: &str) -> bool {
        self.lock().fail_job(id, code, message)
    }

    /// Every request answered so far, in order.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.lock().exchanges.clone()
    }

    /// How many `429`s the fake has sent.
    pub fn rate_limited_count(&self) -> usize {
        self.lock()
            .exchanges
            .iter()
            .filter(|e| e.status == 429)
            .count()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A handler that panicked leaves consistent data behind (every
        // change is a single push or field write), so keep serving.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}
