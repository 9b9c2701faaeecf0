//! Each of the spec's 85 operations called through `Client` (the
//! generated builders; `uploadAsset` through `Client::upload_asset`)
//! against the fake, each answering its declared success status with a
//! body the spec's schema accepts.

use std::collections::BTreeSet;
use std::time::Duration;

use heygen_api_ext::testing::FakeHeyGen;
use serde_json::{Value, json};

use crate::fake::spec::{Spec, failures};

mod jobs;
mod library;

use jobs::{agent, lipsyncs, media_jobs, proofreads, translations, videos};
use library::{asset_batches, assets, avatars, catalogues, voices, webhooks};

/// A request body of generated type `T`, from JSON.
pub(crate) fn body<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("a body the generated type takes")
}

pub(crate) fn url(u: &str) -> Value {
    json!({"type": "url", "url": u})
}

/// Lets the fake's jobs (3 s by default) finish, on the paused clock.
pub(crate) async fn finish_jobs() {
    tokio::time::sleep(Duration::from_secs(4)).await;
}

#[tokio::test(start_paused = true)]
async fn every_operation_answers_with_a_spec_valid_body() {
    let fake = FakeHeyGen::start().await.unwrap();
    let client = fake.client_builder().without_timeouts().build().unwrap();

    agent(&client).await;
    videos(&client).await;
    lipsyncs(&client).await;
    translations(&client).await;
    proofreads(&client).await;
    assets(&client).await;
    asset_batches(&client).await;
    avatars(&client).await;
    voices(&client).await;
    catalogues(&client).await;
    webhooks(&client).await;
    media_jobs(&client).await;

    let exchanges = fake.exchanges();
    let failures = failures(&Spec::load(), &exchanges);
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    let all: BTreeSet<&str> = heygen_api::operations::OPERATIONS
        .iter()
        .map(|op| op.id)
        .chain(["uploadAsset"])
        .collect();
    assert_eq!(all.len(), 85);
    let success = |op: &str| {
        heygen_api::operations::OPERATIONS
            .iter()
            .find(|o| o.id == op)
            .map_or(200, |o| o.success_status)
    };
    let answered: BTreeSet<&str> = exchanges
        .iter()
        .filter_map(|e| e.operation_id.filter(|op| e.status == success(op)))
        .collect();
    let missing: Vec<_> = all.difference(&answered).collect();
    assert!(
        missing.is_empty(),
        "never answered with success: {missing:?}"
    );
}
