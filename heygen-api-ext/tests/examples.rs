//! Every example in `examples/`, run offline against the fake HeyGen
//! server, its output checked. The example sources are compiled into this
//! test, so `cargo test` runs them without spawning cargo.

// Each example brings its own `common` module, as it would as a binary.
#![allow(clippy::duplicate_mod)]

#[allow(dead_code)]
#[path = "../examples/quickstart.rs"]
mod quickstart;

#[allow(dead_code)]
#[path = "../examples/create-and-wait.rs"]
mod create_and_wait;

#[allow(dead_code)]
#[path = "../examples/paginate.rs"]
mod paginate;

#[allow(dead_code)]
#[path = "../examples/upload-asset.rs"]
mod upload_asset;

#[allow(dead_code)]
#[path = "../examples/webhooks.rs"]
mod webhooks;

use heygen_api_ext::testing::FakeHeyGen;

const OFFLINE: &str =
    "No HEYGEN_API_KEY set: using the built-in fake HeyGen server at http://127.0.0.1:";

#[test]
fn every_example_is_run_here() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");
    let mut found: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.strip_suffix(".rs").map(str::to_string)
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            "create-and-wait",
            "paginate",
            "quickstart",
            "upload-asset",
            "webhooks"
        ],
        "a new example needs a test in tests/examples.rs"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn quickstart_lists_sessions_survives_a_429_and_prints_the_url() {
    use quickstart::common::{Env, Out};
    let out = Out::captured();
    let started = std::time::Instant::now();
    quickstart::run(Env::offline(&[]), out.clone())
        .await
        .unwrap();
    assert!(started.elapsed().as_secs() < 20, "a few seconds offline");
    let lines = out.lines();
    assert!(
        lines[0].starts_with(OFFLINE),
        "the first line says so: {lines:?}"
    );
    assert_eq!(lines[1], "45 video agent sessions; the newest:");
    assert!(lines[2].contains("Sample session 45"), "{lines:?}");
    let retried = lines
        .iter()
        .position(|l| l.contains("429 Too Many Requests") && l.contains("waited 1.0 s"))
        .expect("the retry it rode out");
    let created = lines
        .iter()
        .position(|l| l.starts_with("Created video vid_"))
        .unwrap();
    assert!(retried < created, "{lines:?}");
    let statuses: Vec<&str> = lines[created + 1..]
        .iter()
        .filter_map(|l| l.trim().split(' ').next())
        .take(3)
        .collect();
    assert_eq!(
        statuses,
        ["pending", "processing", "completed"],
        "{lines:?}"
    );
    let last = lines.last().unwrap();
    assert!(
        last.starts_with("Video ready: http://127.0.0.1:") && last.ends_with(".mp4"),
        "{last}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn quickstart_with_a_key_talks_to_heygen_base_url() {
    use quickstart::common::{Env, Out};
    // "The real API" here is a fake of the test's own, reached the way a
    // user reaches HeyGen: HEYGEN_API_KEY and HEYGEN_BASE_URL.
    let server = FakeHeyGen::builder().sessions(3).start().await.unwrap();
    let out = Out::captured();
    let env = Env::with_vars(&[
        ("HEYGEN_API_KEY", server.api_key()),
        ("HEYGEN_BASE_URL", server.base_url()),
    ]);
    quickstart::run(env, out.clone()).await.unwrap();
    let lines = out.lines();
    assert_eq!(lines[0], format!("Using HeyGen at {}", server.base_url()));
    assert_eq!(lines[1], "3 video agent sessions; the newest:");
    assert!(
        lines.last().unwrap().contains("HEYGEN_AVATAR_ID"),
        "no credits spent without an avatar: {lines:?}"
    );
    assert!(
        server
            .exchanges()
            .iter()
            .all(|e| e.operation_id != Some("createVideo")),
        "nothing created"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn create_and_wait_follows_the_session_to_its_video() {
    use create_and_wait::common::{Env, Out};
    let out = Out::captured();
    create_and_wait::run(Env::offline(&[]), out.clone())
        .await
        .unwrap();
    let lines = out.lines();
    assert!(lines[0].starts_with(OFFLINE));
    assert!(lines[1].ends_with(" is thinking"), "{lines:?}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("video agent session") && l.ends_with(": completed"))
    );
    let last = lines.last().unwrap();
    assert!(last.contains(" is completed: http://127.0.0.1:"), "{last}");
}

#[tokio::test(flavor = "multi_thread")]
async fn paginate_walks_every_page_three_ways() {
    use paginate::common::{Env, Out};
    let out = Out::captured();
    paginate::run(Env::offline(&[]), out.clone()).await.unwrap();
    let lines = out.lines();
    assert_eq!(
        lines[1..],
        [
            "page 1: 20 sessions, more: true",
            "page 2: 20 sessions, more: true",
            "page 3: 5 sessions, more: false",
            "the first 15 sessions, newest first",
            "45 sessions in all",
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn upload_asset_uploads_both_ways_with_progress() {
    use upload_asset::common::{Env, Out};
    let out = Out::captured();
    upload_asset::run(Env::offline(&[]), out.clone())
        .await
        .unwrap();
    let lines = out.lines();
    assert!(
        lines.contains(&"  multipart: 307200 of 307200 bytes".to_string()),
        "{lines:?}"
    );
    assert!(
        lines.contains(&"  direct: 307200 of 307200 bytes".to_string()),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("(audio/wav, 307200 bytes) as asset asset_"))
    );
    assert!(
        lines.last().unwrap().ends_with(" is processing"),
        "{lines:?}"
    );

    // A file named on the command line.
    let path = std::env::temp_dir().join(format!("heygen-example-arg-{}.png", std::process::id()));
    std::fs::write(&path, [9u8; 1234]).unwrap();
    let out = Out::captured();
    let arg = path.to_string_lossy().into_owned();
    let result = upload_asset::run(Env::offline(&[&arg]), out.clone()).await;
    let _ = std::fs::remove_file(&path);
    result.unwrap();
    assert!(
        out.lines()
            .iter()
            .any(|l| l.contains("(image/png, 1234 bytes)")),
        "{:?}",
        out.lines()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn webhooks_registers_lists_events_rotates_and_removes() {
    use webhooks::common::{Env, Out};
    let out = Out::captured();
    webhooks::run(Env::offline(&[]), out.clone()).await.unwrap();
    let lines = out.lines();
    assert!(lines[1].starts_with("registered ep_"), "{lines:?}");
    assert!(lines[1].contains("for https://example.com/heygen-webhook"));
    assert_eq!(lines[2], "1 endpoint(s) registered");
    assert_eq!(lines[3], "1 avatar_video.success event(s):");
    assert!(lines[4].contains(" avatar_video.success at "), "{lines:?}");
    assert!(
        lines[5].starts_with("rotated the secret: whsec_"),
        "{lines:?}"
    );
    assert!(lines[6].starts_with("removed ep_"));
    // A secret is never printed whole.
    assert!(
        lines
            .iter()
            .all(|l| !l.contains("whsec_") || l.contains("...")),
        "{lines:?}"
    );
}
