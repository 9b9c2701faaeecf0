//! The HeyGen SDK for Rust.
//!
//! One configured [`Client`] for every operation of HeyGen's External API
//! (AI video: video agent sessions, avatar videos, voices, translation,
//! lipsync, assets, webhooks), with what a production client needs:
//! authentication, retries that respect `Retry-After`, idempotency keys on
//! creates, typed [`Error`]s, list endpoints as streams, job waiters,
//! streamed uploads, and tracing.
//!
//! Every example below runs as a test against the fake HeyGen server this
//! crate ships behind the `testing` feature (see [Testing](#testing)).
//!
//! # Setup
//!
//! In production, [`Client::from_env`] reads `HEYGEN_API_KEY` (and
//! `HEYGEN_BASE_URL`, default `https://api.heygen.com`). The builder sets
//! everything explicitly:
//!
//! ```
//! use std::time::Duration;
//! use heygen_api_ext::Client;
//! use heygen_api_ext::testing::FakeHeyGen;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let fake = FakeHeyGen::start().await?; // stands in for api.heygen.com
//! let client = Client::builder()
//!     .api_key(fake.api_key())
//!     .base_url(fake.base_url())
//!     .max_retries(3)
//!     .timeout(Duration::from_secs(60))
//!     .build()?;
//!
//! // The generated operations, through `Deref` to `heygen_api::Client`;
//! // `?` turns their errors into `heygen_api_ext::Error`.
//! let page = client.list_video_agent_sessions().limit(5).send().await?;
//! assert_eq!(page.data.len(), 5);
//! # Ok(())
//! # }
//! ```
//!
//! A [`Client`] is cheap to clone and `Send + Sync`: make one, share it.
//!
//! # Pagination
//!
//! Every list operation's builder gets [`items`](Paginated::items) (one
//! stream of items across pages, the next page fetched while you work) and
//! [`pages`](Paginated::pages), from `use heygen_api_ext::prelude::*`:
//!
//! ```
//! use futures::{StreamExt, TryStreamExt};
//! use heygen_api_ext::prelude::*;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let fake = heygen_api_ext::testing::FakeHeyGen::start().await?;
//! # let client = fake.client()?;
//! let sessions: Vec<_> = client
//!     .list_video_agent_sessions()
//!     .limit(20)
//!     .items()
//!     .try_collect()
//!     .await?;
//! assert_eq!(sessions.len(), 45); // three pages of the fake's sessions
//!
//! // Stop early: later pages are never requested.
//! let newest: Vec<_> = client.list_video_agent_sessions().items().take(3).try_collect().await?;
//! assert_eq!(newest.len(), 3);
//! # Ok(())
//! # }
//! ```
//!
//! # Errors
//!
//! [`Error`] tells apart what a caller handles differently, by HTTP status
//! and HeyGen's error code; `code()`, `message()`, `param()`,
//! `request_id()` (quote it to HeyGen support) and `retry_after()` read
//! the details.
//!
//! ```
//! use heygen_api_ext::Error;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let fake = heygen_api_ext::testing::FakeHeyGen::start().await?;
//! # let client = fake.client()?;
//! match client.get_video().video_id("vid_deleted_long_ago").send().await {
//!     Ok(video) => println!("{:?}", video.data),
//!     Err(e) => match Error::from(e) {
//!         Error::NotFound(api) => assert_eq!(api.code, "video_not_found"),
//!         Error::RateLimited(api) => println!("retry after {:?}", api.retry_after),
//!         Error::Authentication(_) => println!("check HEYGEN_API_KEY"),
//!         other => return Err(other.into()),
//!     },
//! }
//!
//! // Bad input is refused before anything is sent, naming the parameter.
//! let err: Error = client.list_videos().limit(500).send().await.unwrap_err().into();
//! assert!(matches!(err, Error::InvalidRequest { .. }));
//! assert!(err.to_string().contains("limit"));
//! # Ok(())
//! # }
//! ```
//!
//! # Retries
//!
//! Each call is retried (up to [`ClientBuilder::max_retries`], 2 by
//! default, with jittered exponential backoff) when that is safe: a `429`
//! always, after the `Retry-After` HeyGen sends; a `5xx`, `408` or broken
//! connection only for reads and for creates that carry an
//! `Idempotency-Key`, which the client adds to every create that honours
//! one ([`IDEMPOTENCY_KEY`]), so that a retried create is never rendered, or
//! billed, twice. A `Retry-After` longer than
//! [`ClientBuilder::max_retry_after`] is handed back as
//! [`Error::RateLimited`] instead of slept through.
//!
//! ```
//! use std::time::Duration;
//! use heygen_api_ext::testing::FakeHeyGen;
//! use heygen_api_ext::types::CreateVideoRequest;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // A fake that answers the first create with 429 and Retry-After: 1.
//! let fake = FakeHeyGen::builder()
//!     .rate_limit("createVideo", 1, Duration::from_secs(1))
//!     .start()
//!     .await?;
//! let client = fake.client()?;
//! let request: CreateVideoRequest = serde_json::from_value(serde_json::json!({
//!     "type": "avatar", "avatar_id": "Daisy-inskirt-20220818", "script": "Hello!"
//! }))?;
//! let created = client.create_video().body(request).send().await?;
//! assert!(created.data.is_some()); // the SDK waited a second and retried
//! assert_eq!(fake.rate_limited_count(), 1);
//! # Ok(())
//! # }
//! ```
//!
//! # Waiting for jobs
//!
//! Videos, translations, lipsyncs, agent sessions and HeyGen's other
//! long-running jobs finish minutes after they are created. The waiters
//! (`wait_for_video`, `wait_for_video_translation`, `wait_for_lipsync`,
//! `wait_for_video_agent_session`, and more, see [`wait`]) poll politely:
//! the first poll after 2 s, then backing off with jitter to every 30 s, for
//! up to 20 minutes ([`WaitOptions`]). They return the finished resource,
//! [`Error::JobFailed`] with the job's failure code and message, or
//! [`Error::WaitTimeout`] with the last status seen: the job may still
//! finish, so poll it later rather than creating it again.
//!
//! ```
//! use heygen_api_ext::{Error, WaitOptions};
//! # use std::time::Duration;
//! # use heygen_api_ext::testing::FakeHeyGen;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let fake = FakeHeyGen::builder().job_duration(Duration::from_secs(1)).start().await?;
//! # let client = fake.client()?;
//! # let request: heygen_api_ext::types::CreateVideoRequest = serde_json::from_value(
//! #     serde_json::json!({"type": "avatar", "avatar_id": "a", "script": "Hi"}))?;
//! let created = client.create_video().body(request).send().await?;
//! let video_id = &created.data.as_ref().ok_or("no data")?.video_id;
//!
//! let options = WaitOptions::default().on_status(|change| println!("video is {}", change.status));
//! match client.wait_for_video(video_id).options(options).await {
//!     Ok(video) => println!("ready: {}", video.video_url.unwrap_or_default()),
//!     Err(Error::JobFailed { code, message, .. }) => println!("failed: {code:?} {message:?}"),
//!     Err(Error::WaitTimeout { last_status, .. }) => println!("still {last_status:?}; check later"),
//!     Err(e) => return Err(e.into()),
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Uploads
//!
//! [`Client::upload_asset`] sends a file of up to 32 MB (or bytes) in one
//! multipart request; [`Client::upload_asset_direct`] runs HeyGen's
//! presigned three-step upload for larger ones. Both stream from disk,
//! guess the content type from the file name, and report progress; see
//! [`upload`].
//!
//! ```
//! use heygen_api_ext::AssetSource;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let fake = heygen_api_ext::testing::FakeHeyGen::start().await?;
//! # let client = fake.client()?;
//! let asset = client
//!     .upload_asset(AssetSource::bytes("logo.png", vec![0u8; 2048]))
//!     .on_progress(|p| println!("{} / {} bytes", p.sent, p.total))
//!     .send()
//!     .await?;
//! assert_eq!(asset.mime_type, "image/png");
//! // From disk: client.upload_asset(Path::new("intro.mp4")) streams the file.
//! # Ok(())
//! # }
//! ```
//!
//! # Testing
//!
//! With the `testing` feature, `heygen_api_ext::testing::FakeHeyGen` runs a
//! fake HeyGen server in your test process, on `127.0.0.1`: sessions over
//! several pages, videos, lipsyncs and translations that finish after a few
//! seconds (instantly under tokio's paused clock), webhooks, uploads, a
//! `429` on the operations you choose, and HeyGen's error envelope. Enable
//! it for tests only:
//!
//! ```toml
//! [dev-dependencies]
//! heygen-api-ext = { version = "0.1", features = ["testing"] }
//! ```
//!
//! `cargo run --example quickstart` in this repository shows it all
//! offline.
//!
//! # Features
//!
//! - `rustls` (default): TLS through rustls.
//! - `native-tls`: TLS through the platform's library.
//! - `testing`: the fake HeyGen server.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

