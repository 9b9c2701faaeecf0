//! Every example in `examples/`, run as the program a user runs (`cargo
//! test` builds them beside this test), offline or pointed at a fake of
//! the test's own through `HEYGEN_API_KEY` and `HEYGEN_BASE_URL`, its
//! output checked.

use std::path::PathBuf;
use std::process::Command;

use heygen_api_ext::testing::FakeHeyGen;

const OFFLINE: &str = "No HEYGEN_API_KEY set: using the built-in fake HeyGen at http://127.0.0.1:";

/// `target/<profile>/examples/<name>`: this test runs from `.../deps/`.
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>/deps");
    let path = dir.join("examples").join(name);
    assert!(
        path.exists(),
        "{} is not built: `cargo test` builds the examples",
        path.display()
    );
    path
}

/// Runs an example without HeyGen variables (plus `vars`); its stdout lines.
fn run(name: &str, args: &[&str], vars: &[(&str, &str)]) -> Vec<String> {
    let mut command = Command::new(example(name));
    command.args(args);
    for var in [
        "HEYGEN_API_KEY",
        "HEYGEN_BASE_URL",
        "HEYGEN_AVATAR_ID",
        "HEYGEN_AGENT_PROMPT",
    ] {
        command.env_remove(var);
    }
    command.envs(vars.iter().copied());
    let out = command.output().expect("running the example");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{name} failed: {}\nstdout:\n{stdout}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout.lines().map(str::to_string).collect()
}

#[test]
fn every_example_is_run_here() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");
    let mut found: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            "create-and-wait.rs",
            "paginate.rs",
            "quickstart.rs",
            "upload-asset.rs",
            "webhooks.rs"
        ],
        "a new example needs a test in tests/sdk/examples.rs; an example is one file a user can copy"
    );
}

#[test]
fn examples_are_short_and_build_requests_without_json() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let limit = if name == "quickstart.rs" { 80 } else { 61 };
        assert!(
            text.lines().count() <= limit,
            "{name} has {} lines",
            text.lines().count()
        );
        assert!(!text.contains("json!"), "{name} builds JSON by hand");
        assert!(
            !text.contains("mod "),
            "{name} leans on a module a user would not have"
        );
    }
}

#[test]
fn quickstart_lists_sessions_survives_a_429_and_prints_the_url() {
    let started = std::time::Instant::now();
    let lines = run("quickstart", &[], &[]);
    assert!(started.elapsed().as_secs() < 20, "a few seconds offline");
    assert!(
        lines[0].starts_with(OFFLINE),
        "the first line says so: {lines:?}"
    );
    assert_eq!(lines[1], "45 video agent sessions; the newest:");
    assert!(lines[2].contains("Sample session 45"), "{lines:?}");
    let retried = lines
        .iter()
        .position(|l| l == "createVideo: 429 Too Many Requests; the SDK retries in 1.0s")
        .expect("the retry it rode out, through ClientBuilder::on_retry");
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
    // A signed URL to the fake's file host: `.../video.mp4?expires=..&sig=..`.
    let path = last.split('?').next().unwrap_or_default();
    assert!(
        last.starts_with("Video ready: http://127.0.0.1:") && path.ends_with(".mp4"),
        "{last}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn quickstart_with_a_key_talks_to_heygen_base_url() {
    // "The real API" here is a fake of the test's own, reached the way a
    // user reaches HeyGen: HEYGEN_API_KEY and HEYGEN_BASE_URL.
    let server = FakeHeyGen::builder().sessions(3).start().await.unwrap();
    let vars = [
        ("HEYGEN_API_KEY", server.api_key()),
        ("HEYGEN_BASE_URL", server.base_url()),
    ];
    let lines = tokio::task::block_in_place(|| run("quickstart", &[], &vars));
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

#[test]
fn create_and_wait_follows_the_session_to_its_video() {
    let lines = run("create-and-wait", &[], &[]);
    assert!(lines[0].ends_with(" is thinking"), "{lines:?}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("video agent session") && l.ends_with(": completed")),
        "{lines:?}"
    );
    let last = lines.last().unwrap();
    assert!(last.contains(" is completed: http://127.0.0.1:"), "{last}");
}

#[test]
fn paginate_walks_every_page_three_ways() {
    let lines = run("paginate", &[], &[]);
    assert_eq!(
        lines,
        [
            "page 1: 20 sessions, more: true",
            "page 2: 20 sessions, more: true",
            "page 3: 5 sessions, more: false",
            "the first 15 sessions, newest first",
            "45 sessions in all",
        ]
    );
}

#[test]
fn upload_asset_uploads_both_ways_with_progress() {
    let lines = run("upload-asset", &[], &[]);
    for way in ["multipart", "direct"] {
        let done = format!("  {way}: 307200 of 307200 bytes");
        assert!(lines.contains(&done), "{lines:?}");
    }
    assert!(
        lines
            .iter()
            .any(|l| l.contains("(audio/wav, 307200 bytes) as asset asset_")),
        "{lines:?}"
    );
    assert!(
        lines.last().unwrap().ends_with(" is processing"),
        "{lines:?}"
    );

    // A file named on the command line.
    let path = std::env::temp_dir().join(format!("heygen-example-arg-{}.png", std::process::id()));
    std::fs::write(&path, [9u8; 1234]).unwrap();
    let lines = run("upload-asset", &[&path.to_string_lossy()], &[]);
    assert!(path.exists(), "a file the user named is not removed");
    let _ = std::fs::remove_file(&path);
    assert!(
        lines.iter().any(|l| l.contains("(image/png, 1234 bytes)")),
        "{lines:?}"
    );
}

#[test]
fn webhooks_registers_lists_events_rotates_and_removes() {
    let lines = run("webhooks", &[], &[]);
    assert!(lines[0].starts_with("registered ep_"), "{lines:?}");
    assert!(lines[0].contains("for https://example.com/heygen-webhook"));
    assert_eq!(lines[1], "1 endpoint(s) registered");
    assert_eq!(lines[2], "1 avatar_video.success event(s):");
    assert!(lines[3].contains(" avatar_video.success at "), "{lines:?}");
    assert!(
        lines[4].starts_with("rotated the secret: whsec_"),
        "{lines:?}"
    );
    assert!(lines[5].starts_with("removed ep_"));
    // A secret is never printed whole.
    assert!(
        lines
            .iter()
            .all(|l| !l.contains("whsec_") || l.contains("...")),
        "{lines:?}"
    );
}
