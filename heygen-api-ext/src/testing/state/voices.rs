//! Voices: a seeded public catalogue, and private voices made by
//! `cloneVoice` (trained over a job's duration) and `designVoice`; speech
//! from any voice that exists.

use serde_json::{Value, json};
use tokio::time::Instant;

use super::State;
use super::jobs::Timeline;
use super::request::{Call, Reply, data, page_of};
use super::router::Handler;

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("listVoices", list),
    ("getVoice", get),
    ("cloneVoice", clone_voice),
    ("designVoice", design),
    ("deleteVoice", delete),
    ("generateSpeech", speech),
];

/// The public catalogue: name, language, gender.
const PUBLIC: &[(&str, &str, &str)] = &[
    ("Aria", "English", "female"),
    ("Brian", "English", "male"),
    ("Chloe", "English", "female"),
    ("Daniel", "English", "male"),
    ("Emma", "English", "female"),
    ("Felix", "German", "male"),
    ("Greta", "German", "female"),
    ("Hugo", "French", "male"),
    ("Ines", "French", "female"),
    ("Javier", "Spanish", "male"),
    ("Lucia", "Spanish", "female"),
    ("Marco", "Italian", "male"),
    ("Giulia", "Italian", "female"),
    ("Pedro", "Portuguese", "male"),
    ("Beatriz", "Portuguese", "female"),
    ("Haruto", "Japanese", "male"),
    ("Yui", "Japanese", "female"),
    ("Minjun", "Korean", "male"),
    ("Seoyeon", "Korean", "female"),
    ("Wei", "Chinese", "male"),
    ("Mei", "Chinese", "female"),
    ("Arjun", "Hindi", "male"),
    ("Priya", "Hindi", "female"),
    ("Oliver", "English", "male"),
    ("Sophie", "English", "female"),
];

#[derive(Debug, Clone)]
pub(super) struct Voice {
    pub id: String,
    name: String,
    language: String,
    gender: String,
    public: bool,
    created_unix: i64,
    time: Timeline,
    pub failure: Option<(String, String)>,
    deleted: bool,
}

/// The public catalogue, ready since before the fake started.
pub(super) fn seed() -> Vec<Voice> {
    PUBLIC
        .iter()
        .map(|(name, language, gender)| Voice {
            id: format!("voice_{}", name.to_lowercase()),
            name: name.to_string(),
            language: language.to_string(),
            gender: gender.to_string(),
            public: true,
            created_unix: 1_700_000_000,
            time: Timeline {
                start: Instant::now(),
                duration: std::time::Duration::ZERO,
                seeded: true,
            },
            failure: None,
            deleted: false,
        })
        .collect()
}

impl Voice {
    fn status(&self, now: Instant) -> &'static str {
        match (self.time.done(now), &self.failure) {
            (false, _) => "processing",
            (true, Some(_)) => "failed",
            (true, None) => "complete",
        }
    }
}

impl State {
    fn voice(&self, id: &str) -> Result<Voice, Reply> {
        self.voices
            .iter()
            .find(|v| v.id == id && !v.deleted)
            .cloned()
            .ok_or_else(|| Reply::not_found("voice_not_found", "voice", id))
    }

    /// A voice as `Voice` (its preview, once trained, signed).
    fn voice_json(&mut self, voice: &Voice, now: Instant) -> Value {
        let preview = (voice.status(now) == "complete").then(|| {
            self.files
                .sign(&format!("/voices/{}/preview.mp3", voice.id))
        });
        json!({
            "voice_id": voice.id,
            "name": voice.name,
            "language": voice.language,
            "gender": voice.gender,
            "type": if voice.public { "public" } else { "private" },
            "support_pause": true,
            "support_locale": voice.public,
            "preview_audio_url": preview,
        })
    }

    fn new_voice(
        &mut self,
        prefix: &str,
        name: String,
        language: String,
        gender: String,
    ) -> &mut Voice {
        let id = self.id(prefix);
        let voice = Voice {
            id,
            name,
            language,
            gender,
            public: false,
            created_unix: self.unix_now(),
            time: Timeline {
                start: Instant::now(),
                duration: self.job_duration,
                seeded: false,
            },
            failure: None,
            deleted: false,
        };
        self.voices.push(voice);
        let last = self.voices.len() - 1;
        &mut self.voices[last]
    }
}

