//! The rounds of a bulk or batch wait: each round asks HeyGen for every
//! job still pending (by ids through the bulk status endpoint, at most
//! [`MAX_IDS_PER_REQUEST`] per request; or the batch's pages), then
//! fetches each job that reached a final status, once, and hands it out.
//!
//! A job's bulk status is a free string. `completed` is confirmed by
//! fetching the job (its resource is what the caller wants, and its own
//! status settles it as a single waiter would); `failed` ends the job with
//! the failure the bulk answer carries; `not_found`, or an id the answer
//! leaves out, is fetched too: a `404` reports it, and a job the bulk
//! endpoint did not know yet (just created) is simply polled on.

use std::collections::{HashMap, HashSet, VecDeque};

use heygen_api::{open_enums, types};
use serde_json::{Map, Value};

use super::kinds::{ManyKind, job_failed};
use super::many::{FinishedJob, Source};
use super::{MAX_IDS_PER_REQUEST, Schedule};
use crate::transport::within;
use crate::{Client, Error};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Polled each round.
    Pending,
    /// Reached a final status: to be fetched before the next round.
    Fetch,
    /// Handed out; never polled again.
    Done,
}

/// One job of the wait.
struct Tracked {
    /// The job's id; for a batch item HeyGen has made no job for yet,
    /// `<batch_id>/<item_index>`.
    id: String,
    /// `id` is a job's id (always, but for such batch items).
    has_job: bool,
    item_index: Option<i64>,
    last: Option<String>,
    state: State,
}

/// A bulk or batch wait in progress.
pub(super) struct Rounds<'a, T> {
    client: &'a Client,
    kind: ManyKind<T>,
    batch_id: Option<String>,
    jobs: Vec<Tracked>,
    /// Where each batch item is in `jobs`.
    by_index: HashMap<i64, usize>,
    /// A batch's item count, once seen.
    expected: Option<usize>,
    schedule: Schedule,
    ready: VecDeque<Result<FinishedJob<T>, Error>>,
    ended: bool,
}

