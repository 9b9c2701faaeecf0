//! Fault injection: a loopback server that misbehaves on purpose, at the
//! TCP level (raw bytes, resets, stalls), and what the client makes of it.
//! Every fault must end in a typed error or a correct result: never a
//! panic, a hang (each test runs under a deadline), or silently wrong data.

use std::future::Future;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use heygen_api_ext::prelude::*;
use heygen_api_ext::{ClientBuilder, Error};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

/// Fails the test instead of hanging it.
async fn within<T>(limit: Duration, test: impl Future<Output = T>) -> T {
    tokio::time::timeout(limit, test)
        .await
        .unwrap_or_else(|_| panic!("hung: no outcome within {limit:?}"))
}

const DEADLINE: Duration = Duration::from_secs(10);

/// One request as the server read it.
struct Request {
    /// The request line, e.g. `GET /v3/videos/v1 HTTP/1.1`.
    line: String,
    /// Which request this is, counting from 1 across all connections.
    nth: usize,
}

/// A server that hands each request, with its socket, to `handler`; a
/// handler that gives the socket back keeps the connection alive. Built on
/// the crate's loopback plumbing (`heygen_api_ext::testing::serve`).
struct Faulty {
    base_url: String,
    hits: Arc<AtomicUsize>,
}

impl Faulty {
    async fn start<F, Fut>(handler: F) -> Faulty
    where
        F: Fn(TcpStream, Request) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Option<TcpStream>> + Send + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = hits.clone();
        tokio::spawn(heygen_api_ext::testing::serve(
            listener,
            move |sock, req| {
                let nth = counter.fetch_add(1, Ordering::SeqCst) + 1;
                let line = format!("{} {} HTTP/1.1", req.method, req.target);
                handler(sock, Request { line, nth })
            },
        ));
        Faulty { base_url, hits }
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    /// A client for this server: no retries, short timeouts.
    fn client(&self) -> ClientBuilder {
        heygen_api_ext::Client::builder()
            .api_key("sk-fault-test")
            .base_url(&self.base_url)
            .max_retries(0)
            .initial_backoff(Duration::from_millis(10))
            .timeout(Duration::from_secs(5))
    }
}

/// A complete response with a correct `content-length`.
fn response(status: u16, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// A server that answers every request with `bytes` and keeps the
/// connection open.
async fn always(bytes: Vec<u8>) -> Faulty {
    let bytes = Arc::new(bytes);
    Faulty::start(move |mut sock, _| {
        let bytes = bytes.clone();
        async move {
            sock.write_all(&bytes).await.ok()?;
            Some(sock)
        }
    })
    .await
}

const VIDEO: &str = r#"{"data":{"id":"v1","status":"completed","title":"Launch","duration":12.5,"video_url":"https://files.example/v1.mp4"}}"#;

async fn get_video(client: &heygen_api_ext::Client) -> Result<heygen_api_ext::types::Video, Error> {
    client.get_video().video_id("v1").data().await
}

#[tokio::test]
async fn reset_before_the_response_is_a_connection_error_after_bounded_retries() {
    within(DEADLINE, async {
        let server = Faulty::start(|sock, _| async move {
            // SO_LINGER 0: closing sends RST instead of FIN.
            sock.set_zero_linger().unwrap();
            drop(sock);
            None
        })
        .await;
        let client = server.client().max_retries(2).build().unwrap();
        let err = get_video(&client).await.unwrap_err();
        assert!(matches!(err, Error::Connection { .. }), "{err:?}");
        assert!(err.is_retryable());
        assert_eq!(server.hits(), 3, "a GET is tried max_retries + 1 times");

        // A create without an idempotency key is never sent twice.
        let body = heygen_api_ext::types::CreateWebhookEndpointRequest::builder()
            .url("https://example.com/hook");
        let err = client
            .create_webhook_endpoint()
            .body(body)
            .data()
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Connection { .. }), "{err:?}");
        assert!(!err.is_retryable(), "a resend could create it twice");
        assert_eq!(server.hits(), 4, "the POST was sent once");
    })
    .await;
}

#[tokio::test]
async fn refused_connection_is_a_connection_error() {
    within(DEADLINE, async {
        // A port nobody listens on: bind, note it, close it.
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        drop(listener);
        let client = heygen_api_ext::Client::builder()
            .api_key("sk-fault-test")
            .base_url(&base_url)
            .max_retries(2)
            .initial_backoff(Duration::from_millis(10))
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap();
        let started = Instant::now();
        let err = get_video(&client).await.unwrap_err();
        assert!(matches!(err, Error::Connection { .. }), "{err:?}");
        assert!(err.to_string().contains("could not reach HeyGen"), "{err}");
        assert_eq!(err.status(), None);
        // Two short backoffs, not the call timeout.
        assert!(started.elapsed() < Duration::from_secs(2));
    })
    .await;
}

