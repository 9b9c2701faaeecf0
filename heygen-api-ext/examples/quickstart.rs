//! The quickstart: `cargo run --example quickstart`.
//!
//! Lists your video agent sessions, creates a video, waits for it with a
//! line per status change, and prints its URL. With no `HEYGEN_API_KEY` it
//! runs against the built-in fake HeyGen server, which also answers the
//! first create with `429 Too Many Requests` to show the SDK riding it out.
//!
//! Against the real API (`HEYGEN_API_KEY` set), creating a video spends
//! credits, so it only does so when `HEYGEN_AVATAR_ID` names the avatar to
//! use.

pub mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Env, Out, Result};
use futures::TryStreamExt;
use heygen_api_ext::prelude::*;
use heygen_api_ext::types;
use tracing::instrument::WithSubscriber;
use tracing_subscriber::layer::SubscriberExt;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    common::main(run).await
}

pub async fn run(env: Env, out: Out) -> Result<()> {
    let conn = common::connect(&env, &out, |fake| {
        fake.rate_limit("createVideo", 1, Duration::from_secs(1))
    })
    .await?;
    let client = &conn.client;

    // Every page, as one stream of sessions.
    let sessions: Vec<types::SessionListItem> = client
        .list_video_agent_sessions()
        .limit(20)
        .items()
        .try_collect()
        .await?;
    out.line(format!(
        "{} video agent sessions; the newest:",
        sessions.len()
    ));
    for s in sessions.iter().take(3) {
        out.line(format!(
            "  {}  {}",
            s.session_id,
            s.title.as_deref().unwrap_or("(untitled)")
        ));
    }

    let avatar_id = match (&conn.fake, env.var("HEYGEN_AVATAR_ID")) {
        (_, Some(id)) => id,
        (Some(_), None) => "Daisy-inskirt-20220818".to_string(),
        (None, None) => {
            out.line("Set HEYGEN_AVATAR_ID to also create a video (it spends credits). Done.");
            return Ok(());
        }
    };
    let request: types::CreateVideoRequest = serde_json::from_value(serde_json::json!({
        "type": "avatar",
        "avatar_id": avatar_id,
        "script": "Hello from the HeyGen SDK for Rust!",
        "title": "heygen-rs quickstart",
    }))?;

    // The SDK retries a 429 on its own, after the Retry-After HeyGen sends.
    // Its tracing says so; count those events around this one call.
    let retries = RetryLog::default();
    let dispatch = tracing_subscriber::registry().with(retries.clone());
    let created = client
        .create_video()
        .body(request)
        .send()
        .with_subscriber(dispatch)
        .await?
        .into_inner()
        .data
        .ok_or("createVideo answered without data")?;
    for (reason, delay) in retries.seen() {
        out.line(format!(
            "createVideo was refused ({reason}); the SDK waited {:.1} s, as HeyGen's Retry-After asked, and retried",
            delay.as_secs_f64()
        ));
    }
    out.line(format!("Created video {}", created.video_id));

    let video = client
        .wait_for_video(&created.video_id)
        .options(conn.wait_options().on_status({
            let out = out.clone();
            move |change| {
                out.line(format!(
                    "  {} after {:.1} s",
                    change.status,
                    change.elapsed.as_secs_f64()
                ))
            }
        }))
        .await?;
    let url = video
        .video_url
        .ok_or("a completed video without a video_url")?;
    out.line(format!("Video ready: {url}"));
    Ok(())
}

/// Collects the SDK's "retrying heygen call" tracing events.
#[derive(Clone, Default)]
struct RetryLog(Arc<Mutex<Vec<(String, Duration)>>>);

impl RetryLog {
    fn seen(&self) -> Vec<(String, Duration)> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

#[derive(Default)]
struct RetryFields {
    message: String,
    reason: String,
    delay_ms: u64,
}

impl tracing::field::Visit for RetryFields {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        if field.name() == "reason" {
            self.reason = value.to_string();
        }
    }

    fn record_u64(&mut self, field: &tracing::field::Field, value: u64) {
        if field.name() == "delay_ms" {
            self.delay_ms = value;
        }
    }

    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.message = format!("{value:?}");
        }
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for RetryLog {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        let mut fields = RetryFields::default();
        event.record(&mut fields);
        if fields.message == "retrying heygen call" {
            let reason = match fields.reason.as_str() {
                "rate_limited" => "429 Too Many Requests".to_string(),
                other => other.to_string(),
            };
            self.0
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push((reason, Duration::from_millis(fields.delay_ms)));
        }
    }
}
