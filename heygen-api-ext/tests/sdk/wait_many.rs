//! Waiting for many jobs (bulk status endpoints, batches), the agent's
//! video and multi-language translations, under tokio's paused clock,
//! against a loopback server that runs jobs on that clock (`sim`).

mod sim;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::support::jobs::{create_session, create_translations, create_video};
use futures::{StreamExt, TryStreamExt};
use heygen_api_ext::prelude::*;
use heygen_api_ext::testing::{FakeHeyGen, Reply};
use heygen_api_ext::wait::{FinishedJob, MAX_IDS_PER_REQUEST};
use heygen_api_ext::{StatusChange, types};
use sim::Sim;

const VIDEOS: &str = "videos";

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// Collects the status changes a waiter reports.
fn recorder() -> (
    Arc<Mutex<Vec<StatusChange>>>,
    impl Fn(&StatusChange) + Send + Sync + 'static,
) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    (seen, move |c: &StatusChange| {
        sink.lock().unwrap().push(c.clone())
    })
}

#[tokio::test(start_paused = true)]
async fn ids_over_the_limit_are_split_across_requests_within_it() {
    let sim = Sim::start().await;
    let ids: Vec<String> = (0..250).map(|i| format!("vid_{i:03}")).collect();
    for id in &ids {
        sim.job(VIDEOS, id, 10);
    }
    let videos = sim.client().wait_for_videos(&ids).await.unwrap();

    let got: Vec<&str> = videos.iter().map(|v| v.id.as_str()).collect();
    assert_eq!(got, ids, "every video, in the order of the ids");
    assert!(videos.iter().all(|v| v.video_url.is_some()));

    let bulk = sim.seen_at("/v3/videos/statuses");
    assert!(
        bulk.iter().all(|s| s.ids().len() <= MAX_IDS_PER_REQUEST),
        "no request over the limit"
    );
    // Rounds: the requests made at one moment.
    let mut rounds: Vec<Vec<usize>> = Vec::new();
    let mut at = None;
    for s in &bulk {
        if at != Some(s.at) {
            rounds.push(Vec::new());
            at = Some(s.at);
        }
        rounds.last_mut().unwrap().push(s.ids().len());
    }
    assert!(rounds.len() >= 2, "{rounds:?}");
    assert!(
        rounds.iter().all(|r| r == &[100, 100, 50]),
        "each poll asks for every pending id, 100 at a time: {rounds:?}"
    );
    let first_round: std::collections::BTreeSet<String> =
        bulk[..3].iter().flat_map(|s| s.ids()).collect();
    assert_eq!(first_round.len(), 250, "each id once per round");
    assert_eq!(
        sim.seen_at("/v3/videos/vid_000").len(),
        1,
        "a finished video is fetched once"
    );
}

#[tokio::test(start_paused = true)]
async fn jobs_come_out_as_they_finish_and_are_then_polled_no_more() {
    let sim = Sim::start().await;
    sim.job(VIDEOS, "vid_a", 40);
    sim.job(VIDEOS, "vid_b", 10);
    sim.failing(
        VIDEOS,
        "vid_c",
        90,
        "moderation_rejected",
        "the script was rejected",
    );
    let (changes, on_status) = recorder();
    let client = sim.client();
    let mut stream = client
        .wait_for_videos(["vid_a", "vid_b", "vid_c"])
        .on_status(on_status)
        .stream();

    let mut order = Vec::new();
    while let Some(job) = stream.try_next().await.unwrap() {
        let at = sim.elapsed();
        order.push((job.id.clone(), at));
        match job.id.as_str() {
            "vid_c" => {
                assert_eq!(job.status, "failed");
                let err = job.into_result().unwrap_err();
                assert!(
                    matches!(&err, Error::JobFailed { kind: "video", id, .. } if id == "vid_c"),
                    "{err:?}"
                );
                assert_eq!(err.code(), Some("moderation_rejected"));
                assert_eq!(err.message(), "the script was rejected");
            }
            _ => {
                assert_eq!(job.status, "completed");
                let video = job.result.unwrap();
                assert_eq!(video.status.to_string(), "completed");
            }
        }
    }
    let ids: Vec<&str> = order.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["vid_b", "vid_a", "vid_c"], "in finishing order");
    for ((_, at), done) in order.iter().zip([10, 40, 90]) {
        assert!(
            *at >= secs(done) && *at <= secs(done) + secs(38),
            "handed out soon after it finished: {order:?}"
        );
    }

    // A finished job is asked about no more (the clock is paused: the
    // poll that saw it finish is at the moment it came out).
    let (b_done, a_done) = (order[0].1, order[1].1);
    for s in sim.seen_at("/v3/videos/statuses") {
        let ids = s.ids();
        assert_eq!(ids.contains(&"vid_b".to_string()), s.at <= b_done, "{s:?}");
        assert_eq!(ids.contains(&"vid_a".to_string()), s.at <= a_done, "{s:?}");
    }
    // The failed video needs no fetch: its failure came with its status.
    assert!(sim.seen_at("/v3/videos/vid_c").is_empty());

    let changes = changes.lock().unwrap();
    let of_b: Vec<&str> = changes
        .iter()
        .filter(|c| c.id == "vid_b")
        .map(|c| c.status.as_str())
        .collect();
    assert_eq!(of_b, ["pending", "processing", "completed"]);
    assert!(changes.iter().all(|c| c.kind == "video"));
}

