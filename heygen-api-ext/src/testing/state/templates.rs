//! Templates: a seeded catalogue; a video made from one is an ordinary
//! video (`getVideo`, `listVideos` see it).

use serde_json::{Map, Value, json};
use tokio::time::Instant;

use super::State;
use super::request::{Call, Reply, data, page_of};
use super::router::Handler;
use super::videos::video_json;

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("listTemplates", list),
    ("getTemplate", get),
    ("generateVideoFromTemplate", generate),
];

/// Template names; each has the same two scenes and variables.
const NAMES: &[&str] = &[
    "Product launch",
    "Weekly update",
    "Onboarding welcome",
    "Sales outreach",
    "Event invitation",
    "Course lesson",
    "Customer testimonial",
    "Holiday greeting",
    "Feature walkthrough",
    "Recruiting pitch",
    "Quarterly results",
    "Safety briefing",
];

/// Variable names and kinds every template takes.
const VARIABLES: &[(&str, &str)] = &[("name", "text"), ("company", "text"), ("logo", "image")];

fn template_id(index: usize) -> String {
    format!("tpl_{:04}", index + 1)
}

/// The index of a template id in [`NAMES`].
fn index_of(id: &str) -> Result<usize, Reply> {
    id.strip_prefix("tpl_")
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|n| (1..=NAMES.len()).contains(n))
        .map(|n| n - 1)
        .ok_or_else(|| Reply::not_found("resource_not_found", "template", id))
}

fn summary(state: &mut State, index: usize) -> Value {
    let id = template_id(index);
    json!({
        "id": id,
        "name": NAMES[index],
        "aspect_ratio": "16:9",
        "thumbnail_url": state.files.sign(&format!("/templates/{id}/thumbnail.jpg")),
        "created_at": 1_700_000_000 + index as i64 * 86_400,
        "updated_at": 1_700_000_000 + index as i64 * 86_400,
    })
}

fn list(state: &mut State, call: &Call) -> Result<Value, Reply> {
    page_of(call, (0..NAMES.len()).collect(), 10, |&i| summary(state, i))
}

fn get(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let index = index_of(call.param("template_id"))?;
    let mut template = summary(state, index);
    let scene_vars: Vec<Value> = VARIABLES
        .iter()
        .map(|(name, kind)| json!({"name": name, "variable_type": kind}))
        .collect();
    let mut variables = Map::new();
    for (name, kind) in VARIABLES {
        variables.insert(
            name.to_string(),
            json!({"name": name, "type": kind, "properties": {}}),
        );
    }
    template["scene_ids"] = json!(["scene_1", "scene_2"]);
    template["scenes"] = json!([
        {"scene_id": "scene_1", "script": "Hi {{name}}, welcome to {{company}}.", "variables": scene_vars},
        {"scene_id": "scene_2", "script": "See you soon.", "variables": []},
    ]);
    template["variables"] = Value::Object(variables);
    Ok(data(template))
}

fn generate(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let body: heygen_api::types::GenerateTemplateVideoRequest = call.typed()?;
    index_of(call.param("template_id"))?;
    if let Some(unknown) = body
        .variables
        .keys()
        .find(|k| !VARIABLES.iter().any(|(name, _)| name == k))
    {
        return Err(Reply::invalid(
            "variables",
            &format!("the template has no variable {unknown}"),
        ));
    }
    let id = state.start_video(&call.json()?);
    let video = state.video(&id)?;
    Ok(data(video_json(&video, &mut state.files, Instant::now())))
}
