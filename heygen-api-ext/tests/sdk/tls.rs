//! TLS with the `rustls` feature: the client the builder makes speaks
//! rustls with the `ring` provider (this test build compiles no other:
//! aws-lc-rs is not in its graph), verifies certificates, and offers HTTP/2.
//! Against a loopback server presenting the fixture certificate
//! (`tests/fixtures/tls`), never the internet.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use heygen_api_ext::prelude::*;
use heygen_api_ext::{Client, Error};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;
use tokio_rustls::LazyConfigAcceptor;
use tokio_rustls::rustls::server::Acceptor;

use crate::support::{self, within};

const DEADLINE: Duration = Duration::from_secs(10);

/// One TLS connection as the server saw it.
#[derive(Debug, Clone)]
struct Connection {
    /// The ALPN protocols the client offered in its hello.
    offered: Vec<String>,
    /// The protocol agreed on, or why the handshake failed.
    outcome: Result<Option<String>, String>,
}

/// A TLS server on 127.0.0.1 presenting the fixture leaf, answering every
/// request with a completed `getVideo`, over HTTP/2 when ALPN agreed on it.
struct TlsServer {
    base_url: String,
    connections: Arc<Mutex<Vec<Connection>>>,
}

impl TlsServer {
    async fn start() -> TlsServer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let base_url = format!("https://{}", listener.local_addr().unwrap());
        let config = Arc::new(support::tls::server_config());
        let connections = Arc::new(Mutex::new(Vec::new()));
        let log = connections.clone();
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let (config, log) = (config.clone(), log.clone());
                tokio::spawn(async move {
                    let Ok(start) = LazyConfigAcceptor::new(Acceptor::default(), tcp).await else {
                        return;
                    };
                    let offered = start
                        .client_hello()
                        .alpn()
                        .map(|protocols| {
                            protocols
                                .map(|p| String::from_utf8_lossy(p).into_owned())
                                .collect()
                        })
                        .unwrap_or_default();
                    let tls = match start.into_stream(config).await {
                        Ok(tls) => tls,
                        Err(e) => {
                            let outcome = Err(e.to_string());
                            log.lock().unwrap().push(Connection { offered, outcome });
                            return;
                        }
                    };
                    let agreed = tls
                        .get_ref()
                        .1
                        .alpn_protocol()
                        .map(|p| String::from_utf8_lossy(p).into_owned());
                    let h2 = agreed.as_deref() == Some("h2");
                    let outcome = Ok(agreed);
                    log.lock().unwrap().push(Connection { offered, outcome });
                    let io = TokioIo::new(tls);
                    let answer = service_fn(|_: Request<Incoming>| async {
                        let body = serde_json::json!({"data": {
                            "id": "v1", "status": "completed", "title": null, "created_at": 1
                        }});
                        Ok::<_, Infallible>(
                            Response::builder()
                                .header("content-type", "application/json")
                                .body(Full::new(Bytes::from(body.to_string())))
                                .unwrap(),
                        )
                    });
                    let _ = if h2 {
                        hyper::server::conn::http2::Builder::new(TokioExecutor::new())
                            .serve_connection(io, answer)
                            .await
                    } else {
                        hyper::server::conn::http1::Builder::new()
                            .serve_connection(io, answer)
                            .await
                    };
                });
            }
        });
        TlsServer {
            base_url,
            connections,
        }
    }

    /// The connections so far, once there are `n` (the server may log a
    /// failed handshake just after the client gave up on it).
    async fn connections(&self, n: usize) -> Vec<Connection> {
        within(DEADLINE, async {
            loop {
                let seen = self.connections.lock().unwrap().clone();
                if seen.len() >= n {
                    return seen;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await
    }
}

/// `err` and its sources, one after another.
fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut cur = err.source();
    while let Some(e) = cur {
        text.push_str(" <- ");
        text.push_str(&e.to_string());
        cur = e.source();
    }
    text
}

#[tokio::test]
async fn the_builders_client_shakes_hands_with_ring_and_refuses_an_untrusted_certificate() {
    let server = TlsServer::start().await;
    let client = Client::builder()
        .api_key("sk-test")
        .base_url(&server.base_url)
        .build()
        .expect("the builder's TLS sets up without panicking");
    let err = within(DEADLINE, client.get_video().video_id("v1").data())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Tls { .. }), "{err:?}");
    let text = chain(&err);
    assert!(
        text.contains("invalid peer certificate: UnknownIssuer"),
        "the error says the certificate is not trusted: {text}"
    );
    let seen = server.connections(1).await;
    assert_eq!(seen.len(), 1, "not retried: {seen:?}");
    assert_eq!(
        seen[0].offered,
        ["h2", "http/1.1"],
        "the client offers HTTP/2 through ALPN"
    );
    let refused = seen[0].outcome.as_ref().unwrap_err();
    assert!(
        refused.contains("UnknownCA"),
        "the client, having checked the certificate, sent the alert: {refused}"
    );
}

#[tokio::test]
async fn trusting_the_fixture_ca_the_same_server_answers_over_http2() {
    // The builder adds no CA roots of its own; a client of the caller's
    // can (here rustls on ring too, with the fixture CA).
    let server = TlsServer::start().await;
    let http = support::http_builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let client = Client::builder()
        .api_key("sk-test")
        .base_url(&server.base_url)
        .http_client(http)
        .build()
        .unwrap();
    let video = within(DEADLINE, client.get_video().video_id("v1").data())
        .await
        .unwrap();
    assert_eq!(video.id, "v1");
    let seen = server.connections(1).await;
    assert_eq!(seen[0].outcome, Ok(Some("h2".to_string())), "{seen:?}");
}
