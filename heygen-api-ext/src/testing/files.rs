//! The fake's file host: what HeyGen's CDN is to its API. Finished jobs
//! carry URLs to it, on a second loopback listener, so a different origin
//! from the API's base URL (a client that sends its key there leaks it,
//! and [`FakeHeyGen::file_requests`](super::FakeHeyGen::file_requests)
//! shows it). Its URLs are signed and expire like HeyGen's
//! (`?expires=<unix>&sig=<..>`, `403` once expired); asset library URLs are
//! plain, as HeyGen's are.
//!
//! The files are placeholder bytes, the same for the same path.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::time::Duration;

use bytes::Bytes;
use tokio::time::Instant;

use super::clock::Clock;
use super::http::{RecordedRequest, Reply};

/// Size of a served video file (several reads, so progress moves).
const VIDEO_BYTES: usize = 192 * 1024;
/// Size of a served image or audio file.
const MEDIA_BYTES: usize = 16 * 1024;
/// Where asset library files live: public, unsigned.
pub(super) const ASSETS_PREFIX: &str = "/assets/";

/// One URL handed out: what it names and until when it works.
#[derive(Debug, Clone)]
struct Issued {
    path: String,
    until: Instant,
}

#[derive(Debug)]
pub(super) struct FileHost {
    base: String,
    clock: Clock,
    lifetime: Duration,
    secret: u64,
    issued: HashMap<String, Issued>,
    pub(super) requests: Vec<RecordedRequest>,
    /// How many responses still stop halfway.
    pub(super) interruptions: u32,
}

impl FileHost {
    pub(super) fn new(base: String, clock: Clock, lifetime: Duration) -> FileHost {
        FileHost {
            base,
            clock,
            lifetime,
            secret: fastrand::u64(..),
            issued: HashMap::new(),
            requests: Vec::new(),
            interruptions: 0,
        }
    }

    /// A signed URL to `path`, valid for the configured lifetime from now.
    /// Each call gives a new URL, as HeyGen's `getVideo` does.
    pub(super) fn sign(&mut self, path: &str) -> String {
        let now = Instant::now();
        let until = now + self.lifetime;
        let expires = self.clock.unix(until);
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        (self.secret, path, expires, self.issued.len()).hash(&mut hasher);
        let sig = format!("{:016x}", hasher.finish());
        self.issued.insert(
            sig.clone(),
            Issued {
                path: path.to_string(),
                until,
            },
        );
        format!("{}{path}?expires={expires}&sig={sig}", self.base)
    }

    /// A plain URL (the asset library's).
    pub(super) fn public(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The bytes behind a URL of this host, whatever its signature.
    pub(super) fn body_of(&self, url: &str) -> Option<Bytes> {
        let rest = url.strip_prefix(&self.base)?;
        let path = rest.split('?').next().unwrap_or_default();
        Some(content(path).1)
    }

    /// Answers one request to the file host.
    pub(super) fn serve(&mut self, req: RecordedRequest) -> Reply {
        self.requests.push(req.clone());
        if req.method != "GET" {
            return storage_error(405, "MethodNotAllowed", "files are read with GET");
        }
        let path = req.path().to_string();
        if !path.starts_with(ASSETS_PREFIX) {
            let query = req.query();
            let sig = query.iter().find(|(n, _)| n == "sig").map(|(_, v)| v);
            let issued = sig.and_then(|s| self.issued.get(s));
            match issued {
                Some(i) if i.path == path && Instant::now() < i.until => {}
                Some(i) if i.path == path => {
                    return storage_error(403, "AccessDenied", "Request has expired");
                }
                _ => {
                    return storage_error(
                        403,
                        "SignatureDoesNotMatch",
                        "the URL is not one this host signed",
                    );
                }
            }
        }
        let (content_type, body) = content(&path);
        if self.interruptions > 0 {
            self.interruptions -= 1;
            return halfway(content_type, &body);
        }
        match range(req.header("range"), body.len()) {
            Some((start, end)) => Reply::Http {
                status: 206,
                headers: vec![
                    ("content-type".into(), content_type.into()),
                    (
                        "content-range".into(),
                        format!("bytes {start}-{}/{}", end - 1, body.len()),
                    ),
                ],
                body: body.slice(start..end),
            },
            None => Reply::Http {
                status: 200,
                headers: vec![
                    ("content-type".into(), content_type.into()),
                    ("accept-ranges".into(), "bytes".into()),
                ],
                body,
            },
        }
    }
}

/// The head of a whole response and half its body, then the connection
/// closes: a download cut off mid-way.
fn halfway(content_type: &str, body: &Bytes) -> Reply {
    let mut raw = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    raw.extend_from_slice(&body[..body.len() / 2]);
    Reply::Raw(Bytes::from(raw))
}

/// `bytes=a-` or `bytes=a-b`, as a half-open range within `len`.
fn range(header: Option<&str>, len: usize) -> Option<(usize, usize)> {
    let spec = header?.strip_prefix("bytes=")?;
    let (start, end) = spec.split_once('-')?;
    let start: usize = start.trim().parse().ok()?;
    let end = match end.trim() {
        "" => len,
        e => e.parse::<usize>().ok()?.saturating_add(1).min(len),
    };
    (start < end).then_some((start, end))
}

fn storage_error(status: u16, code: &str, message: &str) -> Reply {
    Reply::raw(
        status,
        "application/xml",
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>"
        ),
    )
}

