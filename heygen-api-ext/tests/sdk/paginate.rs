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

/// Polls `hits` while the test's thread is blocked (as a consumer that
/// computes would be), until it reaches `want` or `limit` passes.
fn block_until(hits: impl Fn() -> usize, want: usize, limit: std::time::Duration) -> usize {
    let start = std::time::Instant::now();
    while hits() < want && start.elapsed() < limit {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    hits()
}

/// The walk runs on a task of its own: while the consumer blocks its
/// thread on the first page, the next pages are requested, as many as
/// `pages_ahead` allows and no more.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_walk_goes_ahead_while_the_consumer_blocks_and_stops_at_its_bound() {
    use std::time::Duration;
    let pages = || {
        vec![
            sessions_page(&["a", "b"], Some("t2"), true),
            sessions_page(&["c"], Some("t3"), true),
            sessions_page(&["d"], Some("t4"), true),
            sessions_page(&["e"], Some("t5"), true),
            sessions_page(&["f"], None, false),
        ]
    };
    for (ahead, want) in [(1, 2), (3, 4)] {
        let server = scripted(pages()).await;
        let c = client(&server);
        let mut items = c.list_video_agent_sessions().items().pages_ahead(ahead);
        assert_eq!(items.next().await.unwrap().unwrap().session_id, "a");
        // Blocked, not polling: the pages ahead are fetched anyway.
        let hits = block_until(|| server.hits(), want, Duration::from_secs(5));
        assert_eq!(hits, want, "{ahead} ahead");
        // And no further: one page with the consumer, `ahead` waiting.
        std::thread::sleep(Duration::from_millis(150));
        assert_eq!(
            server.hits(),
            want,
            "{ahead} ahead: the walk must wait for room"
        );
        let rest: Vec<String> = items.map_ok(|s| s.session_id).try_collect().await.unwrap();
        assert_eq!(rest, ["b", "c", "d", "e", "f"], "{ahead} ahead");
        assert_eq!(server.hits(), 5);
    }
}

/// The stream owns its walk: it outlives the client it was built from and
/// can be moved to another task.
#[tokio::test]
async fn a_walk_is_static_and_outlives_its_client() {
    let server = scripted(vec![
        sessions_page(&["a"], Some("t2"), true),
        sessions_page(&["b"], None, false),
    ])
    .await;
    let c = client(&server);
    let items = c.list_video_agent_sessions().limit(1).items();
    drop(c);
    let ids: Vec<String> = tokio::spawn(items.map_ok(|s| s.session_id).try_collect())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ids, ["a", "b"]);
}

/// Answers with a page of one session (`a`) whose cursor is `t2`, keeping
/// the connection: the servers below then hold page 2 back.
async fn first_of_two_pages(mut sock: tokio::net::TcpStream) -> Option<tokio::net::TcpStream> {
    use tokio::io::AsyncWriteExt;
    let body = json!({"data": [{"session_id": "a", "created_at": 1}], "has_more": true, "next_token": "t2"})
        .to_string();
    let head = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    sock.write_all(head.as_bytes()).await.ok()?;
    sock.write_all(body.as_bytes()).await.ok()?;
    Some(sock)
}

/// Dropping the stream stops the walk at once: the request in flight is
/// abandoned (the server sees its connection closed) and nothing more is
/// asked for.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_stream_cancels_the_request_in_flight() {
    use std::sync::Arc;
    use std::time::Duration;
    use tokio::io::AsyncReadExt;
    use tokio::sync::Notify;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let (second_asked, closed) = (Arc::new(Notify::new()), Arc::new(Notify::new()));
    let (asked, gone) = (second_asked.clone(), closed.clone());
    tokio::spawn(heygen_api_ext::testing::serve(
        listener,
        move |mut sock, req| {
            let (asked, gone) = (asked.clone(), gone.clone());
            async move {
                if !req.target.contains("token=t2") {
                    return first_of_two_pages(sock).await;
                }
                // Page 2 never comes: the server waits for the client to hang up.
                asked.notify_one();
                let mut buf = [0u8; 64];
                while sock.read(&mut buf).await.is_ok_and(|n| n > 0) {}
                gone.notify_one();
                None
            }
        },
    ));
    let c = heygen_api_ext::Client::builder()
        .api_key("sk-test-secret-key")
        .base_url(&base_url)
        .max_retries(0)
        .build()
        .unwrap();
    let mut items = c.list_video_agent_sessions().items();
    assert_eq!(items.next().await.unwrap().unwrap().session_id, "a");
    crate::support::within(Duration::from_secs(5), second_asked.notified()).await;
    drop(items);
    crate::support::within(Duration::from_secs(5), closed.notified()).await;
}

/// A walk whose task dies with its runtime (shut down while page 2 is in
/// flight) ends with an error: a list cut short never reads as complete.
#[test]
fn a_walk_cut_off_by_its_runtime_ends_with_an_error_not_silently() {
    let serving = tokio::runtime::Runtime::new().unwrap();
    let listener = serving
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    serving.spawn(heygen_api_ext::testing::serve(
        listener,
        |sock, req| async move {
            if req.target.contains("token=t2") {
                // Page 2 never comes.
                return std::future::pending().await;
            }
            first_of_two_pages(sock).await
        },
    ));
    let c = heygen_api_ext::Client::builder()
        .api_key("sk-test-secret-key")
        .base_url(&base_url)
        .build()
        .unwrap();
    let walking = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut items = walking.block_on(async {
        let mut items = c.list_video_agent_sessions().items();
        assert_eq!(items.next().await.unwrap().unwrap().session_id, "a");
        items
    });
    // The walk's task, waiting for page 2, dies with its runtime.
    drop(walking);
    let next = serving.block_on(items.next());
    match next {
        Some(Err(Error::Pagination { message, .. })) => {
            assert!(message.contains("cancelled"), "{message}")
        }
        other => panic!("expected a pagination error, got {other:?}"),
    }
    assert!(serving.block_on(items.next()).is_none());
}
