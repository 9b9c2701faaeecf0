//! Avatars: groups (a person) and their looks. A seeded public catalogue;
//! `createAvatar` makes a private group and look that train over a job's
//! duration, a digital twin waiting for its consent first.

use serde_json::{Value, json};
use tokio::time::Instant;

use super::State;
use super::jobs::Timeline;
use super::request::{Call, Reply, data, page_of};
use super::router::Handler;

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("listAvatarGroups", list_groups),
    ("createAvatar", create),
    ("getAvatarGroup", get_group),
    ("deleteAvatarGroup", delete_group),
    ("createAvatarConsent", consent),
    ("listAvatarLooks", list_looks),
    ("getAvatarLook", get_look),
    ("updateAvatarLook", update_look),
    ("deleteAvatarLook", delete_look),
];

/// The public catalogue: group, gender, default voice, its looks.
const PUBLIC: &[(&str, &str, &str, &[&str])] = &[
    (
        "Daisy",
        "female",
        "voice_aria",
        &["Daisy-inskirt-20220818", "Daisy-casual-20220818"],
    ),
    (
        "Brandon",
        "male",
        "voice_brian",
        &["Brandon-office-20230301", "Brandon-outdoor-20230301"],
    ),
    (
        "Abigail",
        "female",
        "voice_emma",
        &["Abigail-expressive-20240110"],
    ),
    (
        "Josh",
        "male",
        "voice_daniel",
        &[
            "Josh-lite-20230714",
            "Josh-sitting-20230714",
            "Josh-standing-20230714",
        ],
    ),
];

/// A group (`look_of` none) or a look of one.
#[derive(Debug, Clone)]
struct Avatar {
    id: String,
    name: String,
    look_of: Option<String>,
    avatar_type: &'static str,
    gender: String,
    voice: Option<String>,
    public: bool,
    created_unix: i64,
    time: Timeline,
    /// A digital twin's group waits for consent before it trains.
    awaiting_consent: bool,
    failure: Option<(String, String)>,
    deleted: bool,
}

#[derive(Debug, Default)]
pub(super) struct Avatars {
    all: Vec<Avatar>,
}

impl Avatars {
    pub(super) fn fail(&mut self, id: &str, failure: Option<(String, String)>) -> bool {
        let Some(avatar) = self.all.iter_mut().find(|a| a.id == id) else {
            return false;
        };
        avatar.failure = failure;
        true
    }

    fn find(&self, id: &str, look: bool) -> Result<Avatar, Reply> {
        self.all
            .iter()
            .find(|a| a.id == id && !a.deleted && a.look_of.is_some() == look)
            .cloned()
            .ok_or_else(|| Reply::not_found("avatar_not_found", "avatar", id))
    }

    fn looks_of(&self, group: &str) -> usize {
        self.all
            .iter()
            .filter(|a| !a.deleted && a.look_of.as_deref() == Some(group))
            .count()
    }

    fn group_of(&self, look: &Avatar) -> Option<&Avatar> {
        let group = look.look_of.as_deref()?;
        self.all.iter().find(|a| a.id == group)
    }
}

/// The public catalogue, ready since before the fake started.
pub(super) fn seed(created_unix: i64) -> Avatars {
    let mut all = Vec::new();
    for (name, gender, voice, looks) in PUBLIC {
        let group = format!("group_{}", name.to_lowercase());
        let avatar = |id: String, name: String, look_of: Option<String>| Avatar {
            id,
            name,
            look_of,
            avatar_type: "studio_avatar",
            gender: gender.to_string(),
            voice: Some(voice.to_string()),
            public: true,
            created_unix: created_unix - 86_400 * 365,
            time: Timeline {
                start: Instant::now(),
                duration: std::time::Duration::ZERO,
                seeded: true,
            },
            awaiting_consent: false,
            failure: None,
            deleted: false,
        };
        all.push(avatar(group.clone(), name.to_string(), None));
        for look in *looks {
            all.push(avatar(
                look.to_string(),
                look.to_string(),
                Some(group.clone()),
            ));
        }
    }
    Avatars { all }
}