impl<'a, T: Send + 'a> Rounds<'a, T> {
    pub(super) fn new(
        client: &'a Client,
        kind: ManyKind<T>,
        source: Source,
        schedule: Schedule,
    ) -> Self {
        let (batch_id, ids) = match source {
            Source::Ids(ids) => (None, ids),
            Source::Batch(batch_id) => (Some(batch_id), Vec::new()),
        };
        let jobs = ids
            .into_iter()
            .map(|id| Tracked {
                id,
                has_job: true,
                item_index: None,
                last: None,
                state: State::Pending,
            })
            .collect();
        Rounds {
            client,
            kind,
            batch_id,
            jobs,
            by_index: HashMap::new(),
            expected: None,
            schedule,
            ready: VecDeque::new(),
            ended: false,
        }
    }

    /// The next job to reach a final status; `None` once every job has.
    pub(super) async fn next(&mut self) -> Option<Result<FinishedJob<T>, Error>> {
        loop {
            if let Some(item) = self.ready.pop_front() {
                return Some(item);
            }
            if self.ended {
                return None;
            }
            if let Some(i) = self.jobs.iter().position(|j| j.state == State::Fetch) {
                self.fetch(i).await;
                continue;
            }
            if self.complete() {
                self.ended = true;
                continue;
            }
            if !self.schedule.tick().await {
                self.ended = true;
                return Some(Err(self.timeout()));
            }
            match self.batch_id.clone() {
                Some(batch_id) => self.poll_batch(batch_id).await,
                None => self.poll_ids().await,
            }
        }
    }

    fn complete(&self) -> bool {
        let seen_all = match (&self.batch_id, self.expected) {
            (None, _) => true,
            (Some(_), Some(expected)) => self.jobs.len() >= expected,
            (Some(_), None) => false,
        };
        seen_all && self.jobs.iter().all(|j| j.state == State::Done)
    }

    fn timeout(&self) -> Error {
        let mut pending: Vec<String> = self
            .jobs
            .iter()
            .filter(|j| j.state != State::Done)
            .map(|j| j.id.clone())
            .collect();
        if let (true, Some(batch_id)) = (pending.is_empty(), &self.batch_id) {
            // No item seen yet: the batch is what is pending.
            pending.push(batch_id.clone());
        }
        Error::BulkWaitTimeout {
            kind: self.kind.job.name,
            pending,
            waited: self.schedule.elapsed(),
        }
    }

    /// Ends the wait with `e`, after what is already out.
    fn end_with(&mut self, e: Error) {
        self.ready.push_back(Err(e));
        self.ended = true;
    }

    /// One round by ids: a request per [`MAX_IDS_PER_REQUEST`] pending ids.
    async fn poll_ids(&mut self) {
        let pending: Vec<usize> = (0..self.jobs.len())
            .filter(|&i| self.jobs[i].state == State::Pending)
            .collect();
        let mut pause = None;
        for chunk in pending.chunks(MAX_IDS_PER_REQUEST) {
            let ids: Vec<&str> = chunk.iter().map(|&i| self.jobs[i].id.as_str()).collect();
            let asked = (self.kind.statuses)(self.client, ids.join(","));
            match within(self.schedule.deadline(), asked).await {
                Ok(items) => self.observe_ids(chunk, items),
                Err(e) if e.is_retryable() => {
                    // HeyGen asked to slow down (or stumbled): the rest of
                    // the round waits for the next one.
                    pause = e.retry_after();
                    tracing::warn!(kind = self.kind.job.name, error = %e, "bulk status poll failed; will poll again");
                    break;
                }
                Err(e) => return self.end_with(e),
            }
        }
        self.schedule.polled(pause);
    }

    fn observe_ids(&mut self, chunk: &[usize], items: Vec<types::BulkStatusItem>) {
        let mut by_id: HashMap<String, types::BulkStatusItem> = items
            .into_iter()
            .filter_map(|item| Some((item.video_id.clone()?, item)))
            .collect();
        for &i in chunk {
            match by_id.remove(&self.jobs[i].id) {
                Some(item) => self.observe(i, &item.status, item.error.as_ref()),
                // Left out of the answer: as good as `not_found`.
                None => self.observe(i, "not_found", None),
            }
        }
    }

    /// Job `i` has `status` now.
    fn observe(&mut self, i: usize, status: &str, error: Option<&Map<String, Value>>) {
        let job = &mut self.jobs[i];
        let name = self.kind.job.name;
        self.schedule.report(name, &job.id, &mut job.last, status);
        match status {
            "completed" | "not_found" if job.has_job => job.state = State::Fetch,
            "failed" => {
                let (code, message) = failure(error);
                let failed = job_failed(name, &job.id, code, message);
                self.finish(i, Err(failed));
            }
            _ => {}
        }
    }

    /// One round of a batch: every page of it.
    async fn poll_batch(&mut self, batch_id: String) {
        let mut token: Option<String> = None;
        let mut cursors = HashSet::new();
        let mut pause = None;
        loop {
            let asked = (self.kind.batch)(self.client, batch_id.clone(), token.take());
            let batch = match within(self.schedule.deadline(), asked).await {
                Ok(batch) => batch,
                Err(e) if e.is_retryable() => {
                    pause = e.retry_after();
                    tracing::warn!(kind = self.kind.job.name, batch_id, error = %e, "batch poll failed; will poll again");
                    break;
                }
                Err(e) => return self.end_with(e),
            };
            self.expected = usize::try_from(batch.total_items).ok();
            for item in batch.items {
                self.observe_item(&batch_id, item);
            }
            // A cursor seen before would walk the batch in a circle.
            let next = batch
                .next_token
                .filter(|t| batch.has_more && !t.is_empty() && cursors.insert(t.clone()));
            match next {
                Some(next) => token = Some(next),
                None => {
                    if matches!(batch.status, open_enums::BatchStatus::Failed) {
                        self.fail_unsettled(&batch_id);
                    }
                    break;
                }
            }
        }
        self.schedule.polled(pause);
    }

    fn observe_item(&mut self, batch_id: &str, item: types::BatchItem) {
        let index = item.item_index;
        let i = *self.by_index.entry(index).or_insert_with(|| {
            self.jobs.push(Tracked {
                id: format!("{batch_id}/{index}"),
                has_job: false,
                item_index: Some(index),
                last: None,
                state: State::Pending,
            });
            self.jobs.len() - 1
        });
        let job = &mut self.jobs[i];
        if job.state == State::Done {
            return;
        }
        if let Some(video_id) = item.video_id.filter(|v| !v.trim().is_empty()) {
            job.id = video_id;
            job.has_job = true;
        }
        // A completed item without its job's id yet is polled on: the
        // caller wants the job, and the next page names it.
        self.observe(i, &item.status.to_string(), item.error.as_ref());
    }

    /// A failed batch moves no further: its items still short of a final
    /// status end with it.
    fn fail_unsettled(&mut self, batch_id: &str) {
        let name = self.kind.job.name;
        for i in 0..self.jobs.len() {
            if self.jobs[i].state == State::Pending {
                let message = format!("batch {batch_id} failed before this item finished");
                let failed = job_failed(
                    name,
                    &self.jobs[i].id,
                    Some("batch_failed".into()),
                    Some(message),
                );
                self.finish(i, Err(failed));
            }
        }
    }

    /// Fetches job `i`, which reached a final status, and hands it out;
    /// or polls it on if the fetch cannot tell yet.
    async fn fetch(&mut self, i: usize) {
        let id = self.jobs[i].id.clone();
        let job = &self.kind.job;
        let fetched = within(
            self.schedule.deadline(),
            (job.fetch)(self.client, id.clone()),
        )
        .await;
        let result = match fetched {
            Ok(resource) => {
                let (_, outcome) = (job.read)(&resource);
                match outcome.settle(job.name, &id, resource) {
                    Some(result) => result,
                    None => {
                        // The bulk answer ran ahead of the job's own.
                        self.jobs[i].state = State::Pending;
                        return;
                    }
                }
            }
            Err(e) if e.is_retryable() => {
                if let Some(wait) = e.retry_after() {
                    self.schedule.hold(wait);
                }
                tracing::warn!(kind = job.name, id, error = %e, "fetching a finished job failed; will poll again");
                self.jobs[i].state = State::Pending;
                return;
            }
            // A 404 among them: the job does not exist.
            Err(e) => Err(e),
        };
        self.finish(i, result);
    }

    fn finish(&mut self, i: usize, result: Result<T, Error>) {
        let job = &mut self.jobs[i];
        job.state = State::Done;
        self.ready.push_back(Ok(FinishedJob {
            kind: self.kind.job.name,
            id: job.id.clone(),
            item_index: job.item_index,
            status: job.last.clone().unwrap_or_default(),
            result,
        }));
    }
}

/// The failure code and message in a bulk answer's free-form `error`.
fn failure(error: Option<&Map<String, Value>>) -> (Option<String>, Option<String>) {
    let Some(error) = error else {
        return (None, None);
    };
    let text = |keys: &[&str]| {
        keys.iter()
            .find_map(|k| error.get(*k).and_then(Value::as_str))
            .map(str::to_string)
    };
    let code = text(&["code", "failure_code"]);
    let message = text(&["message", "failure_message", "msg"]);
    match (code, message) {
        // Nothing in the usual places: the whole object says more than
        // nothing does.
        (None, None) if !error.is_empty() => (None, Some(Value::Object(error.clone()).to_string())),
        known => known,
    }
}
