//! What one operation makes, the others see: batches in lists and bulk
//! lookups, deletes gone everywhere, creates in their lists, idempotency
//! keys replayed.

use std::time::Duration;

use heygen_api_ext::prelude::*;
use heygen_api_ext::testing::FakeHeyGen;
use heygen_api_ext::types;
use serde_json::{Value, json};

use crate::support::jobs::create_video;

fn avatar_video(title: &str) -> Value {
    json!({"type": "avatar", "avatar_id": "Daisy-inskirt-20220818", "script": "Hi", "title": title})
}

#[tokio::test(start_paused = true)]
async fn a_batch_is_seen_by_its_get_by_list_videos_and_by_bulk_statuses() {
    let fake = FakeHeyGen::start().await.unwrap();
    let client = fake.client_builder().without_timeouts().build().unwrap();
    let body: types::CreateVideoBatchRequest = serde_json::from_value(json!({
        "title": "Three",
        "videos": [avatar_video("one"), avatar_video("two"), avatar_video("three")],
    }))
    .unwrap();
    let accepted = client.create_video_batch().body(body).send().await.unwrap();
    assert_eq!(accepted.status(), 202);
    let batch_id = accepted.into_inner().data.unwrap().batch_id.unwrap();

    let batch = client
        .get_video_batch()
        .batch_id(&batch_id)
        .data()
        .await
        .unwrap();
    assert_eq!(batch.total_items, 3);
    assert_eq!(batch.status.to_string(), "processing");
    let ids: Vec<String> = batch
        .items
        .iter()
        .filter_map(|i| i.video_id.clone())
        .collect();
    assert_eq!(ids.len(), 3);
    let listed = client.list_videos().data().await.unwrap();
    for id in &ids {
        assert!(listed.iter().any(|v| &v.id == id), "{id} is listed");
    }
    fake.fail_job(&ids[1], "render_failed", "scripted failure");

    tokio::time::sleep(Duration::from_secs(4)).await;
    let batch = client
        .get_video_batch()
        .batch_id(&batch_id)
        .limit(2)
        .data()
        .await
        .unwrap();
    assert_eq!(batch.status.to_string(), "completed");
    assert_eq!(batch.items.len(), 2, "one page of items");
    assert!(batch.has_more);
    assert_eq!(batch.counts_by_status["completed"], json!(2));
    assert_eq!(batch.counts_by_status["failed"], json!(1));

    let bulk = client
        .bulk_video_statuses()
        .batch_ids(&batch_id)
        .data()
        .await
        .unwrap();
    let statuses: Vec<&str> = bulk.iter().map(|s| s.status.as_str()).collect();
    assert_eq!(statuses, ["completed", "failed", "completed"]);
    assert_eq!(bulk[1].error.as_ref().unwrap()["code"], "render_failed");
    assert!(
        bulk.iter()
            .all(|s| s.batch_id.as_deref() == Some(batch_id.as_str()))
    );

    // By id, a video made alone, one in the batch and one that does not exist.
    let alone = create_video(&client).await;
    let asked = format!("{alone},{},vid_missing", ids[0]);
    let bulk = client
        .bulk_video_statuses()
        .video_ids(asked)
        .data()
        .await
        .unwrap();
    let got: Vec<(&str, &str)> = bulk
        .iter()
        .map(|s| (s.video_id.as_deref().unwrap(), s.status.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (alone.as_str(), "pending"),
            (ids[0].as_str(), "completed"),
            ("vid_missing", "not_found")
        ]
    );
    assert_eq!(bulk[1].item_index, Some(0), "its place in its batch");
}

#[tokio::test]
async fn bulk_lookups_take_at_most_100_ids() {
    let fake = FakeHeyGen::start().await.unwrap();
    let client = fake.client_builder().max_retries(0).build().unwrap();
    let ids = |n: usize| {
        (0..n)
            .map(|i| format!("vt_{i}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    let page = client
        .bulk_video_translation_statuses()
        .video_translation_ids(ids(100))
        .data()
        .await
        .unwrap();
    assert_eq!(page.len(), 100);
    assert!(page.iter().all(|s| s.status == "not_found"));

    let err = client
        .bulk_video_translation_statuses()
        .video_translation_ids(ids(101))
        .data()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.param(), Some("video_translation_ids"));
    let err = client.bulk_lipsync_statuses().data().await.unwrap_err();
    assert_eq!(err.param(), Some("lipsync_ids"), "no ids at all");
    let err = client
        .get_lipsync_batch()
        .batch_id("batch_nope")
        .data()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404));
}

