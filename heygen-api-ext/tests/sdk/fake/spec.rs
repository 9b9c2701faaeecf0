//! Every body the fake sends, validated against the vendored spec's
//! response schemas (errors too), and the validator's own check.

use std::time::Duration;

use futures::TryStreamExt;
use heygen_api_ext::prelude::*;
use heygen_api_ext::testing::{Exchange, FakeHeyGen};
use heygen_api_ext::types;
use serde_json::{Value, json};

use crate::support::jobs::{create_lipsync, create_session, create_translations, create_video};

/// The vendored spec as JSON, with one validator per (operation, status).
pub struct Spec {
    doc: Value,
}

impl Spec {
    pub fn load() -> Spec {
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
    pub fn validator(&self, operation: &str, status: u16) -> jsonschema::Validator {
        let mut schema = self.doc.clone();
        schema["$ref"] = json!(self.schema_pointer(operation, status));
        schema["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
        jsonschema::draft202012::new(&schema).expect("the spec compiles as JSON Schema 2020-12")
    }

    pub fn check(&self, exchange: &Exchange) -> Result<(), String> {
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

/// Every exchange checked; the failures, one line each.
pub fn failures(spec: &Spec, exchanges: &[Exchange]) -> Vec<String> {
    exchanges
        .iter()
        .filter_map(|e| spec.check(e).err())
        .collect()
}
