//! Downloading a finished video's files: the video, its captioned
//! version, GIF, thumbnail and captions.
//!
//! [`Client::download_video`] writes one of them to a path:
//!
//! - the video is looked up first (or taken as given), and one that is not
//!   finished, or has no such file, is refused before anything is
//!   downloaded ([`Error::NotDownloadable`]);
//! - the file is streamed to a hidden temporary file beside the
//!   destination, and moved onto it only once complete and flushed; a
//!   failed, cut-off or dropped download leaves nothing at the destination
//!   and removes the temporary file;
//! - the file's URL is signed (the signature is its credential) and on
//!   another host than HeyGen's API: the request carries neither the API
//!   key nor an `Authorization` header, redirects included, and the
//!   signature never appears in errors or logs;
//! - a signed URL expires: when the file host answers 403 or 404, a fresh
//!   URL is fetched with `getVideo`, once, and the download tried again;
//! - it is bounded by [`ClientBuilder::download_idle_timeout`] (no byte for
//!   that long fails it), not by the call timeout, so that a large file on a
//!   slow link is not cut off while it progresses. Failures before the
//!   first byte (a 5xx, a refused connection) are retried as the client's
//!   retry policy says.
//!
//! [`ClientBuilder::download_idle_timeout`]: crate::ClientBuilder::download_idle_timeout

mod partial;

use std::fmt;
use std::future::IntoFuture;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use heygen_api::hooks::BoxFuture;
use heygen_api::open_enums::VideoStatus;
use heygen_api::types::Video;

use crate::data::SendData as _;
use crate::error::Resend;
use crate::transport::{
    self, Answered, Plan, Record, Requests, RetryEvent, Target, Transfer, expired_signed_url,
};
use crate::{Client, Error};
use partial::Partial;

/// The name the download's requests go by in traces, retry events and
/// errors (it is not one of HeyGen's operations).
const OPERATION: &str = "downloadVideo";

/// Redirects to another host followed at most (the client's own HTTP
/// client follows those within a host).
const MAX_REDIRECTS: usize = 5;

/// Which of a finished video's files to download: one per URL field of
/// [`Video`]. (`video_page_url` is left out: it is HeyGen's web page for
/// the video, not a file.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VideoFile {
    /// The video itself (`video_url`).
    Video,
    /// The video with its captions burned in (`captioned_video_url`);
    /// HeyGen makes it only for videos created with captions.
    Captioned,
    /// An animated GIF preview (`gif_url`).
    Gif,
    /// A still image of the video (`thumbnail_url`).
    Thumbnail,
    /// The captions as a subtitle file (`subtitle_url`).
    Captions,
}

impl VideoFile {
    /// Every kind of file.
    pub const ALL: [VideoFile; 5] = [
        VideoFile::Video,
        VideoFile::Captioned,
        VideoFile::Gif,
        VideoFile::Thumbnail,
        VideoFile::Captions,
    ];

    /// The field of [`Video`] that holds this file's URL.
    pub fn field(self) -> &'static str {
        match self {
            VideoFile::Video => "video_url",
            VideoFile::Captioned => "captioned_video_url",
            VideoFile::Gif => "gif_url",
            VideoFile::Thumbnail => "thumbnail_url",
            VideoFile::Captions => "subtitle_url",
        }
    }

    /// This file's URL in `video`, if it has one.
    pub fn url(self, video: &Video) -> Option<&str> {
        let url = match self {
            VideoFile::Video => &video.video_url,
            VideoFile::Captioned => &video.captioned_video_url,
            VideoFile::Gif => &video.gif_url,
            VideoFile::Thumbnail => &video.thumbnail_url,
            VideoFile::Captions => &video.subtitle_url,
        };
        url.as_deref().filter(|u| !u.trim().is_empty())
    }
}

impl fmt::Display for VideoFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.field())
    }
}

/// The video to download a file of: its id (looked up with `getVideo`), or
/// a [`Video`] already in hand (no look-up unless its URL has expired).
/// Made from a `&str`, a `String` or a `Video`, so either goes straight to
/// [`Client::download_video`].
#[derive(Clone)]
pub enum VideoRef {
    /// A video id.
    Id(String),
    /// A video as `getVideo` (or a waiter) returned it.
    Video(Box<Video>),
}

impl VideoRef {
    /// The video's id.
    pub fn id(&self) -> &str {
        match self {
            VideoRef::Id(id) => id,
            VideoRef::Video(video) => &video.id,
        }
    }
}

impl fmt::Debug for VideoRef {
    /// The id and status only: a video's URLs are signed, and their
    /// signatures are credentials.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VideoRef::Id(id) => f.debug_tuple("Id").field(id).finish(),
            VideoRef::Video(video) => f
                .debug_struct("Video")
                .field("id", &video.id)
                .field("status", &video.status)
                .finish_non_exhaustive(),
        }
    }
}

