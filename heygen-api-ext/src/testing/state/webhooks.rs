//! Webhook endpoints, the event catalogue, and the delivery log: one event
//! for each job that has finished (its success or its failure).

use serde_json::{Value, json};
use tokio::time::Instant;

use super::State;
use super::jobs::{Job, JobKind};
use super::request::{Call, Reply, data, page, whole};
use super::router::Handler;

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("listWebhookEndpoints", list_endpoints),
    ("createWebhookEndpoint", create_endpoint),
    ("updateWebhookEndpoint", update_endpoint),
    ("deleteWebhookEndpoint", delete_endpoint),
    ("rotateWebhookSigningSecret", rotate_secret),
    ("listWebhookEvents", list_events),
    ("listWebhookEventTypes", event_types),
];

/// HeyGen's event kinds; each has a `.success` and a `.fail` event.
const KINDS: &[(&str, &str)] = &[
    ("avatar_video", "an avatar video"),
    ("avatar_video_gif", "an avatar video's GIF"),
    ("avatar_video_caption", "an avatar video's captions"),
    ("video_translate", "a video translation"),
    ("video_agent", "a video agent session"),
    ("instant_avatar", "an instant avatar"),
    ("photo_avatar_generation", "a photo avatar's generation"),
    ("photo_avatar_train", "a photo avatar's training"),
    ("photo_avatar_add_motion", "adding motion to a photo avatar"),
    ("proofread_creation", "a proofread"),
    ("live_avatar", "a live avatar"),
    ("hyperframes_video", "a Hyperframes video"),
    ("ai_clipping", "an AI clipping job"),
];

/// The event types that are not `<kind>.success|fail`.
const OTHERS: &[(&str, &str)] = &[
    (
        "video_translate.preflight.validation_failed",
        "A video translation's input failed validation.",
    ),
    (
        "video_translate.preflight.download_failed",
        "A video translation's input could not be downloaded.",
    ),
    ("personalized_video", "A personalized video was generated."),
    (
        "batch.finished",
        "Every item of a batch reached a final status.",
    ),
];

#[derive(Debug, Clone)]
pub(super) struct Endpoint {
    id: String,
    url: String,
    events: Option<Vec<String>>,
    secret: String,
    created_at: String,
}

impl Endpoint {
    fn json(&self, with_secret: bool) -> Value {
        json!({
            "endpoint_id": self.id,
            "url": self.url,
            "events": self.events,
            "status": "enabled",
            "created_at": self.created_at,
            "secret": if with_secret { Some(&self.secret) } else { None },
        })
    }
}

fn list_endpoints(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let items: Vec<Value> = state.endpoints.iter().map(|e| e.json(false)).collect();
    page(call, items, 10)
}

fn create_endpoint(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let body: heygen_api::types::CreateWebhookEndpointRequest = call.typed()?;
    check_url(&body.url)?;
    let endpoint = Endpoint {
        id: state.id("ep"),
        url: body.url,
        events: body
            .events
            .map(|events| events.iter().map(|e| e.to_string()).collect()),
        secret: state.id("whsec"),
        created_at: state.clock.iso(Instant::now()),
    };
    let reply = data(endpoint.json(true));
    state.endpoints.push(endpoint);
    Ok(reply)
}

impl State {
    fn endpoint(&mut self, id: &str) -> Result<&mut Endpoint, Reply> {
        self.endpoints
            .iter_mut()
            .find(|e| e.id == id)
            .ok_or_else(|| Reply::not_found("resource_not_found", "webhook endpoint", id))
    }
}

fn update_endpoint(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let body: heygen_api::types::UpdateWebhookEndpointRequest = call.typed()?;
    if let Some(url) = &body.url {
        check_url(url)?;
    }
    let endpoint = state.endpoint(call.param("endpoint_id"))?;
    if let Some(url) = body.url {
        endpoint.url = url;
    }
    if let Some(events) = body.events {
        endpoint.events = Some(events.iter().map(|e| e.to_string()).collect());
    }
    Ok(data(endpoint.json(false)))
}

