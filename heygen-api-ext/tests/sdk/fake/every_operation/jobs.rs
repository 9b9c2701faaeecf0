//! The jobs: agent sessions, videos, lipsyncs, translations, proofreads,
//! AI clipping and background removal, each created, finished, read,
//! changed and deleted.

use heygen_api_ext::prelude::*;
use heygen_api_ext::types;
use serde_json::{Value, json};

use super::{body, finish_jobs, url};

pub(super) async fn agent(client: &Client) {
    client
        .list_video_agent_sessions()
        .send()
        .await
        .expect("list sessions");
    client
        .list_video_agent_styles()
        .send()
        .await
        .expect("list styles");
    let created = client
        .create_video_agent_session()
        .body(types::CreateVideoAgentSessionRequest::builder().prompt("A 20 s intro to Rust"))
        .data()
        .await
        .expect("create session");
    let id = created.session_id;
    client
        .get_video_agent_session()
        .session_id(&id)
        .send()
        .await
        .expect("get session");
    finish_jobs().await;
    let session = client
        .get_video_agent_session()
        .session_id(&id)
        .data()
        .await
        .expect("get session");
    let resource = session
        .messages
        .iter()
        .find_map(|m| m.resource_ids.as_ref()?.first().cloned())
        .expect("a finished session names its video as a resource");
    client
        .get_session_resource()
        .session_id(&id)
        .resource_id(&resource)
        .send()
        .await
        .expect("get resource");
    client
        .list_session_videos()
        .session_id(&id)
        .send()
        .await
        .expect("session videos");
    client
        .send_message_or_request_revision()
        .session_id(&id)
        .body(types::SendVideoAgentMessageRequest::builder().message("Make it shorter"))
        .send()
        .await
        .expect("send message");
    client
        .stop_video_agent_session()
        .session_id(&id)
        .body(body::<types::StopVideoAgentSessionRequest>(json!({})))
        .send()
        .await
        .expect("stop session");
}

pub(super) async fn videos(client: &Client) {
    let avatar = json!({"type": "avatar", "avatar_id": "Daisy-inskirt-20220818", "script": "Hi"});
    let video = client
        .create_video()
        .body(body::<types::CreateVideoRequest>(avatar.clone()))
        .data()
        .await
        .expect("create video")
        .video_id;
    let batch = client
        .create_video_batch()
        .body(body::<types::CreateVideoBatchRequest>(
            json!({"videos": [avatar.clone(), avatar]}),
        ))
        .data()
        .await
        .expect("create video batch");
    let batch_id = batch.batch_id.expect("a batch id");
    finish_jobs().await;
    client
        .get_video()
        .video_id(&video)
        .send()
        .await
        .expect("get video");
    client.list_videos().send().await.expect("list videos");
    client
        .bulk_video_statuses()
        .video_ids(&video)
        .send()
        .await
        .expect("bulk videos");
    client
        .get_video_batch()
        .batch_id(&batch_id)
        .send()
        .await
        .expect("video batch");
    client
        .delete_video()
        .video_id(&video)
        .send()
        .await
        .expect("delete video");
}

fn lipsync_body() -> Value {
    json!({"video": url("https://example.com/v.mp4"), "audio": url("https://example.com/a.mp3")})
}

pub(super) async fn lipsyncs(client: &Client) {
    let id = client
        .create_lipsync()
        .body(body::<types::CreateLipsyncRequest>(lipsync_body()))
        .data()
        .await
        .expect("create lipsync")
        .lipsync_id;
    let batch = client
        .create_lipsync_batch()
        .body(body::<types::CreateLipsyncBatchRequest>(
            json!({"lipsyncs": [lipsync_body()]}),
        ))
        .data()
        .await
        .expect("create lipsync batch");
    finish_jobs().await;
    client
        .get_lipsync()
        .lipsync_id(&id)
        .send()
        .await
        .expect("get lipsync");
    client.list_lipsyncs().send().await.expect("list lipsyncs");
    client
        .update_lipsync()
        .lipsync_id(&id)
        .body(types::UpdateLipsyncRequest::builder().title("Renamed"))
        .send()
        .await
        .expect("update lipsync");
    client
        .bulk_lipsync_statuses()
        .lipsync_ids(&id)
        .send()
        .await
        .expect("bulk lipsyncs");
    let batch_id = batch.batch_id.expect("a batch id");
    client
        .get_lipsync_batch()
        .batch_id(&batch_id)
        .send()
        .await
        .expect("lipsync batch");
    client
        .delete_lipsync()
        .lipsync_id(&id)
        .send()
        .await
        .expect("delete lipsync");
}

