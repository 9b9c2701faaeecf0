//! Which operation a request is, read from the operation table the client
//! is generated with (`heygen_api::operations::OPERATIONS`): method and
//! path template, `{name}` segments captured. Each resource module lists
//! its handlers by operation id; [`handler`] finds one.

use heygen_api::facts::Operation;
use heygen_api::operations::OPERATIONS;

use super::request::{Call, FakeRequest, Reply};
use super::{
    agent, assets, audio, avatars, background_removals, batches, brand, bulk, clipping, lipsyncs,
    proofreads, styles, templates, translations, uploads, user, videos, voices, webhooks,
};

/// Answers one operation: the whole success body (its status is the
/// operation's `success_status`), or the error to send instead.
pub(super) type Handler = fn(&mut super::State, &Call) -> Result<serde_json::Value, Reply>;

/// `uploadAsset` is left out of the generated client (a multipart body;
/// see `heygen_api::operations::LEFT_OUT`), so it is not in `OPERATIONS`;
/// these are its facts as the spec states them.
const UPLOAD_ASSET: Operation = Operation {
    id: "uploadAsset",
    rust_name: "upload_asset",
    method: "POST",
    path: "/v3/assets",
    idempotency_key: false,
    success_status: 200,
    query_bounds: &[],
};

/// Every operation of the spec: the generated ones and `uploadAsset`.
pub(in crate::testing) fn operations() -> impl Iterator<Item = &'static Operation> {
    OPERATIONS.iter().chain(std::iter::once(&UPLOAD_ASSET))
}

/// The handlers of every resource.
const RESOURCES: &[&[(&str, Handler)]] = &[
    agent::HANDLERS,
    assets::HANDLERS,
    audio::HANDLERS,
    avatars::HANDLERS,
    background_removals::HANDLERS,
    batches::HANDLERS,
    brand::HANDLERS,
    bulk::HANDLERS,
    clipping::HANDLERS,
    lipsyncs::HANDLERS,
    proofreads::HANDLERS,
    styles::HANDLERS,
    templates::HANDLERS,
    translations::HANDLERS,
    uploads::HANDLERS,
    user::HANDLERS,
    videos::HANDLERS,
    voices::HANDLERS,
    webhooks::HANDLERS,
];

pub(super) fn handler(operation: &str) -> Option<Handler> {
    RESOURCES
        .iter()
        .flat_map(|r| r.iter())
        .find(|(id, _)| *id == operation)
        .map(|(_, h)| *h)
}

/// The spec id of an operation named by spec id (`createVideo`) or
/// generated method name (`create_video`).
pub(in crate::testing) fn operation_id(name: &str) -> Option<&'static str> {
    operations()
        .find(|op| op.id == name || op.rust_name == name)
        .map(|op| op.id)
}