impl From<&str> for VideoRef {
    fn from(id: &str) -> Self {
        VideoRef::Id(id.to_string())
    }
}

impl From<String> for VideoRef {
    fn from(id: String) -> Self {
        VideoRef::Id(id)
    }
}

impl From<&String> for VideoRef {
    fn from(id: &String) -> Self {
        VideoRef::Id(id.clone())
    }
}

impl From<Video> for VideoRef {
    fn from(video: Video) -> Self {
        VideoRef::Video(Box::new(video))
    }
}

impl From<&Video> for VideoRef {
    fn from(video: &Video) -> Self {
        VideoRef::Video(Box::new(video.clone()))
    }
}

/// How far a download has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct DownloadProgress {
    /// Bytes received and written so far.
    pub written: u64,
    /// The file's size, when the file host said (`Content-Length`).
    pub total: Option<u64>,
}

/// Called as a download's bytes arrive.
pub type DownloadCallback = Arc<dyn Fn(DownloadProgress) + Send + Sync>;

/// A completed download.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Downloaded {
    /// Where the file is.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// The `Content-Type` the file host gave, if any.
    pub content_type: Option<String>,
}

/// A download; `.await` it (or `.send().await`). Made by
/// [`Client::download_video`].
#[must_use = "a download does nothing until awaited"]
pub struct DownloadVideo<'a> {
    client: &'a Client,
    video: VideoRef,
    file: VideoFile,
    path: PathBuf,
    on_progress: Option<DownloadCallback>,
}

impl fmt::Debug for DownloadVideo<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DownloadVideo")
            .field("video", &self.video)
            .field("file", &self.file)
            .field("path", &self.path)
            .field(
                "on_progress",
                &self.on_progress.as_ref().map(|_| "callback"),
            )
            .finish()
    }
}

impl<'a> DownloadVideo<'a> {
    /// Called as bytes arrive, with the bytes written so far and the
    /// file's size when the file host gave it. It runs on the downloading
    /// task: keep it quick (send into a channel for anything slow).
    pub fn on_progress(
        mut self,
        report: impl Fn(DownloadProgress) + Send + Sync + 'static,
    ) -> Self {
        self.on_progress = Some(Arc::new(report));
        self
    }

    /// Downloads the file; the same as awaiting the download itself.
    pub async fn send(self) -> Result<Downloaded, Error> {
        let DownloadVideo {
            client,
            video,
            file,
            path,
            on_progress,
        } = self;
        check_destination(&path).await?;
        let job = Job {
            client,
            video_id: video.id().to_string(),
            file,
            path,
            on_progress,
        };
        let span = tracing::info_span!(
            "heygen.download",
            video_id = %job.video_id,
            file = file.field()
        );
        tracing::Instrument::instrument(job.run(video), span).await
    }
}

impl<'a> IntoFuture for DownloadVideo<'a> {
    type Output = Result<Downloaded, Error>;
    type IntoFuture = BoxFuture<'a, Result<Downloaded, Error>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// Refuses a destination that cannot be a file, before any request.
async fn check_destination(path: &Path) -> Result<(), Error> {
    let is_dir = tokio::fs::metadata(path).await.is_ok_and(|m| m.is_dir());
    if path.file_name().is_none() || is_dir {
        let (what, example) = if is_dir {
            ("is a directory", path.join("video.mp4"))
        } else {
            (
                "names no file",
                partial::directory_of(path).join("video.mp4"),
            )
        };
        return Err(Error::invalid(format!(
            "download_video: {} {what}; give the path of a file, such as {}",
            path.display(),
            example.display()
        )));
    }
    Ok(())
}

/// One download, as its steps share it.
struct Job<'a> {
    client: &'a Client,
    video_id: String,
    file: VideoFile,
    path: PathBuf,
    on_progress: Option<DownloadCallback>,
}

