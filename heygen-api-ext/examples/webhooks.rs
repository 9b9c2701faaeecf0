//! `cargo run --example webhooks [URL]`: register a webhook endpoint, read
//! the delivery log, rotate the signing secret, and remove the endpoint.

pub mod common;

use common::{Env, Out, Result};
use heygen_api_ext::types;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    common::main(run).await
}

/// Enough of a secret to tell two apart; never the whole of it.
fn hint(secret: &str) -> String {
    format!("{}...", secret.chars().take(8).collect::<String>())
}

pub async fn run(env: Env, out: Out) -> Result<()> {
    let conn = common::connect(&env, &out, |fake| fake).await?;
    let client = &conn.client;
    let url = env
        .args
        .first()
        .cloned()
        .unwrap_or_else(|| "https://example.com/heygen-webhook".into());

    let endpoint = client
        .create_webhook_endpoint()
        .body(types::CreateWebhookEndpointRequest {
            url,
            events: Some(vec![
                types::WebhookEventType::AvatarVideoSuccess,
                types::WebhookEventType::AvatarVideoFail,
            ]),
            entity_id: None,
        })
        .send()
        .await?
        .into_inner()
        .data
        .ok_or("createWebhookEndpoint answered without data")?;
    let secret = endpoint.secret.clone().unwrap_or_default();
    out.line(format!(
        "registered {} for {} (secret {}; store it to verify deliveries)",
        endpoint.endpoint_id,
        endpoint.url,
        hint(&secret)
    ));

    let endpoints = client.list_webhook_endpoints().send().await?.into_inner();
    out.line(format!("{} endpoint(s) registered", endpoints.data.len()));

    if conn.fake.is_some() {
        // Give the log something to show: a video that finishes.
        let request: types::CreateVideoRequest = serde_json::from_value(serde_json::json!({
            "type": "avatar", "avatar_id": "Daisy-inskirt-20220818", "script": "Webhooks!"
        }))?;
        let video = client
            .create_video()
            .body(request)
            .send()
            .await?
            .into_inner()
            .data
            .ok_or("createVideo answered without data")?;
        client
            .wait_for_video(&video.video_id)
            .options(conn.wait_options())
            .await?;
    }

    let events = client
        .list_webhook_events()
        .event_type(types::WebhookEventType::AvatarVideoSuccess)
        .send()
        .await?
        .into_inner();
    out.line(format!(
        "{} avatar_video.success event(s):",
        events.data.len()
    ));
    for e in &events.data {
        out.line(format!(
            "  {} {} at {}",
            e.event_id, e.event_type, e.created_at
        ));
    }

    let rotated = client
        .rotate_webhook_signing_secret()
        .endpoint_id(&endpoint.endpoint_id)
        .send()
        .await?
        .into_inner()
        .data
        .ok_or("rotateWebhookSigningSecret answered without data")?;
    out.line(format!(
        "rotated the secret: {} -> {} (the old one stops working now)",
        hint(&secret),
        hint(&rotated.secret)
    ));

    client
        .delete_webhook_endpoint()
        .endpoint_id(&endpoint.endpoint_id)
        .send()
        .await?;
    out.line(format!("removed {}", endpoint.endpoint_id));
    Ok(())
}
