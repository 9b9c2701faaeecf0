//! The loopback HTTP/1.1 plumbing every test server here is built on: an
//! accept loop on `127.0.0.1`, each request read whole (head parsed by
//! `httparse`, body by `Content-Length` or chunked), and replies written
//! as given, so that a test can also send what no HTTP library would (a
//! connection closed without an answer, a stall, raw bytes).
//!
//! [`ScriptedServer`] answers each request with the next scripted
//! [`Reply`] and records what it was asked; [`serve`] hands each request,
//! with its socket, to a handler of yours (fault injection);
//! [`FakeHeyGen`](super::FakeHeyGen) answers from its state.

use std::collections::VecDeque;
use std::future::Future;
use std::io;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// Largest request head read.
const MAX_HEAD: usize = 64 * 1024;

/// One request as a server read it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// `GET`, `POST`, ...
    pub method: String,
    /// Path and query, exactly as sent (still percent-encoded).
    pub target: String,
    /// Header names lower-cased, in the order sent.
    pub headers: Vec<(String, String)>,
    /// The body (de-chunked).
    pub body: Bytes,
}

impl RecordedRequest {
    /// The first value of header `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The path part of the target, still percent-encoded.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    /// The query pairs, form-decoded (`+` is a space), in order.
    pub fn query(&self) -> Vec<(String, String)> {
        let query = self.target.split_once('?').map(|(_, q)| q).unwrap_or("");
        url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect()
    }
}

/// What a server does with one request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reply {
    /// A complete response; `Content-Length` is added.
    Http {
        /// The status code.
        status: u16,
        /// Headers, in order.
        headers: Vec<(String, String)>,
        /// The body.
        body: Bytes,
    },
    /// These bytes, as they are, then the connection is closed.
    Raw(Bytes),
    /// The connection is closed without an answer.
    Close,
    /// The connection stays open and no answer ever comes.
    Stall,
}

impl Reply {
    /// A JSON response (a value that does not serialize gives `null`).
    pub fn json(status: u16, body: impl serde::Serialize) -> Reply {
        let body = serde_json::to_vec(&body).unwrap_or_else(|_| b"null".to_vec());
        Reply::raw(status, "application/json", body)
    }

    /// A response with this content type and body.
    pub fn raw(status: u16, content_type: &str, body: impl AsRef<[u8]>) -> Reply {
        Reply::Http {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: Bytes::copy_from_slice(body.as_ref()),
        }
    }

    /// HeyGen's error envelope with this status, code and message.
    pub fn error(status: u16, code: &str, message: &str) -> Reply {
        Reply::json(
            status,
            serde_json::json!({"error": {"code": code, "message": message, "param": null, "doc_url": null}}),
        )
    }

    /// The response with one more header (no effect on the other kinds).
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        if let Reply::Http { headers, .. } = &mut self {
            headers.push((name.to_ascii_lowercase(), value.to_string()));
        }
        self
    }

    /// Writes the reply; gives the socket back if the connection goes on.
    pub async fn write_to(self, mut sock: TcpStream) -> Option<TcpStream> {
        match self {
            Reply::Http {
                status,
                headers,
                body,
            } => {
                let reason = http::StatusCode::from_u16(status)
                    .ok()
                    .and_then(|s| s.canonical_reason())
                    .unwrap_or("Status");
                let mut head = format!(
                    "HTTP/1.1 {status} {reason}\r\ncontent-length: {}\r\n",
                    body.len()
                );
                for (name, value) in headers {
                    head.push_str(&format!("{name}: {value}\r\n"));
                }
                head.push_str("\r\n");
                // One write: a head and a body sent apart can wait on each
                // other's acknowledgement (Nagle), tens of milliseconds.
                let mut bytes = head.into_bytes();
                bytes.extend_from_slice(&body);
                sock.write_all(&bytes).await.ok()?;
                Some(sock)
            }
            Reply::Raw(bytes) => {
                let _ = sock.write_all(&bytes).await;
                let _ = sock.shutdown().await;
                None
            }
            Reply::Close => None,
            Reply::Stall => std::future::pending().await,
        }
    }
}

/// Serves `listener` until the task running it is dropped: reads each
/// request and hands it, with its socket, to `handler`. A handler that
/// gives the socket back keeps the connection alive for the next request.
pub async fn serve<H, F>(listener: TcpListener, handler: H)
where
    H: Fn(TcpStream, RecordedRequest) -> F + Send + Sync + 'static,
    F: Future<Output = Option<TcpStream>> + Send + 'static,
{
    serve_counting(listener, || {}, handler).await;
}

/// [`serve`], calling `accepted` for each connection.
async fn serve_counting<H, F>(listener: TcpListener, accepted: impl Fn() + Send, handler: H)
where
    H: Fn(TcpStream, RecordedRequest) -> F + Send + Sync + 'static,
    F: Future<Output = Option<TcpStream>> + Send + 'static,
{
    let handler = Arc::new(handler);
    loop {
        let Ok((sock, _)) = listener.accept().await else {
            continue;
        };
        accepted();
        let _ = sock.set_nodelay(true);
        let handler = handler.clone();
        tokio::spawn(async move {
            let mut sock = sock;
            while let Some(request) = read_request(&mut sock).await {
                match handler(sock, request).await {
                    Some(s) => sock = s,
                    None => return,
                }
            }
        });
    }
}

