//! The exchange's decisions, one test (or a few) per failure of issue 12's
//! list (items 1-4; items 5-11 are in `exchange_answers.rs`), each on a
//! loopback server: retries of keyed creates, what is retryable, the one
//! classifier, the waiters; and the transport controls.

use crate::support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::support::{Reply, quick, scripted, video, within};
use heygen_api_ext::prelude::*;
use heygen_api_ext::types::{CreateVideoAgentSessionRequest, CreateVideoFromAvatar};
use heygen_api_ext::{IDEMPOTENCY_KEY, Resend};
use serde_json::json;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio::time::Instant;

fn video_created() -> Reply {
    Reply::json(
        200,
        json!({"data": {"video_id": "vid_1", "status": "pending"}}),
    )
}

fn in_progress() -> Reply {
    Reply::error(
        409,
        "request_in_progress",
        "a request with this idempotency key is in progress",
    )
}

fn avatar_video() -> CreateVideoFromAvatar {
    CreateVideoFromAvatar::builder()
        .avatar_id("Daisy-inskirt-20220818")
        .script("Hello")
        .try_into()
        .unwrap()
}

fn agent_session() -> heygen_api_ext::types::builder::CreateVideoAgentSessionRequest {
    CreateVideoAgentSessionRequest::builder().prompt("A video about Rust")
}

// 1. A keyed create that meets `409 request_in_progress` is retried within
// the call's budget, and every error of a keyed create carries its key.

#[tokio::test]
async fn in_progress_after_a_502_is_waited_out_with_the_same_key() {
    let server = scripted(vec![
        Reply::error(502, "bad_gateway", "upstream"),
        in_progress(),
        in_progress(),
        in_progress(),
        video_created(),
    ])
    .await;
    // One retry allowed: the in-progress answers are waited out within the
    // deadline instead of counting against it.
    let client = quick(&server).max_retries(1).build().unwrap();
    let created = within(
        Duration::from_secs(10),
        client.create_video().body(avatar_video()).data(),
    )
    .await
    .unwrap();
    assert_eq!(created.video_id, "vid_1");
    let keys: Vec<_> = server
        .requests()
        .iter()
        .map(|r| r.header(IDEMPOTENCY_KEY).map(str::to_string))
        .collect();
    assert_eq!(keys.len(), 5);
    assert!(
        keys[0].is_some() && keys.iter().all(|k| *k == keys[0]),
        "{keys:?}"
    );
}

#[tokio::test]
async fn in_progress_past_the_budget_hands_back_the_key() {
    let server = scripted((0..200).map(|_| in_progress()).collect()).await;
    let client = quick(&server)
        .timeout(Duration::from_millis(400))
        .build()
        .unwrap();
    let err = within(
        Duration::from_secs(10),
        client.create_video().body(avatar_video()).data(),
    )
    .await
    .unwrap_err();
    // The budget ends either between attempts (the last 409 is the error)
    // or during one (a timeout, when the machine is busy): both hand back
    // the key, which is what this test is about.
    assert!(
        matches!(err, Error::Conflict(_) | Error::Timeout { .. }),
        "{err:?}"
    );
    let sent = server.requests()[0]
        .header(IDEMPOTENCY_KEY)
        .unwrap()
        .to_string();
    assert_eq!(err.idempotency_key(), Some(sent.as_str()));
    assert!(
        err.to_string().contains(&sent),
        "the message says how to resend: {err}"
    );
    assert!(err.is_retryable(), "resend with the same key is safe");
    assert_eq!(err.call().unwrap().resend, Resend::WithSameKey);
    assert!(
        server.hits() > 3,
        "waited within the budget: {}",
        server.hits()
    );

    // Resending with the key (as the error says) reuses it.
    server.push(vec![video_created()]);
    let created = client
        .create_video()
        .idempotency_key(err.idempotency_key().unwrap())
        .body(avatar_video())
        .data()
        .await;
    // The server may still be answering 409s from the script; either way
    // the key is the one handed back.
    let _ = created;
    let last = server.requests().last().unwrap().clone();
    assert_eq!(last.header(IDEMPOTENCY_KEY), Some(sent.as_str()));
}

