//! Property tests on response decoding and error classification: a loopback
//! server answers with an arbitrary status, arbitrary headers and arbitrary
//! body bytes, and the client must never panic or hang, and must classify
//! the response the same way every time: a 200 decodes exactly as
//! `serde_json` decodes the body into the same type (or is `Error::Decode`),
//! and any other final status is an error whose `status()` is that status,
//! with HeyGen's code when the body is HeyGen's error envelope.
//!
//! Cases are bounded (see `CASES`) so the file runs in seconds in CI.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use heygen_api_ext::prelude::*;
use heygen_api_ext::testing::Reply;
use heygen_api_ext::types::{ErrorEnvelope, VideoResponse};
use heygen_api_ext::{Client, Error};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::json;
use tokio::net::TcpListener;
use tokio::runtime::Runtime;

const CASES: u32 = 1000;

/// A server that answers each request with the replies in `script`, in
/// order (the last one repeats), as raw bytes, then closes the connection
/// (one request per connection, so the order is the script's). Built on
/// the crate's loopback plumbing (`heygen_api_ext::testing::serve`).
struct Server {
    base_url: String,
    script: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl Server {
    fn start(rt: &Runtime) -> Server {
        let script: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
        let replies = script.clone();
        let base_url = rt.block_on(async move {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let base_url = format!("http://{}", listener.local_addr().unwrap());
            tokio::spawn(heygen_api_ext::testing::serve(listener, move |sock, _| {
                let reply = {
                    let mut script = replies.lock().unwrap();
                    if script.len() > 1 {
                        script.remove(0)
                    } else {
                        script.first().cloned().unwrap_or_default()
                    }
                };
                Reply::Raw(reply.into()).write_to(sock)
            }));
            base_url
        });
        Server { base_url, script }
    }

    fn answer(&self, replies: Vec<Vec<u8>>) {
        *self.script.lock().unwrap() = replies;
    }

    fn client(&self) -> Client {
        Client::builder()
            .api_key("sk-prop-test")
            .base_url(&self.base_url)
            .max_retries(0)
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap()
    }
}

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    })
}