/// Path parameters by name, as captured.
type Params = Vec<(&'static str, String)>;

/// Why a request is no operation.
pub(super) enum Miss {
    /// No template matches the path.
    NoPath,
    /// The path is known, under these methods only.
    Method(Vec<&'static str>),
}

/// The operation a request is, with its path parameters.
pub(super) fn find<'a>(req: &'a FakeRequest) -> Result<Call<'a>, Miss> {
    let path: Vec<&str> = req.path.trim_start_matches('/').split('/').collect();
    let mut best: Option<(usize, &'static Operation, Params)> = None;
    let mut methods = Vec::new();
    for op in operations() {
        let Some((literals, params)) = capture(op.path, &path) else {
            continue;
        };
        if op.method != req.method.as_str() {
            methods.push(op.method);
            continue;
        }
        // `/v3/videos/statuses` is both `/v3/videos/{video_id}` and itself:
        // the template with more literal segments wins, as in HeyGen's router.
        if best.as_ref().is_none_or(|(l, _, _)| literals > *l) {
            best = Some((literals, op, params));
        }
    }
    match best {
        Some((_, op, params)) => Ok(Call { req, op, params }),
        None if methods.is_empty() => Err(Miss::NoPath),
        None => Err(Miss::Method(methods)),
    }
}

/// Matches a template against path segments: how many literal segments
/// matched, and the captured parameters (percent-decoded).
fn capture(template: &'static str, path: &[&str]) -> Option<(usize, Params)> {
    let segments: Vec<&'static str> = template.trim_start_matches('/').split('/').collect();
    if segments.len() != path.len() {
        return None;
    }
    let mut literals = 0;
    let mut params = Vec::new();
    for (want, got) in segments.into_iter().zip(path) {
        match want.strip_prefix('{').and_then(|w| w.strip_suffix('}')) {
            Some(name) if !got.is_empty() => params.push((name, percent_decode(got))),
            Some(_) => return None,
            None if want == *got => literals += 1,
            None => return None,
        }
    }
    Some((literals, params))
}

/// `%XX` escapes decoded (a path segment, so `+` stays a plus).
fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `400` when a numeric query parameter is outside the spec's bounds.
pub(super) fn check_bounds(call: &Call) -> Result<(), Reply> {
    for bound in call.op.query_bounds {
        let Some(raw) = call.query(bound.name) else {
            continue;
        };
        let value = raw.parse::<f64>().ok();
        let within = value.is_some_and(|v| {
            bound.minimum.is_none_or(|m| v >= m as f64)
                && bound.maximum.is_none_or(|m| v <= m as f64)
        });
        if !within {
            let range = match (bound.minimum, bound.maximum) {
                (Some(lo), Some(hi)) => format!("between {lo} and {hi}"),
                (Some(lo), None) => format!("at least {lo}"),
                (None, Some(hi)) => format!("at most {hi}"),
                (None, None) => "a number".to_string(),
            };
            return Err(Reply::invalid(
                bound.name,
                &format!("{} must be {range}", bound.name),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(method: &str, path: &str) -> FakeRequest {
        FakeRequest {
            method: method.parse().unwrap_or(http::Method::GET),
            path: path.to_string(),
            query: Vec::new(),
            headers: http::HeaderMap::new(),
            body: bytes::Bytes::new(),
            parts: None,
        }
    }

    fn routed(method: &str, path: &str) -> Option<(&'static str, Vec<(&'static str, String)>)> {
        let req = request(method, path);
        find(&req).ok().map(|c| (c.op.id, c.params))
    }

    #[test]
    fn every_operation_has_a_handler_and_every_handler_an_operation() {
        let ops: Vec<&str> = operations().map(|op| op.id).collect();
        assert_eq!(ops.len(), 85);
        for op in &ops {
            assert!(handler(op).is_some(), "no handler for {op}");
        }
        for (id, _) in RESOURCES.iter().flat_map(|r| r.iter()) {
            assert!(
                ops.contains(id),
                "a handler for {id}, which is no operation"
            );
        }
        let left_out: Vec<&str> = heygen_api::operations::LEFT_OUT
            .iter()
            .map(|(id, _)| *id)
            .collect();
        assert_eq!(
            left_out,
            ["uploadAsset"],
            "each left-out operation has its facts here"
        );
    }

    #[test]
    fn literal_segments_beat_parameters() {
        assert_eq!(
            routed("GET", "/v3/videos/statuses").map(|r| r.0),
            Some("bulkVideoStatuses")
        );
        assert_eq!(
            routed("GET", "/v3/videos/vid_1"),
            Some(("getVideo", vec![("video_id", "vid_1".to_string())]))
        );
        assert_eq!(
            routed("GET", "/v3/avatars/looks").map(|r| r.0),
            Some("listAvatarLooks")
        );
        assert_eq!(
            routed("POST", "/v3/assets/complete/batches").map(|r| r.0),
            Some("completeAssetUploadBatch")
        );
        assert_eq!(
            routed("GET", "/v3/video-agents/s%201/resources/r1"),
            Some((
                "getSessionResource",
                vec![
                    ("session_id", "s 1".to_string()),
                    ("resource_id", "r1".to_string())
                ]
            ))
        );
        assert_eq!(
            routed("POST", "/v3/assets").map(|r| r.0),
            Some("uploadAsset")
        );
    }

    #[test]
    fn unknown_paths_and_methods_are_told_apart() {
        assert!(matches!(
            find(&request("GET", "/v3/nothing")),
            Err(Miss::NoPath)
        ));
        assert!(matches!(
            find(&request("GET", "/v3/videos/")),
            Err(Miss::NoPath)
        ));
        match find(&request("PUT", "/v3/videos/vid_1")) {
            Err(Miss::Method(m)) => assert_eq!(m, ["DELETE", "GET"]),
            _ => panic!("PUT on a video is no operation"),
        }
    }

    #[test]
    fn names_are_spec_ids_or_method_names() {
        assert_eq!(operation_id("createVideo"), Some("createVideo"));
        assert_eq!(operation_id("list_voices"), Some("listVoices"));
        assert_eq!(operation_id("upload_asset"), Some("uploadAsset"));
        assert_eq!(operation_id("createVideos"), None);
    }
}
