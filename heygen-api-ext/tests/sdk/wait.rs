//! Job waiters, under tokio's paused clock: against the fake for the job
//! kinds it runs, against a scripted server for the others.

use crate::support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::support::jobs::{create_lipsync, create_session, create_translations, create_video};
use crate::support::{Reply, Scripted, scripted};
use heygen_api_ext::testing::FakeHeyGen;
use heygen_api_ext::{Client, Error, StatusChange, WaitOptions};
use serde_json::json;
use tokio::time::Instant;

async fn fake(job: Duration) -> (FakeHeyGen, Client) {
    let fake = FakeHeyGen::builder()
        .job_duration(job)
        .start()
        .await
        .unwrap();
    let client = fake.client_builder().without_timeouts().build().unwrap();
    (fake, client)
}

/// Collects the status changes a waiter reports.
fn recorder() -> (Arc<Mutex<Vec<StatusChange>>>, WaitOptions) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let options = WaitOptions::default().on_status(move |c| sink.lock().unwrap().push(c.clone()));
    (seen, options)
}

fn polls(fake: &FakeHeyGen, op: &str) -> Vec<Duration> {
    fake.exchanges()
        .iter()
        .filter(|e| e.operation_id == Some(op))
        .map(|e| e.elapsed)
        .collect()
}

#[tokio::test(start_paused = true)]
async fn wait_for_video_returns_the_completed_video_and_reports_each_change() {
    let (fake, client) = fake(Duration::from_secs(120)).await;
    let id = create_video(&client).await;
    let (seen, options) = recorder();
    let video = client.wait_for_video(&id).options(options).await.unwrap();
    assert_eq!(video.status.to_string(), "completed");
    assert!(video.video_url.is_some());

    let seen = seen.lock().unwrap();
    let statuses: Vec<_> = seen.iter().map(|c| c.status.as_str()).collect();
    assert_eq!(
        statuses,
        ["pending", "processing", "completed"],
        "one call per change"
    );
    assert_eq!(seen[0].previous, None);
    assert_eq!(seen[1].previous.as_deref(), Some("pending"));
    assert_eq!(seen[2].kind, "video");
    assert_eq!(seen[2].id, id);
    assert!(seen[2].elapsed >= Duration::from_secs(120));
    let gets = polls(&fake, "getVideo");
    assert!(gets.len() > 3, "several polls, fewer callbacks: {gets:?}");
}

#[tokio::test(start_paused = true)]
async fn polling_starts_late_backs_off_with_jitter_and_is_capped() {
    // A job that never finishes within the default 20 minute budget.
    let (fake, client) = fake(Duration::from_secs(24 * 3600)).await;
    let id = create_video(&client).await;
    let created = fake.exchanges()[0].elapsed;
    let started = Instant::now();
    let err = client.wait_for_video(&id).await.unwrap_err();
    let waited = started.elapsed();

    let Error::WaitTimeout {
        kind,
        id: ref timed_out,
        waited: reported,
        ref last_status,
    } = err
    else {
        panic!("expected a timeout, got {err:?}");
    };
    assert_eq!(kind, "video");
    assert_eq!(timed_out, &id);
    assert_eq!(
        last_status.as_deref(),
        Some("pending"),
        "the last status seen"
    );
    assert!(
        reported >= Duration::from_secs(1200) && reported < Duration::from_secs(1201),
        "{reported:?}"
    );
    assert!(
        waited <= Duration::from_secs(1201),
        "no sleep past the deadline: {waited:?}"
    );
    assert!(err.to_string().contains("may still finish"), "{err}");

    let gets = polls(&fake, "getVideo");
    let first = gets[0] - created;
    assert!(
        first >= Duration::from_millis(1500) && first <= Duration::from_millis(2500),
        "first poll after about 2 s: {first:?}"
    );
    let gaps: Vec<Duration> = gets.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(
        gaps[0] >= Duration::from_secs(3) && gaps[0] <= Duration::from_secs(5),
        "{gaps:?}"
    );
    assert!(
        gaps[1] >= Duration::from_secs(6) && gaps[1] <= Duration::from_secs(10),
        "{gaps:?}"
    );
    assert!(
        gaps.iter().all(|g| *g <= Duration::from_secs(30)),
        "capped at 30 s: {gaps:?}"
    );
    let late = &gaps[5..gaps.len() - 1];
    assert!(
        late.iter().all(|g| *g >= Duration::from_millis(22_500)),
        "{late:?}"
    );
    let distinct: std::collections::BTreeSet<_> = late.iter().map(|g| g.as_millis()).collect();
    assert!(
        distinct.len() > late.len() / 2,
        "jittered, not lockstep: {late:?}"
    );
    assert!(
        gets.len() >= 40 && gets.len() <= 70,
        "{} polls in 20 min",
        gets.len()
    );
}

