//! The fake HeyGen server: its flows through the real client, and every
//! body it sends validated against the vendored spec's response schemas.

mod support;

use std::time::Duration;

use futures::TryStreamExt;
use heygen_api_ext::prelude::*;
use heygen_api_ext::testing::{Exchange, FakeHeyGen};
use heygen_api_ext::types;
use serde_json::{Value, json};
use support::jobs::{create_lipsync, create_session, create_translations, create_video};

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
    assert!(url.starts_with(fake.base_url()), "{url}");
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

// ---- the fake's answers against the spec ----

/// The vendored spec as JSON, with one validator per (operation, status).
struct Spec {
    doc: Value,
}

impl Spec {
    fn load() -> Spec {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/heygen.yaml");
        let text = std::fs::read_to_string(path).expect("the vendored spec");
        let doc: Value = serde_norway::from_str(&text).expect("the spec is YAML");
        Spec { doc }
    }

    /// A JSON pointer to the response schema `operation` declares for
    /// `status`, following `#/components/responses/...`.
    fn schema_pointer(&self, operation: &str, status: u16) -> String {
        let paths = self.doc["paths"].as_object().unwrap();
        for (path, item) in paths {
            for (method, op) in item.as_object().unwrap() {
                if op.get("operationId").and_then(Value::as_str) != Some(operation) {
                    continue;
                }
                let code = status.to_string();
                let response = op["responses"]
                    .get(&code)
                    .unwrap_or_else(|| panic!("{operation} declares no {status} response"));
                // A JSON pointer, then percent-encoded for a URI fragment.
                let escaped = path
                    .replace('~', "~0")
                    .replace('/', "~1")
                    .replace('{', "%7B")
                    .replace('}', "%7D");
                let base = match response.get("$ref").and_then(Value::as_str) {
                    Some(r) => r.trim_start_matches('#').to_string(),
                    None => format!("/paths/{escaped}/{method}/responses/{code}"),
                };
                return format!("#{base}/content/application~1json/schema");
            }
        }
        panic!("no operation {operation} in the spec");
    }

    /// The whole document with a root `$ref` to the schema: references
    /// inside it resolve against the document itself.
    fn validator(&self, operation: &str, status: u16) -> jsonschema::Validator {
        let mut schema = self.doc.clone();
        schema["$ref"] = json!(self.schema_pointer(operation, status));
        schema["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
        jsonschema::draft202012::new(&schema).expect("the spec compiles as JSON Schema 2020-12")
    }

    fn check(&self, exchange: &Exchange) -> Result<(), String> {
        let (Some(op), Some(body)) = (exchange.operation_id, &exchange.response_body) else {
            return Ok(());
        };
        let validator = self.validator(op, exchange.status);
        let errors: Vec<String> = validator
            .iter_errors(body)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{op} {} body {body} breaks the spec: {errors:?}",
                exchange.status
            ))
        }
    }
}

