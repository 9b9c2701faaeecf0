//! `FakeHeyGen::on`: one operation scripted, its neighbours unaffected.

use std::time::Duration;

use heygen_api_ext::prelude::*;
use heygen_api_ext::testing::{FakeHeyGen, Reply};
use serde_json::json;

use crate::support::jobs::create_video;

#[tokio::test(start_paused = true)]
async fn one_route_scripted_its_neighbours_unaffected() {
    let fake = FakeHeyGen::start().await.unwrap();
    let client = fake
        .client_builder()
        .without_timeouts()
        .max_retries(0)
        .build()
        .unwrap();
    let id = create_video(&client).await;

    let broken = json!({"error": {"code": "internal_error", "message": "scripted"}});
    let rule = fake.on("getVideo").unwrap().reply(500, broken).times(2);
    for _ in 0..2 {
        let err = client.get_video().video_id(&id).data().await.unwrap_err();
        assert_eq!(err.status(), Some(500));
        assert_eq!(err.code(), Some("internal_error"));
        // The neighbours, meanwhile: the same resource, other operations.
        let listed = client.list_videos().data().await.unwrap();
        assert!(
            listed.iter().any(|v| v.id == id),
            "listVideos still answers"
        );
        client.get_current_user().data().await.unwrap();
    }
    assert_eq!(rule.hits(), 2);
    let video = client.get_video().video_id(&id).data().await.unwrap();
    assert_eq!(video.id, id, "after two, normal service");
    assert_eq!(rule.hits(), 2);

    let statuses: Vec<(Option<&str>, u16)> = fake
        .exchanges()
        .iter()
        .filter(|e| e.operation_id == Some("getVideo"))
        .map(|e| (e.operation_id, e.status))
        .collect();
    assert_eq!(
        statuses,
        [
            (Some("getVideo"), 500),
            (Some("getVideo"), 500),
            (Some("getVideo"), 200)
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_status_n_times_then_normal_service() {
    let fake = FakeHeyGen::start().await.unwrap();
    let client = fake
        .client_builder()
        .without_timeouts()
        .initial_backoff(Duration::from_millis(100))
        .build()
        .unwrap();
    fake.on("list_voices").unwrap().status(503).times(2);
    let voices = client.list_voices().data().await.unwrap();
    assert_eq!(voices.len(), 20, "retried past two 503s");
    let statuses: Vec<u16> = fake.exchanges().iter().map(|e| e.status).collect();
    assert_eq!(statuses, [503, 503, 200]);
    let first = &fake.exchanges()[0];
    let body = first.response_body.as_ref().unwrap();
    assert_eq!(body["error"]["code"], "internal_error", "HeyGen's envelope");
}

#[tokio::test(start_paused = true)]
async fn a_delay_before_answering() {
    let fake = FakeHeyGen::start().await.unwrap();
    let client = fake.client_builder().without_timeouts().build().unwrap();
    fake.on("listVoices").unwrap().delay(Duration::from_secs(3));

    let started = tokio::time::Instant::now();
    client.list_templates().data().await.unwrap();
    assert!(
        started.elapsed() < Duration::from_millis(100),
        "a neighbour answers at once"
    );
    client.list_voices().data().await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );

    // A client that gives up sooner sees a timeout.
    let impatient = fake
        .client_builder()
        .timeout(Duration::from_secs(1))
        .max_retries(0)
        .build()
        .unwrap();
    let err = impatient.list_voices().data().await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
}

#[tokio::test]
async fn scripted_headers_removal_and_reset() {
    let fake = FakeHeyGen::start().await.unwrap();
    let client = fake.client_builder().max_retries(0).build().unwrap();
    let me = json!({"data": {"username": "scripted", "email": null, "first_name": null, "last_name": null}});
    let rule = fake
        .on("getCurrentUser")
        .unwrap()
        .reply(200, me)
        .header("x-scripted", "yes");
    let answer = client.get_current_user().send().await.unwrap();
    assert_eq!(answer.headers().get("x-scripted").unwrap(), "yes");
    assert_eq!(answer.into_inner().data.unwrap().username, "scripted");
    rule.remove();
    assert_eq!(
        client.get_current_user().data().await.unwrap().username,
        "fake-user"
    );

    // Rules apply in order: two 404s, then the closed connection, then
    // the fake again once they are all reset.
    fake.on("getTemplate").unwrap().status(404).times(2);
    fake.on("getTemplate").unwrap().respond(Reply::Close);
    for _ in 0..2 {
        let err = client
            .get_template()
            .template_id("tpl_0001")
            .data()
            .await
            .unwrap_err();
        assert_eq!(err.status(), Some(404));
    }
    let err = client
        .get_template()
        .template_id("tpl_0001")
        .data()
        .await
        .unwrap_err();
    assert_eq!(err.status(), None, "no answer: {err:?}");
    fake.reset_overrides();
    assert!(
        client
            .get_template()
            .template_id("tpl_0001")
            .data()
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn unknown_operation_names_are_errors_that_say_so() {
    let fake = FakeHeyGen::start().await.unwrap();
    let err = fake.on("getVideos").unwrap_err().to_string();
    assert!(err.contains("\"getVideos\" is not an operation"), "{err}");
    assert!(err.contains("did you mean getVideo"), "{err}");
    let err = fake.on("nope").unwrap_err().to_string();
    assert!(err.contains("\"nope\""), "{err}");
    assert!(!err.contains("did you mean"), "{err}");
    assert!(
        fake.on("upload_asset").is_ok(),
        "the hand-written operation too"
    );
}
