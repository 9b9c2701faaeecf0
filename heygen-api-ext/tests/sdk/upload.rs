//! Asset uploads: multipart and the three-step direct upload, against the
//! fake (which checks the presigned PUT like a storage service would) and a
//! scripted server for storage failures.

use crate::support;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::support::{Reply, scripted};
use heygen_api_ext::testing::FakeHeyGen;
use heygen_api_ext::{AssetSource, Error, UploadProgress};
use serde_json::json;

/// A file under the system temp dir, removed on drop.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str, len: usize) -> TempFile {
        let dir = std::env::temp_dir().join(format!(
            "heygen-upload-test-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        let content: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, content).unwrap();
        TempFile(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(dir) = self.0.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn progress_log() -> (
    Arc<Mutex<Vec<UploadProgress>>>,
    impl Fn(UploadProgress) + Send + Sync + 'static,
) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink = log.clone();
    (log, move |p| sink.lock().unwrap().push(p))
}

fn assert_progress(log: &[UploadProgress], total: u64) {
    assert!(log.len() >= 2, "reported as it goes: {log:?}");
    assert!(log.iter().all(|p| p.total == total));
    assert!(log.windows(2).all(|w| w[0].sent < w[1].sent), "{log:?}");
    assert_eq!(log.last().unwrap().sent, total);
}

#[tokio::test]
async fn multipart_upload_streams_a_file_with_progress() {
    let fake = FakeHeyGen::start().await.unwrap();
    let client = fake.client().unwrap();
    let file = TempFile::new("logo.png", 200_000);
    let (log, report) = progress_log();
    let asset = client
        .upload_asset(file.0.as_path())
        .on_progress(report)
        .send()
        .await
        .unwrap();
    assert_eq!(asset.size_bytes, 200_000);
    assert_eq!(asset.mime_type, "image/png", "guessed from the extension");
    assert!(asset.url.ends_with("/logo.png"), "{}", asset.url);
    assert_progress(&log.lock().unwrap(), 200_000);

    let upload = fake
        .exchanges()
        .into_iter()
        .find(|e| e.operation_id == Some("uploadAsset"))
        .unwrap();
    assert!(
        upload
            .request_header("content-type")
            .unwrap()
            .starts_with("multipart/form-data; boundary="),
    );
    assert_eq!(
        upload.request_header("x-api-key"),
        Some("<redacted>"),
        "authenticated"
    );

    // The asset exists on the fake.
    let got = client
        .get_asset()
        .asset_id(&asset.asset_id)
        .send()
        .await
        .unwrap();
    assert_eq!(got.data.as_ref().unwrap().name, "logo.png");
}

#[tokio::test]
async fn bytes_with_a_given_name_and_content_type() {
    let fake = FakeHeyGen::start().await.unwrap();
    let client = fake.client().unwrap();
    let asset = client
        .upload_asset(AssetSource::bytes("voice.bin", vec![3u8; 10]))
        .content_type("audio/mpeg")
        .filename("narration.mp3")
        .send()
        .await
        .unwrap();
    assert_eq!(asset.mime_type, "audio/mpeg");
    assert_eq!(asset.size_bytes, 10);
    assert!(asset.url.ends_with("/narration.mp3"));

    let unknown = client
        .upload_asset(AssetSource::bytes("data.zzz-unknown", vec![1u8; 3]))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.mime_type, "application/octet-stream");
}

#[tokio::test]
async fn bad_input_is_refused_before_sending() {
    let fake = FakeHeyGen::start().await.unwrap();
    let client = fake.client().unwrap();

    let missing = PathBuf::from("/definitely/not/here/clip.mp4");
    let err = client
        .upload_asset(missing.as_path())
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
    assert!(
        err.to_string().contains("/definitely/not/here/clip.mp4"),
        "{err}"
    );

    let err = client
        .upload_asset(AssetSource::bytes("empty.png", Vec::new()))
        .send()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("empty"), "{err}");

    let err = client
        .upload_asset(AssetSource::bytes("a.png", vec![1u8]))
        .content_type("not a mime type")
        .send()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not a MIME type"), "{err}");

    let big = vec![0u8; 32 * 1024 * 1024 + 1];
    let err = client
        .upload_asset(AssetSource::bytes("big.mp4", big))
        .send()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("upload_asset_direct"), "{err}");

    let dir = TempFile::new("x.txt", 1);
    let parent = dir.0.parent().unwrap().to_path_buf();
    let err = client
        .upload_asset_direct(parent.as_path())
        .send()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not a regular file"), "{err}");

    assert!(fake.exchanges().is_empty(), "nothing was sent");
}

#[tokio::test(start_paused = true)]
async fn a_rate_limited_upload_is_sent_again() {
    let fake = FakeHeyGen::builder()
        .rate_limit("uploadAsset", 1, Duration::from_secs(2))
        .start()
        .await
        .unwrap();
    let client = fake.client_builder().without_timeouts().build().unwrap();
    let file = TempFile::new("intro.mp4", 150_000);
    let (log, report) = progress_log();
    let asset = client
        .upload_asset(file.0.as_path())
        .on_progress(report)
        .send()
        .await
        .unwrap();
    assert_eq!(asset.size_bytes, 150_000);
    assert_eq!(asset.mime_type, "video/mp4");
    assert_eq!(fake.rate_limited_count(), 1);
    let log = log.lock().unwrap();
    let restarts = log.windows(2).filter(|w| w[1].sent < w[0].sent).count();
    assert!(
        restarts <= 1,
        "progress restarts with the second attempt: {log:?}"
    );
    assert_eq!(log.last().unwrap().sent, 150_000);
}

