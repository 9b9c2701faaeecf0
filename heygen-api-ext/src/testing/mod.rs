//! A fake HeyGen server for tests and the quickstart (feature `testing`).
//!
//! [`FakeHeyGen`] runs in-process on `127.0.0.1` and answers every
//! operation of HeyGen's v3 API (routes matched from the operation table
//! the client is generated from) the way HeyGen does. Jobs (videos,
//! lipsyncs, translations, agent sessions, proofreads, background removals,
//! AI clippings, voice clones, avatars) move through their statuses over a
//! few seconds; what one operation makes, the others see (a created video
//! is listed, in its batch and in the bulk status lookup; a deleted webhook
//! endpoint is gone); catalogues (voices, avatars, templates, styles, brand
//! kits, stock media) are seeded. Finished jobs carry signed, expiring URLs
//! to a second listener, the file host (a different origin, as HeyGen's
//! CDN is). Creates that take an `Idempotency-Key` replay their first
//! answer.
//!
//! It misbehaves on request: any operation can be scripted with
//! [`FakeHeyGen::on`] (a fixed reply, an error `n` times, a delay) while
//! the rest keeps working; a job can end in failure
//! ([`FakeHeyGen::fail_job`]); file downloads can stop halfway
//! ([`FakeHeyGen::interrupt_downloads`]).
//!
//! Its responses validate against the vendored OpenAPI spec (a test calls
//! every operation and checks every body). It is not a simulator of
//! HeyGen's rendering: jobs complete on a timer and files are placeholder
//! bytes.
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
//! Scripting one operation, its neighbours unaffected:
//!
//! ```
//! use std::time::Duration;
//! use heygen_api_ext::prelude::*;
//! use heygen_api_ext::testing::FakeHeyGen;
//! use serde_json::json;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let fake = FakeHeyGen::start().await?;
//! let client = fake.client_builder().max_retries(0).build()?;
//!
//! // Two 503s, then the fake answers as usual.
//! let outage = fake.on("getVideo")?.status(503).times(2);
//! // A fixed body, by method name or spec id.
//! fake.on("list_voices")?.reply(200, json!({"data": [], "has_more": false, "next_token": null}));
//! // Slow, but otherwise normal.
//! fake.on("getCurrentUser")?.delay(Duration::from_millis(50));
//!
//! let err = client.get_video().video_id("vid_x").data().await.unwrap_err();
//! assert_eq!(err.status(), Some(503));
//! assert!(client.list_voices().data().await?.is_empty());
//! assert_eq!(client.get_current_user().data().await?.username, "fake-user");
//! assert_eq!(client.list_templates().data().await?.len(), 10, "untouched");
//! assert_eq!(outage.hits(), 1);
//!
//! assert!(fake.on("getVideos").is_err(), "a name that is no operation");
//! # Ok(())
//! # }
//! ```
//!
//! Under tokio's paused clock (`#[tokio::test(start_paused = true)]`) jobs
//! finish and URLs expire as soon as the waiter's sleeps are skipped; build
//! the client with
//! [`ClientBuilder::without_timeouts`](crate::ClientBuilder::without_timeouts)
//! there.

mod clock;
mod files;
mod http;
mod overrides;
mod server;
mod state;

pub use http::{RecordedRequest, Reply, ScriptedServer, read_request, serve};
pub use overrides::{On, Override};

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::{Client, ClientBuilder, WaitOptions};
use state::State;

/// The longest job duration or URL lifetime a fake takes (longer ones are
/// cut to it), so that no clock arithmetic can overflow.
const LONGEST: Duration = Duration::from_secs(10 * 365 * 24 * 3600);

/// The API key a fake accepts unless told otherwise.
pub const DEFAULT_API_KEY: &str = "fake-heygen-key";

/// A fake HeyGen server on `127.0.0.1`, stopped when dropped.
///
/// Start it with [`FakeHeyGen::start`] (defaults) or
/// [`FakeHeyGen::builder`]; point a client at [`base_url`](Self::base_url)
/// with [`api_key`](Self::api_key), or take [`client`](Self::client).
pub struct FakeHeyGen {
    base_url: String,
    files_url: String,
    api_key: String,
    job_duration: Duration,
    state: Arc<Mutex<State>>,
    tasks: [JoinHandle<()>; 2],
}

impl fmt::Debug for FakeHeyGen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeHeyGen")
            .field("base_url", &self.base_url)
            .field("files_url", &self.files_url)
            .finish_non_exhaustive()
    }
}

impl Drop for FakeHeyGen {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
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
    /// for the fake's own URLs (the presigned upload URL) and for paths
    /// the API does not have.
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
    /// Response status; `0` when an override closed the connection or
    /// never answered.
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
    url_lifetime: Duration,
    sessions: usize,
    rate_limits: Vec<(String, u32, Duration)>,
}

