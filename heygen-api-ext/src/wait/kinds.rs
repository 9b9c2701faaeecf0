//! What a waiter knows about each kind of job: how to fetch it, how to
//! read its status, and (for the kinds HeyGen reports in bulk) how to ask
//! for many at once. One table for the single and the bulk waiters, so a
//! status means the same to both.

use heygen_api::hooks::BoxFuture;
use heygen_api::{open_enums, types};

use crate::data::SendData as _;
use crate::{Client, Error};

/// Where a job stands, read from its resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Outcome {
    /// Still going.
    Running,
    /// Done: hand the resource back.
    Finished,
    /// Ended in failure.
    Failed {
        code: Option<String>,
        message: Option<String>,
    },
}

impl Outcome {
    /// What a single waiter makes of the outcome: the resource when it is
    /// done, [`Error::JobFailed`] when it failed, `None` while it runs.
    pub(super) fn settle<T>(
        self,
        kind: &'static str,
        id: &str,
        resource: T,
    ) -> Option<Result<T, Error>> {
        match self {
            Outcome::Running => None,
            Outcome::Finished => Some(Ok(resource)),
            Outcome::Failed { code, message } => Some(Err(job_failed(kind, id, code, message))),
        }
    }
}

/// [`Error::JobFailed`] for job `id`.
pub(super) fn job_failed(
    kind: &'static str,
    id: &str,
    code: Option<String>,
    message: Option<String>,
) -> Error {
    Error::JobFailed {
        kind,
        id: id.to_string(),
        code,
        message,
    }
}

type Fetch<T> = for<'c> fn(&'c Client, String) -> BoxFuture<'c, Result<T, Error>>;

/// What a waiter knows about one kind of job.
pub(super) struct JobKind<T> {
    pub(super) name: &'static str,
    pub(super) fetch: Fetch<T>,
    /// The status as HeyGen spells it, and what it means.
    pub(super) read: fn(&T) -> (String, Outcome),
}

pub(super) fn video() -> JobKind<types::Video> {
    JobKind {
        name: "video",
        fetch: |c, id| Box::pin(async move { c.get_video().video_id(id).data().await }),
        read: |v| {
            let outcome = match v.status {
                open_enums::VideoStatus::Completed => Outcome::Finished,
                open_enums::VideoStatus::Failed => Outcome::Failed {
                    code: v.failure_code.clone(),
                    message: v.failure_message.clone(),
                },
                _ => Outcome::Running,
            };
            (v.status.to_string(), outcome)
        },
    }
}

pub(super) fn video_agent_session() -> JobKind<types::VideoAgentSession> {
    JobKind {
        name: "video agent session",
        fetch: |c, id| {
            Box::pin(async move { c.get_video_agent_session().session_id(id).data().await })
        },
        read: |s| {
            use open_enums::VideoAgentSessionStatus as S;
            let outcome = match s.status {
                // The chat-mode pauses wait on the caller, not on HeyGen:
                // hand the session back so the caller can answer.
                S::Completed | S::WaitingForInput | S::Reviewing => Outcome::Finished,
                S::Failed => Outcome::Failed {
                    code: None,
                    // The session has no failure fields; its last error
                    // message says what went wrong.
                    message: s
                        .messages
                        .iter()
                        .rev()
                        .find(|m| matches!(m.type_, open_enums::VideoAgentMessageType::Error))
                        .map(|m| m.content.clone()),
                },
                _ => Outcome::Running,
            };
            (s.status.to_string(), outcome)
        },
    }
}

pub(super) fn video_translation() -> JobKind<types::VideoTranslation> {
    JobKind {
        name: "video translation",
        fetch: |c, id| {
            Box::pin(async move {
                c.get_video_translation()
                    .video_translation_id(id)
                    .data()
                    .await
            })
        },
        read: |t| {
            use open_enums::VideoTranslationStatus as S;
            let outcome = match t.status {
                S::Completed => Outcome::Finished,
                S::Failed => failed(None, t.failure_message.as_ref()),
                _ => Outcome::Running,
            };
            (t.status.to_string(), outcome)
        },
    }
}

