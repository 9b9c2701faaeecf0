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
//! ```
//! use heygen_api_ext::prelude::*;
//! use heygen_api_ext::types::{AssetUrl, CloneVoiceRequest, CreateVideoFromAvatar};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), heygen_api_ext::Error> {
//! # let fake = heygen_api_ext::testing::FakeHeyGen::start().await.expect("the fake starts");
//! # let client = fake.client()?;
//! // Requests are built with builders; `.data()` sends, and returns the
//! // answer's payload or a `heygen_api_ext::Error`.
//! let created = client
//!     .create_video()
//!     .body(CreateVideoFromAvatar::builder().avatar_id("Daisy-inskirt-20220818").script("Hello").voice_id("v1"))
//!     .data()
//!     .await?;
//! let video = client.get_video().video_id(&created.video_id).data().await?;
//! let voice = client
//!     .clone_voice()
//!     .body(CloneVoiceRequest::builder().voice_name("Narrator").audio(AssetUrl::builder().url("https://example.com/a.mp3")))
//!     .data()
//!     .await?;
//! # assert_eq!(video.id, created.video_id);
//! # assert!(!voice.voice_clone_id.is_empty());
//! # Ok(())
//! # }
//! ```
//!
//! A request made of several kinds (`createVideo` takes an avatar, an
//! image, a cinematic avatar or studio scenes) is an enum over one struct
//! per kind, named as HeyGen's reference names it; hand any of them, or
//! its builder, to `.body()` or to the field that takes the enum. Every
//! request type is built through its builder: the structs are
//! `#[non_exhaustive]`, so a field HeyGen adds never breaks your code.
//!
//! # Setup
//!
//! In production, [`Client::from_env`] reads `HEYGEN_API_KEY` (and
//! `HEYGEN_BASE_URL`, default `https://api.heygen.com`). The builder sets
//! everything explicitly:
//!
//! ```
//! use std::time::Duration;
//! use heygen_api_ext::prelude::*;
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
//! // The generated operations, through `Deref` to `heygen_api::Client`.
//! // `.data()` (from the prelude) returns the answer's payload;
//! // `.send()` the whole answer, headers included.
//! let sessions = client.list_video_agent_sessions().limit(5).data().await?;
//! assert_eq!(sessions.len(), 5);
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
//! use heygen_api_ext::prelude::*;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let fake = heygen_api_ext::testing::FakeHeyGen::start().await?;
//! # let client = fake.client()?;
//! match client.get_video().video_id("vid_deleted_long_ago").data().await {
//!     Ok(video) => println!("{}", video.status),
//!     Err(Error::NotFound(api)) => assert_eq!(api.code, "video_not_found"),
//!     Err(Error::RateLimited(api)) => println!("retry after {:?}", api.retry_after),
//!     Err(Error::Authentication(_)) => println!("check HEYGEN_API_KEY"),
//!     Err(other) => return Err(other.into()),
//! }
//!
//! // Bad input is refused before anything is sent, naming the parameter.
//! let err = client.list_videos().limit(500).data().await.unwrap_err();
//! assert!(matches!(err, Error::InvalidRequest { .. }));
//! assert!(err.to_string().contains("limit"));
//! # Ok(())
//! # }
//! ```
//!
//! # Retries, timeouts and resending
//!
//! Every request goes through one loop, which retries what is safe to
//! retry (up to [`ClientBuilder::max_retries`], 2 by default, with
//! jittered exponential backoff) and nothing else:
//!
//! - a `429`, after the `Retry-After` HeyGen sends (one longer than
//!   [`ClientBuilder::max_retry_after`] is handed back as
//!   [`Error::RateLimited`] instead of slept through);
//! - a connection that never opened (nothing was sent);
//! - a `408`, `500`, `502`, `503`, `504`, an attempt timeout or a broken
//!   connection, only for reads and for creates that carry an
//!   `Idempotency-Key`. The client gives one ([`IDEMPOTENCY_KEY`]) to every
//!   create that honours it, reused by the call's retries, so that a
//!   retried create is never rendered, or billed, twice;
//! - `409 request_in_progress` (the first attempt with that key is still
//!   running) is waited out within the call's timeout.
//!
//! A call has a budget ([`ClientBuilder::timeout`], 120 s, retries
//! included) and each attempt one of its own
//! ([`ClientBuilder::attempt_timeout`], 60 s). Uploads are bounded instead
//! by [`ClientBuilder::upload_idle_timeout`], downloads by
//! [`ClientBuilder::download_idle_timeout`]: a large file on a slow link
//! is not cut off while its bytes move.
//!
//! When a call still fails, [`Error::is_retryable`] says whether sending it
//! again may succeed without doing the work twice, and
//! [`Error::idempotency_key`] gives the key to resend a create with: the
//! same key makes HeyGen answer with the first call's result.
//!
//! ```
//! use std::time::Duration;
//! use heygen_api_ext::prelude::*;
//! use heygen_api_ext::testing::FakeHeyGen;
//! use heygen_api_ext::types::CreateVideoFromAvatar;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // A fake that answers the first create with 429 and Retry-After: 1.
//! let fake = FakeHeyGen::builder()
//!     .rate_limit("createVideo", 1, Duration::from_secs(1))
//!     .start()
//!     .await?;
//! let client = fake
//!     .client_builder()
//!     .on_retry(|r| println!("{}: {}, retrying in {:?}", r.operation, r.reason, r.delay))
//!     .build()?;
//! let request = CreateVideoFromAvatar::builder().avatar_id("Daisy-inskirt-20220818").script("Hello!");
//! let created = match client.create_video().body(request.clone()).data().await {
//!     Ok(created) => created, // here: waited a second, retried
//!     Err(e) if e.is_retryable() => {
//!         // Later: the same call, with the same key, cannot render twice.
//!         let key = e.idempotency_key().unwrap_or_default().to_string();
//!         client.create_video().idempotency_key(key).body(request).data().await?
//!     }
//!     Err(e) => return Err(e.into()),
//! };
//! assert!(created.video_id.starts_with("vid_"));
//! assert_eq!(fake.rate_limited_count(), 1);
//!
//! // Other settings for some calls: a clone that shares the connections.
//! let patient = client.with_options(|o| o.timeout(Duration::from_secs(600)).max_retries(5));
//! # let _ = patient;
//! # Ok(())
//! # }
//! ```
//!
//! [`ClientBuilder::http_client`] sends through a `reqwest::Client` of
//! yours (proxies, CA roots). The credential is added to each request to
//! HeyGen, never to that client: requests you make with it yourself, to
//! fetch a finished video say, carry no key.
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
//! use heygen_api_ext::prelude::*;
//! use heygen_api_ext::types::CreateVideoFromAvatar;
//! # use std::time::Duration;
//! # use heygen_api_ext::testing::FakeHeyGen;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let fake = FakeHeyGen::builder().job_duration(Duration::from_secs(1)).start().await?;
//! # let client = fake.client()?;
//! let request = CreateVideoFromAvatar::builder().avatar_id("Daisy-inskirt-20220818").script("Hi");
//! let created = client.create_video().body(request).data().await?;
//!
//! let options = WaitOptions::default().on_status(|change| println!("video is {}", change.status));
//! match client.wait_for_video(&created.video_id).options(options).await {
//!     Ok(video) => println!("ready: {}", video.video_url.unwrap_or_default()),
//!     Err(Error::JobFailed { code, message, .. }) => println!("failed: {code:?} {message:?}"),
//!     Err(Error::WaitTimeout { last_status, .. }) => println!("still {last_status:?}; check later"),
//!     Err(e) => return Err(e.into()),
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Many jobs at once are waited for through HeyGen's bulk status
//! endpoints, one request per poll for up to 100 of them:
//! [`Client::wait_for_videos`] (likewise translations, lipsyncs, assets)
//! and [`Client::wait_for_video_batch`] (and the other batches) give a
//! stream of jobs as they finish, or all of them with `.await`; the
//! `video_translation_ids` of a translation into several languages go to
//! [`Client::wait_for_video_translations`]. [`Client::wait_for_agent_video`]
//! follows a video agent session to the video it makes.
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
//! # Downloads
//!
//! [`Client::download_video`] writes a finished video's file (the video,
//! its captioned version, GIF, thumbnail or captions: [`VideoFile`]) to a
//! path: streamed to a temporary file and moved into place only once
//! complete, with progress, without ever sending the API key to the file
//! host, and with a fresh signed URL from HeyGen when the first one has
//! expired; see [`download`].
//!
//! # Testing
//!
//! With the `testing` feature, `heygen_api_ext::testing::FakeHeyGen` runs a
//! fake HeyGen server in your test process, on `127.0.0.1`: every operation
//! of the API, with state (jobs that finish after a few seconds, instantly
//! under tokio's paused clock; what one call creates, the next one lists),
//! signed, expiring file URLs on a second listener, HeyGen's error
//! envelope, and any operation scripted for your test (a fixed reply, an
//! error `n` times, a delay) while the rest keeps working. Enable it for
//! tests only:
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
//! - `rustls` (default): TLS through rustls with the `ring` crypto provider,
//!   trusting the platform's CA roots. Given to this crate's client only:
//!   no process-wide provider is installed (see
//!   [`ClientBuilder::http_client`] for a `reqwest::Client` of yours).
//! - `native-tls`: TLS through the platform's library (used when both are
//!   on).
//! - `testing`: the fake HeyGen server.
//! - `mock`: httpmock helpers for every operation (`heygen_api_ext::mock`),
//!   with httpmock re-exported.

