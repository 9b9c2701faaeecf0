//! The retry policy, row by row, against a scripted loopback server under
//! tokio's paused clock (sleeps are measured, not waited).

use std::time::Duration;

use crate::support::{Reply, Scripted, client, scripted, sessions_page};
use heygen_api_ext::{Client, Error};
use serde_json::json;
use tokio::time::Instant;

fn secret_ok() -> Reply {
    Reply::json(
        200,
        json!({"data": {"endpoint_id": "ep_1", "secret": "whsec_abc"}}),
    )
}

/// How long a successful `listVideoAgentSessions` call took (paused clock:
/// the sleeps between attempts).
async fn time_sessions_call(server: &Scripted) -> Duration {
    let started = Instant::now();
    client(server)
        .list_video_agent_sessions()
        .send()
        .await
        .unwrap();
    started.elapsed()
}

fn new_endpoint() -> heygen_api_ext::types::builder::CreateWebhookEndpointRequest {
    heygen_api_ext::types::CreateWebhookEndpointRequest::builder().url("https://example.com/hook")
}

fn endpoint_ok() -> Reply {
    Reply::json(
        200,
        json!({"data": {"endpoint_id": "ep_1", "url": "https://example.com/hook", "status": "enabled", "created_at": "2026-01-01T00:00:00Z"}}),
    )
}

#[tokio::test(start_paused = true)]
async fn get_is_retried_on_each_transient_status() {
    for status in [408u16, 500, 502, 503, 504] {
        let server = scripted(vec![
            Reply::error(status, "internal_error", "try again"),
            Reply::error(status, "internal_error", "try again"),
            sessions_page(&["s1"], None, false),
        ])
        .await;
        let page = client(&server)
            .list_video_agent_sessions()
            .send()
            .await
            .unwrap_or_else(|e| panic!("status {status}: {e:?}"));
        assert_eq!(page.data.len(), 1);
        assert_eq!(server.hits(), 3, "status {status}: three attempts");
    }
}

#[tokio::test(start_paused = true)]
async fn retries_stop_at_max_retries() {
    let server = scripted(vec![
        Reply::error(503, "internal_error", "1"),
        Reply::error(503, "internal_error", "2"),
        Reply::error(503, "internal_error", "3"),
        sessions_page(&[], None, false),
    ])
    .await;
    let err: Error = client(&server)
        .list_video_agent_sessions()
        .send()
        .await
        .unwrap_err()
        .into();
    assert!(matches!(err, Error::Server(_)), "{err:?}");
    assert_eq!(err.message(), "3", "the last attempt's error is returned");
    assert_eq!(server.hits(), 3, "max_retries 2 means 3 attempts");

    let server = scripted(vec![Reply::error(503, "internal_error", "x")]).await;
    let c = Client::builder()
        .api_key("k")
        .base_url(server.base_url())
        .without_timeouts()
        .max_retries(0)
        .build()
        .unwrap();
    assert!(c.list_video_agent_sessions().send().await.is_err());
    assert_eq!(server.hits(), 1);
}

#[tokio::test(start_paused = true)]
async fn post_without_idempotency_key_is_not_retried_on_503() {
    let server = scripted(vec![
        Reply::error(503, "internal_error", "busy"),
        endpoint_ok(),
    ])
    .await;
    let body = new_endpoint();
    let err: Error = client(&server)
        .create_webhook_endpoint()
        .body(body)
        .send()
        .await
        .unwrap_err()
        .into();
    assert_eq!(err.status(), Some(503));
    assert_eq!(
        server.hits(),
        1,
        "a create that is not idempotent is sent once"
    );
    assert!(server.requests()[0].header("idempotency-key").is_none());
}

#[tokio::test(start_paused = true)]
async fn post_without_key_is_retried_on_429() {
    let server = scripted(vec![
        Reply::error(429, "rate_limit_exceeded", "slow down").header("retry-after", "1"),
        endpoint_ok(),
    ])
    .await;
    let body = new_endpoint();
    let resp = client(&server)
        .create_webhook_endpoint()
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.data.as_ref().unwrap().endpoint_id, "ep_1");
    assert_eq!(
        server.hits(),
        2,
        "429 means HeyGen did nothing: safe to resend"
    );
}