impl State {
    fn avatar_status(&self, avatar: &Avatar, now: Instant) -> &'static str {
        let group = self.avatars.group_of(avatar).unwrap_or(avatar);
        match (&avatar.failure, avatar.time.done(now)) {
            (Some(_), true) => "failed",
            _ if group.awaiting_consent => "pending_consent",
            (_, false) => "processing",
            (None, true) => "completed",
        }
    }

    fn previews(&mut self, avatar: &Avatar, now: Instant) -> (Option<String>, Option<String>) {
        if self.avatar_status(avatar, now) != "completed" {
            return (None, None);
        }
        let image = self
            .files
            .sign(&format!("/avatars/{}/preview.jpg", avatar.id));
        let video = self
            .files
            .sign(&format!("/avatars/{}/preview.mp4", avatar.id));
        (Some(image), Some(video))
    }

    fn group_json(&mut self, group: &Avatar, now: Instant) -> Value {
        let status = self.avatar_status(group, now);
        let (image, video) = self.previews(group, now);
        json!({
            "id": group.id,
            "name": group.name,
            "created_at": group.created_unix,
            "looks_count": self.avatars.looks_of(&group.id),
            "status": status,
            "consent_status": (group.avatar_type == "digital_twin")
                .then_some(if group.awaiting_consent { "pending" } else { "approved" }),
            "gender": group.gender,
            "default_voice_id": group.voice,
            "preview_image_url": image,
            "preview_video_url": video,
            "error": error_json(group, status),
        })
    }

    fn look_json(&mut self, look: &Avatar, now: Instant) -> Value {
        let status = self.avatar_status(look, now);
        let (image, video) = self.previews(look, now);
        json!({
            "id": look.id,
            "name": look.name,
            "avatar_type": look.avatar_type,
            "group_id": look.look_of,
            "status": status,
            "gender": look.gender,
            "default_voice_id": look.voice,
            "preferred_orientation": "landscape",
            "image_width": 1920,
            "image_height": 1080,
            "preview_image_url": image,
            "preview_video_url": video,
            "supported_api_engines": ["avatar_iv", "avatar_iii"],
            "tags": if look.public { vec!["public"] } else { vec![] },
            "error": error_json(look, status),
        })
    }
}

fn error_json(avatar: &Avatar, status: &str) -> Value {
    match (&avatar.failure, status) {
        (Some((code, message)), "failed") => json!({"code": code, "message": message}),
        _ => Value::Null,
    }
}

/// Whether an avatar is in the `ownership` asked for (all when none).
fn owned(call: &Call, avatar: &Avatar) -> bool {
    match call.query("ownership") {
        Some("public") => avatar.public,
        Some("private") => !avatar.public,
        _ => true,
    }
}

fn list_groups(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let now = Instant::now();
    let groups: Vec<Avatar> = state
        .avatars
        .all
        .iter()
        .rev()
        .filter(|a| !a.deleted && a.look_of.is_none() && owned(call, a))
        .cloned()
        .collect();
    page_of(call, groups, 20, |g| state.group_json(g, now))
}

fn list_looks(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let now = Instant::now();
    let looks: Vec<Avatar> = state
        .avatars
        .all
        .iter()
        .rev()
        .filter(|a| !a.deleted && a.look_of.is_some() && owned(call, a))
        .filter(|a| {
            call.query("group_id")
                .is_none_or(|g| a.look_of.as_deref() == Some(g))
        })
        .filter(|a| call.query("avatar_type").is_none_or(|t| a.avatar_type == t))
        .cloned()
        .collect();
    page_of(call, looks, 20, |look| state.look_json(look, now))
}

