//! A request as the handlers see it ([`FakeRequest`], and [`Call`]: the
//! request with its operation and path parameters), the [`Reply`] they
//! give, and the answers every resource shares: HeyGen's error envelope,
//! `{"data": ..}`, and cursor pages.

use bytes::Bytes;
use heygen_api::facts::Operation;
use http::{HeaderMap, Method};
use serde_json::{Value, json};

/// A request, read whole.
pub(in crate::testing) struct FakeRequest {
    pub method: Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// The parts of a multipart body, or why it could not be parsed.
    pub parts: Option<Result<Vec<Part>, String>>,
}

impl FakeRequest {
    pub(super) fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub(super) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// One part of a multipart body.
pub(in crate::testing) struct Part {
    pub name: String,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub data: Bytes,
}

/// A response to send.
#[derive(Debug, Clone)]
pub(in crate::testing) struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

impl Reply {
    pub(super) fn json(status: u16, value: Value) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: Bytes::from(value.to_string()),
        }
    }

    /// HeyGen's error envelope.
    pub(in crate::testing) fn error(
        status: u16,
        code: &str,
        message: &str,
        param: Option<&str>,
    ) -> Reply {
        Reply::json(
            status,
            json!({"error": {
                "code": code,
                "message": message,
                "param": param,
                "doc_url": format!("https://developers.heygen.com/docs/error-codes#{code}"),
            }}),
        )
    }

    /// `400 invalid_parameter` about `param`.
    pub(super) fn invalid(param: &str, message: &str) -> Reply {
        Reply::error(400, "invalid_parameter", message, Some(param))
    }

    pub(super) fn not_found(code: &str, what: &str, id: &str) -> Reply {
        Reply::error(404, code, &format!("{what} {id} not found"), None)
    }

    /// What a storage service answers: not HeyGen's envelope.
    pub(in crate::testing) fn storage_error(status: u16, code: &str, message: &str) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".into(), "application/xml".into())],
            body: Bytes::from(format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>"
            )),
        }
    }

    /// The public form the loopback plumbing writes.
    pub(in crate::testing) fn into_http(self) -> super::super::Reply {
        super::super::Reply::Http {
            status: self.status,
            headers: self.headers,
            body: self.body,
        }
    }
}

/// A request routed to an operation: what a handler is given.
pub(super) struct Call<'a> {
    pub req: &'a FakeRequest,
    pub op: &'static Operation,
    pub params: Vec<(&'static str, String)>,
}

impl Call<'_> {
    /// A path parameter (every one the template names is captured).
    pub(super) fn param(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }

    pub(super) fn query(&self, name: &str) -> Option<&str> {
        self.req.query(name).filter(|v| !v.is_empty())
    }

    /// A query parameter the spec requires.
    pub(super) fn required_query(&self, name: &str) -> Result<&str, Reply> {
        self.query(name)
            .ok_or_else(|| Reply::invalid(name, &format!("the query parameter {name} is required")))
    }

    pub(super) fn json(&self) -> Result<Value, Reply> {
        if self.req.body.is_empty() {
            return Ok(json!({}));
        }
        serde_json::from_slice(&self.req.body)
            .map_err(|e| Reply::invalid("body", &format!("the body is not JSON: {e}")))
    }

    /// The body decoded as the generated request type, so the fake refuses
    /// what HeyGen's schema refuses.
    pub(super) fn typed<T: serde::de::DeserializeOwned>(&self) -> Result<T, Reply> {
        serde_json::from_value(self.json()?).map_err(|e| {
            Reply::invalid("body", &format!("the body does not match the schema: {e}"))
        })
    }
}

/// `{"data": value}`.
pub(super) fn data(value: Value) -> Value {
    json!({ "data": value })
}

/// One page of `items` by the request's `limit` (already checked against
/// the spec's bounds) and `token`, with `has_more` and `next_token`.
pub(super) fn page(call: &Call, items: Vec<Value>, default_limit: usize) -> Result<Value, Reply> {
    page_of(call, items, default_limit, Value::clone)
}

/// [`page`] over anything, each item of the page rendered by `render`
/// (so only what is sent is rendered, and its URLs signed).
pub(super) fn page_of<T: Clone>(
    call: &Call,
    items: Vec<T>,
    default_limit: usize,
    render: impl FnMut(&T) -> Value,
) -> Result<Value, Reply> {
    let (page, has_more, next) = slice(call, items, default_limit)?;
    let data: Vec<Value> = page.iter().map(render).collect();
    Ok(json!({"data": data, "has_more": has_more, "next_token": next}))
}

/// The cut of `items` a request asks for: the page, whether more follow,
/// and the cursor to them.
pub(super) fn slice<T: Clone>(
    call: &Call,
    items: Vec<T>,
    default_limit: usize,
) -> Result<(Vec<T>, bool, Option<String>), Reply> {
    let limit = call
        .query("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(default_limit)
        .max(1);
    let offset = match call.query("token") {
        None => 0,
        Some(token) => token
            .strip_prefix("cur_")
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| *n <= items.len())
            .ok_or_else(|| Reply::invalid("token", "token is not a cursor this server issued"))?,
    };
    let end = offset.saturating_add(limit).min(items.len());
    let has_more = end < items.len();
    let page = items[offset..end].to_vec();
    Ok((page, has_more, has_more.then(|| format!("cur_{end}"))))
}

/// A single-page list (the bulk status lookups, the event-type catalogue):
/// the cursor fields are there, always at their end.
pub(super) fn whole(items: Vec<Value>) -> Value {
    json!({"data": items, "has_more": false, "next_token": null})
}
