//! Waiting for many jobs of one kind at once: by their ids through
//! HeyGen's bulk status endpoints, or by the batch they were submitted in.
//!
//! A hundred videos waited for one by one are a hundred pollers, and soon
//! `429`s. [`WaitMany`] asks for up to [`MAX_IDS_PER_REQUEST`] jobs in one
//! request per poll, on the same schedule as the single waiters (first
//! poll after 2 s, jittered backoff to every 30 s, a 20 minute budget,
//! `Retry-After` respected; see [`WaitOptions`]). It turns into a
//! [`Stream`] of [`FinishedJob`]s, each handed out as its job reaches a
//! final status, in the order they finish; a finished job is polled no
//! more. Or `.await` it (or [`all`](WaitMany::all)) for every job at once.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::future::IntoFuture;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::stream::{BoxStream, Stream, StreamExt};
use heygen_api::hooks::BoxFuture;
use heygen_api::types;

use super::kinds::{self, ManyKind};
use super::rounds::Rounds;
use super::{Schedule, StatusChange, WaitOptions};
use crate::{Client, Error};

/// The most ids HeyGen's bulk status endpoints take in one request (their
/// `..._ids` parameters say "up to 100"); more are split across requests
/// of a poll.
pub const MAX_IDS_PER_REQUEST: usize = 100;

/// A job of a [`WaitMany`] that reached a final status.
#[derive(Debug)]
#[non_exhaustive]
pub struct FinishedJob<T> {
    /// What kind of job (`video`, `video translation`, ...).
    pub kind: &'static str,
    /// The job's id. For a batch item that failed before HeyGen made a job
    /// for it: `<batch_id>/<item_index>`.
    pub id: String,
    /// The job's position in its batch (batch waits only).
    pub item_index: Option<i64>,
    /// The last status HeyGen reported for it: `completed`, `failed`,
    /// `not_found`; for an item of a batch that failed before it
    /// finished, where it stood (`queued`, ...).
    pub status: String,
    /// The finished job, fetched once it was done; or why it is not:
    /// [`Error::JobFailed`] with its failure, [`Error::NotFound`] for an
    /// id HeyGen does not know, or the error fetching it failed with.
    pub result: Result<T, Error>,
}

impl<T> FinishedJob<T> {
    /// The job, or why it did not finish well.
    pub fn into_result(self) -> Result<T, Error> {
        self.result
    }
}

/// What a [`WaitMany`] follows.
pub(super) enum Source {
    /// These jobs, each once, in this order.
    Ids(Vec<String>),
    /// Every item of this batch.
    Batch(String),
}

/// A pending wait for many jobs of one kind. Made by
/// `Client::wait_for_videos` and friends; adjust it like a single
/// [`Wait`](super::Wait), then take the [`stream`](Self::stream) of jobs as
/// they finish, or `.await` it for all of them.
#[must_use = "a WaitMany does nothing until streamed or awaited"]
pub struct WaitMany<'a, T> {
    client: &'a Client,
    source: Source,
    options: WaitOptions,
    kind: ManyKind<T>,
}

impl<T> fmt::Debug for WaitMany<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("WaitMany");
        d.field("kind", &self.kind.job.name);
        match &self.source {
            Source::Ids(ids) => d.field("ids", ids),
            Source::Batch(batch_id) => d.field("batch_id", batch_id),
        };
        d.field("options", &self.options).finish()
    }
}

wait_settings!(WaitMany);

impl<'a, T: Send + 'a> WaitMany<'a, T> {
    fn new(client: &'a Client, source: Source, kind: ManyKind<T>) -> Self {
        WaitMany {
            client,
            source,
            options: WaitOptions::default(),
            kind,
        }
    }

    fn ids<I>(client: &'a Client, ids: I, kind: ManyKind<T>) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        // A job named twice is one job, waited for once.
        let mut seen = HashSet::new();
        let ids = ids
            .into_iter()
            .map(Into::into)
            .filter(|id: &String| seen.insert(id.clone()))
            .collect();
        Self::new(client, Source::Ids(ids), kind)
    }

    /// The jobs as they reach a final status, in the order they do. The
    /// budget starts now. The stream ends when every job has been handed
    /// out, or with an error after which nothing more comes:
    /// [`Error::BulkWaitTimeout`] naming the jobs still pending when the
    /// budget ran out (they may still finish: wait for them again rather
    /// than resubmitting them), a poll's error that retrying cannot mend
    /// (`401`, say), or [`Error::InvalidRequest`] before anything was sent
    /// (an empty id, or one with a comma, which the bulk endpoints take as
    /// a separator).
    pub fn stream(self) -> FinishedJobs<'a, T> {
        let WaitMany {
            client,
            source,
            options,
            kind,
        } = self;
        let start = check(&source, kind.job.name).and_then(|()| Schedule::start(options));
        let inner = match start {
            Ok(schedule) => {
                let rounds = Rounds::new(client, kind, source, schedule);
                futures::stream::unfold(rounds, |mut rounds| async move {
                    let item = rounds.next().await?;
                    Some((item, rounds))
                })
                .boxed()
            }
            Err(e) => futures::stream::once(async move { Err(e) }).boxed(),
        };
        FinishedJobs { inner }
    }

    /// Every job, finished well, in the order of the ids given (of the
    /// items, for a batch). The first job that did not (it failed, or
    /// HeyGen does not know it) ends the wait with its error, as does
    /// whatever ends the [`stream`](Self::stream); take the stream to keep
    /// the others.
    pub fn all(self) -> BoxFuture<'a, Result<Vec<T>, Error>> {
        let order: HashMap<String, i64> = match &self.source {
            Source::Ids(ids) => ids.iter().cloned().zip(0..).collect(),
            Source::Batch(_) => HashMap::new(),
        };
        let mut stream = self.stream();
        Box::pin(async move {
            let mut done = Vec::new();
            while let Some(job) = stream.next().await {
                let job = job?;
                let place = job.item_index.or_else(|| order.get(&job.id).copied());
                done.push((place, job.result?));
            }
            done.sort_by_key(|(place, _)| *place);
            Ok(done.into_iter().map(|(_, job)| job).collect())
        })
    }
}