fn create(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let _: heygen_api::types::CreateAvatarRequest = call.typed()?;
    let raw = call.json()?;
    let name = raw["name"].as_str().unwrap_or("Avatar").to_string();
    let (avatar_type, consent) = match raw["type"].as_str() {
        Some("digital_twin") => ("digital_twin", true),
        _ => ("photo_avatar", false),
    };
    let existing = raw["avatar_group_id"].as_str().map(str::to_string);
    let group_id = match existing {
        Some(id) => state.avatars.find(&id, false)?.id,
        None => {
            let id = state.id("group");
            let group = state.new_avatar(id.clone(), name.clone(), None, avatar_type, consent);
            state.avatars.all.push(group);
            id
        }
    };
    let look_id = state.id("look");
    let look = state.new_avatar(look_id, name, Some(group_id.clone()), avatar_type, false);
    state.avatars.all.push(look.clone());
    let now = Instant::now();
    let group = state.avatars.find(&group_id, false)?;
    Ok(data(json!({
        "avatar_group": state.group_json(&group, now),
        "avatar_item": state.look_json(&look, now),
    })))
}

impl State {
    fn new_avatar(
        &self,
        id: String,
        name: String,
        look_of: Option<String>,
        avatar_type: &'static str,
        awaiting_consent: bool,
    ) -> Avatar {
        Avatar {
            id,
            name,
            look_of,
            avatar_type,
            gender: "unknown".into(),
            voice: None,
            public: false,
            created_unix: self.unix_now(),
            time: Timeline {
                start: Instant::now(),
                duration: self.job_duration,
                seeded: false,
            },
            awaiting_consent,
            failure: None,
            deleted: false,
        }
    }
}

fn get_group(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let group = state.avatars.find(call.param("group_id"), false)?;
    Ok(data(state.group_json(&group, Instant::now())))
}

fn get_look(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let look = state.avatars.find(call.param("look_id"), true)?;
    Ok(data(state.look_json(&look, Instant::now())))
}

/// Deletes an avatar (a group with its looks); public ones are HeyGen's.
fn remove(state: &mut State, id: &str, look: bool) -> Result<Value, Reply> {
    let avatar = state.avatars.find(id, look)?;
    if avatar.public {
        return Err(Reply::error(
            403,
            "forbidden",
            "public avatars cannot be deleted",
            None,
        ));
    }
    for a in state.avatars.all.iter_mut() {
        if a.id == id || a.look_of.as_deref() == Some(id) {
            a.deleted = true;
        }
    }
    Ok(data(json!({"id": id})))
}

fn delete_group(state: &mut State, call: &Call) -> Result<Value, Reply> {
    remove(state, call.param("group_id"), false)
}

fn delete_look(state: &mut State, call: &Call) -> Result<Value, Reply> {
    remove(state, call.param("look_id"), true)
}

fn update_look(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let body: heygen_api::types::UpdateAvatarLookRequest = call.typed()?;
    let id = call.param("look_id");
    state.avatars.find(id, true)?;
    if let Some(name) = body.name
        && let Some(look) = state.avatars.all.iter_mut().find(|a| a.id == id)
    {
        look.name = name;
    }
    get_look(state, call)
}

/// Consent is given at once; the group then trains.
fn consent(state: &mut State, call: &Call) -> Result<Value, Reply> {
    let body: heygen_api::types::CreateAvatarConsentRequest = call.typed()?;
    let id = call.param("group_id");
    state.avatars.find(id, false)?;
    let duration = state.job_duration;
    for a in state.avatars.all.iter_mut() {
        if a.id == id || a.look_of.as_deref() == Some(id) {
            a.awaiting_consent = false;
            a.time.start = Instant::now();
            a.time.duration = duration;
        }
    }
    let url = body
        .consent_video
        .is_none()
        .then(|| format!("https://app.heygen.com/consent/{id}"));
    let group = state.avatars.find(id, false)?;
    Ok(data(json!({
        "avatar_group": state.group_json(&group, Instant::now()),
        "url": url,
    })))
}