#[tokio::test]
async fn deletes_are_gone_everywhere() {
    let fake = FakeHeyGen::start().await.unwrap();
    let client = fake.client_builder().max_retries(0).build().unwrap();
    let endpoint = client
        .create_webhook_endpoint()
        .body(types::CreateWebhookEndpointRequest::builder().url("https://example.com/hook"))
        .data()
        .await
        .unwrap()
        .endpoint_id;
    assert_eq!(
        client.list_webhook_endpoints().data().await.unwrap().len(),
        1
    );
    client
        .delete_webhook_endpoint()
        .endpoint_id(&endpoint)
        .send()
        .await
        .unwrap();
    assert!(
        client
            .list_webhook_endpoints()
            .data()
            .await
            .unwrap()
            .is_empty()
    );
    let err = client
        .rotate_webhook_signing_secret()
        .endpoint_id(&endpoint)
        .data()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404));

    let video = create_video(&client).await;
    client.delete_video().video_id(&video).send().await.unwrap();
    let listed = client.list_videos().limit(100).data().await.unwrap();
    assert!(!listed.iter().any(|v| v.id == video));
    let err = client
        .get_video()
        .video_id(&video)
        .data()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("video_not_found"));
    let bulk = client
        .bulk_video_statuses()
        .video_ids(&video)
        .data()
        .await
        .unwrap();
    assert_eq!(bulk[0].status, "not_found");
}

#[tokio::test(start_paused = true)]
async fn a_cloned_voice_and_a_created_avatar_are_in_their_lists() {
    let fake = FakeHeyGen::start().await.unwrap();
    let client = fake.client_builder().without_timeouts().build().unwrap();
    let clone: types::CloneVoiceRequest = serde_json::from_value(
        json!({"voice_name": "Narrator", "audio": {"type": "url", "url": "https://example.com/a.mp3"}}),
    )
    .unwrap();
    let voice = client
        .clone_voice()
        .body(clone)
        .data()
        .await
        .unwrap()
        .voice_clone_id;
    let private = client.list_voices().type_("private").data().await.unwrap();
    assert_eq!(
        private.iter().map(|v| &v.voice_id).collect::<Vec<_>>(),
        [&voice]
    );
    let detail = client.get_voice().voice_id(&voice).data().await.unwrap();
    assert_eq!(detail.status.unwrap().to_string(), "processing");
    tokio::time::sleep(Duration::from_secs(4)).await;
    let detail = client.get_voice().voice_id(&voice).data().await.unwrap();
    assert_eq!(
        detail.status.unwrap().to_string(),
        "complete",
        "HeyGen's spelling"
    );

    let avatar: types::CreateAvatarRequest = serde_json::from_value(json!({
        "type": "photo", "name": "Me", "file": {"type": "url", "url": "https://example.com/me.jpg"},
    }))
    .unwrap();
    let created = client.create_avatar().body(avatar).data().await.unwrap();
    let group = created.avatar_group.unwrap().id;
    let groups = client
        .list_avatar_groups()
        .ownership("private")
        .data()
        .await
        .unwrap();
    assert_eq!(groups.iter().map(|g| &g.id).collect::<Vec<_>>(), [&group]);
    let looks = client
        .list_avatar_looks()
        .group_id(&group)
        .data()
        .await
        .unwrap();
    assert_eq!(looks.len(), 1);
    client
        .delete_avatar_group()
        .group_id(&group)
        .send()
        .await
        .unwrap();
    assert!(
        client
            .list_avatar_looks()
            .group_id(&group)
            .data()
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_create_with_the_same_idempotency_key_replays_its_first_answer() {
    let fake = FakeHeyGen::start().await.unwrap();
    let raw = crate::support::http();
    let create = || {
        raw.post(format!("{}/v3/videos", fake.base_url()))
            .header("x-api-key", fake.api_key())
            .header("idempotency-key", "order-42")
            .json(&avatar_video("once"))
            .send()
    };
    let first: Value = create().await.unwrap().json().await.unwrap();
    let again = create().await.unwrap();
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let again: Value = again.json().await.unwrap();
    assert_eq!(first, again);

    let client = fake.client().unwrap();
    let listed = client.list_videos().data().await.unwrap();
    let titled: Vec<_> = listed
        .iter()
        .filter(|v| v.title.as_deref() == Some("once"))
        .collect();
    assert_eq!(titled.len(), 1, "one video made");
}

#[tokio::test]
async fn a_repeat_while_the_first_is_in_flight_gets_409() {
    let fake = FakeHeyGen::start().await.unwrap();
    fake.on("createVideo")
        .unwrap()
        .delay(Duration::from_millis(300))
        .times(1);
    let raw = crate::support::http();
    let create = || {
        raw.post(format!("{}/v3/videos", fake.base_url()))
            .header("x-api-key", fake.api_key())
            .header("idempotency-key", "order-43")
            .json(&avatar_video("slow"))
            .send()
    };
    let first = tokio::spawn(create());
    tokio::time::sleep(Duration::from_millis(50)).await;
    let second = create().await.unwrap();
    assert_eq!(second.status(), 409);
    let body: Value = second.json().await.unwrap();
    assert_eq!(body["error"]["code"], "request_in_progress");
    assert_eq!(first.await.unwrap().unwrap().status(), 200);
}
