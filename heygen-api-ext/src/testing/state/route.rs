//! Which route a request is, and the spec operation it stands for.

use http::Method;

/// Routes, each with its spec operation id.
pub(super) enum Route {
    ListSessions,
    CreateSession,
    GetSession(String),
    ListVideos,
    CreateVideo,
    GetVideo(String),
    DeleteVideo(String),
    CreateLipsync,
    GetLipsync(String),
    CreateTranslation,
    GetTranslation(String),
    ListEndpoints,
    CreateEndpoint,
    UpdateEndpoint(String),
    DeleteEndpoint(String),
    RotateSecret(String),
    ListEvents,
    UploadAsset,
    CreateDirectUpload,
    CompleteUpload(String),
    GetAsset(String),
    CloneVoice,
}

impl Route {
    pub(super) fn find(method: &Method, path: &str) -> Option<Route> {
        let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
        let id = |s: &str| s.to_string();
        let m = method.as_str();
        Some(match (m, segs.as_slice()) {
            ("GET", ["v3", "video-agents"]) => Route::ListSessions,
            ("POST", ["v3", "video-agents"]) => Route::CreateSession,
            ("GET", ["v3", "video-agents", s]) => Route::GetSession(id(s)),
            ("GET", ["v3", "videos"]) => Route::ListVideos,
            ("POST", ["v3", "videos"]) => Route::CreateVideo,
            ("GET", ["v3", "videos", v]) => Route::GetVideo(id(v)),
            ("DELETE", ["v3", "videos", v]) => Route::DeleteVideo(id(v)),
            ("POST", ["v3", "lipsyncs"]) => Route::CreateLipsync,
            ("GET", ["v3", "lipsyncs", l]) => Route::GetLipsync(id(l)),
            ("POST", ["v3", "video-translations"]) => Route::CreateTranslation,
            ("GET", ["v3", "video-translations", t]) => Route::GetTranslation(id(t)),
            ("GET", ["v3", "webhooks", "endpoints"]) => Route::ListEndpoints,
            ("POST", ["v3", "webhooks", "endpoints"]) => Route::CreateEndpoint,
            ("PATCH", ["v3", "webhooks", "endpoints", e]) => Route::UpdateEndpoint(id(e)),
            ("DELETE", ["v3", "webhooks", "endpoints", e]) => Route::DeleteEndpoint(id(e)),
            ("POST", ["v3", "webhooks", "endpoints", e, "rotate-secret"]) => {
                Route::RotateSecret(id(e))
            }
            ("GET", ["v3", "webhooks", "events"]) => Route::ListEvents,
            ("POST", ["v3", "assets"]) => Route::UploadAsset,
            ("POST", ["v3", "assets", "direct-uploads"]) => Route::CreateDirectUpload,
            ("POST", ["v3", "assets", a, "complete"]) => Route::CompleteUpload(id(a)),
            ("GET", ["v3", "assets", a]) => Route::GetAsset(id(a)),
            ("POST", ["v3", "voices", "clone"]) => Route::CloneVoice,
            _ => return None,
        })
    }

    pub(super) fn operation_id(&self) -> &'static str {
        match self {
            Route::ListSessions => "listVideoAgentSessions",
            Route::CreateSession => "createVideoAgentSession",
            Route::GetSession(_) => "getVideoAgentSession",
            Route::ListVideos => "listVideos",
            Route::CreateVideo => "createVideo",
            Route::GetVideo(_) => "getVideo",
            Route::DeleteVideo(_) => "deleteVideo",
            Route::CreateLipsync => "createLipsync",
            Route::GetLipsync(_) => "getLipsync",
            Route::CreateTranslation => "createVideoTranslation",
            Route::GetTranslation(_) => "getVideoTranslation",
            Route::ListEndpoints => "listWebhookEndpoints",
            Route::CreateEndpoint => "createWebhookEndpoint",
            Route::UpdateEndpoint(_) => "updateWebhookEndpoint",
            Route::DeleteEndpoint(_) => "deleteWebhookEndpoint",
            Route::RotateSecret(_) => "rotateWebhookSigningSecret",
            Route::ListEvents => "listWebhookEvents",
            Route::UploadAsset => "uploadAsset",
            Route::CreateDirectUpload => "createAssetUpload",
            Route::CompleteUpload(_) => "completeAssetUpload",
            Route::GetAsset(_) => "getAsset",
            Route::CloneVoice => "cloneVoice",
        }
    }
}
