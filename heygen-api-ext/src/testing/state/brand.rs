//! Brand kits and brand glossaries: seeded, read-only.

use serde_json::{Value, json};

use super::State;
use super::request::{Call, Reply, page_of};
use super::router::Handler;

pub(super) const HANDLERS: &[(&str, Handler)] =
    &[("listBrandKits", kits), ("listBrandGlossaries", glossaries)];

const KITS: &[(&str, &[&str])] = &[
    ("Acme", &["#0A84FF", "#FFFFFF"]),
    ("Acme (dark)", &["#111111", "#0A84FF"]),
    ("Globex", &["#2E7D32", "#F1F8E9", "#212121"]),
];

const GLOSSARIES: &[&str] = &["Product names", "Legal terms"];

fn kits(state: &mut State, call: &Call) -> Result<Value, Reply> {
    page_of(call, (0..KITS.len()).collect(), 20, |&i| {
        let id = format!("bk_{:04}", i + 1);
        json!({
            "brand_kit_id": id,
            "name": KITS[i].0,
            "logo_url": state.files.sign(&format!("/brand-kits/{id}/logo.png")),
            "colors": KITS[i].1,
        })
    })
}

fn glossaries(_: &mut State, call: &Call) -> Result<Value, Reply> {
    let items: Vec<Value> = GLOSSARIES
        .iter()
        .enumerate()
        .map(|(i, name)| {
            json!({
                "brand_glossary_id": format!("bg_{:04}", i + 1),
                "name": name,
                "created_at": "2024-01-15T09:00:00Z",
                "updated_at": "2024-06-01T12:30:00Z",
            })
        })
        .collect();
    super::request::page(call, items, 10)
}
