//! Tracing carries what an operator needs and never the credentials.
//!
//! A binary of its own, not a module of `sdk`: tracing-core caches each
//! callsite's interest process-wide, and while one scoped subscriber is
//! the only one registered it computes that interest from the default of
//! whichever thread hits the callsite first. A test on another thread of
//! the same process would mark the SDK's spans "never" and this test would
//! see nothing (it did, in `sdk`).

#[path = "sdk/support/mod.rs"]
mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use heygen_api_ext::Client;
use support::{Reply, scripted, sessions_page};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(start_paused = true)]
async fn spans_and_events_name_the_call_but_not_the_key() {
    let captured = Captured::default();
    let sink = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || sink.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = scripted(vec![
        Reply::error(503, "internal_error", "busy").header("x-request-id", "req_first"),
        sessions_page(&["s"], None, false).header("x-request-id", "req_second"),
    ])
    .await;
    let key = "sk-live-do-not-log-me";
    let client = Client::builder()
        .api_key(key)
        .base_url(server.base_url())
        .without_timeouts()
        .build()
        .unwrap();
    client.list_video_agent_sessions().send().await.unwrap();
    // Debug output of everything a user might print.
    tracing::debug!(?client, "client");

    let out = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(out.contains("heygen.call"), "{out}");
    assert!(
        out.contains("operation=\"listVideoAgentSessions\"")
            || out.contains("operation=listVideoAgentSessions"),
        "{out}"
    );
    assert!(out.contains("/v3/video-agents"), "{out}");
    assert!(
        out.contains("attempt=1") && out.contains("attempt=2"),
        "{out}"
    );
    assert!(
        out.contains("status=503") && out.contains("status=200"),
        "{out}"
    );
    assert!(
        out.contains("req_first") && out.contains("req_second"),
        "{out}"
    );
    assert!(out.contains("retrying heygen call"), "{out}");
    assert!(
        !out.contains(key),
        "the API key leaked into tracing output:\n{out}"
    );
    assert!(!out.to_ascii_lowercase().contains("x-api-key"), "{out}");
}