pub(super) fn lipsync() -> JobKind<types::Lipsync> {
    JobKind {
        name: "lipsync",
        fetch: |c, id| Box::pin(async move { c.get_lipsync().lipsync_id(id).data().await }),
        read: |l| {
            use open_enums::LipsyncStatus as S;
            let outcome = match l.status {
                S::Completed => Outcome::Finished,
                S::Failed => failed(None, l.failure_message.as_ref()),
                _ => Outcome::Running,
            };
            (l.status.to_string(), outcome)
        },
    }
}

pub(super) fn proofread() -> JobKind<types::Proofread> {
    JobKind {
        name: "proofread",
        fetch: |c, id| {
            Box::pin(async move { c.get_proofread_session().proofread_id(id).data().await })
        },
        read: |p| {
            use open_enums::ProofreadStatus as S;
            let outcome = match p.status {
                S::Completed => Outcome::Finished,
                S::Failed => failed(None, p.failure_message.as_ref()),
                _ => Outcome::Running,
            };
            (p.status.to_string(), outcome)
        },
    }
}

pub(super) fn background_removal() -> JobKind<types::BackgroundRemoval> {
    JobKind {
        name: "background removal",
        fetch: |c, id| Box::pin(async move { c.get_background_removal().job_id(id).data().await }),
        // The spec gives no enum here; its description lists pending,
        // processing, completed, failed and deleted.
        read: |b| {
            let outcome = match b.status.as_str() {
                "completed" => Outcome::Finished,
                "failed" => failed(None, b.error.as_ref()),
                "deleted" => Outcome::Failed {
                    code: Some("deleted".into()),
                    message: Some("the background removal was deleted".into()),
                },
                _ => Outcome::Running,
            };
            (b.status.clone(), outcome)
        },
    }
}

pub(super) fn ai_clipping() -> JobKind<types::AiClipping> {
    JobKind {
        name: "AI clipping",
        fetch: |c, id| Box::pin(async move { c.get_ai_clipping().job_id(id).data().await }),
        read: |j| {
            use open_enums::AiClippingStatus as S;
            let outcome = match j.status {
                S::Completed => Outcome::Finished,
                S::Failed => failed(None, j.failure_message.as_ref()),
                S::Cancelled => Outcome::Failed {
                    code: Some("cancelled".into()),
                    message: j
                        .failure_message
                        .clone()
                        .or_else(|| Some("the AI clipping job was cancelled".into())),
                },
                _ => Outcome::Running,
            };
            (j.status.to_string(), outcome)
        },
    }
}

pub(super) fn voice() -> JobKind<types::VoiceDetail> {
    JobKind {
        name: "voice",
        fetch: |c, id| Box::pin(async move { c.get_voice().voice_id(id).data().await }),
        read: |v| {
            use open_enums::VoiceStatus as S;
            let outcome = match &v.status {
                // Voices end in `complete`, not `completed`; a voice
                // without a status (a stock voice) is ready.
                None | Some(S::Complete) => Outcome::Finished,
                Some(S::Failed) => failed(None, v.failure_message.as_ref()),
                Some(_) => Outcome::Running,
            };
            let status = v
                .status
                .as_ref()
                .map(|s| s.to_string())
                .unwrap_or_else(|| "complete".into());
            (status, outcome)
        },
    }
}

/// Avatars pause in `pending_consent` until the owner consents; like the
/// agent's chat pauses, that waits on the caller, so the avatar is handed
/// back.
fn avatar_outcome(
    status: Option<&open_enums::AvatarStatus>,
    error: Option<&types::AvatarError>,
) -> (String, Outcome) {
    use open_enums::AvatarStatus as S;
    let outcome = match status {
        None | Some(S::Completed) | Some(S::PendingConsent) => Outcome::Finished,
        Some(S::Failed) => Outcome::Failed {
            code: error.map(|e| e.code.clone()),
            message: error.map(|e| e.message.clone()),
        },
        Some(_) => Outcome::Running,
    };
    let status = status
        .map(|s| s.to_string())
        .unwrap_or_else(|| "completed".into());
    (status, outcome)
}

