//! The fake's main flows through the real client: sessions in pages, a
//! video through its statuses, failures, errors, 429s, webhooks.

use std::time::Duration;

use futures::TryStreamExt;
use heygen_api_ext::prelude::*;
use heygen_api_ext::testing::FakeHeyGen;
use heygen_api_ext::types;
use serde_json::json;

use crate::support::jobs::create_video;

#[tokio::test]
async fn sessions_come_in_pages_newest_first() {
    let fake = FakeHeyGen::start().await.unwrap();
    let client = fake.client().unwrap();

    let first = client.list_video_agent_sessions().send().await.unwrap();
    assert_eq!(first.data.len(), 20, "default page size");
    assert_eq!(first.has_more, Some(true));
    assert!(first.next_token.is_some());

    let all: Vec<_> = client
        .list_video_agent_sessions()
        .limit(17)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 45, "three pages at 20, all of them walked");
    assert!(
        all.windows(2).all(|w| w[0].created_at >= w[1].created_at),
        "newest first"
    );
    let ids: std::collections::HashSet<_> = all.iter().map(|s| &s.session_id).collect();
    assert_eq!(ids.len(), 45, "no session twice");
    let pages = fake
        .exchanges()
        .iter()
        .filter(|e| e.operation_id == Some("listVideoAgentSessions"))
        .count();
    assert_eq!(pages, 1 + 3, "45 items at 17 a page is three pages");

    let err: Error = client
        .list_video_agent_sessions()
        .token("not-a-cursor")
        .send()
        .await
        .unwrap_err()
        .into();
    assert!(matches!(err, Error::BadRequest(_)), "{err:?}");
    assert_eq!(err.param(), Some("token"));
}

#[tokio::test(start_paused = true)]
async fn a_video_moves_from_pending_to_completed() {
    let fake = FakeHeyGen::builder()
        .job_duration(Duration::from_secs(90))
        .start()
        .await
        .unwrap();
    let client = fake.client_builder().without_timeouts().build().unwrap();
    let id = create_video(&client).await;

    let get = || async {
        client
            .get_video()
            .video_id(&id)
            .send()
            .await
            .unwrap()
            .into_inner()
            .data
            .unwrap()
    };
    let v = get().await;
    assert_eq!(v.status.to_string(), "pending");
    assert_eq!(v.video_url, None);
    tokio::time::sleep(Duration::from_secs(31)).await;
    let v = get().await;
    assert_eq!(v.status.to_string(), "processing");
    assert_eq!(v.video_url, None);
    tokio::time::sleep(Duration::from_secs(60)).await;
    let v = get().await;
    assert_eq!(v.status.to_string(), "completed");
    let url = v.video_url.expect("a completed video has a URL");
    assert!(url.starts_with(fake.files_url()), "{url}");
    assert_ne!(
        fake.files_url(),
        fake.base_url(),
        "files are on another origin"
    );
    assert!(v.completed_at.is_some());

    // It is listed, and deleting it makes it a 404.
    let listed = client.list_videos().limit(100).send().await.unwrap();
    assert_eq!(listed.data[0].id, id, "newest first");
    let deleted = client.delete_video().video_id(&id).send().await.unwrap();
    assert_eq!(
        deleted.data.as_ref().map(|d| d.id.as_str()),
        Some(id.as_str())
    );
    let err: Error = client
        .get_video()
        .video_id(&id)
        .send()
        .await
        .unwrap_err()
        .into();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
    assert_eq!(err.code(), Some("video_not_found"));
}

#[tokio::test(start_paused = true)]
async fn failed_jobs_carry_their_failure() {
    let fake = FakeHeyGen::start().await.unwrap();
    let client = fake.client_builder().without_timeouts().build().unwrap();
    let id = create_video(&client).await;
    assert!(fake.fail_job(&id, "download_failed", "the audio URL answered 403"));
    assert!(!fake.fail_job("vid_nope", "x", "y"));
    tokio::time::sleep(Duration::from_secs(5)).await;
    let v = client
        .get_video()
        .video_id(&id)
        .send()
        .await
        .unwrap()
        .into_inner()
        .data
        .unwrap();
    assert_eq!(v.status.to_string(), "failed");
    assert_eq!(v.failure_code.as_deref(), Some("download_failed"));
    assert_eq!(
        v.failure_message.as_deref(),
        Some("the audio URL answered 403")
    );
    assert_eq!(v.video_url, None);
}

#[tokio::test]
async fn unknown_ids_get_404_and_wrong_keys_401() {
    let fake = FakeHeyGen::start().await.unwrap();
    let client = fake.client().unwrap();
    for err in [
        client
            .get_video()
            .video_id("vid_missing")
            .send()
            .await
            .unwrap_err()
            .into(),
        client
            .get_lipsync()
            .lipsync_id("ls_missing")
            .send()
            .await
            .unwrap_err()
            .into(),
        client
            .get_video_agent_session()
            .session_id("sess_missing")
            .send()
            .await
            .unwrap_err()
            .into(),
    ] {
        let err: Error = err;
        assert!(matches!(err, Error::NotFound(_)), "{err:?}");
        let api = err.api_error().unwrap();
        assert!(!api.synthesized, "the fake answers in HeyGen's envelope");
        assert!(api.request_id.is_some(), "every answer has an X-Request-Id");
    }

    let wrong = fake.client_builder().api_key("sk-wrong").build().unwrap();
    let err: Error = wrong
        .list_video_agent_sessions()
        .send()
        .await
        .unwrap_err()
        .into();
    assert!(matches!(err, Error::Authentication(_)), "{err:?}");
    assert_eq!(err.code(), Some("unauthorized"));

    let bearer = fake
        .client_builder()
        .bearer_token(fake.api_key())
        .build()
        .unwrap();
    assert!(bearer.list_video_agent_sessions().send().await.is_ok());

    let recorded = fake.exchanges();
    let key = recorded
        .iter()
        .find_map(|e| e.request_header("x-api-key"))
        .unwrap();
    assert_eq!(key, "<redacted>", "recorded credentials are redacted");
}

