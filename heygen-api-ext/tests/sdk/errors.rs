//! Error classification: every status HeyGen documents, and bodies HeyGen
//! did not write.

use crate::support;

use crate::support::{Reply, client, scripted};
use heygen_api_ext::{Client, Error};
use serde_json::json;

async fn error_for(reply: Reply) -> Error {
    let server = scripted(vec![reply]).await;
    let c = Client::builder()
        .api_key("sk-test")
        .base_url(server.base_url())
        .max_retries(0)
        .build()
        .unwrap();
    c.get_video()
        .video_id("v_1")
        .send()
        .await
        .unwrap_err()
        .into()
}

#[tokio::test]
async fn each_documented_status_has_its_variant() {
    type IsVariant = fn(&Error) -> bool;
    let cases: &[(u16, &str, IsVariant)] = &[
        (400, "invalid_parameter", |e| {
            matches!(e, Error::BadRequest(_))
        }),
        (401, "unauthorized", |e| {
            matches!(e, Error::Authentication(_))
        }),
        (402, "insufficient_credit", |e| {
            matches!(e, Error::InsufficientCredit(_))
        }),
        (403, "forbidden", |e| {
            matches!(e, Error::PermissionDenied(_))
        }),
        (404, "video_not_found", |e| matches!(e, Error::NotFound(_))),
        (409, "request_in_progress", |e| {
            matches!(e, Error::Conflict(_))
        }),
        (413, "payload_too_large", |e| {
            matches!(e, Error::PayloadTooLarge(_))
        }),
        (429, "rate_limit_exceeded", |e| {
            matches!(e, Error::RateLimited(_))
        }),
        (500, "internal_error", |e| matches!(e, Error::Server(_))),
        (503, "internal_error", |e| matches!(e, Error::Server(_))),
        (418, "teapot", |e| matches!(e, Error::Api(_))),
    ];
    for (status, code, is_variant) in cases {
        let reply = Reply::json(
            *status,
            json!({"error": {"code": code, "message": format!("m{status}"), "param": "video_id", "doc_url": "https://developers.heygen.com/docs/error-codes"}}),
        )
        .header("x-request-id", &format!("req_{status}"));
        let err = error_for(reply).await;
        assert!(is_variant(&err), "{status}: {err:?}");
        assert_eq!(err.status(), Some(*status));
        assert_eq!(err.code(), Some(*code));
        assert_eq!(err.message(), format!("m{status}"));
        assert_eq!(err.param(), Some("video_id"));
        assert_eq!(err.request_id(), Some(format!("req_{status}").as_str()));
        assert!(!err.api_error().unwrap().synthesized);
    }
}