#[tokio::test(start_paused = true)]
async fn a_failed_job_is_a_typed_error_with_its_failure() {
    let (fake, client) = fake(Duration::from_secs(30)).await;
    let id = create_video(&client).await;
    fake.fail_job(
        &id,
        "download_failed",
        "the avatar image could not be fetched",
    );
    let err = client.wait_for_video(&id).await.unwrap_err();
    match &err {
        Error::JobFailed {
            kind,
            id: failed,
            code,
            message,
        } => {
            assert_eq!(*kind, "video");
            assert_eq!(failed, &id);
            assert_eq!(code.as_deref(), Some("download_failed"));
            assert_eq!(
                message.as_deref(),
                Some("the avatar image could not be fetched")
            );
        }
        other => panic!("expected JobFailed, got {other:?}"),
    }
    assert_eq!(err.code(), Some("download_failed"));
    assert!(err.to_string().contains("download_failed"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn not_found_is_terminal_at_once() {
    let (fake, client) = fake(Duration::from_secs(60)).await;
    let err = client.wait_for_video("vid_deleted").await.unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
    assert_eq!(polls(&fake, "getVideo").len(), 1, "no polling after a 404");

    // Deleted while being waited for.
    let id = create_video(&client).await;
    let waiter = {
        let client = client.clone();
        let id = id.clone();
        tokio::spawn(async move { client.wait_for_video(id).await })
    };
    tokio::time::sleep(Duration::from_secs(10)).await;
    client.delete_video().video_id(&id).send().await.unwrap();
    let err = waiter.await.unwrap().unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
}

#[tokio::test(start_paused = true)]
async fn retryable_poll_errors_do_not_end_the_wait() {
    let (fake, client) = fake(Duration::from_secs(20)).await;
    let no_retries = fake
        .client_builder()
        .without_timeouts()
        .max_retries(0)
        .build()
        .unwrap();
    let id = create_video(&client).await;
    fake.rate_limit("getVideo", 3, Duration::from_secs(1))
        .unwrap();
    let video = no_retries.wait_for_video(&id).await.unwrap();
    assert_eq!(video.status.to_string(), "completed");
    assert_eq!(fake.rate_limited_count(), 3);
}

#[tokio::test(start_paused = true)]
async fn options_are_honoured_and_checked() {
    let (fake, client) = fake(Duration::from_secs(3600)).await;
    let id = create_video(&client).await;
    let err = client
        .wait_for_video(&id)
        .initial_delay(Duration::from_millis(100))
        .max_delay(Duration::from_secs(1))
        .timeout(Duration::from_secs(10))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::WaitTimeout { .. }), "{err:?}");
    let gets = polls(&fake, "getVideo");
    assert!(
        gets.len() >= 10,
        "1 s cap means many polls in 10 s: {}",
        gets.len()
    );

    let before = fake.exchanges().len();
    let err = client.wait_for_video("  ").await.unwrap_err();
    assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
    let err = client
        .wait_for_lipsync("ls_1")
        .max_delay(Duration::ZERO)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("max_delay"), "{err}");
    assert_eq!(fake.exchanges().len(), before, "nothing sent");
}

#[tokio::test(start_paused = true)]
async fn lipsyncs_translations_and_sessions_on_the_fake() {
    let (fake, client) = fake(Duration::from_secs(45)).await;
    let lipsync = create_lipsync(&client).await;
    let (seen, options) = recorder();
    let done = client
        .wait_for_lipsync(&lipsync)
        .options(options)
        .await
        .unwrap();
    assert!(done.video_url.is_some());
    let statuses: Vec<_> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|c| c.status.clone())
        .collect();
    assert_eq!(statuses, ["pending", "running", "completed"]);

    let ids = create_translations(&client, &["es", "ja"]).await;
    fake.fail_job(&ids[1], "translation_failed", "no speech detected");
    let es = client.wait_for_video_translation(&ids[0]).await.unwrap();
    assert_eq!(es.output_language.as_deref(), Some("es"));
    let err = client
        .wait_for_video_translation(&ids[1])
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::JobFailed { kind: "video translation", message: Some(m), .. } if m == "no speech detected"),
        "{err:?}"
    );

    let session = create_session(&client, "Explain lifetimes").await;
    let (seen, options) = recorder();
    let finished = client
        .wait_for_video_agent_session(&session.session_id)
        .options(options)
        .await
        .unwrap();
    assert_eq!(finished.status.to_string(), "completed");
    let statuses: Vec<_> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|c| c.status.clone())
        .collect();
    assert_eq!(statuses, ["thinking", "generating", "completed"]);
    let video = client
        .wait_for_video(finished.video_id.expect("the session's video"))
        .await
        .unwrap();
    assert!(video.video_url.is_some());

    let failing = create_session(&client, "x").await;
    fake.fail_job(
        &failing.session_id,
        "agent_error",
        "the prompt is too short to plan a video",
    );
    let err = client
        .wait_for_video_agent_session(&failing.session_id)
        .await
        .unwrap_err();
    assert_eq!(
        err.message(),
        "the prompt is too short to plan a video",
        "{err:?}"
    );
}