/// Refuses what the bulk endpoints would misread, before anything is sent.
fn check(source: &Source, kind: &str) -> Result<(), Error> {
    let bad = |why: &str| Err(Error::invalid(format!("waiting for {kind}s: {why}")));
    match source {
        Source::Ids(ids) if ids.iter().any(|id| id.trim().is_empty()) => bad("an id is empty"),
        Source::Ids(ids) => match ids.iter().find(|id| id.contains(',')) {
            Some(id) => bad(&format!(
                "the id {id:?} has a comma, which separates ids in a bulk request"
            )),
            None => Ok(()),
        },
        Source::Batch(batch_id) if batch_id.trim().is_empty() => bad("the batch id is empty"),
        Source::Batch(_) => Ok(()),
    }
}

impl<'a, T: Send + 'a> IntoFuture for WaitMany<'a, T> {
    type Output = Result<Vec<T>, Error>;
    type IntoFuture = BoxFuture<'a, Result<Vec<T>, Error>>;

    /// [`all`](WaitMany::all).
    fn into_future(self) -> Self::IntoFuture {
        self.all()
    }
}

/// The stream of [`WaitMany::stream`]: each job as it reaches a final
/// status; `Err` ends it.
#[must_use = "streams do nothing unless polled"]
pub struct FinishedJobs<'a, T> {
    inner: BoxStream<'a, Result<FinishedJob<T>, Error>>,
}

impl<T> fmt::Debug for FinishedJobs<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FinishedJobs").finish_non_exhaustive()
    }
}

impl<T> Stream for FinishedJobs<'_, T> {
    type Item = Result<FinishedJob<T>, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