#[tokio::test]
async fn disconnect_mid_body_is_an_error_not_partial_data() {
    within(DEADLINE, async {
        // Content-length promises more than arrives.
        let server = Faulty::start(|mut sock, _| async move {
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                VIDEO.len()
            );
            sock.write_all(head.as_bytes()).await.ok()?;
            sock.write_all(&VIDEO.as_bytes()[..40]).await.ok()?;
            None
        })
        .await;
        let client = server.client().build().unwrap();
        let err = get_video(&client).await.unwrap_err();
        assert!(matches!(err, Error::Connection { .. }), "{err:?}");

        // Chunked: one chunk, then the connection closes without the last.
        let server = Faulty::start(|mut sock, _| async move {
            let part = &VIDEO.as_bytes()[..40];
            let mut out = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
            out.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
            out.extend_from_slice(part);
            out.extend_from_slice(b"\r\n");
            sock.write_all(&out).await.ok()?;
            None
        })
        .await;
        let client = server.client().build().unwrap();
        let err = get_video(&client).await.unwrap_err();
        assert!(matches!(err, Error::Connection { .. }), "{err:?}");
    })
    .await;
}

#[tokio::test]
async fn truncated_json_is_a_decode_error_with_an_excerpt() {
    within(DEADLINE, async {
        let cut = &VIDEO[..VIDEO.len() - 20];
        let server = always(response(200, "application/json", cut.as_bytes())).await;
        let client = server.client().build().unwrap();
        let err = get_video(&client).await.unwrap_err();
        match &err {
            Error::Decode { excerpt, .. } => assert_eq!(excerpt, cut),
            other => panic!("{other:?}"),
        }
        assert!(err.to_string().contains("could not decode"), "{err}");
    })
    .await;
}

#[tokio::test]
async fn invalid_utf8_is_a_decode_error_or_a_lossy_error_message() {
    within(DEADLINE, async {
        let body = b"{\"data\":{\"id\":\"v\xff\xfe1\",\"status\":\"completed\"}}";
        let server = always(response(200, "application/json", body)).await;
        let client = server.client().build().unwrap();
        let err = get_video(&client).await.unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{err:?}");

        // An error page in Latin-1: still classified by its status.
        let server = always(response(500, "text/html", b"<h1>Erreur \xe9lev\xe9e</h1>")).await;
        let client = server.client().build().unwrap();
        let err = get_video(&client).await.unwrap_err();
        assert!(matches!(err, Error::Server(_)), "{err:?}");
        assert_eq!(err.status(), Some(500));
        assert!(err.api_error().unwrap().synthesized);
        assert!(
            err.message().contains("Erreur \u{fffd}lev"),
            "{}",
            err.message()
        );
    })
    .await;
}

#[tokio::test]
async fn html_with_200_is_a_decode_error() {
    within(DEADLINE, async {
        let page = b"<!doctype html><html><body>Sign in to continue</body></html>";
        let server = always(response(200, "text/html", page)).await;
        let client = server.client().build().unwrap();
        let err = get_video(&client).await.unwrap_err();
        match &err {
            Error::Decode { excerpt, .. } => assert!(excerpt.starts_with("<!doctype html>")),
            other => panic!("{other:?}"),
        }
    })
    .await;
}

