//! Request unions built through builders alone: every branch of
//! `createVideo` and `createAvatar`, and a studio video with one scene of
//! each kind, serialized and validated against the spec's request schema.
//! No struct literal and no `json!` is needed (or possible: the generated
//! structs are `#[non_exhaustive]`).

use heygen_api::types::{
    self, AssetBase64, AssetId, AssetInput, AssetUrl, AvatarEngineConfig, AvatarVideoScene,
    CreateAvatarRequest, CreateDigitalTwinRequest, CreatePhotoAvatarRequest,
    CreatePromptAvatarRequest, CreateVideoFromAvatar, CreateVideoFromCinematicAvatar,
    CreateVideoFromImage, CreateVideoFromStudio, CreateVideoRequest, ImageScene, StudioAvatarInput,
    StudioImageInput, StudioScene, VideoScene,
};
use heygen_contract_tests::spec::spec;
use serde::Serialize;
use serde_json::{Value, json};

type Built<T> = Result<T, types::error::ConversionError>;

/// Serializes `value`, validates it against component `schema` of the
/// vendored spec and returns it.
fn valid(schema: &str, value: &impl Serialize) -> Value {
    let json = serde_json::to_value(value).expect("serializes");
    if let Err(errors) = spec().validate(&format!("/components/schemas/{schema}"), &json) {
        panic!("{schema} built with builders is not what the spec accepts: {errors:?}\n{json:#}");
    }
    json
}

fn asset_url() -> Built<AssetInput> {
    AssetInput::try_from(AssetUrl::builder().url("https://example.com/a.png"))
}

#[test]
fn create_video_every_branch_from_builders() -> Built<()> {
    let avatar: CreateVideoRequest = CreateVideoFromAvatar::builder()
        .avatar_id("Daisy-inskirt-20220818")
        .script("Hello")
        .voice_id("v1")
        .engine(AvatarEngineConfig::AvatarIv)
        .try_into()?;
    let image: CreateVideoRequest = CreateVideoFromImage::builder()
        .image(AssetId::builder().asset_id("asset_1"))
        .script("Hi")
        .try_into()?;
    let cinematic: CreateVideoRequest = CreateVideoFromCinematicAvatar::builder()
        .avatar_id(vec!["look_1".to_string()])
        .prompt("A sunrise over the sea")
        .references(vec![asset_url()?])
        .try_into()?;
    let studio: CreateVideoRequest = CreateVideoFromStudio::builder()
        .scenes(vec![StudioScene::try_from(
            ImageScene::builder().source(asset_url()?),
        )?])
        .try_into()?;
    let tags: Vec<Value> = [avatar, image, cinematic, studio]
        .iter()
        .map(|r| valid("CreateVideoRequest", r)["type"].clone())
        .collect();
    assert_eq!(tags, ["avatar", "image", "cinematic_avatar", "studio"]);
    let avatar = valid(
        "CreateVideoRequest",
        &CreateVideoRequest::try_from(
            CreateVideoFromAvatar::builder()
                .avatar_id("a")
                .engine(AvatarEngineConfig::AvatarIv),
        )?,
    );
    assert_eq!(
        avatar["engine"],
        json!({"type": "avatar_iv"}),
        "a unit branch is its tag"
    );
    Ok(())
}

#[test]
fn create_avatar_every_branch_from_builders() -> Built<()> {
    let base64 = AssetBase64::builder()
        .media_type("image/png")
        .data("iVBORw0KGgo=");
    let prompt: CreateAvatarRequest = CreatePromptAvatarRequest::builder()
        .name("Host")
        .prompt("A friendly news anchor")
        .reference_images(vec![AssetInput::try_from(base64)?])
        .try_into()?;
    let twin: CreateAvatarRequest = CreateDigitalTwinRequest::builder()
        .name("Me")
        .file(AssetUrl::builder().url("https://example.com/me.mp4"))
        .try_into()?;
    let photo: CreateAvatarRequest = CreatePhotoAvatarRequest::builder()
        .name("Portrait")
        .file(AssetId::builder().asset_id("asset_2"))
        .try_into()?;
    let tags: Vec<Value> = [prompt, twin, photo]
        .iter()
        .map(|r| valid("CreateAvatarRequest", r)["type"].clone())
        .collect();
    assert_eq!(tags, ["prompt", "digital_twin", "photo"]);
    Ok(())
}

#[test]
fn studio_video_with_a_scene_of_each_kind_from_builders() -> Built<()> {
    let speaking = AvatarVideoScene::builder().input(
        StudioAvatarInput::builder()
            .avatar_id("look_1")
            .script("Welcome"),
    );
    let still = AvatarVideoScene::builder().input(StudioImageInput::builder().image(asset_url()?));
    let scenes = vec![
        StudioScene::try_from(speaking)?,
        StudioScene::try_from(still)?,
        StudioScene::try_from(ImageScene::builder().source(asset_url()?))?,
        StudioScene::try_from(VideoScene::builder().source(AssetId::builder().asset_id("clip_1")))?,
    ];
    let video = CreateVideoFromStudio::builder()
        .scenes(scenes)
        .title("Four scenes");
    let json = valid("CreateVideoRequest", &CreateVideoRequest::try_from(video)?);
    let kinds: Vec<(&Value, &Value)> = json["scenes"]
        .as_array()
        .expect("scenes")
        .iter()
        .map(|s| (&s["type"], &s["input"]["type"]))
        .collect();
    assert_eq!(
        kinds,
        [
            (&json!("avatar_video"), &json!("avatar")),
            (&json!("avatar_video"), &json!("image")),
            (&json!("image"), &Value::Null),
            (&json!("video"), &Value::Null),
        ]
    );
    Ok(())
}

#[test]
fn a_builder_missing_a_required_field_names_it() {
    let err = CreateVideoRequest::try_from(CreateVideoFromImage::builder().script("Hi"))
        .expect_err("image is required");
    assert!(err.to_string().contains("image"), "{err}");
}
