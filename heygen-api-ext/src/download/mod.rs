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
//!   slow link is not cut off while it progresses;
//! - failures are retried as the client's retry policy says (a 5xx, a
//!   refused connection); a connection that breaks or stalls midway is
//!   resumed where it stopped, with a `Range` request (and `If-Range`, so
//!   that a file changed meanwhile is fetched whole instead).
//!
//! [`ClientBuilder::download_idle_timeout`]: crate::ClientBuilder::download_idle_timeout

mod job;
mod partial;

use std::fmt;
use std::future::IntoFuture;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use heygen_api::hooks::BoxFuture;
use heygen_api::types::Video;

use crate::{Client, Error};
use job::Job;

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
    /// host) is replaced by a fresh one from `getVideo`, once; a connection
    /// that breaks midway is resumed where it stopped, within the client's
    /// retries. The download is bounded by
    /// [`ClientBuilder::download_idle_timeout`], not by the call timeout.
    /// See [the module](crate::download).
    ///
    /// ```
    /// use heygen_api_ext::VideoFile;
    /// use heygen_api_ext::prelude::*;
    /// use heygen_api_ext::types::CreateVideoFromAvatar;
    /// # use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let fake = heygen_api_ext::testing::FakeHeyGen::builder()
    /// #     .job_duration(Duration::from_millis(200))
    /// #     .start()
    /// #     .await?;
    /// # let client = fake.client()?;
    /// # let dir = std::env::temp_dir().join(format!("heygen-download-doc-{}", std::process::id()));
    /// # std::fs::create_dir_all(&dir)?;
    /// # let (intro, captions) = (dir.join("intro.mp4"), dir.join("intro.srt"));
    /// let request = CreateVideoFromAvatar::builder().avatar_id("Daisy-inskirt-20220818").script("Hi");
    /// let created = client.create_video().body(request).data().await?;
    /// let video = client.wait_for_video(&created.video_id).await?;
    ///
    /// // From the finished video in hand, with progress.
    /// let saved = client
    ///     .download_video(&video, VideoFile::Video, &intro)
    ///     .on_progress(|p| match p.total {
    ///         Some(total) => println!("{} of {total} bytes", p.written),
    ///         None => println!("{} bytes", p.written),
    ///     })
    ///     .await?;
    /// println!("{} bytes in {}", saved.bytes, saved.path.display());
    ///
    /// // By id (looked up first). Not every video has every file.
    /// match client.download_video(&created.video_id, VideoFile::Captions, &captions).await {
    ///     Ok(file) => println!("captions in {}", file.path.display()),
    ///     Err(Error::NotDownloadable { field, .. }) => println!("this video has no {field}"),
    ///     Err(e) => return Err(e.into()),
    /// }
    /// # assert_eq!(std::fs::metadata(&intro)?.len(), saved.bytes);
    /// # assert!(captions.exists());
    /// # assert!(fake.file_requests().iter().all(|r| r.header("x-api-key").is_none()));
    /// # std::fs::remove_dir_all(&dir)?;
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