#[tokio::test]
async fn json_of_the_wrong_shape_is_a_decode_error() {
    within(DEADLINE, async {
        for body in [
            r#"{"data":{"id":"v1","status":42}}"#,
            r#"{"data":"v1"}"#,
            r#"{"data":[]}"#,
            "42",
            r#"{"data":{"status":"completed"}}"#,
            r#"{"data":{"id":"v1","status":"completed","duration":"long"}}"#,
            "null",
            "",
        ] {
            let server = always(response(200, "application/json", body.as_bytes())).await;
            let client = server.client().build().unwrap();
            let result = get_video(&client).await;
            assert!(
                matches!(result, Err(Error::Decode { .. })),
                "{body}: {result:?}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn a_status_value_the_sdk_does_not_know_is_kept_not_guessed() {
    within(DEADLINE, async {
        let body = r#"{"data":{"id":"v1","status":"exploded"}}"#;
        let server = always(response(200, "application/json", body.as_bytes())).await;
        let client = server.client().build().unwrap();
        let video = get_video(&client).await.unwrap();
        assert_eq!(video.id, "v1");
        assert_eq!(video.status.as_str(), "exploded");
        assert!(!video.status.is_known());
    })
    .await;
}

#[tokio::test]
async fn an_error_body_shaped_like_heygens_but_with_wrong_types_keeps_its_status() {
    within(DEADLINE, async {
        // `param` must be a string: the generated decoder would reject this
        // envelope, and the caller would get a decode error without status.
        let body = br#"{"error":{"code":"invalid_parameter","message":"bad","param":7}}"#;
        let server = always(response(400, "application/json", body)).await;
        let client = server.client().build().unwrap();
        let err = get_video(&client).await.unwrap_err();
        assert!(matches!(err, Error::BadRequest(_)), "{err:?}");
        assert_eq!(err.status(), Some(400));
        assert!(err.api_error().unwrap().synthesized);
        assert!(
            err.message().contains("invalid_parameter"),
            "{}",
            err.message()
        );
    })
    .await;
}

#[tokio::test]
async fn an_absurd_retry_after_is_ignored_not_a_panic() {
    within(DEADLINE, async {
        for value in ["1e20", "18446744073709551616", "-5", "NaN", "inf", "soon", ""] {
            let body = br#"{"error":{"code":"rate_limit_exceeded","message":"slow down"}}"#;
            let mut reply = format!(
                "HTTP/1.1 429 X\r\ncontent-type: application/json\r\nretry-after: {value}\r\ncontent-length: {}\r\n\r\n",
                body.len()
            )
            .into_bytes();
            reply.extend_from_slice(body);
            let server = always(reply).await;
            let client = server.client().max_retries(1).build().unwrap();
            let err = get_video(&client).await.unwrap_err();
            assert!(matches!(err, Error::RateLimited(_)), "{value}: {err:?}");
            assert_eq!(err.retry_after(), None, "{value}");
            assert_eq!(server.hits(), 2, "{value}: retried once, after a backoff");
        }
    })
    .await;
}

/// A server that sends `total` bytes of body (after an optional status
/// other than 200), counting what it managed to write before the client hung
/// up.
async fn flood(
    status: u16,
    total: u64,
    chunked: bool,
) -> (Faulty, Arc<AtomicU64>, Arc<tokio::sync::Notify>) {
    let written = Arc::new(AtomicU64::new(0));
    let done = Arc::new(tokio::sync::Notify::new());
    let (w, d) = (written.clone(), done.clone());
    let server = Faulty::start(move |mut sock, _| {
        let (written, done) = (w.clone(), d.clone());
        async move {
            let framing = if chunked {
                "transfer-encoding: chunked".to_string()
            } else {
                format!("content-length: {total}")
            };
            let head = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n{framing}\r\n\r\n"
            );
            if sock.write_all(head.as_bytes()).await.is_ok() {
                let block = vec![b' '; 64 * 1024];
                let mut sent = 0u64;
                while sent < total {
                    let n = block.len().min((total - sent) as usize);
                    let ok = if chunked {
                        let mut c = format!("{n:x}\r\n").into_bytes();
                        c.extend_from_slice(&block[..n]);
                        c.extend_from_slice(b"\r\n");
                        sock.write_all(&c).await.is_ok()
                    } else {
                        sock.write_all(&block[..n]).await.is_ok()
                    };
                    if !ok {
                        break;
                    }
                    sent += n as u64;
                    written.store(sent, Ordering::SeqCst);
                }
                if chunked && sent == total {
                    let _ = sock.write_all(b"0\r\n\r\n").await;
                }
            }
            done.notify_one();
            None
        }
    })
    .await;
    (server, written, done)
}

#[tokio::test]
async fn a_50_mb_body_stops_at_max_response_bytes() {
    within(DEADLINE, async {
        const FIFTY_MB: u64 = 50 * 1024 * 1024;
        const LIMIT: u64 = 1024 * 1024;
        for (status, chunked) in [(200, false), (200, true), (500, false), (500, true)] {
            let (server, written, done) = flood(status, FIFTY_MB, chunked).await;
            let client = server.client().max_response_bytes(LIMIT).build().unwrap();
            let err = get_video(&client).await.unwrap_err();
            if status == 200 {
                assert!(
                    matches!(err, Error::ResponseTooLarge { limit: LIMIT, .. }),
                    "status {status}, chunked {chunked}: {err:?}"
                );
            } else {
                // An error needs only its first bytes: it is reported by its
                // status, the rest left unread.
                assert!(
                    matches!(&err, Error::Server(api) if api.synthesized),
                    "status {status}, chunked {chunked}: {err:?}"
                );
            }
            drop(client);
            // The client hung up: the server's writes fail long before 50 MB
            // (what got through sits in socket buffers, not in the client).
            done.notified().await;
            let sent = written.load(Ordering::SeqCst);
            assert!(
                sent < FIFTY_MB / 2,
                "status {status}, chunked {chunked}: the server wrote {sent} bytes"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn max_response_bytes_is_exact_with_or_without_content_length() {
    within(DEADLINE, async {
        let len = VIDEO.len() as u64;
        for chunked in [false, true] {
            let body = if chunked {
                let mut out = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
                // Two chunks, so the limit is crossed mid-body.
                for part in [&VIDEO.as_bytes()[..30], &VIDEO.as_bytes()[30..]] {
                    out.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
                    out.extend_from_slice(part);
                    out.extend_from_slice(b"\r\n");
                }
                out.extend_from_slice(b"0\r\n\r\n");
                out
            } else {
                response(200, "application/json", VIDEO.as_bytes())
            };
            let server = always(body).await;
            let exact = server.client().max_response_bytes(len).build().unwrap();
            let video = get_video(&exact).await.unwrap();
            assert_eq!(video.id, "v1", "chunked {chunked}");
            let short = server.client().max_response_bytes(len - 1).build().unwrap();
            let err = get_video(&short).await.unwrap_err();
            assert!(
                matches!(err, Error::ResponseTooLarge { limit, .. } if limit == len - 1),
                "chunked {chunked}: {err:?}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn headers_slower_than_the_timeout_are_a_timeout() {
    within(DEADLINE, async {
        let server = Faulty::start(|mut sock, _| async move {
            tokio::time::sleep(Duration::from_secs(30)).await;
            sock.write_all(&response(200, "application/json", VIDEO.as_bytes()))
                .await
                .ok()?;
            Some(sock)
        })
        .await;
        let client = server
            .client()
            .max_retries(2)
            .timeout(Duration::from_millis(300))
            .build()
            .unwrap();
        let started = Instant::now();
        let err = get_video(&client).await.unwrap_err();
        let took = started.elapsed();
        assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
        assert!(
            took >= Duration::from_millis(290) && took < Duration::from_millis(1500),
            "took {took:?}"
        );
        assert_eq!(server.hits(), 1, "a timed-out call is not retried");
    })
    .await;
}

#[tokio::test]
async fn a_trickling_body_is_a_timeout() {
    within(DEADLINE, async {
        for chunked in [false, true] {
            let server = Faulty::start(move |mut sock, _| async move {
                let framing = if chunked {
                    "transfer-encoding: chunked".to_string()
                } else {
                    format!("content-length: {}", VIDEO.len())
                };
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n{framing}\r\n\r\n"
                );
                sock.write_all(head.as_bytes()).await.ok()?;
                // A byte every 20 ms: each read makes progress, the whole
                // body would take seconds.
                for b in VIDEO.bytes() {
                    let piece = if chunked {
                        let mut c = b"1\r\n".to_vec();
                        c.push(b);
                        c.extend_from_slice(b"\r\n");
                        c
                    } else {
                        vec![b]
                    };
                    sock.write_all(&piece).await.ok()?;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                None
            })
            .await;
            let client = server
                .client()
                .timeout(Duration::from_millis(300))
                .build()
                .unwrap();
            let started = Instant::now();
            let err = get_video(&client).await.unwrap_err();
            let took = started.elapsed();
            assert!(
                matches!(err, Error::Timeout { .. }),
                "chunked {chunked}: {err:?}"
            );
            assert!(took < Duration::from_millis(1500), "took {took:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn bytes_that_are_not_http_are_a_connection_error() {
    within(DEADLINE, async {
        let server = always(b"SSH-2.0-OpenSSH_9.6\r\n\r\n".to_vec()).await;
        let client = server.client().build().unwrap();
        let err = get_video(&client).await.unwrap_err();
        assert!(matches!(err, Error::Connection { .. }), "{err:?}");
    })
    .await;
}

/// 32 tasks against a server that answers every request with 429 and
/// `Retry-After: 1` (what HeyGen sends when the concurrency limit is hit).
/// The clock is paused: sleeps are exact, so lockstep would show as every
/// retry arriving at the same instant.
#[tokio::test(start_paused = true)]
async fn a_429_storm_is_bounded_and_spread_by_jitter() {
    within(Duration::from_secs(3600), async {
        const TASKS: usize = 32;
        const RETRIES: u32 = 3;
        let origin = Instant::now();
        let arrivals: Arc<Mutex<Vec<(usize, Duration)>>> = Arc::default();
        let log = arrivals.clone();
        let server = Faulty::start(move |mut sock, req| {
            let log = log.clone();
            async move {
                // Which task sent it: the video id in the path.
                let task: usize = req
                    .line
                    .split("/v3/videos/t")
                    .nth(1)
                    .and_then(|rest| rest.split(' ').next())
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(usize::MAX);
                log.lock().unwrap().push((task, origin.elapsed()));
                let body = br#"{"error":{"code":"rate_limit_exceeded","message":"concurrency limit"}}"#;
                let mut reply = format!(
                    "HTTP/1.1 429 X\r\ncontent-type: application/json\r\nretry-after: 1\r\ncontent-length: {}\r\n\r\n",
                    body.len()
                )
                .into_bytes();
                reply.extend_from_slice(body);
                sock.write_all(&reply).await.ok()?;
                Some(sock)
            }
        })
        .await;
        let client = heygen_api_ext::Client::builder()
            .api_key("sk-fault-test")
            .base_url(&server.base_url)
            .without_timeouts()
            .max_retries(RETRIES)
            .build()
            .unwrap();
        let calls = (0..TASKS).map(|i| {
            let client = client.clone();
            tokio::spawn(async move {
                client
                    .get_video()
                    .video_id(format!("t{i}"))
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(Error::from)
            })
        });
        let results = futures::future::join_all(calls).await;
        for r in results {
            let err = r.unwrap().unwrap_err();
            assert!(matches!(err, Error::RateLimited(_)), "{err:?}");
            assert_eq!(err.retry_after(), Some(Duration::from_secs(1)));
        }
        let expected = TASKS * (RETRIES as usize + 1);
        assert_eq!(server.hits(), expected, "attempts are bounded");

        // Second attempts: each task's, at least a second after its first.
        let arrivals = arrivals.lock().unwrap().clone();
        assert_eq!(arrivals.len(), expected);
        let mut second: Vec<Duration> = (0..TASKS)
            .map(|t| {
                let mine: Vec<Duration> =
                    arrivals.iter().filter(|(task, _)| *task == t).map(|(_, at)| *at).collect();
                assert_eq!(mine.len(), RETRIES as usize + 1, "task {t}");
                assert!(mine[1] - mine[0] >= Duration::from_secs(1), "task {t}: {mine:?}");
                mine[1]
            })
            .collect();
        second.sort();
        second.dedup_by_key(|d| d.as_millis());
        assert!(
            second.len() >= TASKS / 2,
            "retries come back spread out, not in lockstep: {} distinct instants",
            second.len()
        );
    })
    .await;
}

/// The walk must put the next page's request on the wire while the
/// consumer is busy and not polling the stream, or it overlaps nothing:
/// also when the server closes every connection, so the request needs a
/// new one (connecting takes more than one poll).
#[tokio::test]
async fn prefetch_requests_the_next_page_while_the_consumer_is_busy() {
    within(DEADLINE, async {
        for close in [false, true] {
            let page = |ids: &[&str], next: Option<&str>| {
                let data: Vec<_> = ids
                    .iter()
                    .map(|id| serde_json::json!({"id": id, "status": "completed"}))
                    .collect();
                let body = serde_json::json!({"data": data, "has_more": next.is_some(), "next_token": next})
                    .to_string();
                let connection = if close { "close" } else { "keep-alive" };
                format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: {connection}\r\ncontent-length: {}\r\n\r\n{body}",
                    body.len()
                )
                .into_bytes()
            };
            let pages = Arc::new([page(&["a", "b"], Some("t2")), page(&["c"], None)]);
            let second_request = Arc::new(tokio::sync::Notify::new());
            let seen = second_request.clone();
            let server = Faulty::start(move |mut sock, req| {
                let (pages, seen) = (pages.clone(), seen.clone());
                async move {
                    if req.nth == 2 {
                        seen.notify_one();
                    }
                    sock.write_all(&pages[(req.nth - 1).min(1)]).await.ok()?;
                    (!close).then_some(sock)
                }
            })
            .await;
            let client = server.client().build().unwrap();
            let mut items = client.list_videos().limit(2).items();
            let first = items.next().await.unwrap().unwrap();
            assert_eq!(first.id, "a");
            // The consumer is busy now (not polling): the request for page 2
            // must reach the server anyway.
            tokio::time::timeout(Duration::from_secs(2), second_request.notified())
                .await
                .unwrap_or_else(|_| {
                    panic!("close {close}: page 2 was not requested while the consumer was busy")
                });
            let rest: Vec<String> = items.map(|v| v.unwrap().id).collect().await;
            assert_eq!(rest, ["b", "c"], "close {close}");
            assert_eq!(server.hits(), 2, "close {close}");
        }
    })
    .await;
}