#[tokio::test]
async fn a_timeout_of_a_keyed_create_carries_the_key() {
    let server = scripted(vec![Reply::Stall, Reply::Stall, Reply::Stall]).await;
    let client = quick(&server)
        .attempt_timeout(Duration::from_millis(150))
        .timeout(Duration::from_millis(600))
        .build()
        .unwrap();
    let err = within(
        Duration::from_secs(10),
        client.create_video().body(avatar_video()).data(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    let sent = server.requests()[0]
        .header(IDEMPOTENCY_KEY)
        .unwrap()
        .to_string();
    assert_eq!(err.idempotency_key(), Some(sent.as_str()));
    assert!(
        server.hits() >= 2,
        "a keyed create is retried after an attempt timeout"
    );
}

// 2. `is_retryable()` is false where a resend could duplicate work.

#[tokio::test]
async fn an_unkeyed_create_is_not_retryable_after_a_500_or_a_timeout() {
    let server = scripted(vec![
        Reply::error(500, "internal_error", "boom"),
        Reply::Stall,
    ])
    .await;
    let client = quick(&server)
        .attempt_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let err = client
        .create_video_agent_session()
        .body(agent_session())
        .data()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Server(_)), "{err:?}");
    assert!(!err.is_retryable(), "a resend could start a second session");
    assert_eq!(err.idempotency_key(), None);
    assert_eq!(server.hits(), 1);

    let err = within(
        Duration::from_secs(10),
        client
            .create_video_agent_session()
            .body(agent_session())
            .data(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(!err.is_retryable(), "it may have started: {err}");
    assert_eq!(server.hits(), 2, "sent once");

    // A read that failed the same way is worth repeating.
    server.push(vec![Reply::error(500, "internal_error", "boom"); 3]);
    let err = client.get_video().video_id("v1").data().await.unwrap_err();
    assert!(err.is_retryable());
    assert_eq!(err.call().unwrap().attempts, 3);
}

// 3. One classifier: the loop and `is_retryable` agree, and transport
// failures are sorted by what a retry can fix.

#[tokio::test]
async fn a_501_is_neither_retried_nor_retryable_nor_polled_through() {
    let server = scripted(vec![Reply::error(501, "not_implemented", "no"); 4]).await;
    let client = quick(&server).build().unwrap();
    let err = client.get_video().video_id("v1").data().await.unwrap_err();
    assert_eq!(err.status(), Some(501));
    assert!(!err.is_retryable());
    assert_eq!(server.hits(), 1, "the loop agrees");

    let waited = within(
        Duration::from_secs(10),
        client
            .wait_for_video("v1")
            .initial_delay(Duration::ZERO)
            .timeout(Duration::from_secs(1200)),
    )
    .await;
    assert_eq!(waited.unwrap_err().status(), Some(501));
    assert_eq!(server.hits(), 2, "the waiter stops at once");
}

#[tokio::test]
async fn a_tls_failure_is_not_a_retryable_connection_error() {
    // A plain-HTTP server where the client expects TLS: it answers the TLS
    // hello with an HTTP error.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let https = format!("https://{}", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let seen = connections.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            seen.fetch_add(1, Ordering::SeqCst);
            let _ = sock
                .write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n")
                .await;
        }
    });
    let client = Client::builder()
        .api_key("sk-test")
        .base_url(https)
        .initial_backoff(Duration::from_millis(5))
        .build()
        .unwrap();
    let err = within(
        Duration::from_secs(10),
        client.get_video().video_id("v1").data(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::Tls { .. }), "{err:?}");
    assert!(!err.is_retryable());
    assert_eq!(connections.load(Ordering::SeqCst), 1, "not retried");
}

#[tokio::test]
async fn a_redirect_loop_is_not_a_connection_error() {
    let server = scripted(vec![]).await;
    let location = format!("{}/v3/videos/v1", server.base_url());
    server.push(vec![
        Reply::raw(302, "text/plain", b"")
            .header("location", &location);
        10
    ]);
    let client = quick(&server).build().unwrap();
    let err = client.get_video().video_id("v1").data().await.unwrap_err();
    assert!(matches!(err, Error::Redirect { .. }), "{err:?}");
    assert!(!err.is_retryable());
    assert!(
        server.hits() <= 7,
        "one call's redirects, not retried: {}",
        server.hits()
    );
}

