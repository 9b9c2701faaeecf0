//! The HTTP side of the fake: each request read by the loopback plumbing
//! ([`super::http`]), its multipart body parsed, and handed to the state.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use tokio::net::TcpListener;

use super::http::{RecordedRequest, Reply, serve as serve_requests};
use super::state::{FakeRequest, Part, State};

/// Serves until the task is aborted.
pub(super) async fn serve(listener: TcpListener, state: Arc<Mutex<State>>) {
    serve_requests(listener, move |sock, request| {
        let state = state.clone();
        async move { answer(&state, request).await.write_to(sock).await }
    })
    .await;
}

async fn answer(state: &Mutex<State>, request: RecordedRequest) -> Reply {
    let parts = match request.header("content-type") {
        Some(ct) if ct.starts_with("multipart/form-data") => {
            Some(multipart(ct, request.body.clone()).await)
        }
        _ => None,
    };
    let mut headers = http::HeaderMap::new();
    for (name, value) in &request.headers {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            http::HeaderValue::from_str(value),
        ) {
            headers.append(name, value);
        }
    }
    let fake = FakeRequest {
        method: request.method.parse().unwrap_or(http::Method::GET),
        path: request.path().to_string(),
        query: request.query(),
        headers,
        body: request.body.clone(),
        parts,
    };
    let reply = state
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .handle(&fake);
    Reply::Http {
        status: reply.status,
        headers: reply
            .headers
            .into_iter()
            .map(|(name, value)| (name.to_string(), value))
            .collect(),
        body: reply.body,
    }
}

async fn multipart(content_type: &str, body: Bytes) -> Result<Vec<Part>, String> {
    let boundary = multer::parse_boundary(content_type).map_err(|e| e.to_string())?;
    let stream = futures::stream::once(async move { Ok::<Bytes, Infallible>(body) });
    let mut form = multer::Multipart::new(stream, boundary);
    let mut parts = Vec::new();
    while let Some(field) = form.next_field().await.map_err(|e| e.to_string())? {
        let name = field.name().unwrap_or_default().to_string();
        let filename = field.file_name().map(str::to_string);
        let content_type = field.content_type().map(|m| m.to_string());
        let data = field.bytes().await.map_err(|e| e.to_string())?;
        parts.push(Part {
            name,
            filename,
            content_type,
            data,
        });
    }
    Ok(parts)
}