impl fmt::Debug for FakeHeyGenBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Even a fake's key is kept out of logs, like any other.
        f.debug_struct("FakeHeyGenBuilder")
            .field("api_key", &"<redacted>")
            .field("job_duration", &self.job_duration)
            .field("url_lifetime", &self.url_lifetime)
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
            url_lifetime: Duration::from_secs(3600),
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

    /// How long a job (video, lipsync, translation, agent session,
    /// proofread, background removal, AI clipping, voice clone, avatar,
    /// completed direct upload) takes from creation to its final status
    /// (default 3 s; HeyGen takes minutes; at most ten years). The first
    /// third of it is spent queued (`pending`, `thinking`), the rest
    /// processing.
    pub fn job_duration(mut self, duration: Duration) -> Self {
        self.job_duration = duration.min(LONGEST);
        self
    }

    /// How long a signed file URL works after it is handed out (default
    /// one hour, at most ten years); then the file host answers `403`.
    /// Set it short to test a download that has to fetch a fresh URL.
    pub fn url_lifetime(mut self, lifetime: Duration) -> Self {
        self.url_lifetime = lifetime.min(LONGEST);
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

    /// Binds two free ports on `127.0.0.1` (the API and the file host) and
    /// starts serving on the current tokio runtime.
    pub async fn start(self) -> Result<FakeHeyGen, FakeError> {
        let (api, base_url) = bind().await?;
        let (file_listener, files_url) = bind().await?;
        let clock = clock::Clock::start();
        let mut state = State::new(state::Setup {
            base_url: base_url.clone(),
            api_key: self.api_key.clone(),
            job_duration: self.job_duration,
            sessions: self.sessions,
            clock,
            files: files::FileHost::new(files_url.clone(), clock, self.url_lifetime),
        });
        for (operation, times, retry_after) in &self.rate_limits {
            let id = operation_named(operation)?;
            state.rules.rate_limit(id, *times, *retry_after);
        }
        let state = Arc::new(Mutex::new(state));
        let tasks = [
            tokio::spawn(server::serve(api, state.clone())),
            tokio::spawn(server::serve_files(file_listener, state.clone())),
        ];
        Ok(FakeHeyGen {
            base_url,
            files_url,
            api_key: self.api_key,
            job_duration: self.job_duration,
            state,
            tasks,
        })
    }
}

/// A listener on a free loopback port, and its URL.
async fn bind() -> Result<(TcpListener, String), FakeError> {
    let listener = TcpListener::bind(("127.0.0.1", 0))
        .await
        .map_err(|e| FakeError(format!("binding 127.0.0.1: {e}")))?;
    let addr = listener
        .local_addr()
        .map_err(|e| FakeError(format!("reading the bound address: {e}")))?;
    Ok((listener, format!("http://{addr}")))
}

/// The spec id of an operation named by spec id or method name, or an
/// error that says what was wrong and what is close.
fn operation_named(operation: &str) -> Result<&'static str, FakeError> {
    if let Some(id) = state::operation_id(operation) {
        return Ok(id);
    }
    let wanted = operation.to_ascii_lowercase().replace('_', "");
    let close: Vec<&str> = state::operations()
        .map(|op| op.id)
        .filter(|id| {
            let id = id.to_ascii_lowercase();
            id.contains(&wanted) || wanted.contains(&id)
        })
        .collect();
    let hint = match close.as_slice() {
        [] => String::new(),
        close => format!("; did you mean {}?", close.join(" or ")),
    };
    Err(FakeError(format!(
        "{operation:?} is not an operation of HeyGen's API: name one by its spec operationId, such as \"createVideo\", or its method name, \"create_video\"{hint}"
    )))
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

    /// `http://127.0.0.1:<other port>`: the file host, where the URLs of
    /// finished jobs point (another origin than [`base_url`](Self::base_url)).
    pub fn files_url(&self) -> &str {
        &self.files_url
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

    /// Scripts one operation, named by spec id (`getVideo`) or method name
    /// (`get_video`); see [`On`] for what it can do and the
    /// [module example](self) for a test. An unknown name is an error that
    /// says so.
    pub fn on(&self, operation: &str) -> Result<On<'_>, FakeError> {
        Ok(On {
            fake: self,
            operation: operation_named(operation)?,
        })
    }

    /// Takes out every rule made by [`on`](Self::on) and
    /// [`rate_limit`](Self::rate_limit).
    pub fn reset_overrides(&self) {
        self.lock().rules.clear();
    }

    /// Like [`FakeHeyGenBuilder::rate_limit`], on a running fake.
    pub fn rate_limit(
        &self,
        operation: &str,
        times: u32,
        retry_after: Duration,
    ) -> Result<(), FakeError> {
        let id = operation_named(operation)?;
        self.lock().rules.rate_limit(id, times, retry_after);
        Ok(())
    }

    /// Makes the job `id` (a video, lipsync, video translation, agent
    /// session, proofread, background removal, AI clipping) end in
    /// `failed` with this failure code and message when its time is up;
    /// likewise an asset, voice or avatar. Returns whether it exists.
    pub fn fail_job(&self, id: &str, code: &str, message: &str) -> bool {
        self.lock().fail_job(id, code, message)
    }

    /// The next `times` responses of the file host announce the whole file
    /// and send half of it, then close the connection.
    pub fn interrupt_downloads(&self, times: u32) {
        self.lock().files.interruptions = times;
    }

    /// Every request the file host received, in order, headers as sent
    /// (an `x-api-key` or `authorization` there is a leaked credential).
    pub fn file_requests(&self) -> Vec<RecordedRequest> {
        self.lock().files.requests.clone()
    }

    /// The bytes the file host serves for one of its URLs (signed or not),
    /// to compare a download with; `None` for any other URL.
    pub fn file_body(&self, url: &str) -> Option<Bytes> {
        self.lock().files.body_of(url)
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
        server::lock(&self.state)
    }
}