/// A scripted `GET` answer: `{"data": data}`.
fn data(value: serde_json::Value) -> Reply {
    Reply::json(200, json!({ "data": value }))
}

fn scripted_client(server: &Scripted) -> Client {
    support::client(server)
}

#[tokio::test(start_paused = true)]
async fn voices_end_in_complete() {
    let voice =
        |status: &str| data(json!({"voice_id": "v1", "support_pause": true, "status": status}));
    let server = scripted(vec![
        voice("processing"),
        voice("processing"),
        voice("complete"),
    ])
    .await;
    let done = scripted_client(&server).wait_for_voice("v1").await.unwrap();
    assert_eq!(
        done.status.map(|s| s.to_string()).as_deref(),
        Some("complete")
    );
    assert_eq!(server.hits(), 3);
    assert!(server.requests()[0].target.ends_with("/v3/voices/v1"));

    let server = scripted(vec![data(json!({
        "voice_id": "v2", "support_pause": true, "status": "failed", "failure_message": "sample too noisy"
    }))])
    .await;
    let err = scripted_client(&server)
        .wait_for_voice("v2")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::JobFailed { kind: "voice", .. }),
        "{err:?}"
    );
    assert_eq!(err.message(), "sample too noisy");
}

#[tokio::test(start_paused = true)]
async fn the_other_job_kinds() {
    // Background removal: free-form status; `deleted` ends the wait.
    let server = scripted(vec![
        data(json!({"id": "bg1", "status": "processing"})),
        data(json!({"id": "bg1", "status": "deleted"})),
    ])
    .await;
    let err = scripted_client(&server)
        .wait_for_background_removal("bg1")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::JobFailed { code: Some(c), .. } if c == "deleted"),
        "{err:?}"
    );

    // AI clipping: `cancelled` is a failure.
    let server = scripted(vec![data(json!({"id": "c1", "status": "cancelled"}))]).await;
    let err = scripted_client(&server)
        .wait_for_ai_clipping("c1")
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("cancelled"));

    // Proofread.
    let server = scripted(vec![
        data(json!({"id": "p1", "status": "processing"})),
        data(json!({"id": "p1", "status": "completed"})),
    ])
    .await;
    let done = scripted_client(&server)
        .wait_for_proofread("p1")
        .await
        .unwrap();
    assert_eq!(done.status.to_string(), "completed");

    // Avatars hand back a look waiting for consent, and carry their error.
    let look = |status: &str| {
        data(json!({"id": "l1", "name": "Look", "avatar_type": "digital_twin", "status": status}))
    };
    let server = scripted(vec![look("processing"), look("pending_consent")]).await;
    let pending = scripted_client(&server)
        .wait_for_avatar_look("l1")
        .await
        .unwrap();
    assert_eq!(
        pending.status.map(|s| s.to_string()).as_deref(),
        Some("pending_consent")
    );
    let server = scripted(vec![data(json!({
        "id": "g1", "name": "Me", "created_at": 1, "looks_count": 0, "status": "failed",
        "error": {"code": "face_not_detected", "message": "no face in the footage"}
    }))])
    .await;
    let err = scripted_client(&server)
        .wait_for_avatar_group("g1")
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("face_not_detected"));
    assert_eq!(err.message(), "no face in the footage");

    // A status this SDK does not know keeps the waiter polling.
    let server = scripted(vec![
        data(json!({"id": "v9", "status": "rendering_hd"})),
        data(json!({"id": "v9", "status": "completed", "video_url": "https://x/v9.mp4"})),
    ])
    .await;
    let (seen, options) = recorder();
    let video = scripted_client(&server)
        .wait_for_video("v9")
        .options(options)
        .await
        .unwrap();
    assert_eq!(video.video_url.as_deref(), Some("https://x/v9.mp4"));
    assert_eq!(seen.lock().unwrap()[0].status, "rendering_hd");

    // An agent session paused for input is handed back.
    let server = scripted(vec![data(json!({
        "session_id": "s1", "status": "waiting_for_input", "created_at": 1, "messages": []
    }))])
    .await;
    let paused = scripted_client(&server)
        .wait_for_video_agent_session("s1")
        .await
        .unwrap();
    assert_eq!(paused.status.to_string(), "waiting_for_input");
}