#[tokio::test(start_paused = true)]
async fn idempotent_post_reuses_one_key_on_every_attempt() {
    let server = scripted(vec![
        Reply::error(500, "internal_error", "oops"),
        Reply::error(502, "internal_error", "oops"),
        secret_ok(),
    ])
    .await;
    let resp = client(&server)
        .rotate_webhook_signing_secret()
        .endpoint_id("ep_1")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.data.as_ref().unwrap().secret, "whsec_abc");
    let reqs = server.requests();
    assert_eq!(reqs.len(), 3, "a POST with an honoured key is retried");
    let keys: Vec<_> = reqs
        .iter()
        .map(|r| r.header("idempotency-key").unwrap().to_string())
        .collect();
    assert!(
        uuid::Uuid::parse_str(&keys[0]).is_ok(),
        "a UUID: {}",
        keys[0]
    );
    assert!(
        keys.iter().all(|k| *k == keys[0]),
        "same key each attempt: {keys:?}"
    );

    // A second call gets a fresh key.
    let server2 = scripted(vec![secret_ok()]).await;
    client(&server2)
        .rotate_webhook_signing_secret()
        .endpoint_id("ep_1")
        .send()
        .await
        .unwrap();
    assert_ne!(
        server2.requests()[0].header("idempotency-key").unwrap(),
        keys[0]
    );
}