fn translation_body() -> Value {
    json!({"video": url("https://example.com/v.mp4"), "output_languages": ["French", "German"]})
}

pub(super) async fn translations(client: &Client) {
    client
        .list_supported_translation_languages()
        .send()
        .await
        .expect("languages");
    let ids = client
        .create_video_translation()
        .body(body::<types::CreateVideoTranslationRequest>(
            translation_body(),
        ))
        .data()
        .await
        .expect("create translation")
        .video_translation_ids;
    let batch = client
        .create_video_translation_batch()
        .body(body::<types::CreateVideoTranslationBatchRequest>(
            json!({"video_translations": [translation_body()]}),
        ))
        .data()
        .await
        .expect("create translation batch");
    finish_jobs().await;
    let id = &ids[0];
    client
        .get_video_translation()
        .video_translation_id(id)
        .send()
        .await
        .expect("get");
    client
        .list_video_translations()
        .send()
        .await
        .expect("list translations");
    client
        .update_video_translation()
        .video_translation_id(id)
        .body(types::UpdateVideoTranslationRequest::builder().title("Renamed"))
        .send()
        .await
        .expect("update translation");
    client
        .bulk_video_translation_statuses()
        .video_translation_ids(ids.join(","))
        .send()
        .await
        .expect("bulk translations");
    let batch_id = batch.batch_id.expect("a batch id");
    client
        .get_video_translation_batch()
        .batch_id(&batch_id)
        .send()
        .await
        .expect("batch");
    client
        .delete_video_translation()
        .video_translation_id(id)
        .send()
        .await
        .expect("delete");
}

pub(super) async fn proofreads(client: &Client) {
    let created = client
        .create_proofread_session()
        .body(body::<types::CreateProofreadRequest>(json!({
            "video": url("https://example.com/v.mp4"),
            "output_languages": ["French"],
            "title": "Launch video",
        })))
        .data()
        .await
        .expect("create proofread");
    let id = &created.proofread_ids[0];
    finish_jobs().await;
    client
        .get_proofread_session()
        .proofread_id(id)
        .send()
        .await
        .expect("get proofread");
    client
        .download_proofread_srt()
        .proofread_id(id)
        .send()
        .await
        .expect("download srt");
    client
        .upload_proofread_srt()
        .proofread_id(id)
        .body(body::<types::UploadProofreadSrtRequest>(
            json!({"srt": url("https://example.com/fixed.srt")}),
        ))
        .send()
        .await
        .expect("upload srt");
    client
        .generate_video_from_proofread()
        .proofread_id(id)
        .body(body::<types::GenerateProofreadVideoRequest>(json!({})))
        .send()
        .await
        .expect("generate from proofread");
}

/// AI clipping and background removal.
pub(super) async fn media_jobs(client: &Client) {
    let clipping = client
        .create_ai_clipping()
        .body(body::<types::CreateAiClippingRequest>(
            json!({"video": url("https://example.com/long.mp4")}),
        ))
        .data()
        .await
        .expect("create clipping")
        .ai_clipping_id;
    let removal = client
        .create_background_removal()
        .body(body::<types::CreateBackgroundRemovalRequest>(
            json!({"video": url("https://example.com/v.mp4"), "layers": ["foreground", "alpha"]}),
        ))
        .data()
        .await
        .expect("create removal")
        .id;
    finish_jobs().await;
    client
        .get_ai_clipping()
        .job_id(&clipping)
        .send()
        .await
        .expect("get clipping");
    client
        .list_ai_clipping()
        .send()
        .await
        .expect("list clipping");
    client
        .delete_ai_clipping()
        .job_id(&clipping)
        .send()
        .await
        .expect("delete clipping");
    client
        .get_background_removal()
        .job_id(&removal)
        .send()
        .await
        .expect("get removal");
    client
        .list_background_removals()
        .send()
        .await
        .expect("list removals");
    client
        .delete_background_removal()
        .job_id(&removal)
        .send()
        .await
        .expect("delete removal");
}
