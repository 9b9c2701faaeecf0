//! The library and the catalogues: assets (alone and in a batch),
//! avatars, voices, templates, brand kits, the user, audio, webhooks.

use heygen_api_ext::prelude::*;
use heygen_api_ext::{AssetSource, types};
use serde_json::json;

use super::{body, finish_jobs, url};

pub(super) async fn assets(client: &Client) {
    let small = client
        .upload_asset(AssetSource::bytes("logo.png", vec![7u8; 1000]))
        .send()
        .await
        .expect("upload asset");
    // createAssetUpload, the PUT, completeAssetUpload.
    let direct = client
        .upload_asset_direct(AssetSource::bytes("clip.mp4", vec![1u8; 5000]))
        .send()
        .await
        .expect("direct upload");
    client
        .get_asset()
        .asset_id(&small.asset_id)
        .send()
        .await
        .expect("get asset");
    client
        .list_assets()
        .username("fake-user")
        .send()
        .await
        .expect("list assets");
    client
        .search_assets()
        .query("mountains")
        .type_("image")
        .send()
        .await
        .expect("search assets");
    client
        .bulk_asset_statuses()
        .asset_ids(format!("{},{}", small.asset_id, direct.asset_id))
        .send()
        .await
        .expect("bulk assets");
    client
        .delete_asset()
        .asset_id(&small.asset_id)
        .send()
        .await
        .expect("delete asset");
}

/// A batch of direct uploads: reserved, each file `PUT` with its
/// headers, completed, read back.
pub(super) async fn asset_batches(client: &Client) {
    let files = json!({"files": [
        {"filename": "a.png", "content_type": "image/png", "size_bytes": 10},
        {"filename": "b.png", "content_type": "image/png", "size_bytes": 10},
    ]});
    let batch = client
        .create_asset_upload_batch()
        .body(body::<types::CreateAssetUploadBatchRequest>(files))
        .data()
        .await
        .expect("create upload batch");
    let storage = crate::support::http();
    for item in &batch.items {
        let mut put = storage.put(&item.upload_url).body(vec![0u8; 10]);
        for (name, value) in &item.upload_headers {
            put = put.header(name.as_str(), value.as_str());
        }
        let status = put.send().await.expect("the PUT").status();
        assert_eq!(status, 200, "the presigned PUT");
    }
    client
        .complete_asset_upload_batch()
        .body(types::CompleteAssetUploadBatchRequest::builder().batch_id(&batch.batch_id))
        .send()
        .await
        .expect("complete upload batch");
    client
        .get_asset_batch()
        .batch_id(&batch.batch_id)
        .send()
        .await
        .expect("asset batch");
}

pub(super) async fn avatars(client: &Client) {
    client
        .list_avatar_groups()
        .send()
        .await
        .expect("list groups");
    client.list_avatar_looks().send().await.expect("list looks");
    let created = client
        .create_avatar()
        .body(body::<types::CreateAvatarRequest>(json!({
            "type": "digital_twin", "name": "Me", "file": url("https://example.com/me.mp4"),
        })))
        .data()
        .await
        .expect("create avatar");
    let group = created.avatar_group.expect("a group").id;
    let look = created.avatar_item.expect("a look").id;
    client
        .create_avatar_consent()
        .group_id(&group)
        .body(body::<types::CreateAvatarConsentRequest>(json!({})))
        .send()
        .await
        .expect("consent");
    finish_jobs().await;
    client
        .get_avatar_group()
        .group_id(&group)
        .send()
        .await
        .expect("get group");
    client
        .get_avatar_look()
        .look_id(&look)
        .send()
        .await
        .expect("get look");
    client
        .update_avatar_look()
        .look_id(&look)
        .body(types::UpdateAvatarLookRequest::builder().name("Me, smiling".to_string()))
        .send()
        .await
        .expect("update look");
    client
        .delete_avatar_look()
        .look_id(&look)
        .send()
        .await
        .expect("delete look");
    client
        .delete_avatar_group()
        .group_id(&group)
        .send()
        .await
        .expect("delete group");
}

pub(super) async fn voices(client: &Client) {
    client.list_voices().send().await.expect("list voices");
    client
        .get_voice()
        .voice_id("voice_aria")
        .send()
        .await
        .expect("get voice");
    let clone = client
        .clone_voice()
        .body(body::<types::CloneVoiceRequest>(json!({
            "voice_name": "Narrator", "audio": url("https://example.com/me.mp3"),
        })))
        .data()
        .await
        .expect("clone voice")
        .voice_clone_id;
    client
        .design_voice()
        .body(types::DesignVoiceRequest::builder().prompt("A calm narrator"))
        .send()
        .await
        .expect("design voice");
    client
        .generate_speech()
        .body(
            types::GenerateSpeechRequest::builder()
                .text("Hello there")
                .voice_id("voice_aria"),
        )
        .send()
        .await
        .expect("speech");
    client
        .delete_voice()
        .voice_id(&clone)
        .send()
        .await
        .expect("delete voice");
}

pub(super) async fn catalogues(client: &Client) {
    client
        .list_templates()
        .send()
        .await
        .expect("list templates");
    client
        .get_template()
        .template_id("tpl_0001")
        .send()
        .await
        .expect("get template");
    client
        .generate_video_from_template()
        .template_id("tpl_0001")
        .body(body::<types::GenerateTemplateVideoRequest>(
            json!({"variables": {"name": {"name": "name", "type": "text", "properties": {"content": "Ada"}}}}),
        ))
        .send()
        .await
        .expect("generate from template");
    client.list_brand_kits().send().await.expect("brand kits");
    client
        .list_brand_glossaries()
        .send()
        .await
        .expect("glossaries");
    client
        .get_current_user()
        .send()
        .await
        .expect("current user");
    client
        .search_audio()
        .query("upbeat")
        .send()
        .await
        .expect("search audio");
}

pub(super) async fn webhooks(client: &Client) {
    let endpoint = client
        .create_webhook_endpoint()
        .body(types::CreateWebhookEndpointRequest::builder().url("https://example.com/hook"))
        .data()
        .await
        .expect("create endpoint")
        .endpoint_id;
    client
        .list_webhook_endpoints()
        .send()
        .await
        .expect("list endpoints");
    client
        .update_webhook_endpoint()
        .endpoint_id(&endpoint)
        .body(
            types::UpdateWebhookEndpointRequest::builder()
                .url("https://example.com/h2".to_string()),
        )
        .send()
        .await
        .expect("update endpoint");
    client
        .rotate_webhook_signing_secret()
        .endpoint_id(&endpoint)
        .send()
        .await
        .expect("rotate secret");
    client
        .list_webhook_events()
        .send()
        .await
        .expect("list events");
    client
        .list_webhook_event_types()
        .send()
        .await
        .expect("event types");
    client
        .delete_webhook_endpoint()
        .endpoint_id(&endpoint)
        .send()
        .await
        .expect("delete");
}