#[tokio::test]
async fn a_connect_timeout_is_a_retried_connection_error_even_for_a_create() {
    // A listener whose accept queue is full: new connections never open.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(1).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut fillers = Vec::new();
    for _ in 0..8 {
        if let Ok(Ok(s)) = tokio::time::timeout(
            Duration::from_millis(100),
            tokio::net::TcpStream::connect(addr),
        )
        .await
        {
            fillers.push(s);
        }
    }
    let client = Client::builder()
        .api_key("sk-test")
        .base_url(format!("http://{addr}"))
        .connect_timeout(Duration::from_millis(100))
        .initial_backoff(Duration::from_millis(5))
        .max_retries(2)
        .build()
        .unwrap();
    let err = within(
        Duration::from_secs(10),
        client
            .create_video_agent_session()
            .body(agent_session())
            .data(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, Error::Connection { .. }),
        "nothing was sent: {err:?}"
    );
    assert!(
        err.is_retryable(),
        "a connection that never opened is safe to retry"
    );
    assert_eq!(
        err.call().unwrap().attempts,
        3,
        "retried although it is a create"
    );
    drop((listener, fillers));
}

// 4. Waiters: no busy loop, `Retry-After` honoured, the deadline kept.

#[tokio::test]
async fn a_zero_initial_delay_backs_off_instead_of_polling_back_to_back() {
    let server = scripted((0..500).map(|_| video("processing")).collect()).await;
    let client = quick(&server).build().unwrap();
    let err = within(
        Duration::from_secs(10),
        client
            .wait_for_video("v1")
            .initial_delay(Duration::ZERO)
            .max_delay(Duration::from_secs(2))
            .timeout(Duration::from_millis(1600)),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::WaitTimeout { .. }), "{err:?}");
    assert!(
        (2..=6).contains(&server.hits()),
        "polls in 1.6 s: {}",
        server.hits()
    );
}

#[tokio::test(start_paused = true)]
async fn a_rate_limited_poll_waits_for_retry_after() {
    let server = scripted(vec![
        Reply::error(429, "rate_limit_exceeded", "slow down").header("retry-after", "30"),
        video("completed"),
    ])
    .await;
    // No retries in the client: the waiter itself must respect the 30 s.
    let client = support::client_builder(&server)
        .max_retries(0)
        .build()
        .unwrap();
    let started = Instant::now();
    let video = client
        .wait_for_video("v1")
        .initial_delay(Duration::ZERO)
        .max_delay(Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(video.status.to_string(), "completed");
    assert!(
        started.elapsed() >= Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn the_last_poll_ends_by_the_deadline() {
    // A poll that never gets an answer, under the client's default 120 s
    // call timeout.
    let server = scripted(vec![Reply::Stall; 4]).await;
    let client = quick(&server).build().unwrap();
    let started = Instant::now();
    let err = within(
        Duration::from_secs(10),
        client
            .wait_for_video("v1")
            .initial_delay(Duration::ZERO)
            .timeout(Duration::from_secs(2)),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::WaitTimeout { .. }), "{err:?}");
    let took = started.elapsed();
    assert!(took < Duration::from_millis(2500), "{took:?}");
}

// The transport controls: a custom HTTP client, cheap per-call options,
// and an attempt timeout apart from the call's.

#[tokio::test]
async fn with_options_shares_the_pool_and_changes_only_the_clone() {
    let server = scripted(vec![
        Reply::error(500, "internal_error", "boom"),
        Reply::error(500, "internal_error", "boom"),
        video("completed"),
    ])
    .await;
    let client = quick(&server).max_retries(0).build().unwrap();
    let patient = client.with_options(|o| o.max_retries(5).timeout(Duration::from_secs(30)));
    assert_eq!(client.options().retry.max_retries, 0);
    let video = patient.get_video().video_id("v1").data().await.unwrap();
    assert_eq!(video.id, "v1");
    assert_eq!(
        server.connections(),
        1,
        "one pool, one kept-alive connection"
    );
}

#[tokio::test]
async fn a_custom_http_client_is_used_and_still_gets_the_credential_per_request() {
    let server = scripted(vec![video("completed")]).await;
    let http = support::http_builder()
        .user_agent("my-app/1.0")
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let client = quick(&server).http_client(http).build().unwrap();
    client.get_video().video_id("v1").data().await.unwrap();
    let sent = &server.requests()[0];
    assert_eq!(sent.header("user-agent"), Some("my-app/1.0"));
    assert_eq!(sent.header("x-api-key"), Some("sk-test-secret-key"));
}

#[tokio::test]
async fn a_hung_attempt_is_abandoned_and_retried_within_the_call() {
    let server = scripted(vec![Reply::Stall, video("completed")]).await;
    let client = quick(&server)
        .attempt_timeout(Duration::from_millis(200))
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let video = within(
        Duration::from_secs(10),
        client.get_video().video_id("v1").data(),
    )
    .await
    .unwrap();
    assert_eq!(video.id, "v1");
    assert_eq!(server.hits(), 2);
}
