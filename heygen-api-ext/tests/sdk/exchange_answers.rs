//! What the exchange does with answers, one test (or a few) per failure of
//! issue 12's list (items 5-11; 1-4 are in `exchange.rs`), each on a
//! loopback server: pages, uploads, settings, the credential, statuses,
//! decode errors, values HeyGen adds later.

use crate::support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::support::{Reply, quick, scripted, sessions_page, video, within};
use futures::TryStreamExt;
use heygen_api_ext::AssetSource;
use heygen_api_ext::prelude::*;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::time::Instant;

// 5. Pagination never ends silently.

#[tokio::test]
async fn has_more_without_a_cursor_is_an_error_not_the_end() {
    let server = scripted(vec![sessions_page(&["a", "b"], None, true)]).await;
    let client = quick(&server).build().unwrap();
    let mut items = client.list_video_agent_sessions().items();
    assert!(items.try_next().await.unwrap().is_some());
    assert!(items.try_next().await.unwrap().is_some());
    let err = items.try_next().await.unwrap_err();
    assert!(matches!(err, Error::Pagination { .. }), "{err:?}");
    assert!(err.to_string().contains("next_token"), "{err}");
}

#[tokio::test]
async fn a_page_without_data_is_an_error_not_an_empty_last_page() {
    let server = scripted(vec![Reply::json(200, json!({"data": null}))]).await;
    let client = quick(&server).build().unwrap();
    let result: Result<Vec<_>, _> = client
        .get_video_batch()
        .batch_id("b1")
        .items()
        .try_collect()
        .await;
    let err = result.unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert!(err.to_string().contains("getVideoBatch"), "{err}");
    assert_eq!(err.status(), Some(200));
}

#[tokio::test]
async fn fresh_cursors_on_empty_pages_are_not_walked_forever() {
    let pages = (0..50)
        .map(|i| sessions_page(&[], Some(&format!("t{i}")), true))
        .collect();
    let server = scripted(pages).await;
    let client = quick(&server).build().unwrap();
    let result: Result<Vec<_>, _> = client
        .list_video_agent_sessions()
        .items()
        .try_collect()
        .await;
    let err = result.unwrap_err();
    assert!(matches!(err, Error::Pagination { .. }), "{err:?}");
    assert_eq!(
        server.hits(),
        heygen_api_ext::paginate::MAX_EMPTY_PAGES as usize
    );
}

// 6. Uploads: the presigned PUT times out when idle, is retried, reads
// error bodies within a cap and names the asset without the signature; a
// multipart upload on a slow link is not cut off while it progresses.

fn announced(storage: &str, size: u64) -> Reply {
    Reply::json(
        200,
        json!({"data": {
            "asset_id": "asset_7",
            "upload_url": format!("{storage}/bucket/a.mp4?X-Amz-Signature=s3cr3tsig"),
            "upload_headers": {"Content-Type": "video/mp4"},
            "expires_in_seconds": 900,
            "max_bytes": size * 2,
            "status": "pending_upload"
        }}),
    )
}

fn completed() -> Reply {
    Reply::json(
        200,
        json!({"data": {"asset_id": "asset_7", "status": "completed", "url": "https://files/a.mp4", "mime_type": "video/mp4", "size_bytes": 1000}}),
    )
}

#[tokio::test]
async fn a_stalled_put_times_out_and_a_failed_one_is_retried() {
    let storage = scripted(vec![
        Reply::Stall,
        Reply::error(503, "slow_down", "later"),
        Reply::raw(200, "text/plain", b""),
    ])
    .await;
    let api = scripted(vec![announced(storage.base_url(), 1000), completed()]).await;
    let client = quick(&api)
        .upload_idle_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let done = within(
        Duration::from_secs(10),
        client
            .upload_asset_direct(AssetSource::bytes("a.mp4", vec![1u8; 1000]))
            .send(),
    )
    .await
    .unwrap();
    assert_eq!(done.asset_id, "asset_7");
    let puts = storage.requests();
    assert_eq!(puts.len(), 3, "stalled, 503, then done");
    assert!(
        puts.iter().all(|p| p.header("x-api-key").is_none()),
        "no credential on the storage host"
    );
    assert_eq!(puts[2].body.len(), 1000, "the bytes sent again in full");
}