impl Job<'_> {
    async fn run(&self, video: VideoRef) -> Result<Downloaded, Error> {
        let url = match video {
            VideoRef::Id(_) => self.fresh_url().await?,
            VideoRef::Video(video) => self.signed_url(&video)?.to_string(),
        };
        let mut partial = Partial::create(&self.path)
            .await
            .map_err(|e| self.failed(&url, 0, e))?;
        let (bytes, content_type, url) = match self.fill(&mut partial, url).await {
            Ok(filled) => filled,
            Err(e) => {
                partial.discard().await;
                return Err(e);
            }
        };
        partial
            .keep(&self.path)
            .await
            .map_err(|e| self.failed(&url, bytes, e))?;
        tracing::debug!(bytes, path = %self.path.display(), "heygen download complete");
        Ok(Downloaded {
            path: self.path.clone(),
            bytes,
            content_type,
        })
    }

    /// The video as HeyGen has it now, and the (freshly signed) URL of
    /// the file.
    async fn fresh_url(&self) -> Result<String, Error> {
        let video = self
            .client
            .get_video()
            .video_id(&self.video_id)
            .data()
            .await?;
        Ok(self.signed_url(&video)?.to_string())
    }

    /// The file's URL, if the video is finished and has the file.
    fn signed_url<'v>(&self, video: &'v Video) -> Result<&'v str, Error> {
        let refused = || Error::NotDownloadable {
            video_id: video.id.clone(),
            field: self.file.field(),
            status: video.status.as_str().to_string(),
        };
        if video.status != VideoStatus::Completed {
            return Err(refused());
        }
        self.file.url(video).ok_or_else(refused)
    }

    /// Writes the file's body to `partial`: its size, content type and
    /// the URL it came from in the end.
    async fn fill(
        &self,
        partial: &mut Partial,
        url: String,
    ) -> Result<(u64, Option<String>, String), Error> {
        let (response, record, url) = self.open(url).await?;
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        match self.write_body(response, record, partial).await {
            Ok(bytes) => Ok((bytes, content_type, url)),
            Err((received, e)) => Err(self.failed(&url, received, e)),
        }
    }

    /// Sends the request for `url` until the file host answers with the
    /// file: a redirect to another host is followed, and an answer that
    /// says the signed URL expired is met, once, with a fresh URL from
    /// `getVideo`. Returns the answer (its body unread), what the loop
    /// recorded of it, and the URL that gave it.
    async fn open(&self, mut url: String) -> Result<(reqwest::Response, Record, String), Error> {
        let exchange = &self.client.exchange;
        let mut refreshed = false;
        let mut redirects = 0;
        let mut sent: u32 = 0;
        loop {
            let request = self.request(&url).map_err(|e| self.failed(&url, 0, e))?;
            let plan = Plan {
                operation: OPERATION,
                declared_success: None,
                // Never HeyGen: the request carries no credential.
                target: Target::Storage,
                resend: Resend::Safe,
                idempotency_key: None,
                transfer: Some(Transfer::Download),
                deadline: None,
            };
            let mut record = Record::default();
            let answered = match exchange
                .run(&plan, Requests::Copies(request), &mut record)
                .await
            {
                Ok(answered) => answered,
                Err(failed) => return Err(self.failed(&url, 0, failed.into_error(record))),
            };
            sent += record.call.attempts;
            url = match answered {
                Answered::Success(response) => return Ok((response, record, url)),
                Answered::Error(answer) => match expired_signed_url(answer.status.as_u16()) {
                    Some(reason) if !refreshed => {
                        refreshed = true;
                        exchange.retrying(&RetryEvent {
                            operation: OPERATION,
                            attempt: sent,
                            reason,
                            delay: Duration::ZERO,
                        });
                        self.fresh_url().await?
                    }
                    _ => {
                        let refusal = Answered::Error(answer);
                        return Err(self.failed(
                            &url,
                            0,
                            self.refused(refusal, &record, refreshed),
                        ));
                    }
                },
                Answered::Other(response) => match redirect_target(&response, &url) {
                    Some(next) if redirects < MAX_REDIRECTS => {
                        redirects += 1;
                        next
                    }
                    _ => {
                        let refusal = Answered::Other(response);
                        return Err(self.failed(
                            &url,
                            0,
                            self.refused(refusal, &record, refreshed),
                        ));
                    }
                },
            };
        }
    }

    /// The `GET` of `url`, as it goes to the file host: no credential, no
    /// header of HeyGen's API.
    fn request(&self, url: &str) -> Result<reqwest::Request, Error> {
        let bad = |what: &str| Error::Decode {
            status: None,
            request_id: None,
            excerpt: String::new(),
            source: <serde_json::Error as serde::de::Error>::custom(format!(
                "getVideo returned a {} that is {what}",
                self.file.field()
            )),
            call: crate::CallInfo::default(),
        };
        let parsed = reqwest::Url::parse(url).map_err(|_| bad("not a URL"))?;
        if !matches!(parsed.scheme(), "https" | "http") {
            return Err(bad("not an http(s) URL"));
        }
        self.client
            .exchange
            .http
            .get(parsed)
            .build()
            .map_err(|e| bad(&format!("not a URL to request ({})", e.without_url())))
    }

    /// The error for a file host's answer that is not the file. Its body
    /// is not quoted: it is no HeyGen error, and a storage service's can
    /// quote the signature (S3's `SignatureDoesNotMatch`).
    fn refused(&self, answered: Answered, record: &Record, refreshed: bool) -> Error {
        let mut error = transport::refusal(answered, record);
        if let Some(api) = error.api_error_mut()
            && api.synthesized
        {
            let status = api.status;
            api.message = if (300..400).contains(&status) {
                format!(
                    "the file host answered HTTP {status}: a redirect without a usable location, or more than {MAX_REDIRECTS}"
                )
            } else if refreshed {
                format!(
                    "the file host answered HTTP {status} to the URL getVideo gave, and to a fresh one as well"
                )
            } else {
                format!("the file host answered HTTP {status}")
            };
        }
        error
    }

    /// Reads the body into `partial`, within the idle timeout between
    /// chunks, reporting progress. On failure, the bytes received so far
    /// come with the error.
    async fn write_body(
        &self,
        response: reqwest::Response,
        record: Record,
        partial: &mut Partial,
    ) -> Result<u64, (u64, Error)> {
        let total = response.content_length();
        let idle = self.client.options().download_idle_timeout;
        let mut body = response.bytes_stream();
        let mut written: u64 = 0;
        loop {
            let next = match idle {
                Some(idle) => match tokio::time::timeout(idle, body.next()).await {
                    Ok(next) => next,
                    Err(_) => {
                        let call = record.call;
                        return Err((written, Error::Stalled { idle, call }));
                    }
                },
                None => body.next().await,
            };
            let chunk = match next {
                None => return Ok(written),
                Some(Ok(chunk)) => chunk,
                Some(Err(e)) => {
                    let failed = transport::Failed::Transport(e);
                    return Err((written, failed.into_error(record)));
                }
            };
            partial.write(&chunk).await.map_err(|e| (written, e))?;
            written += chunk.len() as u64;
            if let Some(report) = &self.on_progress {
                report(DownloadProgress { written, total });
            }
        }
    }

    /// The error of this download, ended by `source`.
    fn failed(&self, url: &str, received: u64, source: Error) -> Error {
        Error::Download {
            video_id: self.video_id.clone(),
            field: self.file.field(),
            url: transport::redact_url(url),
            path: self.path.clone(),
            received,
            source: Box::new(source),
        }
    }
}