fn list(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let now = Instant::now();
    let public = match call.query("type").unwrap_or("public") {
        "public" => true,
        "private" => false,
        _ => return Err(Reply::invalid("type", "type must be public or private")),
    };
    let fits =
        |wanted: Option<&str>, have: &str| wanted.is_none_or(|w| w.eq_ignore_ascii_case(have));
    let voices: Vec<Voice> = state
        .voices
        .iter()
        .filter(|v| !v.deleted && v.public == public)
        .filter(|v| fits(call.query("language"), &v.language))
        .filter(|v| fits(call.query("gender"), &v.gender))
        .cloned()
        .collect();
    page_of(call, voices, 20, |voice| state.voice_json(voice, now))
}

fn get(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let now = Instant::now();
    let voice = state.voice(call.param("voice_id"))?;
    let preview = state.voice_json(&voice, now)["preview_audio_url"].clone();
    let failure = match (voice.status(now), &voice.failure) {
        ("failed", Some((_, message))) => Some(message.clone()),
        _ => None,
    };
    Ok(data(json!({
        "voice_id": voice.id,
        "name": voice.name,
        "language": voice.language,
        "gender": voice.gender,
        "status": voice.status(now),
        "support_pause": true,
        "support_interactive_avatar": voice.public,
        "preview_audio_url": preview,
        "created_at": voice.created_unix,
        "failure_message": failure,
    })))
}

fn clone_voice(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let body: heygen_api::types::CloneVoiceRequest = call.typed()?;
    if body.voice_name.trim().is_empty() {
        return Err(Reply::invalid("voice_name", "voice_name must not be empty"));
    }
    let language = body.language.unwrap_or_else(|| "English".into());
    let voice = state.new_voice("vc", body.voice_name, language, "unknown".into());
    Ok(data(json!({"voice_clone_id": voice.id})))
}

/// Three proposals, kept as private voices (so speech can use them).
fn design(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let body: heygen_api::types::DesignVoiceRequest = call.typed()?;
    if body.prompt.trim().is_empty() {
        return Err(Reply::invalid("prompt", "prompt must not be empty"));
    }
    let now = Instant::now();
    let gender = body.gender.unwrap_or_else(|| "female".into());
    let language = body.locale.unwrap_or_else(|| "English".into());
    let mut voices = Vec::new();
    for n in 1..=3 {
        let name = format!("Designed voice {n}");
        let voice = state.new_voice("vd", name, language.clone(), gender.clone());
        voice.time.seeded = true;
        let voice = voice.clone();
        voices.push(state.voice_json(&voice, now));
    }
    Ok(data(json!({"voices": voices, "seed": body.seed})))
}

fn delete(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let id = call.param("voice_id");
    let voice = state.voice(id)?;
    if voice.public {
        return Err(Reply::error(
            403,
            "forbidden",
            "public voices cannot be deleted",
            None,
        ));
    }
    if let Some(v) = state.voices.iter_mut().find(|v| v.id == id) {
        v.deleted = true;
    }
    Ok(data(json!({"voice_id": id})))
}

fn speech(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let body: heygen_api::types::GenerateSpeechRequest = call.typed()?;
    if body.text.trim().is_empty() {
        return Err(Reply::invalid("text", "text must not be empty"));
    }
    let voice = state.voice(&body.voice_id)?;
    if voice.status(Instant::now()) != "complete" {
        return Err(Reply::error(
            400,
            "voice_not_usable",
            "the voice is not trained yet",
            Some("voice_id"),
        ));
    }
    let speed = if body.speed > 0.0 { body.speed } else { 1.0 };
    let mut at = 0.0;
    let words: Vec<Value> = body
        .text
        .split_whitespace()
        .map(|word| {
            let start = at;
            at += 0.4 / speed;
            json!({"word": word, "start": start, "end": at})
        })
        .collect();
    let id = state.id("speech");
    Ok(data(json!({
        "audio_url": state.files.sign(&format!("/speech/{id}.mp3")),
        "duration": at,
        "request_id": id,
        "word_timestamps": words,
    })))
}
