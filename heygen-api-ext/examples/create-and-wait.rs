//! `cargo run --example create-and-wait`: ask the video agent for a video,
//! wait for the session and then its video, and handle each way a wait
//! can end. Offline against the SDK's fake HeyGen unless `HEYGEN_API_KEY`
//! is set; then it spends credits, so it runs only with `HEYGEN_AGENT_PROMPT`.

use heygen_api_ext::prelude::*;
use heygen_api_ext::testing::FakeHeyGen;
use heygen_api_ext::types::CreateVideoAgentSessionRequest;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let fake = FakeHeyGen::builder().start_unless_api_key().await?;
    let (client, mut options) = match &fake {
        Some(fake) => (fake.client()?, fake.wait_options()),
        None => (Client::from_env()?, WaitOptions::default()),
    };
    let prompt = match (std::env::var("HEYGEN_AGENT_PROMPT"), &fake) {
        (Ok(p), _) => p,
        (Err(_), Some(_)) => "A 30 second explainer on why Rust has no garbage collector".into(),
        (Err(_), None) => {
            println!("Set HEYGEN_AGENT_PROMPT to create a video.");
            return Ok(());
        }
    };

    let request = CreateVideoAgentSessionRequest::builder().prompt(prompt);
    let session = client.create_video_agent_session().body(request);
    let session = session.data().await?;
    println!("Session {} is {}", session.session_id, session.status);

    options = options.on_status(|c| println!("  {} {}: {}", c.kind, c.id, c.status));
    let waited = client.wait_for_video_agent_session(&session.session_id);
    let finished = match waited.options(options.clone()).await {
        Ok(s) => s,
        Err(Error::JobFailed { message, .. }) => {
            println!("The agent gave up: {}", message.unwrap_or_default());
            return Ok(());
        }
        // The session may still finish: look again later. Creating it
        // again would render (and bill) twice.
        Err(Error::WaitTimeout { last_status, .. }) => {
            println!("Still {last_status:?} after the wait; check back later");
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    };
    let Some(video_id) = finished.video_id else {
        println!(
            "The agent is waiting for you ({}); answer it",
            finished.status
        );
        return Ok(());
    };
    let video = client.wait_for_video(&video_id).options(options).await?;
    let url = video.video_url.unwrap_or_default();
    println!("Video {} is {}: {url}", video.id, video.status);
    Ok(())
}
