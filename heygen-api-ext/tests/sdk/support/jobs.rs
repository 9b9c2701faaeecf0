//! Creating the jobs the fake runs, through the client: shared by the
//! fake's tests and the waiters' tests.

use heygen_api_ext::{Client, types};
use serde_json::json;

/// Creates an avatar video; returns its id.
pub async fn create_video(client: &Client) -> String {
    let body: types::CreateVideoRequest = serde_json::from_value(
        json!({"type": "avatar", "avatar_id": "Daisy-inskirt-20220818", "script": "Hello from the fake"}),
    )
    .expect("a valid create-video body");
    client
        .create_video()
        .body(body)
        .send()
        .await
        .expect("create video")
        .into_inner()
        .data
        .expect("data")
        .video_id
}

/// Starts a video agent session from `prompt`.
pub async fn create_session(client: &Client, prompt: &str) -> types::CreatedVideoAgentSession {
    client
        .create_video_agent_session()
        .body(types::CreateVideoAgentSessionRequest::builder().prompt(prompt))
        .send()
        .await
        .expect("create session")
        .into_inner()
        .data
        .expect("data")
}

/// Creates a lipsync of a video with new audio; returns its id.
pub async fn create_lipsync(client: &Client) -> String {
    let body: types::CreateLipsyncRequest = serde_json::from_value(json!({
        "video": {"type": "url", "url": "https://example.com/v.mp4"},
        "audio": {"type": "url", "url": "https://example.com/a.mp3"},
    }))
    .expect("a valid create-lipsync body");
    client
        .create_lipsync()
        .body(body)
        .send()
        .await
        .expect("create lipsync")
        .into_inner()
        .data
        .expect("data")
        .lipsync_id
}

/// Translates a video into `languages`; returns one id per language.
pub async fn create_translations(client: &Client, languages: &[&str]) -> Vec<String> {
    let body: types::CreateVideoTranslationRequest = serde_json::from_value(json!({
        "video": {"type": "url", "url": "https://example.com/v.mp4"},
        "output_languages": languages,
    }))
    .expect("a valid create-translation body");
    client
        .create_video_translation()
        .body(body)
        .send()
        .await
        .expect("create translation")
        .into_inner()
        .data
        .expect("data")
        .video_translation_ids
}