/// Waiting for many jobs at once. See the [`wait`](crate::wait) module for
/// the schedule, and [`WaitMany`] for what comes out.
impl Client {
    /// Waits for many videos through `bulkVideoStatuses`: one request per
    /// poll for up to [`MAX_IDS_PER_REQUEST`] of them; each comes out with
    /// its `video_url` once `completed`.
    ///
    /// ```
    /// use futures::TryStreamExt;
    /// use heygen_api_ext::prelude::*;
    /// use heygen_api_ext::types::CreateVideoFromAvatar;
    /// # use std::time::Duration;
    /// # use heygen_api_ext::testing::FakeHeyGen;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let fake = FakeHeyGen::builder().job_duration(Duration::from_secs(1)).start().await?;
    /// # let client = fake.client()?;
    /// let mut ids = Vec::new();
    /// for script in ["Hello", "Bonjour", "Hola"] {
    ///     let request = CreateVideoFromAvatar::builder().avatar_id("Daisy-inskirt-20220818").script(script);
    ///     ids.push(client.create_video().body(request).data().await?.video_id);
    /// }
    ///
    /// let mut finished = client.wait_for_videos(&ids).stream();
    /// while let Some(job) = finished.try_next().await? {
    ///     match job.result {
    ///         Ok(video) => println!("{} is ready: {}", job.id, video.video_url.unwrap_or_default()),
    ///         Err(e) => println!("{} did not make it: {e}", job.id),
    ///     }
    /// }
    /// # assert_eq!(fake.exchanges().iter().filter(|e| e.operation_id == Some("bulkVideoStatuses")).count(), 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn wait_for_videos<I>(&self, video_ids: I) -> WaitMany<'_, types::Video>
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        WaitMany::ids(self, video_ids, kinds::videos())
    }

    /// Waits for many video translations through
    /// `bulkVideoTranslationStatuses`: the `video_translation_ids` one
    /// `createVideoTranslation` returns (one per language), say. `.await`
    /// it for all of them, in the order of the ids:
    ///
    /// ```
    /// use heygen_api_ext::prelude::*;
    /// use heygen_api_ext::types::{AssetUrl, CreateVideoTranslationRequest};
    /// # use std::time::Duration;
    /// # use heygen_api_ext::testing::FakeHeyGen;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let fake = FakeHeyGen::builder().job_duration(Duration::from_secs(1)).start().await?;
    /// # let client = fake.client()?;
    /// let request = CreateVideoTranslationRequest::builder()
    ///     .video(AssetUrl::builder().url("https://example.com/talk.mp4"))
    ///     .output_languages(vec!["es".to_string(), "ja".to_string()]);
    /// let created = client.create_video_translation().body(request).data().await?;
    ///
    /// let translations = client.wait_for_video_translations(&created.video_translation_ids).await?;
    /// for t in &translations {
    ///     println!("{:?}: {:?}", t.output_language, t.video_url);
    /// }
    /// # let languages: Vec<_> = translations.iter().map(|t| t.output_language.as_deref()).collect();
    /// # assert_eq!(languages, [Some("es"), Some("ja")]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn wait_for_video_translations<I>(
        &self,
        video_translation_ids: I,
    ) -> WaitMany<'_, types::VideoTranslation>
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        WaitMany::ids(self, video_translation_ids, kinds::video_translations())
    }

    /// Waits for many lipsyncs through `bulkLipsyncStatuses`.
    pub fn wait_for_lipsyncs<I>(&self, lipsync_ids: I) -> WaitMany<'_, types::Lipsync>
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        WaitMany::ids(self, lipsync_ids, kinds::lipsyncs())
    }

    /// Waits for many assets through `bulkAssetStatuses`, until each is
    /// `completed` (or `failed`). HeyGen does not document its asset
    /// statuses; an asset in a status this SDK does not know is polled on,
    /// and [`on_status`](WaitMany::on_status) shows it.
    pub fn wait_for_assets<I>(&self, asset_ids: I) -> WaitMany<'_, types::Asset>
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        WaitMany::ids(self, asset_ids, kinds::assets())
    }

    /// Waits for every video of a batch (`createVideoBatch`) through
    /// `getVideoBatch`, all of its pages each poll. Each
    /// [`FinishedJob`] carries its `item_index` in the batch; `.await`
    /// gives the videos in item order. Items still pending when the batch
    /// itself fails end with it (code `batch_failed`).
    ///
    /// ```
    /// use futures::TryStreamExt;
    /// use heygen_api_ext::prelude::*;
    /// use heygen_api_ext::types::{CreateVideoBatchRequest, CreateVideoFromAvatar, CreateVideoRequest};
    /// # use std::time::Duration;
    /// # use heygen_api_ext::testing::FakeHeyGen;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let fake = FakeHeyGen::builder().job_duration(Duration::from_secs(1)).start().await?;
    /// # let client = fake.client()?;
    /// let mut videos = Vec::new();
    /// for script in ["Hello", "Bonjour"] {
    ///     let video = CreateVideoFromAvatar::builder().avatar_id("Daisy-inskirt-20220818").script(script);
    ///     videos.push(CreateVideoRequest::try_from(video)?);
    /// }
    /// let request = CreateVideoBatchRequest::builder().videos(videos);
    /// let batch_id = client.create_video_batch().body(request).data().await?.batch_id.unwrap_or_default();
    ///
    /// let mut finished = client.wait_for_video_batch(&batch_id).stream();
    /// while let Some(job) = finished.try_next().await? {
    ///     println!("item {:?}: {} ({})", job.item_index, job.id, job.status);
    /// }
    /// # let videos = client.wait_for_video_batch(&batch_id).await?;
    /// # assert_eq!(videos.len(), 2);
    /// # Ok(())
    /// # }
    /// ```
    pub fn wait_for_video_batch(&self, batch_id: impl Into<String>) -> WaitMany<'_, types::Video> {
        WaitMany::new(self, Source::Batch(batch_id.into()), kinds::videos())
    }

    /// Waits for every translation of a batch
    /// (`createVideoTranslationBatch`) through `getVideoTranslationBatch`;
    /// see [`wait_for_video_batch`](Self::wait_for_video_batch).
    pub fn wait_for_video_translation_batch(
        &self,
        batch_id: impl Into<String>,
    ) -> WaitMany<'_, types::VideoTranslation> {
        WaitMany::new(
            self,
            Source::Batch(batch_id.into()),
            kinds::video_translations(),
        )
    }

    /// Waits for every lipsync of a batch (`createLipsyncBatch`) through
    /// `getLipsyncBatch`; see [`wait_for_video_batch`](Self::wait_for_video_batch).
    pub fn wait_for_lipsync_batch(
        &self,
        batch_id: impl Into<String>,
    ) -> WaitMany<'_, types::Lipsync> {
        WaitMany::new(self, Source::Batch(batch_id.into()), kinds::lipsyncs())
    }

    /// Waits for every asset of an upload batch through `getAssetBatch`;
    /// see [`wait_for_video_batch`](Self::wait_for_video_batch).
    pub fn wait_for_asset_batch(&self, batch_id: impl Into<String>) -> WaitMany<'_, types::Asset> {
        WaitMany::new(self, Source::Batch(batch_id.into()), kinds::assets())
    }
}
