//! Downloading a video's files: `getVideo` is served by one scripted
//! server, the files by others (on other ports, so other hosts as far as
//! the client can tell), and every request each of them saw is checked.

use crate::support;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::support::{Reply, Scripted, scripted};
use bytes::Bytes;
use heygen_api_ext::testing::{RecordedRequest, serve};
use heygen_api_ext::{DownloadProgress, Error, RetryReason, VideoFile};
use serde_json::json;
use tokio::io::AsyncWriteExt;

/// A directory of its own under the system temp dir, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("heygen-download-test-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// The names in the directory: what a download left behind.
    fn entries(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A signed URL on `server`, its signature `sig`.
fn signed(server: &Scripted, file: &str, sig: &str) -> String {
    format!(
        "{}/files/{file}?X-Amz-Expires=600&X-Amz-Signature={sig}",
        server.base_url()
    )
}

/// A `getVideo` answer for video `v1` with this status and `video_url`.
fn video(status: &str, video_url: Option<&str>) -> Reply {
    Reply::json(
        200,
        json!({"data": {"id": "v1", "status": status, "video_url": video_url}}),
    )
}

/// `len` bytes of a file.
fn content(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

fn file(body: &[u8]) -> Reply {
    Reply::raw(200, "video/mp4", body)
}

/// S3's answer to a URL whose signature has expired.
fn expired() -> Reply {
    Reply::raw(
        403,
        "application/xml",
        "<Error><Code>AccessDenied</Code><Message>Request has expired</Message><SignatureProvided>sig-secret</SignatureProvided></Error>",
    )
}

/// Neither credential header in any of `requests`.
fn assert_no_credential(requests: &[RecordedRequest]) {
    assert!(!requests.is_empty());
    for request in requests {
        for (name, value) in &request.headers {
            assert!(
                name != "x-api-key" && name != "authorization",
                "{name} reached the file host: {request:?}"
            );
            assert!(!value.contains("sk-test-secret-key"), "{request:?}");
            assert!(!value.contains("tok-test-secret"), "{request:?}");
        }
    }
}

#[tokio::test]
async fn neither_the_key_nor_a_token_reaches_the_file_hosts_redirects_included() {
    let body = content(10_000);
    for bearer in [false, true] {
        let api = scripted(vec![]).await;
        let cdn = scripted(vec![]).await;
        let mirror = scripted(vec![file(&body)]).await;
        // The first file host sends the client on to another host.
        let moved = signed(&mirror, "v1.mp4", "mirror-sig");
        cdn.push([Reply::raw(302, "text/plain", "").header("location", &moved)]);
        api.push([video("completed", Some(&signed(&cdn, "v1.mp4", "cdn-sig")))]);
        let builder = support::client_builder(&api);
        let client = if bearer {
            builder.bearer_token("tok-test-secret").build().unwrap()
        } else {
            builder.build().unwrap()
        };
        let dir = Scratch::new();

        let saved = client
            .download_video("v1", VideoFile::Video, dir.path("v1.mp4"))
            .await
            .unwrap();

        assert_eq!(saved.bytes, 10_000);
        assert_eq!(saved.content_type.as_deref(), Some("video/mp4"));
        assert_eq!(std::fs::read(&saved.path).unwrap(), body);
        let asked = api.requests();
        let credential = if bearer { "authorization" } else { "x-api-key" };
        assert!(asked[0].header(credential).is_some(), "HeyGen gets it");
        assert_no_credential(&cdn.requests());
        assert_no_credential(&mirror.requests());
        assert!(mirror.requests()[0].target.contains("mirror-sig"));
    }
}

/// The head of a `len`-byte file and its first `sent` bytes, then the
/// connection closes.
fn cut_off(len: usize, sent: usize, headers: &str) -> Reply {
    let mut raw = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: video/mp4\r\ncontent-length: {len}\r\n{headers}\r\n"
    )
    .into_bytes();
    raw.extend(&content(len)[..sent]);
    Reply::Raw(Bytes::from(raw))
}

/// A client for `api` that retries at once, `retries` times.
fn retrying(api: &Scripted, retries: u32) -> heygen_api_ext::Client {
    support::client_builder(api)
        .max_retries(retries)
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(1))
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_cut_off_download_leaves_nothing_behind() {
    let api = scripted(vec![]).await;
    let cdn = scripted(vec![]).await;
    api.push([video("completed", Some(&signed(&cdn, "v1.mp4", "sig")))]);
    // Cut off, and cut off again when resumed: one retry allowed.
    cdn.push([cut_off(100_000, 40_000, ""), cut_off(100_000, 10_000, "")]);
    let dir = Scratch::new();
    let dest = dir.path("v1.mp4");

    let err = retrying(&api, 1)
        .download_video("v1", VideoFile::Video, &dest)
        .await
        .unwrap_err();

    let Error::Download {
        received, source, ..
    } = &err
    else {
        panic!("{err:?}");
    };
    assert!(*received <= 40_000, "{received}");
    assert!(matches!(**source, Error::Connection { .. }), "{source:?}");
    assert!(err.is_retryable(), "a GET may be sent again: {err}");
    let message = err.to_string();
    assert!(message.contains("nothing was written to"), "{message}");
    assert!(message.contains("download again"), "{message}");
    assert!(!message.contains("sig"), "no signature in: {message}");
    assert!(!dest.exists(), "nothing at the destination");
    assert_eq!(
        dir.entries(),
        Vec::<String>::new(),
        "no temporary file left"
    );
    assert_eq!(cdn.hits(), 2, "the retry policy's one retry, then no more");
}

#[tokio::test]
async fn a_cut_off_download_keeps_the_file_that_was_there() {
    let api = scripted(vec![]).await;
    let cdn = scripted(vec![cut_off(5_000, 100, "")]).await;
    api.push([video("completed", Some(&signed(&cdn, "v1.mp4", "sig")))]);
    let dir = Scratch::new();
    let dest = dir.path("v1.mp4");
    std::fs::write(&dest, b"yesterday's video").unwrap();

    let err = retrying(&api, 0)
        .download_video("v1", VideoFile::Video, &dest)
        .await
        .unwrap_err();

    assert!(err.to_string().contains("the connection broke"), "{err}");
    assert_eq!(std::fs::read(&dest).unwrap(), b"yesterday's video");
    assert_eq!(dir.entries(), ["v1.mp4"]);
}

#[tokio::test]
async fn a_cut_off_download_resumes_where_it_stopped() {
    let body = content(100_000);
    let api = scripted(vec![]).await;
    let rest = Reply::Http {
        status: 206,
        headers: vec![
            ("content-type".into(), "video/mp4".into()),
            ("content-range".into(), "bytes 40000-99999/100000".into()),
        ],
        body: Bytes::copy_from_slice(&body[40_000..]),
    };
    let cdn = scripted(vec![
        cut_off(100_000, 40_000, "etag: \"v1-etag\"\r\n"),
        rest,
    ])
    .await;
    api.push([video("completed", Some(&signed(&cdn, "v1.mp4", "sig")))]);
    let log: Arc<Mutex<Vec<DownloadProgress>>> = Arc::default();
    let sink = log.clone();
    let dir = Scratch::new();

    let saved = retrying(&api, 1)
        .download_video("v1", VideoFile::Video, dir.path("v1.mp4"))
        .on_progress(move |p| sink.lock().unwrap().push(p))
        .await
        .unwrap();

    assert_eq!(saved.bytes, 100_000);
    assert_eq!(std::fs::read(&saved.path).unwrap(), body);
    let asked = cdn.requests();
    assert_eq!(asked.len(), 2);
    assert_eq!(asked[0].header("range"), None);
    let written_first = log
        .lock()
        .unwrap()
        .iter()
        .map(|p| p.written)
        .find(|&w| w >= 40_000);
    assert_eq!(written_first, Some(40_000), "the first answer's bytes kept");
    assert_eq!(asked[1].header("range"), Some("bytes=40000-"));
    assert_eq!(asked[1].header("if-range"), Some("\"v1-etag\""));
    assert_no_credential(&asked);
    let log = log.lock().unwrap();
    assert!(
        log.windows(2).all(|w| w[0].written < w[1].written),
        "never backwards"
    );
    assert!(log.iter().all(|p| p.total == Some(100_000)));
    assert_eq!(log.last().unwrap().written, 100_000);
    assert_eq!(dir.entries(), ["v1.mp4"]);
}

#[tokio::test]
async fn a_host_that_ignores_the_range_sends_the_file_again() {
    let body = content(50_000);
    let api = scripted(vec![]).await;
    let cdn = scripted(vec![cut_off(50_000, 20_000, ""), file(&body)]).await;
    api.push([video("completed", Some(&signed(&cdn, "v1.mp4", "sig")))]);
    let dir = Scratch::new();

    let saved = retrying(&api, 1)
        .download_video("v1", VideoFile::Video, dir.path("v1.mp4"))
        .await
        .unwrap();

    assert_eq!(saved.bytes, 50_000);
    assert_eq!(
        std::fs::read(&saved.path).unwrap(),
        body,
        "not appended twice"
    );
    assert_eq!(cdn.requests()[1].header("range"), Some("bytes=20000-"));
}

#[tokio::test]
async fn an_expired_url_is_refreshed_through_get_video_once() {
    let body = content(5_000);
    let api = scripted(vec![]).await;
    let cdn = scripted(vec![expired(), file(&body)]).await;
    api.push([
        video("completed", Some(&signed(&cdn, "v1.mp4", "old-sig"))),
        video("completed", Some(&signed(&cdn, "v1.mp4", "new-sig"))),
    ]);
    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = events.clone();
    let client = support::client_builder(&api)
        .on_retry(move |e| seen.lock().unwrap().push((e.operation, e.reason)))
        .build()
        .unwrap();
    let dir = Scratch::new();

    let saved = client
        .download_video("v1", VideoFile::Video, dir.path("v1.mp4"))
        .await
        .unwrap();

    assert_eq!(std::fs::read(&saved.path).unwrap(), body);
    assert_eq!(api.hits(), 2, "one look-up, one refresh");
    let files = cdn.requests();
    assert_eq!(files.len(), 2);
    assert!(files[0].target.contains("old-sig"));
    assert!(
        files[1].target.contains("new-sig"),
        "the fresh URL was used"
    );
    assert_eq!(
        *events.lock().unwrap(),
        [("downloadVideo", RetryReason::ExpiredUrl(403))],
        "the refresh is reported like any retry"
    );
    assert_eq!(dir.entries(), ["v1.mp4"]);
}

#[tokio::test]
async fn a_fresh_url_refused_too_is_an_error_that_says_so() {
    let api = scripted(vec![]).await;
    let cdn = scripted(vec![expired(), Reply::raw(404, "text/plain", "gone")]).await;
    api.push([
        video("completed", Some(&signed(&cdn, "v1.mp4", "old-sig"))),
        video("completed", Some(&signed(&cdn, "v1.mp4", "new-sig"))),
    ]);
    let dir = Scratch::new();
    let dest = dir.path("v1.mp4");

    let err = support::client(&api)
        .download_video("v1", VideoFile::Video, &dest)
        .await
        .unwrap_err();

    assert_eq!(api.hits(), 2, "refreshed once, not again");
    assert_eq!(cdn.hits(), 2);
    assert!(matches!(err, Error::Download { .. }), "{err:?}");
    assert_eq!(err.status(), Some(404));
    assert!(!err.is_retryable());
    let message = err.to_string();
    assert!(message.contains("and to a fresh one as well"), "{message}");
    assert!(
        message.contains("client.get_video"),
        "says what to do: {message}"
    );
    assert!(message.contains("/files/v1.mp4"), "{message}");
    for secret in ["sig", "X-Amz", "sk-test"] {
        assert!(!message.contains(secret), "{secret} in: {message}");
        assert!(!format!("{err:?}").contains(secret), "{secret} in {err:?}");
    }
    assert!(!dest.exists());
    assert_eq!(dir.entries(), Vec::<String>::new());
}

#[tokio::test]
async fn progress_is_reported_and_reaches_the_total() {
    let body = content(300_000);
    let api = scripted(vec![]).await;
    let cdn = scripted(vec![file(&body)]).await;
    api.push([video("completed", Some(&signed(&cdn, "v1.mp4", "sig")))]);
    let log: Arc<Mutex<Vec<DownloadProgress>>> = Arc::default();
    let sink = log.clone();
    let dir = Scratch::new();

    let saved = support::client(&api)
        .download_video("v1", VideoFile::Video, dir.path("v1.mp4"))
        .on_progress(move |p| sink.lock().unwrap().push(p))
        .await
        .unwrap();

    assert_eq!(saved.bytes, 300_000);
    assert_eq!(saved.path, dir.path("v1.mp4"));
    let log = log.lock().unwrap();
    assert!(log.len() >= 2, "reported as it goes: {}", log.len());
    assert!(log.iter().all(|p| p.total == Some(300_000)));
    assert!(log.windows(2).all(|w| w[0].written < w[1].written));
    assert_eq!(log.last().unwrap().written, 300_000);
}

#[tokio::test]
async fn an_unfinished_video_is_refused_before_any_file_request() {
    let api = scripted(vec![]).await;
    let cdn = scripted(vec![]).await;
    let url = signed(&cdn, "v1.mp4", "sig");
    // Even with a URL present: not `completed` is not finished.
    api.push([video("processing", Some(&url))]);
    let client = support::client(&api);
    let dir = Scratch::new();

    let err = client
        .download_video("v1", VideoFile::Video, dir.path("v1.mp4"))
        .await
        .unwrap_err();

    let Error::NotDownloadable { field, status, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!((*field, status.as_str()), ("video_url", "processing"));
    assert!(err.to_string().contains("wait_for_video"), "{err}");
    assert_eq!(cdn.hits(), 0);
    assert_eq!(dir.entries(), Vec::<String>::new());

    // A finished video without captions has no captioned file.
    api.push([video("completed", Some(&url))]);
    let err = client
        .download_video("v1", VideoFile::Captioned, dir.path("v1.mp4"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::NotDownloadable {
                field: "captioned_video_url",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("another file"), "{err}");

    // A video in hand is checked without any request at all.
    let failed: heygen_api_ext::types::Video =
        serde_json::from_value(json!({"id": "v1", "status": "failed", "video_url": url})).unwrap();
    let before = api.hits();
    let err = client
        .download_video(&failed, VideoFile::Video, dir.path("v1.mp4"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("failure_message"), "{err}");
    assert_eq!(api.hits(), before);
    assert_eq!(cdn.hits(), 0);
}

#[tokio::test]
async fn a_video_in_hand_is_downloaded_without_a_look_up() {
    let body = content(1_000);
    let api = scripted(vec![]).await;
    let cdn = scripted(vec![Reply::raw(200, "text/vtt", &body)]).await;
    let done: heygen_api_ext::types::Video = serde_json::from_value(json!({
        "id": "v1",
        "status": "completed",
        "subtitle_url": signed(&cdn, "v1.vtt", "sig"),
    }))
    .unwrap();
    let dir = Scratch::new();

    let saved = support::client(&api)
        .download_video(&done, VideoFile::Captions, dir.path("v1.vtt"))
        .await
        .unwrap();

    assert_eq!(std::fs::read(saved.path).unwrap(), body);
    assert_eq!(api.hits(), 0);
    assert!(cdn.requests()[0].path().ends_with("/v1.vtt"));
}

#[tokio::test]
async fn a_stalled_download_ends_at_the_idle_timeout() {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let cdn_url = format!("http://{}", listener.local_addr().unwrap());
    // The head and a few bytes, then nothing, on a connection kept open.
    let server = tokio::spawn(serve(listener, |mut sock, _request| async move {
        let head = b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n0123456789";
        let _ = sock.write_all(head).await;
        std::future::pending::<()>().await;
        Some(sock)
    }));
    let api = scripted(vec![]).await;
    let url = format!("{cdn_url}/files/v1.mp4?X-Amz-Signature=sig");
    api.push([video("completed", Some(&url))]);
    let client = support::client_builder(&api)
        .max_retries(0)
        .download_idle_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let dir = Scratch::new();

    let err = support::within(
        Duration::from_secs(10),
        client.download_video("v1", VideoFile::Video, dir.path("v1.mp4")),
    )
    .await
    .unwrap_err();

    let Error::Download {
        received, source, ..
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!(*received, 10);
    assert!(matches!(**source, Error::Stalled { .. }), "{source:?}");
    assert!(
        err.to_string().contains("no byte arrived for 300ms"),
        "{err}"
    );
    assert_eq!(dir.entries(), Vec::<String>::new());
    server.abort();
}

#[tokio::test]
async fn a_directory_is_no_destination() {
    let api = scripted(vec![]).await;
    let dir = Scratch::new();

    let err = support::client(&api)
        .download_video("v1", VideoFile::Video, &dir.0)
        .await
        .unwrap_err();

    assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
    assert!(err.to_string().contains("is a directory"), "{err}");
    assert_eq!(api.hits(), 0, "refused before any request");
}

#[tokio::test]
async fn a_missing_directory_is_reported_before_the_file_is_fetched() {
    let api = scripted(vec![]).await;
    let cdn = scripted(vec![]).await;
    api.push([video("completed", Some(&signed(&cdn, "v1.mp4", "sig")))]);
    let dir = Scratch::new();
    let dest: &Path = &dir.path("no-such-dir").join("v1.mp4");

    let err = support::client(&api)
        .download_video("v1", VideoFile::Video, dest)
        .await
        .unwrap_err();

    let Error::Download { source, .. } = &err else {
        panic!("{err:?}");
    };
    assert!(matches!(**source, Error::File { .. }), "{source:?}");
    assert!(err.to_string().contains("writable"), "{err}");
    assert_eq!(cdn.hits(), 0);
}

#[tokio::test]
async fn against_the_fake_an_expired_url_and_a_cut_off_still_give_the_whole_file() {
    use heygen_api_ext::prelude::*;
    use heygen_api_ext::testing::FakeHeyGen;
    use heygen_api_ext::types::CreateVideoFromAvatar;

    let fake = FakeHeyGen::builder()
        .job_duration(Duration::from_millis(50))
        .url_lifetime(Duration::from_millis(300))
        .start()
        .await
        .unwrap();
    let client = fake
        .client_builder()
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(1))
        .build()
        .unwrap();
    let request = CreateVideoFromAvatar::builder()
        .avatar_id("Daisy-inskirt-20220818")
        .script("Hi");
    let created = client.create_video().body(request).data().await.unwrap();
    let video = client
        .wait_for_video(&created.video_id)
        .options(fake.wait_options())
        .await
        .unwrap();
    // The URLs in hand expire, and the next answer stops halfway.
    tokio::time::sleep(Duration::from_millis(400)).await;
    fake.interrupt_downloads(1);
    let dir = Scratch::new();

    let saved = client
        .download_video(&video, VideoFile::Video, dir.path("video.mp4"))
        .await
        .unwrap();

    let url = video.video_url.as_deref().unwrap();
    let expected = fake.file_body(url).unwrap();
    assert_eq!(std::fs::read(&saved.path).unwrap(), expected);
    assert_eq!(dir.entries(), ["video.mp4"]);
    let files = fake.file_requests();
    assert_no_credential(&files);
    // Expired (403), refreshed and cut off, resumed for the rest.
    assert_eq!(files.len(), 3, "{files:#?}");
    assert_ne!(files[0].query(), files[1].query(), "a fresh URL");
    let rest = format!("bytes={}-", expected.len() / 2);
    assert_eq!(files[2].header("range"), Some(rest.as_str()));
}