#[tokio::test(start_paused = true)]
async fn a_429_with_retry_after_is_respected() {
    let sim = Sim::start().await;
    sim.job(VIDEOS, "vid_a", 5);
    sim.job(VIDEOS, "vid_b", 5);
    sim.script(
        "/v3/videos/statuses",
        Reply::error(429, "rate_limit_exceeded", "slow down").header("retry-after", "45"),
    );
    let videos = sim
        .client()
        .wait_for_videos(["vid_a", "vid_b"])
        .await
        .unwrap();
    assert_eq!(videos.len(), 2);

    let bulk = sim.seen_at("/v3/videos/statuses");
    assert!(bulk.len() >= 2, "{bulk:?}");
    let gap = bulk[1].at - bulk[0].at;
    assert!(
        gap >= secs(45) && gap < secs(46),
        "the poll after the 429 waits what HeyGen asked: {gap:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn the_deadline_ends_the_stream_naming_the_ids_still_pending() {
    let sim = Sim::start().await;
    sim.job(VIDEOS, "vid_quick", 5);
    sim.job(VIDEOS, "vid_slow", 3600);
    sim.job(VIDEOS, "vid_slower", 7200);
    let client = sim.client();
    let started = tokio::time::Instant::now();
    let mut stream = client
        .wait_for_videos(["vid_quick", "vid_slow", "vid_slower"])
        .timeout(secs(60))
        .stream();

    let first = stream.next().await.unwrap().unwrap();
    assert_eq!(first.id, "vid_quick");
    let err = stream.next().await.unwrap().unwrap_err();
    let waited = started.elapsed();
    match &err {
        Error::BulkWaitTimeout {
            kind,
            pending,
            waited: reported,
        } => {
            assert_eq!(*kind, "video");
            assert_eq!(pending, &["vid_slow", "vid_slower"]);
            assert!(
                *reported >= secs(60) && *reported < secs(61),
                "{reported:?}"
            );
        }
        other => panic!("expected BulkWaitTimeout, got {other:?}"),
    }
    assert!(waited >= secs(60) && waited < secs(61), "{waited:?}");
    let message = err.to_string();
    assert!(message.contains("vid_slow, vid_slower"), "{message}");
    assert!(message.contains("may still finish"), "{message}");
    assert!(stream.next().await.is_none(), "nothing after the error");
}

#[tokio::test(start_paused = true)]
async fn an_unknown_id_is_reported_not_polled_forever() {
    let sim = Sim::start().await;
    sim.job(VIDEOS, "vid_real", 60);
    let client = sim.client();
    let finished: Vec<FinishedJob<types::Video>> = client
        .wait_for_videos(["vid_ghost", "vid_real"])
        .stream()
        .try_collect()
        .await
        .unwrap();

    assert_eq!(finished[0].id, "vid_ghost", "reported at once");
    assert_eq!(finished[0].status, "not_found");
    assert!(
        matches!(&finished[0].result, Err(Error::NotFound(_))),
        "{:?}",
        finished[0].result
    );
    assert!(finished[1].result.is_ok());
    let asked: Vec<_> = sim
        .seen_at("/v3/videos/statuses")
        .into_iter()
        .filter(|s| s.ids().contains(&"vid_ghost".to_string()))
        .collect();
    assert_eq!(asked.len(), 1, "asked about once: {asked:?}");
    assert_eq!(sim.seen_at("/v3/videos/vid_ghost").len(), 1);

    // And `.await` stops at it.
    let err = client
        .wait_for_videos(["vid_real", "vid_ghost"])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
}

#[tokio::test(start_paused = true)]
async fn bad_ids_are_refused_before_anything_is_sent() {
    let sim = Sim::start().await;
    let client = sim.client();
    for ids in [vec!["vid_1", " "], vec!["vid_1,vid_2"]] {
        let err = client.wait_for_videos(ids).await.unwrap_err();
        assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
    }
    let err = client
        .wait_for_video_batch("")
        .stream()
        .next()
        .await
        .unwrap()
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
    let none: Vec<types::Video> = client.wait_for_videos(Vec::<String>::new()).await.unwrap();
    assert!(none.is_empty());
    assert!(sim.seen().is_empty(), "nothing sent");
}

#[tokio::test(start_paused = true)]
async fn a_batch_is_followed_through_its_pages_to_each_items_end() {
    let sim = Sim::start().await;
    // Further apart than the longest poll interval (37.5 s): each ends in
    // a round of its own.
    for (id, done) in [("vb0", 250), ("vb1", 20), ("vb2", 150)] {
        sim.job(VIDEOS, id, done);
    }
    sim.failing(VIDEOS, "vb3", 80, "render_failed", "out of memory");
    sim.batch(
        "batch_1",
        &[Some("vb0"), Some("vb1"), Some("vb2"), Some("vb3")],
        false,
    );
    let client = sim.client();
    let finished: Vec<FinishedJob<types::Video>> = client
        .wait_for_video_batch("batch_1")
        .stream()
        .try_collect()
        .await
        .unwrap();
    let order: Vec<(Option<i64>, &str)> = finished
        .iter()
        .map(|f| (f.item_index, f.id.as_str()))
        .collect();
    assert_eq!(
        order,
        [
            (Some(1), "vb1"),
            (Some(3), "vb3"),
            (Some(2), "vb2"),
            (Some(0), "vb0")
        ]
    );
    assert_eq!(
        finished[1].result.as_ref().unwrap_err().code(),
        Some("render_failed")
    );
    let pages = sim.seen_at("/v3/videos/batches/batch_1");
    assert!(
        pages.iter().any(|s| s.request.target.contains("token=2")),
        "the second page was asked for"
    );

    // All of a batch that went well, in item order.
    sim.batch("batch_2", &[Some("vb0"), Some("vb1"), Some("vb2")], false);
    let videos = client.wait_for_video_batch("batch_2").await.unwrap();
    let ids: Vec<&str> = videos.iter().map(|v| v.id.as_str()).collect();
    assert_eq!(ids, ["vb0", "vb1", "vb2"]);
}

#[tokio::test(start_paused = true)]
async fn a_failed_batch_ends_its_unfinished_items() {
    let sim = Sim::start().await;
    sim.job(VIDEOS, "vf0", 0);
    sim.job(VIDEOS, "vf2", 3600);
    sim.batch("batch_f", &[Some("vf0"), None, Some("vf2")], true);
    let client = sim.client();
    let mut finished: Vec<FinishedJob<types::Video>> = client
        .wait_for_video_batch("batch_f")
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert!(sim.elapsed() < secs(10), "one round: {:?}", sim.elapsed());
    finished.sort_by_key(|f| f.item_index);
    assert!(finished[0].result.is_ok());
    assert_eq!(finished[1].id, "batch_f/1", "an item without a job");
    assert!(finished[1].result.is_err());
    let err = finished[2].result.as_ref().unwrap_err();
    assert_eq!(err.code(), Some("batch_failed"), "{err:?}");
}

#[tokio::test(start_paused = true)]
async fn the_agent_video_follows_the_sessions_video_id() {
    let sim = Sim::start().await;
    // Polls at about 2, 6, 14 and 30 s see the session name its video at
    // 20 s; the video, done at 120 s, is still processing at the next.
    sim.session("sess_1", "vid_agent", 20);
    sim.job(VIDEOS, "vid_agent", 120);
    let client = sim.client();
    let (changes, on_status) = recorder();
    let video = client
        .wait_for_agent_video("sess_1")
        .on_status(on_status)
        .await
        .unwrap();
    assert_eq!(video.id, "vid_agent");
    assert_eq!(video.status.to_string(), "completed");
    let seen: Vec<(&str, String)> = changes
        .lock()
        .unwrap()
        .iter()
        .map(|c| (c.kind, c.status.clone()))
        .collect();
    let seen: Vec<(&str, &str)> = seen.iter().map(|(k, s)| (*k, s.as_str())).collect();
    assert_eq!(
        seen,
        [
            ("video agent session", "thinking"),
            ("video agent session", "generating"),
            ("video", "processing"),
            ("video", "completed"),
        ]
    );
    let last_session_poll = sim.seen_at("/v3/video-agents/sess_1").last().unwrap().at;
    let first_video_poll = sim.seen_at("/v3/videos/vid_agent")[0].at;
    assert!(
        last_session_poll < first_video_poll,
        "the session, then the video"
    );

    // Given the create's answer, which names the video: no session poll.
    let created: types::CreatedVideoAgentSession = serde_json::from_value(
        serde_json::json!({"session_id": "sess_2", "status": "thinking", "created_at": 1, "video_id": "vid_agent"}),
    )
    .unwrap();
    let video = client.wait_for_agent_video(&created).await.unwrap();
    assert_eq!(video.id, "vid_agent");
    assert!(sim.seen_at("/v3/video-agents/sess_2").is_empty());
}

#[tokio::test(start_paused = true)]
async fn the_agent_video_has_one_budget_for_session_and_video() {
    let sim = Sim::start().await;
    sim.session("sess_1", "vid_long", 20);
    sim.job(VIDEOS, "vid_long", 3600);
    let started = tokio::time::Instant::now();
    let err = sim
        .client()
        .wait_for_agent_video("sess_1")
        .timeout(secs(90))
        .await
        .unwrap_err();
    let waited = started.elapsed();
    match &err {
        Error::WaitTimeout {
            kind,
            id,
            last_status,
            ..
        } => {
            assert_eq!((*kind, id.as_str()), ("video", "vid_long"));
            assert_eq!(last_status.as_deref(), Some("pending"));
        }
        other => panic!("expected WaitTimeout, got {other:?}"),
    }
    assert!(waited >= secs(90) && waited < secs(91), "{waited:?}");
}

#[tokio::test(start_paused = true)]
async fn a_multi_language_translation_wait_returns_all_of_them() {
    let sim = Sim::start().await;
    let ids = ["vt_es", "vt_ja", "vt_fr"];
    for (id, lang, done) in [
        ("vt_es", "es", 30),
        ("vt_ja", "ja", 10),
        ("vt_fr", "fr", 20),
    ] {
        sim.add(
            id,
            sim::Job {
                path: "video-translations",
                done_at: secs(done),
                failure: None,
                language: Some(lang.into()),
            },
        );
    }
    let created: types::CreatedVideoTranslations =
        serde_json::from_value(serde_json::json!({ "video_translation_ids": ids })).unwrap();

    let translations = sim
        .client()
        .wait_for_video_translations(&created.video_translation_ids)
        .await
        .unwrap();
    let got: Vec<(&str, Option<&str>)> = translations
        .iter()
        .map(|t| (t.id.as_str(), t.output_language.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            ("vt_es", Some("es")),
            ("vt_ja", Some("ja")),
            ("vt_fr", Some("fr"))
        ],
        "all of them, in the order of the ids"
    );
    assert!(translations.iter().all(|t| t.video_url.is_some()));
    let bulk = sim.seen_at("/v3/video-translations/statuses");
    let mut ats: Vec<_> = bulk.iter().map(|s| s.at).collect();
    ats.dedup();
    assert_eq!(ats.len(), bulk.len(), "one request per poll");
    assert_eq!(bulk[0].ids(), ids, "the first asks for all three");
}

/// The limit is the spec's: each bulk endpoint's ids parameter says
/// "up to 100".
#[test]
fn the_id_limit_is_the_one_the_spec_states() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/heygen.yaml");
    let spec: serde_json::Value =
        serde_norway::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let limit = format!("(up to {MAX_IDS_PER_REQUEST})");
    for (path, param) in [
        ("/v3/videos/statuses", "video_ids"),
        ("/v3/video-translations/statuses", "video_translation_ids"),
        ("/v3/lipsyncs/statuses", "lipsync_ids"),
        ("/v3/assets/statuses", "asset_ids"),
    ] {
        let params = spec["paths"][path]["get"]["parameters"].as_array().unwrap();
        let ids = params.iter().find(|p| p["name"] == param).unwrap();
        let description = ids["description"].as_str().unwrap();
        assert!(
            description.contains(&limit),
            "{path} {param}: {description}"
        );
    }
}

