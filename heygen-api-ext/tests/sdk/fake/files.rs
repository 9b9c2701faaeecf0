//! The file host: a finished video's URLs on another origin, signed and
//! expiring, fresh on every `getVideo`, cut off on request, and a record
//! of every request it got (so a test can show no key reached it).

use std::time::Duration;

use heygen_api_ext::prelude::*;
use heygen_api_ext::testing::FakeHeyGen;
use heygen_api_ext::types::Video;

use crate::support::jobs::create_video;

/// Every URL a `Video` carries, by field name.
fn urls(video: &Video) -> Vec<(&'static str, Option<&String>)> {
    vec![
        ("video_url", video.video_url.as_ref()),
        ("captioned_video_url", video.captioned_video_url.as_ref()),
        ("gif_url", video.gif_url.as_ref()),
        ("thumbnail_url", video.thumbnail_url.as_ref()),
        ("subtitle_url", video.subtitle_url.as_ref()),
        ("video_page_url", video.video_page_url.as_ref()),
    ]
}

async fn finished_video(fake: &FakeHeyGen, client: &Client) -> Video {
    let id = create_video(client).await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    let video = client.get_video().video_id(&id).data().await.unwrap();
    assert_eq!(video.status.to_string(), "completed");
    assert!(fake.file_requests().is_empty());
    video
}

#[tokio::test(start_paused = true)]
async fn a_finished_video_carries_signed_urls_to_another_origin() {
    let fake = FakeHeyGen::start().await.unwrap();
    let client = fake.client_builder().without_timeouts().build().unwrap();
    let video = finished_video(&fake, &client).await;
    assert_ne!(fake.files_url(), fake.base_url());
    for (field, url) in urls(&video) {
        let url = url.unwrap_or_else(|| panic!("a finished video has {field}"));
        assert!(url.starts_with(fake.files_url()), "{field}: {url}");
        assert!(
            url.contains("?expires=") && url.contains("&sig="),
            "{field}: {url}"
        );
    }
    let again = client.get_video().video_id(&video.id).data().await.unwrap();
    assert_ne!(again.video_url, video.video_url, "a fresh URL each time");

    // Fetched without the SDK's client: no key goes along, as it should.
    let cdn = crate::support::http();
    for (field, url) in urls(&video) {
        let url = url.unwrap();
        let answer = cdn.get(url).send().await.unwrap();
        assert_eq!(answer.status(), 200, "{field}");
        let bytes = answer.bytes().await.unwrap();
        assert_eq!(Some(bytes), fake.file_body(url), "{field}");
    }
    let video_bytes = fake.file_body(video.video_url.as_ref().unwrap()).unwrap();
    assert!(
        video_bytes.len() > 64 * 1024,
        "big enough to stream in pieces"
    );
    let requests = fake.file_requests();
    assert_eq!(requests.len(), 6);
    for r in &requests {
        assert_eq!(r.header("x-api-key"), None);
        assert_eq!(r.header("authorization"), None);
    }
}

#[tokio::test]
async fn the_file_host_sees_a_key_sent_to_it() {
    let fake = FakeHeyGen::builder()
        .job_duration(Duration::from_millis(30))
        .start()
        .await
        .unwrap();
    let client = fake.client().unwrap();
    let id = create_video(&client).await;
    tokio::time::sleep(Duration::from_millis(60)).await;
    let video = client.get_video().video_id(&id).data().await.unwrap();
    let leaky = crate::support::http();
    leaky
        .get(video.video_url.unwrap())
        .header("x-api-key", fake.api_key())
        .send()
        .await
        .unwrap();
    let requests = fake.file_requests();
    assert_eq!(
        requests[0].header("x-api-key"),
        Some(fake.api_key()),
        "recorded as sent"
    );
}

#[tokio::test(start_paused = true)]
async fn urls_expire_and_get_video_hands_out_fresh_ones() {
    let fake = FakeHeyGen::builder()
        .url_lifetime(Duration::from_secs(10))
        .start()
        .await
        .unwrap();
    let client = fake.client_builder().without_timeouts().build().unwrap();
    let video = finished_video(&fake, &client).await;
    let old = video.video_url.unwrap();
    let cdn = crate::support::http();
    assert_eq!(cdn.get(&old).send().await.unwrap().status(), 200);

    tokio::time::sleep(Duration::from_secs(11)).await;
    let expired = cdn.get(&old).send().await.unwrap();
    assert_eq!(expired.status(), 403);
    assert!(expired.text().await.unwrap().contains("expired"));

    let fresh = client.get_video().video_id(&video.id).data().await.unwrap();
    let fresh = fresh.video_url.unwrap();
    assert_ne!(fresh, old);
    assert_eq!(cdn.get(&fresh).send().await.unwrap().status(), 200);

    let forged = fresh.replace("sig=", "sig=0");
    assert_eq!(cdn.get(&forged).send().await.unwrap().status(), 403);
    let unsigned = fresh.split('?').next().unwrap();
    assert_eq!(cdn.get(unsigned).send().await.unwrap().status(), 403);
}

#[tokio::test(start_paused = true)]
async fn a_download_can_be_cut_off_halfway_and_resumed_by_range() {
    let fake = FakeHeyGen::start().await.unwrap();
    let client = fake.client_builder().without_timeouts().build().unwrap();
    let video = finished_video(&fake, &client).await;
    let url = video.video_url.unwrap();
    let whole = fake.file_body(&url).unwrap();
    let cdn = crate::support::http();

    fake.interrupt_downloads(1);
    let cut = cdn.get(&url).send().await.unwrap();
    assert_eq!(cut.status(), 200);
    assert_eq!(
        cut.content_length(),
        Some(whole.len() as u64),
        "announced whole"
    );
    assert!(cut.bytes().await.is_err(), "the body stops short");

    let rest = cdn
        .get(&url)
        .header("range", format!("bytes={}-", whole.len() / 2))
        .send()
        .await
        .unwrap();
    assert_eq!(rest.status(), 206);
    assert_eq!(rest.bytes().await.unwrap(), whole.slice(whole.len() / 2..));
    let again = cdn.get(&url).send().await.unwrap().bytes().await.unwrap();
    assert_eq!(again, whole, "once only");
}