#[tokio::test]
async fn unauthorized_says_what_to_do() {
    let err = error_for(Reply::error(
        401,
        "unauthorized",
        "Invalid or expired API key.",
    ))
    .await;
    let text = err.to_string();
    assert!(text.contains("HEYGEN_API_KEY"), "{text}");
    assert!(text.contains("Invalid or expired API key."), "{text}");
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn html_502_is_a_server_error_with_an_excerpt() {
    let html = b"<html><body><h1>502 Bad Gateway</h1></body></html>";
    let err = error_for(Reply::raw(502, "text/html", html).header("x-request-id", "req_gw")).await;
    assert!(matches!(err, Error::Server(_)), "{err:?}");
    assert_eq!(err.status(), Some(502));
    assert_eq!(err.code(), Some("unclassified_server_error"));
    assert!(
        err.message().contains("502 Bad Gateway</h1>"),
        "{}",
        err.message()
    );
    assert_eq!(err.request_id(), Some("req_gw"));
    assert!(err.api_error().unwrap().synthesized);
}

#[tokio::test]
async fn empty_500_is_a_server_error() {
    let err = error_for(Reply::raw(500, "application/json", b"")).await;
    assert!(matches!(err, Error::Server(_)), "{err:?}");
    assert!(err.message().contains("empty body"), "{}", err.message());
}

#[tokio::test]
async fn non_envelope_json_error_is_classified_by_status() {
    let err = error_for(Reply::json(403, json!({"message": "Forbidden"}))).await;
    assert!(matches!(err, Error::PermissionDenied(_)), "{err:?}");
    assert_eq!(err.code(), Some("forbidden"));
    assert!(err.message().contains("Forbidden"));
}

#[tokio::test]
async fn truncated_json_success_is_a_decode_error() {
    let err = error_for(Reply::raw(
        200,
        "application/json",
        br#"{"data": {"id": "v_1", "sta"#,
    ))
    .await;
    match &err {
        Error::Decode { excerpt, .. } => assert!(excerpt.starts_with(r#"{"data""#), "{excerpt}"),
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("could not decode"));
}

#[tokio::test]
async fn html_200_is_a_decode_error_not_a_silent_success() {
    let err = error_for(Reply::raw(200, "text/html", b"<html>maintenance</html>")).await;
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
}

#[tokio::test]
async fn wrong_shape_200_is_a_decode_error() {
    // `status` must be one of the spec's values... and `id` must be a string.
    let err = error_for(Reply::json(
        200,
        json!({"data": {"id": 5, "status": "pending"}}),
    ))
    .await;
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
}

#[tokio::test]
async fn limit_outside_the_spec_bounds_is_refused_before_sending() {
    let server = scripted(vec![]).await;
    let c = client(&server);
    let err: Error = c
        .list_video_agent_sessions()
        .limit(101)
        .send()
        .await
        .unwrap_err()
        .into();
    match &err {
        Error::InvalidRequest { message } => {
            assert!(message.contains("`limit`"), "{message}");
            assert!(message.contains("between 1 and 100"), "{message}");
            assert!(message.contains("101"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    // Avatars cap at 50.
    let err: Error = c
        .list_avatar_groups()
        .limit(51)
        .send()
        .await
        .unwrap_err()
        .into();
    assert!(err.to_string().contains("between 1 and 50"), "{err}");
    assert_eq!(server.hits(), 0, "nothing was sent");
    // progenitor itself refuses 0 (NonZeroU64) before the hook runs.
    let err: Error = c
        .list_video_agent_sessions()
        .limit(0)
        .send()
        .await
        .unwrap_err()
        .into();
    assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
    assert_eq!(server.hits(), 0);
}

#[tokio::test]
async fn auth_and_user_agent_headers_are_sent() {
    let server = scripted(vec![support::sessions_page(&[], None, false)]).await;
    client(&server)
        .list_video_agent_sessions()
        .send()
        .await
        .unwrap();
    let r = &server.requests()[0];
    assert_eq!(r.header("x-api-key"), Some("sk-test-secret-key"));
    assert!(r.header("authorization").is_none());
    assert!(r.header("user-agent").unwrap().starts_with("heygen-rs/"));
    assert_eq!(r.target, "/v3/video-agents");

    let server = scripted(vec![support::sessions_page(&[], None, false)]).await;
    let c = Client::builder()
        .bearer_token("oauth-token")
        .base_url(format!("{}/", server.base_url()))
        .build()
        .unwrap();
    c.list_video_agent_sessions().send().await.unwrap();
    let r = &server.requests()[0];
    assert_eq!(r.header("authorization"), Some("Bearer oauth-token"));
    assert!(r.header("x-api-key").is_none());
    assert_eq!(r.target, "/v3/video-agents", "trailing slash trimmed");
}

#[tokio::test]
async fn a_redirect_to_another_host_is_not_followed_with_the_key() {
    let elsewhere = scripted(vec![Reply::json(
        200,
        json!({"data": {"id": "v_1", "status": "completed"}}),
    )])
    .await;
    let location = format!(
        "{}/v3/videos/v_1",
        elsewhere.base_url().replace("127.0.0.1", "localhost")
    );
    let server = scripted(vec![
        Reply::raw(302, "text/plain", b"").header("location", &location),
    ])
    .await;
    let err: Error = client(&server)
        .get_video()
        .video_id("v_1")
        .send()
        .await
        .unwrap_err()
        .into();
    assert_eq!(err.status(), Some(302), "{err:?}");
    assert_eq!(elsewhere.hits(), 0, "the key never left for another host");

    // Within the same host, redirects are followed (with the key).
    let server2 = scripted(vec![
        Reply::raw(307, "text/plain", b"").header("location", "/v3/videos/v_2"),
        Reply::json(200, json!({"data": {"id": "v_2", "status": "completed"}})),
    ])
    .await;
    let video = client(&server2)
        .get_video()
        .video_id("v_1")
        .send()
        .await
        .unwrap();
    assert_eq!(video.data.as_ref().unwrap().id, "v_2");
    let reqs = server2.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[1].target, "/v3/videos/v_2");
    assert_eq!(reqs[1].header("x-api-key"), Some("sk-test-secret-key"));
}
