//! The account behind the key (`getCurrentUser`).

use serde_json::{Value, json};

use super::State;
use super::request::{Call, Reply, data};
use super::router::Handler;

pub(super) const HANDLERS: &[(&str, Handler)] = &[("getCurrentUser", me)];

/// The fake account's username (assets are listed by it).
pub(super) const USERNAME: &str = "fake-user";

fn me(_: &mut State, _: &Call) -> Result<Value, Reply> {
    Ok(data(json!({
        "username": USERNAME,
        "email": "fake-user@example.com",
        "first_name": "Fake",
        "last_name": "User",
        "billing_type": "subscription",
        "subscription": {
            "plan": "pro",
            "credits": {
                "premium_credits": {"remaining": 1000, "resets_at": "2030-01-01T00:00:00Z"},
                "add_on_credits": {"remaining": 0, "resets_at": null},
            },
        },
        "wallet": null,
        "usage_based": null,
    })))
}
