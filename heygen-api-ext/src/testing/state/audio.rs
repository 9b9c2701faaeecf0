//! Music and sound effects search (`searchAudio`): the same hits for the
//! same query, scored from 0.99 down, `min_score` applied.

use serde_json::{Value, json};

use super::State;
use super::request::{Call, Reply, page_of};
use super::router::Handler;

pub(super) const HANDLERS: &[(&str, Handler)] = &[("searchAudio", search)];

/// How many sounds any search can find.
const HITS: usize = 30;

fn search(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let query = call.required_query("query")?.to_string();
    let kind = call.query("type").unwrap_or("music");
    if !matches!(kind, "music" | "sound_effects") {
        return Err(Reply::invalid(
            "type",
            "type must be music or sound_effects",
        ));
    }
    let min_score: f64 = call
        .query("min_score")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0.7);
    let hits: Vec<(usize, f64)> = (0..HITS)
        .map(|i| (i, 0.99 - i as f64 * 0.01))
        .filter(|(_, score)| *score >= min_score)
        .collect();
    page_of(call, hits, 10, |&(i, score)| {
        let id = format!("{kind}_{:04}", i + 1);
        json!({
            "id": id,
            "name": format!("{query} #{}", i + 1),
            "description": format!("A {} track that fits \"{query}\"", kind.replace('_', " ")),
            "type": kind,
            "audio_url": state.files.sign(&format!("/audio/{id}.mp3")),
            "score": score,
            "duration": 30.0 + i as f64,
            "peak_offset": 12.0,
            "placement": "background",
        })
    })
}