pub(super) fn avatar_group() -> JobKind<types::AvatarGroup> {
    JobKind {
        name: "avatar group",
        fetch: |c, id| Box::pin(async move { c.get_avatar_group().group_id(id).data().await }),
        read: |g| avatar_outcome(g.status.as_ref(), g.error.as_ref()),
    }
}

pub(super) fn avatar_look() -> JobKind<types::AvatarLook> {
    JobKind {
        name: "avatar look",
        fetch: |c, id| Box::pin(async move { c.get_avatar_look().look_id(id).data().await }),
        read: |l| avatar_outcome(l.status.as_ref(), l.error.as_ref()),
    }
}

fn failed(code: Option<&String>, message: Option<&String>) -> Outcome {
    Outcome::Failed {
        code: code.cloned(),
        message: message.cloned(),
    }
}

/// Assets carry no status of their own: what the bulk endpoint said is
/// all there is, and a fetched asset is one that is there.
pub(super) fn asset() -> JobKind<types::Asset> {
    JobKind {
        name: "asset",
        fetch: |c, id| Box::pin(async move { c.get_asset().asset_id(id).data().await }),
        read: |_| ("completed".into(), Outcome::Finished),
    }
}

type Statuses =
    for<'c> fn(&'c Client, String) -> BoxFuture<'c, Result<Vec<types::BulkStatusItem>, Error>>;
type BatchPage =
    for<'c> fn(&'c Client, String, Option<String>) -> BoxFuture<'c, Result<types::Batch, Error>>;

/// A kind of job HeyGen reports in bulk: by ids through its
/// `.../statuses` endpoint, and by batch through its `.../batches/{id}`.
pub(super) struct ManyKind<T> {
    pub(super) job: JobKind<T>,
    /// The statuses of these comma-separated ids (at most
    /// [`MAX_IDS_PER_REQUEST`](super::MAX_IDS_PER_REQUEST)).
    pub(super) statuses: Statuses,
    /// A page of a batch (HeyGen's default page, 100 items, is its
    /// largest), after this cursor.
    pub(super) batch: BatchPage,
}

pub(super) fn videos() -> ManyKind<types::Video> {
    ManyKind {
        job: video(),
        statuses: |c, ids| {
            Box::pin(async move { c.bulk_video_statuses().video_ids(ids).data().await })
        },
        batch: |c, id, token| {
            Box::pin(async move {
                let page = c.get_video_batch().batch_id(id);
                match token {
                    Some(token) => page.token(token).data().await,
                    None => page.data().await,
                }
            })
        },
    }
}

pub(super) fn video_translations() -> ManyKind<types::VideoTranslation> {
    ManyKind {
        job: video_translation(),
        statuses: |c, ids| {
            Box::pin(async move {
                c.bulk_video_translation_statuses()
                    .video_translation_ids(ids)
                    .data()
                    .await
            })
        },
        batch: |c, id, token| {
            Box::pin(async move {
                let page = c.get_video_translation_batch().batch_id(id);
                match token {
                    Some(token) => page.token(token).data().await,
                    None => page.data().await,
                }
            })
        },
    }
}

pub(super) fn lipsyncs() -> ManyKind<types::Lipsync> {
    ManyKind {
        job: lipsync(),
        statuses: |c, ids| {
            Box::pin(async move { c.bulk_lipsync_statuses().lipsync_ids(ids).data().await })
        },
        batch: |c, id, token| {
            Box::pin(async move {
                let page = c.get_lipsync_batch().batch_id(id);
                match token {
                    Some(token) => page.token(token).data().await,
                    None => page.data().await,
                }
            })
        },
    }
}

pub(super) fn assets() -> ManyKind<types::Asset> {
    ManyKind {
        job: asset(),
        statuses: |c, ids| {
            Box::pin(async move { c.bulk_asset_statuses().asset_ids(ids).data().await })
        },
        batch: |c, id, token| {
            Box::pin(async move {
                let page = c.get_asset_batch().batch_id(id);
                match token {
                    Some(token) => page.token(token).data().await,
                    None => page.data().await,
                }
            })
        },
    }
}
