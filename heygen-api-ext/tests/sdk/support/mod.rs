//! What the tests share: the crate's own scripted loopback server
//! (`Scripted`), clients for it, and a page
//! of sessions.

#![allow(dead_code)]

pub mod jobs;
pub mod tls;

pub use heygen_api_ext::testing::{Reply, ScriptedServer as Scripted};

/// `reqwest::Client::builder()` for the tests' own requests, given a rustls
/// config with `ring`. reqwest is compiled without a crypto provider (the
/// SDK's `rustls` feature hands its own client one, installing nothing
/// process-wide), so a builder without one would panic in `build()`. It
/// trusts the fixture CA alone: the tests never leave loopback.
pub fn http_builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder().tls_backend_preconfigured(tls::client_config())
}

/// A client of [`http_builder`]'s, for requests beside the SDK's.
pub fn http() -> reqwest::Client {
    http_builder().build().expect("a reqwest client")
}

/// A scripted server, started (a test without a loopback port fails here).
pub async fn scripted(script: Vec<Reply>) -> Scripted {
    Scripted::start(script).await.expect("a loopback port")
}

/// A client for `server`, with timeouts off (paused clock).
pub fn client(server: &Scripted) -> heygen_api_ext::Client {
    client_builder(server).build().unwrap()
}

/// The builder of [`client`], for more settings.
pub fn client_builder(server: &Scripted) -> heygen_api_ext::ClientBuilder {
    server
        .client_builder()
        .api_key("sk-test-secret-key")
        .without_timeouts()
}

/// A page of `listVideoAgentSessions`.
pub fn sessions_page(ids: &[&str], next: Option<&str>, has_more: bool) -> Reply {
    let data: Vec<_> = ids
        .iter()
        .map(|id| serde_json::json!({"session_id": id, "created_at": 1_700_000_000, "title": null}))
        .collect();
    Reply::json(
        200,
        serde_json::json!({"data": data, "has_more": has_more, "next_token": next}),
    )
}

/// Fails the test instead of hanging it.
pub async fn within<T>(
    limit: std::time::Duration,
    test: impl std::future::IntoFuture<Output = T>,
) -> T {
    tokio::time::timeout(limit, test)
        .await
        .unwrap_or_else(|_| panic!("hung: no outcome within {limit:?}"))
}

/// A client builder for `server` with quick backoffs (real clock).
pub fn quick(server: &Scripted) -> heygen_api_ext::ClientBuilder {
    server
        .client_builder()
        .api_key("sk-test-secret-key")
        .initial_backoff(std::time::Duration::from_millis(5))
        .max_backoff(std::time::Duration::from_millis(20))
}

/// A `getVideo` answer with this status.
pub fn video(status: &str) -> Reply {
    Reply::json(
        200,
        serde_json::json!({"data": {"id": "v1", "status": status, "title": null, "created_at": 1}}),
    )
}
