//! What the fake knows (jobs, batches, assets, voices, avatars, webhook
//! endpoints, catalogues) and how it answers. Routing comes from the
//! operation table ([`router`]); each resource answers its operations in
//! a module of its own; [`flow`] is one request's way through auth,
//! overrides and idempotency. Everything here is synchronous: the server
//! holds the lock for one step of a request at a time.

// Handlers answer with a `Reply` whether they succeed or not; boxing the
// error side would buy nothing in a test server.
#![allow(clippy::result_large_err)]

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use tokio::time::Instant;

use super::Exchange;
use super::clock::Clock;
use super::files::FileHost;
use super::overrides::Rules;

mod agent;
mod assets;
mod audio;
mod avatars;
mod background_removals;
mod batches;
mod brand;
mod bulk;
mod clipping;
mod flow;
mod jobs;
mod lipsyncs;
mod proofreads;
mod request;
mod router;
mod styles;
mod templates;
mod translations;
mod uploads;
mod user;
mod videos;
mod voices;
mod webhooks;

pub(super) use request::{FakeRequest, Part};
pub(super) use router::{operation_id, operations};

use jobs::Job;
use request::Reply;

/// The settings a fake starts with.
pub(super) struct Setup {
    pub base_url: String,
    pub api_key: String,
    pub job_duration: Duration,
    pub sessions: usize,
    pub clock: Clock,
    pub files: FileHost,
}

pub(super) struct State {
    base_url: String,
    api_key: String,
    job_duration: Duration,
    clock: Clock,
    next_id: u64,
    jobs: Vec<Job>,
    batches: Vec<batches::Batch>,
    endpoints: Vec<webhooks::Endpoint>,
    assets: Vec<assets::Asset>,
    voices: Vec<voices::Voice>,
    avatars: avatars::Avatars,
    /// Answers of creates by idempotency key, replayed on a repeat.
    idempotent: HashMap<String, Reply>,
    /// Keys whose first request is still being answered (delayed).
    in_flight: HashSet<String>,
    pub(super) rules: Rules,
    pub(super) files: FileHost,
    pub(super) exchanges: Vec<Exchange>,
}

impl State {
    pub(super) fn new(setup: Setup) -> State {
        let mut state = State {
            base_url: setup.base_url,
            api_key: setup.api_key,
            job_duration: setup.job_duration,
            clock: setup.clock,
            next_id: 0,
            jobs: Vec::new(),
            batches: Vec::new(),
            endpoints: Vec::new(),
            assets: Vec::new(),
            voices: voices::seed(),
            avatars: avatars::seed(setup.clock.unix(Instant::now())),
            idempotent: HashMap::new(),
            in_flight: HashSet::new(),
            rules: Rules::default(),
            files: setup.files,
            exchanges: Vec::new(),
        };
        agent::seed(&mut state, setup.sessions);
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

    /// `at` in Unix seconds, on the fake's clock.
    fn unix(&self, at: Instant) -> i64 {
        self.clock.unix(at)
    }

    fn unix_now(&self) -> i64 {
        self.unix(Instant::now())
    }

    /// Fails something that is not a job: an asset, a voice or an avatar.
    fn fail_other(&mut self, id: &str, failure: Option<(String, String)>) -> bool {
        if let Some(asset) = self.assets.iter_mut().find(|a| a.id == id) {
            asset.failure = failure;
        } else if let Some(voice) = self.voices.iter_mut().find(|v| v.id == id) {
            voice.failure = failure;
        } else {
            return self.avatars.fail(id, failure);
        }
        true
    }
}
