//! A minimal hyper 1 server on 127.0.0.1, on its own thread and runtime so
//! its timers and I/O run whatever the client side is doing.

use std::convert::Infallible;
use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// What every request to a server gets.
#[derive(Clone)]
pub enum Behavior {
    /// The same body every time; `chunked` drops `content-length` and sends
    /// 16 KiB chunks.
    Fixed { body: Bytes, chunked: bool },
    /// `GET /v3/videos?limit=N&token=OFFSET` over `total` generated videos,
    /// each page answered after `page_delay` (the server thread sleeps).
    Pages { total: usize, page_delay: Duration },
}

/// A running server.
pub struct Server {
    pub base_url: String,
    /// Time actually spent in `page_delay` sleeps (timers overshoot).
    busy_ns: Arc<AtomicU64>,
    pages: Arc<AtomicU64>,
}

impl Server {
    pub fn start(behavior: Behavior) -> Server {
        let busy_ns = Arc::new(AtomicU64::new(0));
        let pages = Arc::new(AtomicU64::new(0));
        let (tx, rx) = std::sync::mpsc::channel();
        let (busy, served) = (busy_ns.clone(), pages.clone());
        let spawned = std::thread::Builder::new()
            .name("bench-server".into())
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("server runtime");
                rt.block_on(async move {
                    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
                    tx.send(listener.local_addr().expect("addr"))
                        .expect("report");
                    let behavior = Arc::new(behavior);
                    loop {
                        let Ok((sock, _)) = listener.accept().await else {
                            continue;
                        };
                        let _ = sock.set_nodelay(true);
                        let (behavior, busy, served) =
                            (behavior.clone(), busy.clone(), served.clone());
                        tokio::spawn(async move {
                            let service = service_fn(move |req| {
                                respond(req, behavior.clone(), busy.clone(), served.clone())
                            });
                            let _ = http1::Builder::new()
                                .serve_connection(TokioIo::new(sock), service)
                                .await;
                        });
                    }
                });
            });
        spawned.expect("server thread");
        let addr = rx.recv().expect("server started");
        Server {
            base_url: format!("http://{addr}"),
            busy_ns,
            pages,
        }
    }

    /// Total time the server spent delaying pages, then resets it.
    pub fn take_busy(&self) -> (Duration, u64) {
        (
            Duration::from_nanos(self.busy_ns.swap(0, Ordering::SeqCst)),
            self.pages.swap(0, Ordering::SeqCst),
        )
    }
}

type Body = BoxBody<Bytes, Infallible>;

async fn respond(
    req: Request<Incoming>,
    behavior: Arc<Behavior>,
    busy: Arc<AtomicU64>,
    served: Arc<AtomicU64>,
) -> Result<Response<Body>, Infallible> {
    let json = |body: Body| {
        Response::builder()
            .header("content-type", "application/json")
            .body(body)
            .expect("valid response")
    };
    match &*behavior {
        Behavior::Fixed {
            body,
            chunked: false,
        } => Ok(json(Full::new(body.clone()).boxed())),
        Behavior::Fixed {
            body,
            chunked: true,
        } => {
            let chunks: Vec<Result<Frame<Bytes>, Infallible>> = body
                .chunks(16 * 1024)
                .map(|c| Ok(Frame::data(body.slice_ref(c))))
                .collect();
            let stream = futures::stream::iter(chunks);
            Ok(json(StreamBody::new(stream).boxed()))
        }
        Behavior::Pages { total, page_delay } => {
            let (mut offset, mut limit) = (0usize, 10usize);
            for pair in req.uri().query().unwrap_or("").split('&') {
                match pair.split_once('=') {
                    Some(("token", v)) => offset = v.parse().unwrap_or(0),
                    Some(("limit", v)) => limit = v.parse().unwrap_or(10),
                    _ => {}
                }
            }
            if !page_delay.is_zero() {
                // A thread sleep, not a tokio timer: exact to a few
                // microseconds instead of rounded up to the timer's 1 ms
                // tick. This thread serves nothing else meanwhile (the
                // pagination bench has one connection).
                let t = Instant::now();
                std::thread::sleep(*page_delay);
                busy.fetch_add(t.elapsed().as_nanos() as u64, Ordering::SeqCst);
            }
            served.fetch_add(1, Ordering::SeqCst);
            let end = (offset + limit).min(*total);
            let body = page(offset, end, *total);
            Ok(json(Full::new(Bytes::from(body)).boxed()))
        }
    }
}

/// One `Video` as HeyGen sends it (about 420 bytes).
pub fn video(out: &mut String, i: usize) {
    let _ = write!(
        out,
        r#"{{"id":"v{i:08}","status":"completed","title":"Quarterly update {i}","duration":42.5,"video_url":"https://files.heygen.example/video/v{i:08}.mp4?X-Amz-Expires=604800&X-Amz-Signature=0123456789abcdef0123456789abcdef","captioned_video_url":null,"gif_url":null,"thumbnail_url":"https://files.heygen.example/thumb/v{i:08}.jpg","subtitle_url":null,"video_page_url":"https://app.heygen.example/videos/v{i:08}","output_language":"en","folder_id":null,"created_at":1700000000,"completed_at":1700000100,"failure_code":null,"failure_message":null}}"#
    );
}

/// A `VideoPage` with videos `start..end` of `total`; the cursor is the next
/// offset.
pub fn page(start: usize, end: usize, total: usize) -> String {
    let mut out = String::with_capacity((end - start) * 450 + 64);
    out.push_str(r#"{"data":["#);
    for i in start..end {
        if i > start {
            out.push(',');
        }
        video(&mut out, i);
    }
    if end < total {
        let _ = write!(out, r#"],"has_more":true,"next_token":"{end}"}}"#);
    } else {
        out.push_str(r#"],"has_more":false,"next_token":null}"#);
    }
    out
}

/// A `VideoResponse` body.
pub fn video_response() -> Bytes {
    let mut out = String::from(r#"{"data":"#);
    video(&mut out, 42);
    out.push('}');
    Bytes::from(out)
}
