//! The `gzip` feature (on by default): HeyGen's answers may come
//! compressed, and the client asks for that and reads them; a download asks
//! for the file as it is.

use std::io::Write;

use crate::support::{Reply, client, scripted};
use heygen_api_ext::prelude::*;

fn gzipped(body: &serde_json::Value) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder
        .write_all(&serde_json::to_vec(body).expect("JSON"))
        .expect("in memory");
    encoder.finish().expect("in memory")
}

#[tokio::test]
async fn a_compressed_answer_is_asked_for_and_read() {
    let body = serde_json::json!({"data": {"id": "v1", "status": "completed", "created_at": 1}});
    let compressed = gzipped(&body);
    assert_ne!(compressed, serde_json::to_vec(&body).expect("JSON"));
    let server = scripted(vec![
        Reply::raw(200, "application/json", compressed).header("content-encoding", "gzip"),
    ])
    .await;
    let video = client(&server)
        .get_video()
        .video_id("v1")
        .data()
        .await
        .expect("the compressed answer decodes");
    assert_eq!(video.id, "v1");
    let requests = server.requests();
    let accepted = requests[0].header("accept-encoding").unwrap_or_default();
    assert!(accepted.contains("gzip"), "accept-encoding: {accepted:?}");
}

#[tokio::test]
async fn a_download_asks_for_the_file_as_it_is() {
    let files = scripted(vec![Reply::raw(200, "video/mp4", b"not really a video")]).await;
    let url = format!("{}/v1.mp4?sig=abc", files.base_url());
    let api = scripted(vec![Reply::json(
        200,
        serde_json::json!({"data": {"id": "v1", "status": "completed", "created_at": 1, "video_url": url}}),
    )])
    .await;
    let dir = std::env::temp_dir().join(format!("heygen-gzip-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let path = dir.join("v1.mp4");
    client(&api)
        .download_video("v1", heygen_api_ext::VideoFile::Video, &path)
        .await
        .expect("the download succeeds");
    assert_eq!(
        std::fs::read(&path).expect("the file"),
        b"not really a video"
    );
    let requests = files.requests();
    assert_eq!(requests[0].header("accept-encoding"), Some("identity"));
    std::fs::remove_dir_all(&dir).ok();
}