/// Reads one request; `None` when the connection ends first or sends
/// something that is not HTTP/1.1.
pub async fn read_request(sock: &mut TcpStream) -> Option<RecordedRequest> {
    let mut buf = Vec::new();
    let (head_len, mut request) = loop {
        let mut chunk = [0u8; 8192];
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 || buf.len() > MAX_HEAD {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut parsed = httparse::Request::new(&mut headers);
        if let httparse::Status::Complete(len) = parsed.parse(&buf).ok()? {
            let request = RecordedRequest {
                method: parsed.method?.to_string(),
                target: parsed.path?.to_string(),
                headers: parsed
                    .headers
                    .iter()
                    .map(|h| {
                        let value = String::from_utf8_lossy(h.value).into_owned();
                        (h.name.to_ascii_lowercase(), value)
                    })
                    .collect(),
                body: Bytes::new(),
            };
            break (len, request);
        }
    };
    let mut rest = buf.split_off(head_len);
    let chunked = request
        .header("transfer-encoding")
        .is_some_and(|t| t.eq_ignore_ascii_case("chunked"));
    request.body = if chunked {
        read_chunked(sock, rest).await?
    } else {
        let len: usize = request
            .header("content-length")
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        while rest.len() < len {
            let mut chunk = vec![0u8; (len - rest.len()).min(64 * 1024)];
            let n = sock.read(&mut chunk).await.ok()?;
            if n == 0 {
                return None;
            }
            rest.extend_from_slice(&chunk[..n]);
        }
        rest.truncate(len);
        Bytes::from(rest)
    };
    Some(request)
}

/// A chunked body, `buf` holding what was already read after the head.
async fn read_chunked(sock: &mut TcpStream, mut buf: Vec<u8>) -> Option<Bytes> {
    let mut body = Vec::new();
    let mut at = 0;
    loop {
        // Make sure a whole size line is buffered.
        let line_end = loop {
            if let Some(i) = buf[at..].windows(2).position(|w| w == b"\r\n") {
                break at + i;
            }
            fill(sock, &mut buf).await?;
        };
        let size_text = std::str::from_utf8(&buf[at..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        at = line_end + 2;
        while buf.len() < at + size + 2 {
            fill(sock, &mut buf).await?;
        }
        if size == 0 {
            return Some(Bytes::from(body));
        }
        body.extend_from_slice(&buf[at..at + size]);
        at += size + 2;
    }
}

async fn fill(sock: &mut TcpStream, buf: &mut Vec<u8>) -> Option<()> {
    let mut chunk = [0u8; 8192];
    let n = sock.read(&mut chunk).await.ok()?;
    (n > 0).then(|| buf.extend_from_slice(&chunk[..n]))
}

#[derive(Debug, Default)]
struct Script {
    replies: VecDeque<Reply>,
    requests: Vec<RecordedRequest>,
    connections: usize,
}

/// A loopback server that answers each request with the next scripted
/// [`Reply`] (then `500 script_exhausted`) and records every request:
///
/// ```
/// use heygen_api_ext::prelude::*;
/// use heygen_api_ext::testing::{Reply, ScriptedServer};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let server = ScriptedServer::start([
///     Reply::error(503, "unavailable", "try again"),
///     Reply::json(200, serde_json::json!({"data": {"id": "v1", "status": "completed"}})),
/// ])
/// .await?;
/// let client = server.client_builder().initial_backoff(std::time::Duration::ZERO).build()?;
/// let video = client.get_video().video_id("v1").data().await?;
/// assert_eq!(video.id, "v1");
/// assert_eq!(server.requests().len(), 2, "the 503 was retried");
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct ScriptedServer {
    base_url: String,
    script: Arc<Mutex<Script>>,
    task: JoinHandle<()>,
}

impl Drop for ScriptedServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl ScriptedServer {
    /// Binds a free port on `127.0.0.1` and starts serving `replies`.
    pub async fn start(replies: impl IntoIterator<Item = Reply>) -> io::Result<ScriptedServer> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let script = Arc::new(Mutex::new(Script {
            replies: replies.into_iter().collect(),
            ..Script::default()
        }));
        let shared = script.clone();
        let counted = script.clone();
        let accepted = move || lock(&counted).connections += 1;
        let task = tokio::spawn(serve_counting(listener, accepted, move |sock, request| {
            let reply = {
                let mut script = lock(&shared);
                script.requests.push(request);
                script
                    .replies
                    .pop_front()
                    .unwrap_or_else(|| Reply::error(500, "script_exhausted", "no reply scripted"))
            };
            reply.write_to(sock)
        }));
        Ok(ScriptedServer {
            base_url,
            script,
            task,
        })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Adds replies to the end of the script.
    pub fn push(&self, replies: impl IntoIterator<Item = Reply>) {
        lock(&self.script).replies.extend(replies);
    }

    /// Every request so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.script).requests.clone()
    }

    /// Every request so far, forgetting them.
    pub fn take_requests(&self) -> Vec<RecordedRequest> {
        std::mem::take(&mut lock(&self.script).requests)
    }

    /// How many requests were read.
    pub fn hits(&self) -> usize {
        lock(&self.script).requests.len()
    }

    /// How many connections were accepted (a TLS hello or other bytes that
    /// are not a request count here, not in [`hits`](Self::hits)).
    pub fn connections(&self) -> usize {
        lock(&self.script).connections
    }

    /// A client builder pointed at this server, with a test key.
    pub fn client_builder(&self) -> crate::ClientBuilder {
        crate::Client::builder()
            .api_key("sk-scripted-test-key")
            .base_url(&self.base_url)
    }
}

fn lock(script: &Mutex<Script>) -> std::sync::MutexGuard<'_, Script> {
    script.lock().unwrap_or_else(|p| p.into_inner())
}
