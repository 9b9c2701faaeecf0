//! `cargo run --example webhooks [URL]`: register a webhook endpoint, read
//! the delivery log, rotate the signing secret, and remove the endpoint.
//! Offline against the SDK's fake HeyGen unless `HEYGEN_API_KEY` is set.

use heygen_api_ext::prelude::*;
use heygen_api_ext::testing::FakeHeyGen;
use heygen_api_ext::types::WebhookEventType::{AvatarVideoFail, AvatarVideoSuccess};
use heygen_api_ext::types::{CreateVideoFromAvatar, CreateWebhookEndpointRequest};

/// Enough of a secret to tell two apart; never the whole of it.
fn hint(secret: &str) -> String {
    format!("{}...", secret.chars().take(8).collect::<String>())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let fake = FakeHeyGen::builder().start_unless_api_key().await?;
    let client = match &fake {
        Some(fake) => fake.client()?,
        None => Client::from_env()?,
    };
    let url = std::env::args().nth(1);
    let url = url.unwrap_or("https://example.com/heygen-webhook".into());

    let request = CreateWebhookEndpointRequest::builder()
        .url(url)
        .events(vec![AvatarVideoSuccess, AvatarVideoFail]);
    let created = client.create_webhook_endpoint().body(request);
    let endpoint = created.data().await?;
    let secret = endpoint.secret.clone().unwrap_or_default();
    let (id, url, old) = (&endpoint.endpoint_id, &endpoint.url, hint(&secret));
    println!("registered {id} for {url} (secret {old}; store it to verify deliveries)");
    let endpoints = client.list_webhook_endpoints().data().await?;
    println!("{} endpoint(s) registered", endpoints.len());

    if let Some(fake) = &fake {
        // Give the log something to show: a video that finishes.
        let video = CreateVideoFromAvatar::builder().avatar_id("Daisy");
        let video = client.create_video().body(video.script("Hi!"));
        let id = video.data().await?.video_id;
        client
            .wait_for_video(&id)
            .options(fake.wait_options())
            .await?;
    }
    let events = client.list_webhook_events().event_type(AvatarVideoSuccess);
    let events = events.data().await?;
    println!("{} avatar_video.success event(s):", events.len());
    for e in &events {
        println!("  {} {} at {}", e.event_id, e.event_type, e.created_at);
    }

    let rotate = client.rotate_webhook_signing_secret().endpoint_id(id);
    let new = hint(&rotate.data().await?.secret);
    println!("rotated the secret: {old} -> {new} (the old one stops working now)");
    let delete = client.delete_webhook_endpoint().endpoint_id(id);
    delete.data().await?;
    println!("removed {id}");
    Ok(())
}