pub mod config;
pub mod data;
pub mod error;
pub mod paginate;
pub mod retry;
#[cfg(feature = "testing")]
pub mod testing;
mod transport;
pub mod upload;
pub mod wait;

pub use config::ClientBuilder;
pub use data::SendData;
pub use error::{ApiError, Error};
pub use heygen_api::{builder, types};
pub use paginate::{Page, Paginated};
pub use retry::{RetryEvent, RetryPolicy, RetryReason};
pub use transport::IDEMPOTENCY_KEY;
pub use upload::{AssetSource, UploadProgress};
pub use wait::{StatusChange, WaitOptions};

/// What most programs need: `use heygen_api_ext::prelude::*;`.
pub mod prelude {
    pub use crate::data::SendData as _;
    pub use crate::paginate::Paginated as _;
    pub use crate::{Client, Error};
}

/// A configured HeyGen client. Cheap to clone (clones share one
/// connection pool); `Send + Sync`.
///
/// Every generated operation is available through `Deref`:
/// `client.list_video_agent_sessions().limit(50).send().await?`.
#[derive(Clone)]
pub struct Client {
    api: heygen_api::Client,
    config: Arc<config::Config>,
}

impl Deref for Client {
    type Target = heygen_api::Client;

    fn deref(&self) -> &heygen_api::Client {
        &self.api
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The credential lives in the HTTP client's default headers, marked
        // sensitive; nothing here can print it.
        f.debug_struct("Client")
            .field("base_url", &self.config.base_url)
            .field("retry", &self.config.retry)
            .field("timeout", &self.config.timeout)
            .finish_non_exhaustive()
    }
}
