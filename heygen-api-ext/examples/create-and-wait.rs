//! `cargo run --example create-and-wait`: ask the video agent for a video,
//! wait for the session and then its video, and handle each way a wait
//! can end.
//!
//! Against the real API (`HEYGEN_API_KEY` set) this spends credits, so it
//! only runs when `HEYGEN_AGENT_PROMPT` gives the prompt.

pub mod common;

use std::time::Duration;

use common::{Env, Out, Result};
use heygen_api_ext::{Error, types};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    common::main(run).await
}

pub async fn run(env: Env, out: Out) -> Result<()> {
    let conn =
        common::connect(&env, &out, |fake| fake.job_duration(Duration::from_secs(2))).await?;
    let client = &conn.client;
    let prompt = match (&conn.fake, env.var("HEYGEN_AGENT_PROMPT")) {
        (_, Some(p)) => p,
        (Some(_), None) => "A 30 second explainer on why Rust has no garbage collector".into(),
        (None, None) => {
            out.line("Set HEYGEN_AGENT_PROMPT to create a video (it spends credits).");
            return Ok(());
        }
    };

    let session = client
        .create_video_agent_session()
        .body(types::CreateVideoAgentSessionRequest::builder().prompt(prompt))
        .send()
        .await?
        .into_inner()
        .data
        .ok_or("createVideoAgentSession answered without data")?;
    out.line(format!(
        "Session {} is {}",
        session.session_id, session.status
    ));

    let options = conn.wait_options().on_status({
        let out = out.clone();
        move |c| out.line(format!("  {} {}: {}", c.kind, c.id, c.status))
    });
    let finished = match client
        .wait_for_video_agent_session(&session.session_id)
        .options(options.clone())
        .await
    {
        Ok(s) => s,
        Err(Error::JobFailed { message, .. }) => {
            out.line(format!(
                "The agent gave up: {}",
                message.as_deref().unwrap_or("no reason given")
            ));
            return Ok(());
        }
        Err(Error::WaitTimeout { last_status, .. }) => {
            // The session may still finish: look again later; creating it
            // again would render (and bill) twice.
            out.line(format!(
                "Still {} after the wait; check back later",
                last_status.as_deref().unwrap_or("unknown")
            ));
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    };
    if finished.status.to_string() != "completed" {
        out.line(format!(
            "The agent is waiting for you ({}); answer with send_message_or_request_revision",
            finished.status
        ));
        return Ok(());
    }
    let video_id = finished
        .video_id
        .ok_or("a completed session without a video")?;
    let video = client.wait_for_video(&video_id).options(options).await?;
    out.line(format!(
        "Video {} is {}: {}",
        video.id,
        video.status,
        video.video_url.as_deref().unwrap_or("(no URL)")
    ));
    Ok(())
}