#[tokio::test]
async fn a_put_error_names_the_asset_caps_the_body_and_hides_the_signature() {
    // A storage host that answers 403 with an endless body.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let storage = format!("http://{}", listener.local_addr().unwrap());
    let written = Arc::new(AtomicUsize::new(0));
    let w = written.clone();
    tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await.unwrap();
        let mut buf = vec![0u8; 64 * 1024];
        let _ = sock.read(&mut buf).await;
        let head = "HTTP/1.1 403 Forbidden\r\ncontent-type: application/xml\r\ncontent-length: 104857600\r\n\r\n<Error><Code>AccessDenied</Code></Error>";
        if sock.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        let block = vec![b' '; 64 * 1024];
        while sock.write_all(&block).await.is_ok() {
            w.fetch_add(block.len(), Ordering::SeqCst);
        }
    });
    let api = scripted(vec![announced(&storage, 1000)]).await;
    let client = quick(&api).build().unwrap();
    let err = within(
        Duration::from_secs(10),
        client
            .upload_asset_direct(AssetSource::bytes("a.mp4", vec![1u8; 1000]))
            .send(),
    )
    .await
    .unwrap_err();
    let Error::Upload {
        asset_id,
        url,
        source,
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!(asset_id, "asset_7");
    assert!(
        !url.contains("s3cr3tsig") && url.ends_with("/bucket/a.mp4"),
        "{url}"
    );
    assert!(matches!(**source, Error::PermissionDenied(_)), "{source:?}");
    let text = format!("{err} {source} {err:?}");
    assert!(text.contains("AccessDenied"), "{text}");
    assert!(!text.contains("s3cr3tsig"), "{text}");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        written.load(Ordering::SeqCst) < 20 * 1024 * 1024,
        "the 100 MB error body was not read: {}",
        written.load(Ordering::SeqCst)
    );
}

#[tokio::test]
async fn an_unreachable_storage_host_is_named_without_the_signature() {
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let storage = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let api = scripted(vec![announced(&storage, 1000)]).await;
    let client = quick(&api).build().unwrap();
    let err = client
        .upload_asset_direct(AssetSource::bytes("a.mp4", vec![1u8; 1000]))
        .send()
        .await
        .unwrap_err();
    let text = format!("{err} {:?}", std::error::Error::source(&err));
    assert!(matches!(err, Error::Upload { .. }), "{err:?}");
    assert!(text.contains("asset_7"), "{text}");
    assert!(!text.contains("s3cr3tsig"), "{text}");
}

#[tokio::test]
async fn a_slow_multipart_upload_is_bounded_by_idleness_not_the_call_timeout() {
    // An API host that reads the upload at about 1 MB/s.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await.unwrap();
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            if sock.read(&mut byte).await.unwrap_or(0) == 0 {
                return;
            }
            head.push(byte[0]);
        }
        let text = String::from_utf8_lossy(&head).to_ascii_lowercase();
        let len: usize = text
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        let mut read = 0;
        let mut chunk = vec![0u8; 16 * 1024];
        while read < len {
            tokio::time::sleep(Duration::from_millis(16)).await;
            match sock.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => read += n,
            }
        }
        let body = r#"{"data":{"asset_id":"asset_slow","url":"https://files/a.bin","mime_type":"application/octet-stream","size_bytes":1500000}}"#;
        let reply = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        let _ = sock.write_all(reply.as_bytes()).await;
    });
    let client = Client::builder()
        .api_key("sk-test")
        .base_url(base)
        .timeout(Duration::from_millis(500))
        .upload_idle_timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let started = Instant::now();
    let asset = within(
        Duration::from_secs(20),
        client
            .upload_asset(AssetSource::bytes("a.bin", vec![0u8; 1_500_000]))
            .send(),
    )
    .await
    .unwrap();
    assert_eq!(asset.asset_id, "asset_slow");
    assert!(
        started.elapsed() > Duration::from_millis(500),
        "it outlasted the call timeout: {:?}",
        started.elapsed()
    );
}

// 7. No setting panics.