/// The workflows on the fake HeyGen, whose bulk and batch endpoints keep
/// the state of the jobs the client made there.
#[tokio::test(start_paused = true)]
async fn every_workflow_on_the_fake() {
    let fake = FakeHeyGen::builder()
        .job_duration(secs(60))
        .start()
        .await
        .unwrap();
    let client = fake.client_builder().without_timeouts().build().unwrap();
    let bulk = |op: &str| {
        fake.exchanges()
            .into_iter()
            .filter(|e| e.operation_id == Some(op))
            .count()
    };

    // More videos than one request takes, one of them failing.
    let mut ids = Vec::new();
    for _ in 0..120 {
        ids.push(create_video(&client).await);
    }
    fake.fail_job(&ids[7], "render_failed", "the avatar could not be rendered");
    let finished: Vec<FinishedJob<types::Video>> = client
        .wait_for_videos(&ids)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(finished.len(), 120);
    let failed: Vec<_> = finished.iter().filter(|f| f.result.is_err()).collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].id, ids[7]);
    assert_eq!(
        failed[0].result.as_ref().unwrap_err().code(),
        Some("render_failed")
    );
    let polls = bulk("bulkVideoStatuses");
    assert!(
        polls >= 2 && polls % 2 == 0,
        "two requests (100 + 20 ids) per poll: {polls}"
    );

    // A translation into three languages.
    let translation_ids = create_translations(&client, &["es", "ja", "fr"]).await;
    let translations = client
        .wait_for_video_translations(&translation_ids)
        .await
        .unwrap();
    let languages: Vec<_> = translations
        .iter()
        .map(|t| t.output_language.as_deref())
        .collect();
    assert_eq!(languages, [Some("es"), Some("ja"), Some("fr")]);

    // The agent's video, found through the session.
    let session = create_session(&client, "Explain ownership").await;
    let video = client
        .wait_for_agent_video(&session.session_id)
        .await
        .unwrap();
    assert_eq!(Some(video.id), session.video_id);
    assert!(video.video_url.is_some());

    // A batch.
    let videos: Vec<types::CreateVideoRequest> = ["One", "Two", "Three"]
        .into_iter()
        .map(|script| {
            types::CreateVideoRequest::try_from(
                types::CreateVideoFromAvatar::builder()
                    .avatar_id("Daisy-inskirt-20220818")
                    .script(script),
            )
            .unwrap()
        })
        .collect();
    let batch_id = client
        .create_video_batch()
        .body(types::CreateVideoBatchRequest::builder().videos(videos))
        .data()
        .await
        .unwrap()
        .batch_id
        .unwrap();
    let videos = client.wait_for_video_batch(&batch_id).await.unwrap();
    assert_eq!(videos.len(), 3);
    assert!(bulk("getVideoBatch") >= 2);
}