#[tokio::test]
async fn direct_upload_creates_puts_and_completes() {
    let fake = FakeHeyGen::start().await.unwrap();
    let client = fake.client().unwrap();
    let file = TempFile::new("keynote.mov", 300_000);
    let (log, report) = progress_log();
    let asset = client
        .upload_asset_direct(file.0.as_path())
        .on_progress(report)
        .send()
        .await
        .unwrap();
    assert_eq!(asset.size_bytes, 300_000);
    assert_eq!(asset.mime_type, "video/quicktime");
    assert_eq!(asset.status, "processing");
    assert_progress(&log.lock().unwrap(), 300_000);

    let exchanges = fake.exchanges();
    let steps: Vec<_> = exchanges
        .iter()
        .map(|e| (e.operation_id.unwrap_or("PUT upload_url"), e.status))
        .collect();
    assert_eq!(
        steps,
        [
            ("createAssetUpload", 200),
            ("PUT upload_url", 200),
            ("completeAssetUpload", 200)
        ]
    );
    let put = &exchanges[1];
    assert_eq!(put.method, "PUT");
    assert_eq!(put.request_header("x-api-key"), None, "the key stays home");
    assert_eq!(put.request_header("authorization"), None);
    assert_eq!(put.request_header("content-length"), Some("300000"));
    assert_eq!(put.request_header("content-type"), Some("video/quicktime"));
    assert!(
        put.request_header("x-fake-upload-token").is_some(),
        "upload_headers sent as given"
    );
    assert_eq!(
        exchanges[0].request_header("content-type"),
        Some("application/json")
    );

    let got = client
        .get_asset()
        .asset_id(&asset.asset_id)
        .send()
        .await
        .unwrap();
    assert_eq!(got.data.as_ref().unwrap().type_, "video");
}

#[tokio::test]
async fn a_storage_error_on_the_put_is_reported_without_the_signature() {
    // The storage host is another server than the API.
    let storage = scripted(vec![
        Reply::raw(
            403,
            "application/xml",
            b"<Error><Code>SignatureDoesNotMatch</Code></Error>",
        )
        .header("x-amz-request-id", "AMZ123"),
    ])
    .await;
    let api = scripted(vec![Reply::json(
        200,
        json!({"data": {
            "asset_id": "asset_9",
            "upload_url": format!("{}/bucket/clip.mp4?X-Amz-Signature=s3cr3tsig", storage.base_url()),
            "upload_headers": {"Content-Type": "video/mp4", "x-amz-acl": "private"},
            "expires_in_seconds": 900,
            "max_bytes": 1_000_000,
            "status": "pending_upload"
        }}),
    )])
    .await;
    let err = support::client(&api)
        .upload_asset_direct(AssetSource::bytes("clip.mp4", vec![5u8; 1000]))
        .send()
        .await
        .unwrap_err();
    let Error::Upload {
        asset_id,
        url,
        source,
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!(asset_id, "asset_9");
    assert!(url.ends_with("/bucket/clip.mp4"), "no query: {url}");
    assert!(matches!(**source, Error::PermissionDenied(_)), "{source:?}");
    let text = format!("{err} {source}");
    assert!(text.contains("SignatureDoesNotMatch"), "{text}");
    assert!(
        !text.contains("s3cr3tsig"),
        "the URL's signature is not in the error: {text}"
    );
    assert_eq!(err.request_id(), Some("AMZ123"));
    assert_eq!(api.hits(), 1, "no /complete after a failed PUT");

    let put = &storage.requests()[0];
    assert_eq!(put.method, "PUT");
    assert!(put.target.starts_with("/bucket/clip.mp4?X-Amz-Signature="));
    assert_eq!(
        put.header("x-api-key"),
        None,
        "the key never reaches the storage host"
    );
    assert_eq!(put.header("content-type"), Some("video/mp4"));
    assert_eq!(put.header("x-amz-acl"), Some("private"));
    assert_eq!(put.header("content-length"), Some("1000"));
    assert_eq!(put.body.len(), 1000);
}

#[tokio::test]
async fn a_file_larger_than_the_upload_allows_is_not_put() {
    let server = scripted(vec![Reply::json(
        200,
        json!({"data": {
            "asset_id": "asset_1",
            "upload_url": "http://127.0.0.1:9/never",
            "upload_headers": {},
            "expires_in_seconds": 900,
            "max_bytes": 100,
            "status": "pending_upload"
        }}),
    )])
    .await;
    let err = support::client(&server)
        .upload_asset_direct(AssetSource::bytes("a.wav", vec![0u8; 101]))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
    assert!(err.to_string().contains("at most 100"), "{err}");
    assert_eq!(server.hits(), 1);
}
