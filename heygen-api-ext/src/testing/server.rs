//! The fake's two listeners on the loopback plumbing ([`super::http`]):
//! the API (each request read, its multipart body parsed, planned, delayed
//! when an override says so, and answered from the state) and the file
//! host (signed media URLs).

use std::convert::Infallible;
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use tokio::net::TcpListener;

use super::http::{RecordedRequest, Reply, serve as serve_requests};
use super::state::{FakeRequest, Part, State};

/// Serves the API until the task is aborted.
pub(super) async fn serve(listener: TcpListener, state: Arc<Mutex<State>>) {
    serve_requests(listener, move |sock, request| {
        let state = state.clone();
        async move { answer(&state, request).await.write_to(sock).await }
    })
    .await;
}

/// Serves the file host until the task is aborted.
pub(super) async fn serve_files(listener: TcpListener, state: Arc<Mutex<State>>) {
    serve_requests(listener, move |sock, request| {
        let reply = lock(&state).files.serve(request);
        reply.write_to(sock)
    })
    .await;
}

pub(super) fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    // A handler that panicked leaves consistent data behind (every change
    // is a single push or field write), so keep serving.
    state.lock().unwrap_or_else(|p| p.into_inner())
}

async fn answer(state: &Mutex<State>, request: RecordedRequest) -> Reply {
    let req = fake_request(request).await;
    let plan = lock(state).plan(&req);
    if !plan.delay.is_zero() {
        tokio::time::sleep(plan.delay).await;
    }
    lock(state).execute(&req, plan)
}

async fn fake_request(request: RecordedRequest) -> FakeRequest {
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
    FakeRequest {
        method: request.method.parse().unwrap_or(http::Method::GET),
        path: request.path().to_string(),
        query: request.query(),
        headers,
        body: request.body.clone(),
        parts,
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