/// What the host serves at `path`: a content type by extension and
/// placeholder bytes, the same for the same path.
fn content(path: &str) -> (&'static str, Bytes) {
    let ext = path.rsplit('.').next().unwrap_or_default();
    let text = |t: String| Bytes::from(t.into_bytes());
    match ext {
        "srt" => (
            "application/x-subrip",
            text(format!(
                "1\n00:00:00,000 --> 00:00:02,500\nHello from the fake HeyGen ({path})\n"
            )),
        ),
        "vtt" => (
            "text/vtt",
            text(format!(
                "WEBVTT\n\n00:00.000 --> 00:02.500\nHello from the fake HeyGen ({path})\n"
            )),
        ),
        "html" => (
            "text/html",
            text(format!(
                "<!doctype html><title>{path}</title><video src=\"video.mp4\"></video>\n"
            )),
        ),
        "mp4" | "webm" | "mov" => ("video/mp4", noise(path, VIDEO_BYTES)),
        "gif" => ("image/gif", noise(path, MEDIA_BYTES)),
        "jpg" | "jpeg" => ("image/jpeg", noise(path, MEDIA_BYTES)),
        "png" => ("image/png", noise(path, MEDIA_BYTES)),
        "mp3" => ("audio/mpeg", noise(path, MEDIA_BYTES)),
        _ => ("application/octet-stream", noise(path, MEDIA_BYTES)),
    }
}

/// `len` bytes that depend on `path` only.
fn noise(path: &str, len: usize) -> Bytes {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    path.hash(&mut hasher);
    let mut rng = fastrand::Rng::with_seed(hasher.finish());
    let mut bytes = vec![0u8; len];
    rng.fill(&mut bytes);
    Bytes::from(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_read_as_http_says() {
        assert_eq!(range(Some("bytes=10-"), 100), Some((10, 100)));
        assert_eq!(range(Some("bytes=10-19"), 100), Some((10, 20)));
        assert_eq!(range(Some("bytes=10-500"), 100), Some((10, 100)));
        assert_eq!(range(Some("bytes=100-"), 100), None);
        assert_eq!(range(Some("items=1-2"), 100), None);
        assert_eq!(range(None, 100), None);
    }

    #[test]
    fn the_same_path_gives_the_same_bytes() {
        assert_eq!(content("/v/a.mp4").1, content("/v/a.mp4").1);
        assert_ne!(content("/v/a.mp4").1, content("/v/b.mp4").1);
        assert_eq!(content("/v/a.mp4").1.len(), VIDEO_BYTES);
        assert!(content("/v/a.srt").0.contains("subrip"));
    }
}
