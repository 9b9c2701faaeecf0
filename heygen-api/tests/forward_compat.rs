//! An addition on HeyGen's side (a new status, a new field) must not break
//! an installed SDK; a request still refuses values the spec does not know.

use heygen_api::open_enums::{VideoStatus, VoiceStatus};
use heygen_api::types;
use serde_json::json;

#[test]
fn unknown_status_and_extra_fields_still_decode() {
    let body = json!({"data": {
        "id": "v_1",
        "status": "waiting",
        "video_url": null,
        "brand_new_field": {"nested": [1, 2, 3]}
    }});
    let resp: types::VideoResponse = serde_json::from_value(body).unwrap();
    let video = resp.data.expect("data present");
    assert_eq!(video.status, VideoStatus::Unknown("waiting".into()));
    assert!(!video.status.is_known());
    // The unknown value survives a round trip.
    let back = serde_json::to_value(&video).unwrap();
    assert_eq!(back["status"], "waiting");
}

#[test]
fn known_statuses_decode_to_their_variants() {
    for (wire, want) in [
        ("pending", VideoStatus::Pending),
        ("processing", VideoStatus::Processing),
        ("completed", VideoStatus::Completed),
        ("failed", VideoStatus::Failed),
    ] {
        let v: VideoStatus = serde_json::from_value(json!(wire)).unwrap();
        assert_eq!(v, want);
        assert_eq!(v.as_str(), wire);
    }
    // Voices end in `complete`, not `completed`.
    let v: VoiceStatus = serde_json::from_value(json!("complete")).unwrap();
    assert_eq!(v, VoiceStatus::Complete);
}

#[test]
fn request_enums_stay_closed() {
    // VideoAspectRatio is sent in create requests: a typo fails locally.
    let err = serde_json::from_value::<types::VideoAspectRatio>(json!("17:9"));
    assert!(err.is_err());
}

#[test]
fn tagged_unions_serialize_with_their_tag_and_decode_unambiguously() {
    let url =
        types::AssetInput::try_from(types::AssetUrl::builder().url("https://example.com/a.png"))
            .unwrap();
    assert_eq!(
        serde_json::to_value(&url).unwrap(),
        json!({"type": "url", "url": "https://example.com/a.png"})
    );
    let id: types::AssetInput =
        serde_json::from_value(json!({"type": "asset_id", "asset_id": "a_1"})).unwrap();
    assert!(matches!(id, types::AssetInput::AssetId(ref id) if id.asset_id == "a_1"));
    // A body with one variant's tag and another's fields is refused.
    assert!(
        serde_json::from_value::<types::AssetInput>(json!({"type": "asset_id", "url": "x"}))
            .is_err()
    );
}
