//! The quickstart: `cargo run --example quickstart`. Lists your video agent
//! sessions, creates an avatar video, waits for it and prints its URL.
//!
//! Without `HEYGEN_API_KEY` it talks to the fake HeyGen the SDK ships
//! (feature `testing`), which refuses the first create with a 429 to show
//! the SDK riding it out. With a key, it spends credits on a video only
//! when `HEYGEN_AVATAR_ID` names the avatar.

use std::time::Duration;

use futures::TryStreamExt;
use heygen_api_ext::prelude::*;
use heygen_api_ext::testing::FakeHeyGen;
use heygen_api_ext::types::CreateVideoFromAvatar;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let fake = FakeHeyGen::builder()
        .rate_limit("createVideo", 1, Duration::from_secs(1))
        .start_unless_api_key()
        .await?;
    let client = match &fake {
        Some(fake) => fake.client_builder(),
        None => Client::builder_from_env()?,
    }
    .on_retry(|r| {
        println!(
            "{}: {}; the SDK retries in {:.1?}",
            r.operation, r.reason, r.delay
        )
    })
    .build()?;
    let at = client.base_url();
    match &fake {
        Some(_) => println!("No HEYGEN_API_KEY set: using the built-in fake HeyGen at {at}"),
        None => println!("Using HeyGen at {at}"),
    }

    let sessions: Vec<_> = client
        .list_video_agent_sessions()
        .items()
        .try_collect()
        .await?;
    println!("{} video agent sessions; the newest:", sessions.len());
    for s in sessions.iter().take(3) {
        let title = s.title.as_deref().unwrap_or("(untitled)");
        println!("  {}  {title}", s.session_id);
    }

    let avatar_id = match (std::env::var("HEYGEN_AVATAR_ID"), &fake) {
        (Ok(id), _) => id,
        (Err(_), Some(_)) => "Daisy-inskirt-20220818".into(),
        (Err(_), None) => {
            println!("Set HEYGEN_AVATAR_ID to create a video. Done.");
            return Ok(());
        }
    };
    let video = CreateVideoFromAvatar::builder()
        .avatar_id(avatar_id)
        .script("Hello from the HeyGen SDK for Rust!")
        .title("heygen-rs quickstart");
    let created = client.create_video().body(video).data().await?;
    println!("Created video {}", created.video_id);

    // HeyGen renders in minutes (the default polling); the fake in seconds.
    let mut options = WaitOptions::default();
    if let Some(fake) = &fake {
        options = fake.wait_options();
    }
    let options = options.on_status(|c| println!("  {} after {:.1?}", c.status, c.elapsed));
    let video = client
        .wait_for_video(&created.video_id)
        .options(options)
        .await?;
    let url = video
        .video_url
        .ok_or("a completed video without a video_url")?;
    println!("Video ready: {url}");
    Ok(())
}