#[tokio::test(start_paused = true)]
async fn every_response_the_fake_sends_matches_the_spec() {
    let fake = FakeHeyGen::builder()
        .rate_limit("getVideo", 1, Duration::from_secs(1))
        .start()
        .await
        .unwrap();
    let client = fake.client_builder().without_timeouts().build().unwrap();

    exercise_jobs(&fake, &client).await;
    exercise_webhooks(&client).await;
    exercise_assets(&client).await;
    // A wrong key.
    let _ = fake
        .client_builder()
        .api_key("wrong")
        .build()
        .unwrap()
        .get_video()
        .video_id("x")
        .send()
        .await
        .unwrap_err();

    let spec = Spec::load();
    let exchanges = fake.exchanges();
    let mut seen = std::collections::BTreeSet::new();
    let mut failures = Vec::new();
    for e in &exchanges {
        if let Some(op) = e.operation_id {
            seen.insert((op, e.status));
        }
        if let Err(msg) = spec.check(e) {
            failures.push(msg);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let statuses: std::collections::BTreeSet<u16> = seen.iter().map(|(_, s)| *s).collect();
    assert_eq!(
        statuses,
        [200, 400, 401, 404, 429].into(),
        "success and each error the fake makes were checked: {seen:?}"
    );
    let ops: std::collections::BTreeSet<&str> = seen.iter().map(|(op, _)| *op).collect();
    assert!(
        ops.len() >= 20,
        "most served operations were exercised: {ops:?}"
    );
}

/// Sessions (list pages, create, get running, completed and failed),
/// videos, lipsyncs and translations at every stage.
async fn exercise_jobs(fake: &FakeHeyGen, client: &heygen_api_ext::Client) {
    // Sessions: list pages, create, get (running and completed, failed).
    let _: Vec<_> = client
        .list_video_agent_sessions()
        .items()
        .try_collect()
        .await
        .unwrap();
    let session = create_session(client, "A 20 s intro to Rust").await;
    let failing_session = create_session(client, "fails").await;
    fake.fail_job(
        &failing_session.session_id,
        "agent_error",
        "could not plan the video",
    );

    // Videos, lipsync, translation at every stage.
    let video = create_video(client).await;
    let failing_video = create_video(client).await;
    fake.fail_job(&failing_video, "download_failed", "no audio");
    let lipsync = create_lipsync(client).await;
    let translations = create_translations(client, &["fr", "de"]).await;
    assert_eq!(translations.len(), 2, "one translation per language");
    fake.fail_job(&translations[1], "translation_failed", "no speech found");

    for _ in 0..3 {
        let _ = client.get_video().video_id(&video).send().await;
        let _ = client.get_video().video_id(&failing_video).send().await;
        let _ = client
            .get_video_agent_session()
            .session_id(&session.session_id)
            .send()
            .await;
        let _ = client
            .get_video_agent_session()
            .session_id(&failing_session.session_id)
            .send()
            .await;
        let _ = client.get_lipsync().lipsync_id(&lipsync).send().await;
        for t in &translations {
            let _ = client
                .get_video_translation()
                .video_translation_id(t)
                .send()
                .await;
        }
        tokio::time::sleep(Duration::from_millis(1500)).await;
    }
    let _ = client.list_videos().send().await.unwrap();
    let _ = client.get_video().video_id("vid_missing").send().await;
    let _ = client.delete_video().video_id(&video).send().await.unwrap();
}

/// Webhook endpoints and events.
async fn exercise_webhooks(client: &heygen_api_ext::Client) {
    let endpoint = client
        .create_webhook_endpoint()
        .body(types::CreateWebhookEndpointRequest::builder().url("https://example.com/hook"))
        .send()
        .await
        .unwrap()
        .into_inner()
        .data
        .unwrap();
    let _ = client
        .update_webhook_endpoint()
        .endpoint_id(&endpoint.endpoint_id)
        .body(
            types::UpdateWebhookEndpointRequest::builder()
                .events(vec![types::WebhookEventType::VideoAgentSuccess]),
        )
        .send()
        .await
        .unwrap();
    let _ = client.list_webhook_endpoints().send().await.unwrap();
    let _ = client
        .rotate_webhook_signing_secret()
        .endpoint_id(&endpoint.endpoint_id)
        .send()
        .await
        .unwrap();
    let events = client.list_webhook_events().limit(2).send().await.unwrap();
    assert_eq!(events.data.len(), 2);
    let _ = client
        .list_webhook_events()
        .event_type(types::WebhookEventType::VideoTranslateFail)
        .send()
        .await
        .unwrap();
    let _ = client
        .delete_webhook_endpoint()
        .endpoint_id(&endpoint.endpoint_id)
        .send()
        .await
        .unwrap();
    let _ = client
        .delete_webhook_endpoint()
        .endpoint_id(&endpoint.endpoint_id)
        .send()
        .await;
}

/// Assets, both ways in, and a bad create.
async fn exercise_assets(client: &heygen_api_ext::Client) {
    let uploaded = client
        .upload_asset(heygen_api_ext::AssetSource::bytes(
            "logo.png",
            vec![7u8; 1000],
        ))
        .send()
        .await
        .unwrap();
    let _ = client
        .get_asset()
        .asset_id(&uploaded.asset_id)
        .send()
        .await
        .unwrap();
    let direct = client
        .upload_asset_direct(heygen_api_ext::AssetSource::bytes(
            "clip.mp4",
            vec![1u8; 5000],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(direct.size_bytes, 5000);
    let _ = client
        .create_asset_upload()
        .body(
            types::CreateAssetUploadRequest::builder()
                .content_type("video/mp4")
                .filename("x.mp4")
                .size_bytes(0),
        )
        .send()
        .await
        .unwrap_err();
}

#[test]
fn a_broken_body_fails_validation() {
    let spec = Spec::load();
    let validator = spec.validator("getVideo", 200);
    let good =
        json!({"data": {"id": "vid_1", "status": "completed", "video_url": "https://x/v.mp4"}});
    assert!(validator.is_valid(&good), "the control body is valid");
    for broken in [
        json!({"data": {"status": "completed"}}),
        json!({"data": {"id": "vid_1", "status": 3}}),
        json!({"data": {"id": "vid_1", "status": "completed", "video_url": 12}}),
        json!({"data": []}),
    ] {
        assert!(!validator.is_valid(&broken), "accepted {broken}");
    }
    let errors = spec.validator("getVideo", 404);
    assert!(errors.is_valid(
        &json!({"error": {"code": "not_found", "message": "m", "param": null, "doc_url": null}})
    ));
    assert!(
        !errors.is_valid(&json!({"error": {"code": "not_found"}})),
        "message is required"
    );
    let page = spec.validator("listVideoAgentSessions", 200);
    assert!(
        !page.is_valid(&json!({"data": [{"session_id": "s"}], "has_more": false})),
        "created_at is required"
    );
    assert!(!page.is_valid(&json!({"data": [], "has_more": "no"})));
}