/// The raw bytes of a response. `content-length` and `connection` are the
/// server's, not the generator's: framing faults have their own tests in
/// faults.rs.
fn raw(status: u16, headers: &[(String, Vec<u8>)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} X\r\n").into_bytes();
    for (name, value) in headers {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(
        format!(
            "content-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(body);
    out
}

fn status() -> impl Strategy<Value = u16> {
    prop_oneof![
        4 => Just(200u16),
        1 => 201u16..=299,
        1 => 300u16..=399,
        4 => 400u16..=499,
        3 => 500u16..=599,
        1 => 100u16..=199,
    ]
}

/// Header bytes a server may send: visible ASCII and obs-text, no CR/LF.
fn header_value() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![0x21u8..=0x7e, 0x80u8..=0xff, Just(b' ')];
    prop_oneof![
        prop::collection::vec(byte, 1..40),
        (0u64..100_000).prop_map(|n| n.to_string().into_bytes()),
        any::<f64>().prop_map(|f| f.to_string().into_bytes()),
        prop::sample::select(vec![
            "1e20",
            "18446744073709551616",
            "-1",
            "NaN",
            "Wed, 21 Oct 2015 07:28:00 GMT",
            "application/json",
            "text/html; charset=utf-8",
            "1",
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
    ]
}

fn headers() -> impl Strategy<Value = Vec<(String, Vec<u8>)>> {
    let name = prop::sample::select(vec![
        "retry-after",
        "content-type",
        "cache-control",
        "x-custom",
        // The transport's own marker, sent by a server: must not be
        // believed.
        "x-heygen-rs-synthesized-error",
    ]);
    let request_id = "[a-z0-9_]{1,24}".prop_map(|id| ("x-request-id".to_string(), id.into_bytes()));
    (
        prop::collection::vec((name.prop_map(str::to_string), header_value()), 0..5),
        prop::option::of(request_id),
    )
        .prop_map(|(mut headers, id)| {
            headers.extend(id);
            headers
        })
}

fn video() -> impl Strategy<Value = serde_json::Value> {
    (
        "[a-zA-Z0-9_]{0,12}",
        prop::sample::select(vec!["completed", "pending", "processing", "failed", "exploded"]),
        prop::option::of(-1e6f64..1e6),
        prop::option::of("[ -~]{0,20}"),
    )
        .prop_map(|(id, status, duration, title)| {
            json!({"data": {"id": id, "status": status, "duration": duration, "title": title}})
        })
}

fn envelope() -> impl Strategy<Value = serde_json::Value> {
    ("[a-z_]{1,20}", "[ -~]{0,40}", prop::option::of("[a-z_]{1,10}")).prop_map(
        |(code, message, param)| json!({"error": {"code": code, "message": message, "param": param}}),
    )
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..300),
        video().prop_map(|v| serde_json::to_vec(&v).unwrap()),
        envelope().prop_map(|v| serde_json::to_vec(&v).unwrap()),
        // Valid JSON cut short.
        (video(), 0usize..200).prop_map(|(v, cut)| {
            let bytes = serde_json::to_vec(&v).unwrap();
            bytes[..cut.min(bytes.len())].to_vec()
        }),
        // Envelope-shaped, wrong types.
        Just(br#"{"error":{"code":"invalid_parameter","message":"bad","param":7}}"#.to_vec()),
        Just(br#"{"error":null}"#.to_vec()),
        Just(b"<html><body>502 Bad Gateway</body></html>".to_vec()),
    ]
}

/// The code HeyGen's CLI derives from a status when the body says nothing:
/// written out again here (not imported from the crate) so that the test
/// pins the mapping rather than restating whatever the crate does.
fn code_for_status(status: u16) -> &'static str {
    match status {
        400 => "validation_error",
        401 => "unauthorized",
        402 => "insufficient_credit",
        403 => "forbidden",
        404 => "not_found",
        409 => "conflict",
        413 => "payload_too_large",
        429 => "rate_limit_exceeded",
        500..=599 => "unclassified_server_error",
        _ => "unclassified_client_error",
    }
}

/// The variant each error status maps to.
fn variant_matches(err: &Error, status: u16) -> bool {
    match status {
        400 => matches!(err, Error::BadRequest(_)),
        401 => matches!(err, Error::Authentication(_)),
        402 => matches!(err, Error::InsufficientCredit(_)),
        403 => matches!(err, Error::PermissionDenied(_)),
        404 => matches!(err, Error::NotFound(_)),
        409 => matches!(err, Error::Conflict(_)),
        413 => matches!(err, Error::PayloadTooLarge(_)),
        429 => matches!(err, Error::RateLimited(_)),
        500..=599 => matches!(err, Error::Server(_)),
        _ => matches!(err, Error::Api(_)),
    }
}

fn first_header<'h>(headers: &'h [(String, Vec<u8>)], name: &str) -> Option<&'h [u8]> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_slice())
}

#[test]
fn any_response_to_get_video_is_classified_consistently() {
    let rt = runtime();
    let server = Server::start(&rt);
    let client = server.client();
    runner()
        .run(&(status(), headers(), body()), |(status, headers, body)| {
            server.answer(vec![raw(status, &headers, &body)]);
            let result = rt
                .block_on(async {
                    tokio::time::timeout(Duration::from_secs(10), async {
                        client.get_video().video_id("v1").data().await
                    })
                    .await
                })
                .expect("the call ends");

            match status {
                // Any 2xx is the declared success (HeyGen's 200 here). A 204
                // has no body, whatever the server wrote after it.
                200..=299 => {
                    match serde_json::from_slice::<VideoResponse>(if status == 204 {
                        b""
                    } else {
                        &body
                    })
                    .map(|r| r.data)
                    {
                        Ok(Some(expected)) => {
                            let got = result.map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
                            prop_assert_eq!(
                                serde_json::to_value(&got).unwrap(),
                                serde_json::to_value(&expected).unwrap()
                            );
                        }
                        Ok(None) | Err(_) => {
                            let Err(err) = result else {
                                return Err(TestCaseError::fail(format!("{result:?}")));
                            };
                            prop_assert!(matches!(err, Error::Decode { .. }), "{:?}", err);
                            // Item 10: the decode error keeps the status and request id.
                            prop_assert_eq!(err.status(), Some(status), "{:?}", err);
                            if let Some(id) = first_header(&headers, "x-request-id") {
                                prop_assert_eq!(err.request_id(), std::str::from_utf8(id).ok());
                            }
                        }
                    }
                }
                // Interim responses are not final; what follows them here
                // is not HTTP: any error, as long as it is one.
                100..=199 => prop_assert!(result.is_err()),
                _ => {
                    let err = match result {
                        Ok(v) => {
                            return Err(TestCaseError::fail(format!(
                                "status {status} gave Ok({v:?})"
                            )));
                        }
                        Err(e) => e,
                    };
                    prop_assert_eq!(err.status(), Some(status), "{:?}", err);
                    if status >= 400 {
                        prop_assert!(
                            variant_matches(&err, status),
                            "status {}: {:?}",
                            status,
                            err
                        );
                        let api = err.api_error().unwrap();
                        let envelope = serde_json::from_slice::<ErrorEnvelope>(&body)
                            .ok()
                            .and_then(|e| e.error);
                        match envelope {
                            Some(e) => {
                                prop_assert_eq!(&api.code, &e.code);
                                prop_assert_eq!(&api.message, &e.message);
                                prop_assert!(!api.synthesized, "{:?}", api);
                            }
                            None => {
                                prop_assert_eq!(api.code.as_str(), code_for_status(status));
                                prop_assert!(api.synthesized, "{:?}", api);
                                let prefix = format!("HTTP {status}");
                                prop_assert!(api.message.starts_with(&prefix), "{}", api.message);
                            }
                        }
                        if let Some(id) = first_header(&headers, "x-request-id") {
                            prop_assert_eq!(
                                api.request_id.as_deref(),
                                std::str::from_utf8(id).ok()
                            );
                        }
                        if let Some(after) = first_header(&headers, "retry-after")
                            && let Some(secs) = std::str::from_utf8(after)
                                .ok()
                                .and_then(|s| s.trim().parse::<u64>().ok())
                        {
                            prop_assert_eq!(api.retry_after, Some(Duration::from_secs(secs)));
                        }
                    }
                }
            }
            Ok(())
        })
        .unwrap();
}

/// One page of `listVideos` as a server might send it, valid or not.
#[derive(Debug, Clone)]
enum PageReply {
    /// A valid page of `n` videos; `more` says whether it points onwards.
    Page { n: usize, more: bool },
    /// Something else: an error status or a body that is not a page.
    Broken { status: u16, body: Vec<u8> },
}

fn page_reply() -> impl Strategy<Value = PageReply> {
    prop_oneof![
        4 => (0usize..4, any::<bool>()).prop_map(|(n, more)| PageReply::Page { n, more }),
        1 => (prop_oneof![Just(200u16), 400u16..=599], prop::collection::vec(any::<u8>(), 0..40))
            .prop_map(|(status, body)| PageReply::Broken { status, body }),
    ]
}

/// `.items()` over arbitrary page sequences: every item of every valid page
/// up to the first broken one, in order, then that page's error and the
/// end; never a panic, a hang or an item twice.
#[test]
fn items_over_arbitrary_pages_yield_the_valid_prefix_then_stop() {
    let rt = runtime();
    let server = Server::start(&rt);
    let client = server.client();
    let config = Config {
        cases: CASES / 4,
        failure_persistence: None,
        ..Config::default()
    };
    TestRunner::new(config)
        .run(&(prop::collection::vec(page_reply(), 1..6), any::<bool>()), |(pages, prefetch)| {
            let mut replies = Vec::new();
            let mut expected = Vec::new();
            let mut expect_error = false;
            let mut next_id = 0usize;
            let mut terminated = false;
            for (i, reply) in pages.iter().enumerate() {
                let last = i + 1 == pages.len();
                match reply {
                    PageReply::Page { n, more } => {
                        let more = *more && !last;
                        let data: Vec<_> = (0..*n)
                            .map(|k| json!({"id": format!("v{}", next_id + k), "status": "completed"}))
                            .collect();
                        expected.extend((0..*n).map(|k| format!("v{}", next_id + k)));
                        next_id += n;
                        let token = more.then(|| format!("t{i}"));
                        let body = json!({"data": data, "has_more": more, "next_token": token});
                        replies.push(raw(200, &[], body.to_string().as_bytes()));
                        if !more {
                            terminated = true;
                            break;
                        }
                    }
                    PageReply::Broken { status, body } => {
                        // A 200 body that happens to be a page is not broken.
                        if *status == 200
                            && serde_json::from_slice::<heygen_api_ext::types::VideoPage>(body).is_ok()
                        {
                            continue;
                        }
                        replies.push(raw(*status, &[], body));
                        expect_error = true;
                        terminated = true;
                        break;
                    }
                }
            }
            if !terminated {
                // Every reply so far pointed onwards: end the list.
                replies.push(raw(200, &[], br#"{"data":[],"has_more":false,"next_token":null}"#));
            }
            let served = replies.len();
            // Past the script the server would repeat its last reply; a
            // walk that asked again would fail the counts below.
            server.answer(replies);
            let results: Vec<Result<String, Error>> = rt
                .block_on(async {
                    tokio::time::timeout(Duration::from_secs(10), async {
                        let mut stream = client.list_videos().items().prefetch(prefetch);
                        let mut out = Vec::new();
                        while let Some(r) = futures::StreamExt::next(&mut stream).await {
                            out.push(r.map(|v| v.id));
                        }
                        out
                    })
                    .await
                })
                .expect("the walk ends");
            let ids: Vec<String> = results.iter().filter_map(|r| r.as_ref().ok().cloned()).collect();
            prop_assert_eq!(&ids, &expected);
            let errors = results.iter().filter(|r| r.is_err()).count();
            prop_assert_eq!(errors, usize::from(expect_error), "{:?}", results);
            if expect_error {
                prop_assert!(results.last().unwrap().is_err(), "the error ends the stream");
            }
            prop_assert!(served >= 1);
            Ok(())
        })
        .unwrap();
}
