//! The video agent's styles: seeded, filtered by tag.

use serde_json::{Value, json};

use super::State;
use super::request::{Call, Reply, page_of};
use super::router::Handler;

pub(super) const HANDLERS: &[(&str, Handler)] = &[("listVideoAgentStyles", list)];

/// Name, aspect ratio, tags.
const STYLES: &[(&str, &str, &[&str])] = &[
    ("Clean corporate", "16:9", &["business", "minimal"]),
    ("Bold social", "9:16", &["social", "energetic"]),
    ("Documentary", "16:9", &["story", "calm"]),
    ("Whiteboard", "16:9", &["education", "minimal"]),
    ("News desk", "16:9", &["business", "news"]),
    ("Playful", "1:1", &["social", "fun"]),
];

fn list(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let tag = call.query("tag");
    let indexes: Vec<usize> = (0..STYLES.len())
        .filter(|i| tag.is_none_or(|t| STYLES[*i].2.contains(&t)))
        .collect();
    page_of(call, indexes, 20, |&i| {
        let (name, aspect, tags) = STYLES[i];
        let id = format!("style_{:04}", i + 1);
        json!({
            "style_id": id,
            "name": name,
            "aspect_ratio": aspect,
            "tags": tags,
            "thumbnail_url": state.files.sign(&format!("/styles/{id}/thumbnail.jpg")),
            "preview_video_url": state.files.sign(&format!("/styles/{id}/preview.mp4")),
        })
    })
}