/// Where a redirect that the HTTP client did not follow (one to another
/// host) points, if it is to http(s).
fn redirect_target(response: &reqwest::Response, from: &str) -> Option<String> {
    if !response.status().is_redirection() {
        return None;
    }
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)?
        .to_str()
        .ok()?;
    let next = reqwest::Url::parse(from).ok()?.join(location).ok()?;
    matches!(next.scheme(), "https" | "http").then(|| next.to_string())
}

/// Downloads.
impl Client {
    /// Writes a finished video's file (the video, its captioned version,
    /// GIF, thumbnail or captions: [`VideoFile`]) to `path`, and returns
    /// where it is and its size ([`Downloaded`]).
    ///
    /// `video` is an id (looked up with `getVideo` first) or a [`Video`]
    /// in hand (from [`wait_for_video`](Client::wait_for_video), say). A
    /// video that is not `completed`, or has no such file, is refused with
    /// [`Error::NotDownloadable`] before anything is downloaded.
    ///
    /// The file is streamed to a temporary file beside `path` and moved
    /// onto it (replacing any file there) only once complete and flushed:
    /// on failure nothing is left at `path`, and the error is
    /// [`Error::Download`]. The request carries no API key (the signed URL
    /// is its own credential); an expired URL (a 403 or 404 from the file
    /// host) is replaced by a fresh one from `getVideo`, once. The download
    /// is bounded by [`ClientBuilder::download_idle_timeout`], not by the
    /// call timeout. See [the module](crate::download).
    ///
    /// ```no_run
    /// use heygen_api_ext::prelude::*;
    /// use heygen_api_ext::VideoFile;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), heygen_api_ext::Error> {
    /// let client = Client::from_env()?;
    /// let video = client.wait_for_video("vid_123").await?;
    /// let saved = client
    ///     .download_video(&video, VideoFile::Video, "intro.mp4")
    ///     .on_progress(|p| match p.total {
    ///         Some(total) => println!("{} of {total} bytes", p.written),
    ///         None => println!("{} bytes", p.written),
    ///     })
    ///     .await?;
    /// println!("{} bytes in {}", saved.bytes, saved.path.display());
    ///
    /// // By id; captions exist only for videos created with them.
    /// match client.download_video("vid_123", VideoFile::Captions, "intro.srt").await {
    ///     Ok(captions) => println!("captions in {}", captions.path.display()),
    ///     Err(Error::NotDownloadable { field, .. }) => println!("no {field}"),
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// [`ClientBuilder::download_idle_timeout`]: crate::ClientBuilder::download_idle_timeout
    pub fn download_video(
        &self,
        video: impl Into<VideoRef>,
        file: VideoFile,
        path: impl AsRef<Path>,
    ) -> DownloadVideo<'_> {
        DownloadVideo {
            client: self,
            video: video.into(),
            file,
            path: path.as_ref().to_path_buf(),
            on_progress: None,
        }
    }
}