fn delete_endpoint(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let id = call.param("endpoint_id");
    state.endpoint(id)?;
    state.endpoints.retain(|e| e.id != id);
    // The one delete HeyGen answers with `{"data": {}, "error": null}`.
    Ok(json!({"data": {}, "error": null}))
}

fn rotate_secret(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let secret = state.id("whsec");
    let endpoint = state.endpoint(call.param("endpoint_id"))?;
    endpoint.secret = secret;
    Ok(data(
        json!({"endpoint_id": endpoint.id, "secret": endpoint.secret}),
    ))
}

fn event_types(_: &mut State, _: &Call) -> Result<Value, Reply> {
    let items = catalogue()
        .into_iter()
        .map(|(event_type, description)| json!({"event_type": event_type, "description": description}))
        .collect();
    Ok(whole(items))
}

/// Every event type with its description.
fn catalogue() -> Vec<(String, String)> {
    let mut types = Vec::new();
    for (kind, what) in KINDS {
        for (outcome, verb) in [("success", "finished"), ("fail", "failed")] {
            types.push((
                format!("{kind}.{outcome}"),
                format!("{} {verb}.", capitalized(what)),
            ));
        }
    }
    for (event_type, description) in OTHERS {
        types.push((event_type.to_string(), description.to_string()));
    }
    types
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn list_events(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let now = Instant::now();
    let event_type = call.query("event_type");
    let entity_id = call.query("entity_id");
    let mut done: Vec<Job> = state
        .jobs
        .iter()
        .filter(|j| !j.time.seeded && j.phase(now) == super::jobs::Phase::Done)
        .filter(|j| entity_id.is_none_or(|e| e == j.id))
        .cloned()
        .collect();
    done.sort_by(|a, b| b.time.end().cmp(&a.time.end()).then(b.seq.cmp(&a.seq)));
    let items: Vec<Value> = done
        .iter()
        .filter_map(|j| event_json(state, j))
        .filter(|e| event_type.is_none_or(|t| e["event_type"] == t))
        .collect();
    page(call, items, 10)
}

/// The delivery-log entry of a finished job (lipsyncs and background
/// removals have no event type in HeyGen's catalogue).
fn event_json(state: &mut State, job: &Job) -> Option<Value> {
    let ok = job.failure.is_none();
    let (kind, key) = match job.kind {
        JobKind::Video => ("avatar_video", "video_id"),
        JobKind::Translation => ("video_translate", "video_translation_id"),
        JobKind::Session => ("video_agent", "session_id"),
        JobKind::Proofread => ("proofread_creation", "proofread_id"),
        JobKind::Clipping => ("ai_clipping", "ai_clipping_id"),
        JobKind::Lipsync | JobKind::BackgroundRemoval => return None,
    };
    let mut event = serde_json::Map::new();
    event.insert(key.into(), json!(job.id));
    event.insert("callback_id".into(), json!(job.callback_id));
    if ok {
        let video = match job.kind {
            JobKind::Session => job.video_id.clone(),
            JobKind::Video => Some(job.id.clone()),
            _ => None,
        };
        let url = video.map(|v| state.files.sign(&format!("/videos/{v}/video.mp4")));
        event.insert("url".into(), json!(url));
    } else if let Some((_, message)) = &job.failure {
        event.insert("msg".into(), json!(message));
    }
    Some(json!({
        "event_id": format!("evt_{}", job.id),
        "event_type": format!("{kind}.{}", if ok { "success" } else { "fail" }),
        "event_data": event,
        "created_at": state.clock.iso(job.time.end()),
    }))
}

fn check_url(url: &str) -> Result<(), Reply> {
    if url.starts_with("https://") || url.starts_with("http://") {
        Ok(())
    } else {
        Err(Reply::invalid("url", "url must be an http(s) URL"))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_catalogue_is_the_specs_event_types() {
        let types = super::catalogue();
        assert_eq!(
            types.len(),
            30,
            "as many as the spec's WebhookEventType enum"
        );
        for (event_type, _) in types {
            let parsed: Result<heygen_api::types::WebhookEventType, _> = event_type.parse();
            assert!(parsed.is_ok(), "{event_type} is not in the spec");
        }
    }
}