#[tokio::test(start_paused = true)]
async fn chosen_calls_get_429_with_retry_after() {
    let fake = FakeHeyGen::builder()
        .rate_limit("createVideo", 1, Duration::from_secs(1))
        .start()
        .await
        .unwrap();
    let client = fake.client_builder().without_timeouts().build().unwrap();
    let started = tokio::time::Instant::now();
    create_video(&client).await;
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After honoured"
    );
    assert_eq!(fake.rate_limited_count(), 1);
    let throttled = fake
        .exchanges()
        .into_iter()
        .find(|e| e.status == 429)
        .unwrap();
    assert_eq!(throttled.operation_id, Some("createVideo"));

    // By method name too; a client that does not retry sees the 429.
    fake.rate_limit("list_video_agent_sessions", 1, Duration::from_millis(1500))
        .unwrap();
    let no_retry = fake
        .client_builder()
        .without_timeouts()
        .max_retries(0)
        .build()
        .unwrap();
    let err: Error = no_retry
        .list_video_agent_sessions()
        .send()
        .await
        .unwrap_err()
        .into();
    assert!(matches!(err, Error::RateLimited(_)), "{err:?}");
    assert_eq!(
        err.retry_after(),
        Some(Duration::from_secs(2)),
        "rounded up"
    );
    assert!(
        no_retry.list_video_agent_sessions().send().await.is_ok(),
        "once only"
    );

    let bad = fake.rate_limit("createVideos", 1, Duration::from_secs(1));
    assert!(bad.unwrap_err().to_string().contains("createVideos"));
    let bad = FakeHeyGen::builder()
        .rate_limit("nope", 1, Duration::from_secs(1))
        .start()
        .await;
    assert!(bad.unwrap_err().to_string().contains("\"nope\""));
}

#[tokio::test(start_paused = true)]
async fn webhook_endpoints_and_the_event_log() {
    let fake = FakeHeyGen::start().await.unwrap();
    let client = fake.client_builder().without_timeouts().build().unwrap();
    let created = client
        .create_webhook_endpoint()
        .body(
            types::CreateWebhookEndpointRequest::builder()
                .url("https://example.com/heygen")
                .events(vec![types::WebhookEventType::AvatarVideoSuccess]),
        )
        .send()
        .await
        .unwrap()
        .into_inner()
        .data
        .unwrap();
    let first_secret = created.secret.clone().expect("create returns the secret");
    assert!(first_secret.starts_with("whsec_"));

    let listed = client.list_webhook_endpoints().send().await.unwrap();
    assert_eq!(listed.data.len(), 1);
    assert_eq!(
        listed.data[0].secret, None,
        "listing never shows the secret"
    );

    let rotated = client
        .rotate_webhook_signing_secret()
        .endpoint_id(&created.endpoint_id)
        .send()
        .await
        .unwrap()
        .into_inner()
        .data
        .unwrap();
    assert_ne!(rotated.secret, first_secret);

    let bad: Error = client
        .create_webhook_endpoint()
        .body(types::CreateWebhookEndpointRequest::builder().url("example.com"))
        .send()
        .await
        .unwrap_err()
        .into();
    assert_eq!(bad.param(), Some("url"));

    let ok = create_video(&client).await;
    let failing = create_video(&client).await;
    fake.fail_job(&failing, "internal_error", "render crashed");
    tokio::time::sleep(Duration::from_secs(4)).await;
    let events = client.list_webhook_events().send().await.unwrap();
    let types_: Vec<_> = events.data.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(types_.len(), 2, "{types_:?}");
    assert!(types_.contains(&"avatar_video.success"));
    assert!(types_.contains(&"avatar_video.fail"));
    let only_ok = client
        .list_webhook_events()
        .entity_id(&ok)
        .send()
        .await
        .unwrap();
    assert_eq!(only_ok.data.len(), 1);
    assert_eq!(only_ok.data[0].event_data["video_id"], json!(ok));

    client
        .delete_webhook_endpoint()
        .endpoint_id(&created.endpoint_id)
        .send()
        .await
        .unwrap();
    let err: Error = client
        .rotate_webhook_signing_secret()
        .endpoint_id(&created.endpoint_id)
        .send()
        .await
        .unwrap_err()
        .into();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
}

#[tokio::test]
async fn unknown_paths_get_heygens_404_and_other_methods_405() {
    let fake = FakeHeyGen::start().await.unwrap();
    let raw = crate::support::http();
    let missing = raw
        .get(format!("{}/v3/nothing/here", fake.base_url()))
        .header("x-api-key", fake.api_key())
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let body: serde_json::Value = missing.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("/v3/nothing/here")
    );

    let wrong = raw
        .put(format!("{}/v3/videos/vid_1", fake.base_url()))
        .header("x-api-key", fake.api_key())
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 405);
    assert_eq!(wrong.headers()["allow"], "DELETE, GET");
    assert!(fake.exchanges().iter().all(|e| e.operation_id.is_none()));
}