mod client;
pub mod config;
pub mod data;
pub mod download;
pub mod error;
#[cfg(feature = "mock")]
pub mod mock;
pub mod paginate;
#[cfg(feature = "testing")]
pub mod testing;
#[cfg(all(feature = "rustls", not(feature = "native-tls")))]
mod tls;
mod transport;
pub mod upload;
pub mod wait;

pub use client::{Client, ClientBuilder};
pub use config::{Options, RetryPolicy};
pub use data::SendData;
pub use download::{DownloadProgress, Downloaded, VideoFile};
pub use error::{ApiError, CallInfo, Error, Resend};
pub use heygen_api::{builder, types};
pub use paginate::{Page, Paginated};
pub use transport::{IDEMPOTENCY_KEY, RetryEvent, RetryReason};
pub use upload::{AssetSource, UploadProgress};
pub use wait::{StatusChange, WaitOptions};

/// Generated structs are built through their builders, never a literal
/// (a field HeyGen adds would break it), which does not compile:
///
/// ```compile_fail,E0639
/// let request = heygen_api_ext::types::CreateWebhookEndpointRequest {
///     url: "https://example.com/hook".into(),
///     events: None,
///     entity_id: None,
/// };
/// ```
///
/// while the builder does:
///
/// ```
/// let request = heygen_api_ext::types::CreateWebhookEndpointRequest::builder()
///     .url("https://example.com/hook");
/// # let _ = request;
/// ```
#[cfg(doctest)]
struct StructsAreBuiltWithBuilders;

// The READMEs' Rust snippets compile (as `no_run` doctests).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
#[doc = include_str!("../../README.md")]
struct ReadmeSnippets;

/// What most programs need: `use heygen_api_ext::prelude::*;`.
pub mod prelude {
    pub use crate::data::SendData as _;
    pub use crate::paginate::Paginated as _;
    pub use crate::{Client, Error, WaitOptions};
}