#[tokio::test]
async fn extreme_settings_do_not_panic() {
    let server = scripted(vec![
        video("completed"),
        Reply::error(429, "rate_limit_exceeded", "later").header("retry-after", "99999999999"),
        Reply::error(500, "internal_error", "boom"),
        video("completed"),
    ])
    .await;
    let client = support::client_builder(&server)
        .timeout(Duration::MAX)
        .attempt_timeout(Duration::MAX)
        .build()
        .unwrap();
    client.get_video().video_id("v1").data().await.unwrap();

    // A huge Retry-After that the caller allows: longer than the call's
    // budget, so it is handed back rather than slept through.
    let client = support::client_builder(&server)
        .timeout(Duration::from_secs(5))
        .max_retry_after(Duration::MAX)
        .build()
        .unwrap();
    let err = client.get_video().video_id("v1").data().await.unwrap_err();
    assert!(
        err.retry_after()
            .is_some_and(|d| d > Duration::from_secs(1_000_000)),
        "{err:?}"
    );

    let client = support::client_builder(&server)
        .timeout(Duration::from_secs(5))
        .initial_backoff(Duration::MAX)
        .max_backoff(Duration::MAX)
        .build()
        .unwrap();
    let err = client.get_video().video_id("v1").data().await.unwrap_err();
    assert_eq!(err.status(), Some(500));

    let video = client
        .wait_for_video("v1")
        .initial_delay(Duration::ZERO)
        .timeout(Duration::MAX)
        .await
        .unwrap();
    assert_eq!(video.id, "v1");
}

// 8. The key rides on requests to HeyGen, not on the HTTP client.

#[tokio::test]
async fn the_raw_http_client_carries_no_credential() {
    let api = scripted(vec![video("completed")]).await;
    let cdn = scripted(vec![Reply::raw(200, "video/mp4", b"mp4")]).await;
    let client = quick(&api).build().unwrap();
    client.get_video().video_id("v1").data().await.unwrap();
    assert_eq!(
        api.requests()[0].header("x-api-key"),
        Some("sk-test-secret-key")
    );

    use progenitor_client::ClientInfo as _;
    let raw = client
        .client()
        .get(format!("{}/v1.mp4", cdn.base_url()))
        .send()
        .await
        .unwrap();
    assert!(raw.status().is_success());
    let sent = &cdn.requests()[0];
    assert_eq!(sent.header("x-api-key"), None);
    assert_eq!(sent.header("authorization"), None);
}

// 9. Any 2xx whose body matches is a success.

#[tokio::test]
async fn a_200_where_the_spec_says_202_is_a_success() {
    let server = scripted(vec![Reply::json(
        200,
        json!({"data": {"ai_clipping_id": "clip_1"}}),
    )])
    .await;
    let client = quick(&server).build().unwrap();
    let request = heygen_api_ext::types::CreateAiClippingRequest::builder()
        .video(heygen_api_ext::types::AssetUrl::builder().url("https://example.com/v.mp4"));
    let created = client
        .create_ai_clipping()
        .body(request)
        .data()
        .await
        .unwrap();
    assert_eq!(created.ai_clipping_id, "clip_1");
}

// 10. Decode errors keep the status and request id.

#[tokio::test]
async fn a_truncated_body_is_a_decode_error_with_status_and_request_id() {
    let server = scripted(vec![
        Reply::raw(200, "application/json", br#"{"data": {"id": "v1", "sta"#)
            .header("x-request-id", "req_42"),
    ])
    .await;
    let client = quick(&server).build().unwrap();
    let err = client.get_video().video_id("v1").data().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Decode {
                status: Some(200),
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.request_id(), Some("req_42"));
    assert!(err.to_string().contains("req_42"), "{err}");
}

// 11. An enum value or union tag HeyGen adds later decodes.

#[tokio::test]
async fn a_voice_of_a_new_type_does_not_fail_the_list() {
    let server = scripted(vec![Reply::json(
        200,
        json!({"data": [
            {"voice_id": "v1", "name": "A", "language": "English", "gender": "female", "type": "public", "support_pause": true, "support_locale": false, "preview_audio_url": null},
            {"voice_id": "v2", "name": "B", "language": "English", "gender": "male", "type": "synthetic_v2", "support_pause": true, "support_locale": false, "preview_audio_url": null}
        ], "has_more": false, "next_token": null}),
    )])
    .await;
    let client = quick(&server).build().unwrap();
    let voices: Vec<_> = client.list_voices().items().try_collect().await.unwrap();
    assert_eq!(voices.len(), 2);
    assert_eq!(voices[1].type_.to_string(), "synthetic_v2");
    assert!(!voices[1].type_.is_known());
}
