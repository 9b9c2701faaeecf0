//! `.items()` and `.pages()` over HeyGen's cursor lists.

use crate::support::{Reply, client, scripted, sessions_page};
use futures::{StreamExt, TryStreamExt};
use heygen_api_ext::Error;
use heygen_api_ext::prelude::*;
use serde_json::json;

#[tokio::test]
async fn items_walk_three_pages_passing_the_cursor() {
    let server = scripted(vec![
        sessions_page(&["s1", "s2"], Some("t2"), true),
        sessions_page(&["s3", "s4"], Some("t3"), true),
        sessions_page(&["s5"], None, false),
    ])
    .await;
    let c = client(&server);
    let ids: Vec<String> = c
        .list_video_agent_sessions()
        .limit(2)
        .items()
        .map_ok(|s| s.session_id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["s1", "s2", "s3", "s4", "s5"]);
    let targets: Vec<String> = server.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(
        targets,
        [
            "/v3/video-agents?limit=2",
            "/v3/video-agents?limit=2&token=t2",
            "/v3/video-agents?limit=2&token=t3",
        ]
    );
}

#[tokio::test]
async fn pages_stop_on_has_more_false_even_with_a_token() {
    let server = scripted(vec![
        sessions_page(&["a"], Some("t2"), false),
        sessions_page(&["never"], None, false),
    ])
    .await;
    let c = client(&server);
    let pages: Vec<_> = c
        .list_video_agent_sessions()
        .pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].next_token.as_deref(), Some("t2"));
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn no_token_and_no_has_more_ends_the_walk() {
    let server = scripted(vec![Reply::json(
        200,
        json!({"data": [{"session_id": "a", "created_at": 1, "title": null}], "next_token": ""}),
    )])
    .await;
    let c = client(&server);
    let items: Vec<_> = c
        .list_video_agent_sessions()
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn empty_page_with_has_more_continues() {
    let server = scripted(vec![
        sessions_page(&[], Some("t2"), true),
        sessions_page(&["late"], None, false),
    ])
    .await;
    let c = client(&server);
    let items: Vec<_> = c
        .list_video_agent_sessions()
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].session_id, "late");
}

#[tokio::test]
async fn repeated_token_ends_with_an_error_not_a_loop() {
    let server = scripted(vec![
        sessions_page(&["a"], Some("same"), true),
        sessions_page(&["b"], Some("same"), true),
        sessions_page(&["c"], Some("same"), true),
    ])
    .await;
    let c = client(&server);
    let results: Vec<Result<_, Error>> = c.list_video_agent_sessions().items().collect().await;
    assert_eq!(results.len(), 3, "{results:?}");
    assert_eq!(results[0].as_ref().unwrap().session_id, "a");
    assert_eq!(results[1].as_ref().unwrap().session_id, "b");
    match &results[2] {
        Err(Error::Pagination { operation, message }) => {
            assert_eq!(*operation, "listVideoAgentSessions");
            assert!(message.contains("\"same\""), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.hits(), 2);
}

#[tokio::test]
async fn an_error_mid_walk_is_yielded_then_the_stream_ends() {
    let server = scripted(vec![
        sessions_page(&["a"], Some("t2"), true),
        Reply::error(403, "forbidden", "no"),
    ])
    .await;
    let c = client(&server);
    let results: Vec<Result<_, Error>> = c.list_video_agent_sessions().items().collect().await;
    assert_eq!(results.len(), 2);
    assert!(matches!(results[1], Err(Error::PermissionDenied(_))));
}

#[tokio::test]
async fn a_bad_limit_fails_the_stream_before_sending() {
    let server = scripted(vec![]).await;
    let c = client(&server);
    let results: Vec<_> = c
        .list_video_agent_sessions()
        .limit(500)
        .items()
        .collect()
        .await;
    assert_eq!(results.len(), 1);
    assert!(matches!(results[0], Err(Error::InvalidRequest { .. })));
    assert_eq!(server.hits(), 0);
}

#[tokio::test]
async fn batch_pages_follow_the_cursor_inside_data() {
    let batch = |items: &[u32], next: Option<&str>, more: bool| {
        let items: Vec<_> = items
            .iter()
            .map(|i| json!({"item_index": i, "status": "completed", "video_id": format!("v{i}")}))
            .collect();
        Reply::json(
            200,
            json!({"data": {"batch_id": "b1", "status": "completed", "total_items": 3,
                "counts_by_status": {"completed": 3}, "created_at": 1, "items": items,
                "has_more": more, "next_token": next}}),
        )
    };
    let server = scripted(vec![
        batch(&[0, 1], Some("n2"), true),
        batch(&[2], None, false),
    ])
    .await;
    let c = client(&server);
    let items: Vec<_> = c
        .get_video_batch()
        .batch_id("b1")
        .items()
        .try_collect()
        .await
        .unwrap();
    let idx: Vec<i64> = items.iter().map(|i| i.item_index).collect();
    assert_eq!(idx, [0, 1, 2]);
    assert_eq!(
        server.requests()[1].target,
        "/v3/videos/batches/b1?token=n2"
    );
}

#[tokio::test]
async fn prefetch_can_be_turned_off() {
    let server = scripted(vec![
        sessions_page(&["a", "b"], Some("t2"), true),
        sessions_page(&["c"], None, false),
    ])
    .await;
    let c = client(&server);
    let mut items = c.list_video_agent_sessions().items().prefetch(false);
    assert_eq!(items.next().await.unwrap().unwrap().session_id, "a");
    // The first page is still being consumed: nothing else was asked for.
    assert_eq!(server.hits(), 1);
    let rest: Vec<_> = items.try_collect().await.unwrap();
    assert_eq!(rest.len(), 2);
    assert_eq!(server.hits(), 2);
}