#[tokio::test(start_paused = true)]
async fn caller_key_is_kept_and_keys_can_be_turned_off() {
    let server = scripted(vec![Reply::error(503, "e", "m"), secret_ok()]).await;
    client(&server)
        .rotate_webhook_signing_secret()
        .endpoint_id("ep_1")
        .idempotency_key("my-key-1")
        .send()
        .await
        .unwrap();
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    assert!(
        reqs.iter()
            .all(|r| r.header("idempotency-key") == Some("my-key-1"))
    );

    let server = scripted(vec![Reply::error(503, "e", "m"), secret_ok()]).await;
    let c = Client::builder()
        .api_key("k")
        .base_url(server.base_url())
        .without_timeouts()
        .idempotency_keys(false)
        .build()
        .unwrap();
    let err = c
        .rotate_webhook_signing_secret()
        .endpoint_id("ep_1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(server.hits(), 1, "without a key the POST is not replayable");
    assert!(server.requests()[0].header("idempotency-key").is_none());
}

#[tokio::test(start_paused = true)]
async fn retry_after_seconds_is_honoured() {
    let server = scripted(vec![
        Reply::error(429, "rate_limit_exceeded", "wait").header("retry-after", "7"),
        sessions_page(&["a"], None, false),
    ])
    .await;
    let waited = time_sessions_call(&server).await;
    assert!(
        waited >= Duration::from_secs(7) && waited < Duration::from_secs(8),
        "waited {waited:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn retry_after_http_date_is_honoured() {
    let when = std::time::SystemTime::now() + Duration::from_secs(30);
    let server = scripted(vec![
        Reply::error(429, "rate_limit_exceeded", "wait")
            .header("retry-after", &httpdate::fmt_http_date(when)),
        sessions_page(&["a"], None, false),
    ])
    .await;
    let waited = time_sessions_call(&server).await;
    // HTTP dates have one-second resolution.
    assert!(
        waited >= Duration::from_secs(28) && waited <= Duration::from_secs(31),
        "waited {waited:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn retry_after_over_the_cap_returns_at_once() {
    let server = scripted(vec![
        Reply::error(429, "rate_limit_exceeded", "come back later")
            .header("retry-after", "3600")
            .header("x-request-id", "req_429"),
        sessions_page(&["a"], None, false),
    ])
    .await;
    let started = Instant::now();
    let err: Error = client(&server)
        .list_video_agent_sessions()
        .send()
        .await
        .unwrap_err()
        .into();
    assert_eq!(started.elapsed(), Duration::ZERO, "no sleep");
    assert_eq!(server.hits(), 1);
    assert!(matches!(err, Error::RateLimited(_)), "{err:?}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(err.request_id(), Some("req_429"));
    assert!(err.is_retryable());
}

#[tokio::test(start_paused = true)]
async fn backoff_without_retry_after_is_exponential() {
    let server = scripted(vec![
        Reply::error(503, "e", "1"),
        Reply::error(503, "e", "2"),
        sessions_page(&[], None, false),
    ])
    .await;
    let waited = time_sessions_call(&server).await;
    // 0.5 s then 1 s, each with equal jitter: between 0.75 s and 1.5 s.
    assert!(
        waited >= Duration::from_millis(750) && waited <= Duration::from_millis(1500),
        "waited {waited:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn nothing_is_retried_past_the_call_timeout() {
    let server = scripted(vec![
        Reply::error(429, "rate_limit_exceeded", "wait").header("retry-after", "20"),
        sessions_page(&[], None, false),
    ])
    .await;
    let c = Client::builder()
        .api_key("k")
        .base_url(server.base_url())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let err: Error = c
        .list_video_agent_sessions()
        .send()
        .await
        .unwrap_err()
        .into();
    assert!(matches!(err, Error::RateLimited(_)), "{err:?}");
    assert_eq!(server.hits(), 1, "a 20 s wait does not fit a 10 s budget");
}

#[tokio::test(start_paused = true)]
async fn connection_errors_are_retried_for_gets_only() {
    let server = scripted(vec![Reply::Close, sessions_page(&["a"], None, false)]).await;
    client(&server)
        .list_video_agent_sessions()
        .send()
        .await
        .unwrap();
    assert_eq!(server.hits(), 2);

    let server = scripted(vec![Reply::Close, endpoint_ok()]).await;
    let body = new_endpoint();
    let err: Error = client(&server)
        .create_webhook_endpoint()
        .body(body)
        .send()
        .await
        .unwrap_err()
        .into();
    assert!(matches!(err, Error::Connection { .. }), "{err:?}");
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn refused_connection_is_a_connection_error() {
    // Bind then drop: the port is closed.
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let c = Client::builder()
        .api_key("k")
        .base_url(format!("http://{addr}"))
        .max_retries(1)
        .initial_backoff(Duration::from_millis(1))
        .build()
        .unwrap();
    let err: Error = c
        .list_video_agent_sessions()
        .send()
        .await
        .unwrap_err()
        .into();
    assert!(matches!(err, Error::Connection { .. }), "{err:?}");
    assert!(err.to_string().contains("could not reach HeyGen"));
}

#[tokio::test(start_paused = true)]
async fn delete_is_retried_patch_without_key_is_not() {
    let deleted = Reply::json(200, json!({"data": {}, "error": null}));
    let server = scripted(vec![Reply::error(503, "e", "busy"), deleted]).await;
    client(&server)
        .delete_webhook_endpoint()
        .endpoint_id("ep_1")
        .send()
        .await
        .unwrap();
    assert_eq!(server.hits(), 2, "DELETE is idempotent: retried");
    assert_eq!(server.requests()[1].method, "DELETE");

    let server = scripted(vec![Reply::error(503, "e", "busy"), endpoint_ok()]).await;
    let body = heygen_api_ext::types::UpdateWebhookEndpointRequest::builder()
        .url("https://example.com/new".to_string());
    let err: Error = client(&server)
        .update_webhook_endpoint()
        .endpoint_id("ep_1")
        .body(body)
        .send()
        .await
        .unwrap_err()
        .into();
    assert_eq!(err.status(), Some(503));
    assert_eq!(
        server.hits(),
        1,
        "PATCH without an honoured key is sent once"
    );
}

#[test]
fn client_is_clone_send_sync() {
    fn clone_send_sync<T: Clone + Send + Sync + 'static>() {}
    fn send_sync<T: Send + Sync + 'static>() {}
    clone_send_sync::<Client>();
    send_sync::<Error>();
}
