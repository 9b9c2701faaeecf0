//! The vendored spec, read and prepared for generation: the normalizer's
//! passes (see `normalize`), then the passes that shape the generated
//! Rust, in this order:
//!
//! 1. `normalize`: OpenAPI 3.1 as pydantic writes it -> the 3.0.3 dialect
//!    progenitor reads, with the shapes it mistypes or panics on fixed;
//! 2. `unions`: discriminated unions -> tagged enums over branch structs;
//! 3. `bodies`: optional request bodies a builder can start empty;
//! 4. `shared_params`: one named type per shared parameter schema;
//! 5. `open_enums`: the enums a response can carry, made open;
//! 6. openapiv3 parses the result (the document progenitor is given).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};
use sha2::{Digest, Sha256};

use crate::normalize::{self, HAND_WRITTEN, Ungenerated};
use crate::{bodies, open_enums, shared_params, unions};

/// The workspace root (the parent of this crate's directory).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives inside the workspace")
        .to_path_buf()
}

pub const SPEC_PATH: &str = "openapi/heygen.yaml";

/// A spec, read and normalized.
pub struct Prepared {
    /// The spec's path as given (for messages and headers).
    pub display_path: String,
    pub sha256: String,
    pub spec: openapiv3::OpenAPI,
    pub normalized: normalize::Normalized,
    /// Enums a response can carry, generated open in the workspace crate.
    pub open_enums: Vec<open_enums::OpenEnum>,
    /// Discriminated unions, emitted as tagged enums over their branch structs.
    pub unions: Vec<unions::Union>,
    /// Optional bodies an operation builder starts empty.
    pub optional_bodies: bodies::OptionalBodies,
}

pub fn prepare(path: &Path, display_path: &str) -> Result<Prepared> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the spec at {}", path.display()))?;
    prepare_text(&text, display_path)
}

/// [`prepare`] for a standalone crate (`regen --crate-dir`): an operation
/// progenitor cannot generate is left out, not a problem, since no
/// hand-written call of this workspace replaces it.
pub fn prepare_standalone(path: &Path, display_path: &str) -> Result<Prepared> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the spec at {}", path.display()))?;
    prepare_with(&text, display_path, Ungenerated::LeftOut)
}

/// [`prepare`] on a spec's text.
pub fn prepare_text(text: &str, display_path: &str) -> Result<Prepared> {
    prepare_with(text, display_path, Ungenerated::HandWritten(HAND_WRITTEN))
}

fn prepare_with(text: &str, display_path: &str, ungenerated: Ungenerated<'_>) -> Result<Prepared> {
    let sha256 = hex(&Sha256::digest(text.as_bytes()));
    let raw: serde_json::Value = serde_norway::from_str(text)
        .with_context(|| format!("{display_path} is not valid YAML"))?;
    let mut normalized = normalize::normalize(raw, ungenerated)
        .with_context(|| format!("normalizing {display_path}"))?;
    let (unions, union_notes) = unions::tagged_unions(&mut normalized.doc);
    normalized.notes.extend(union_notes);
    let (optional_bodies, body_notes) = bodies::optional_bodies(&normalized.doc);
    normalized.notes.extend(body_notes);
    let param_notes = shared_params::name_shared_parameter_types(&mut normalized.doc);
    normalized.notes.extend(param_notes);
    let open_enums = open_enums::open_enums(&mut normalized.doc);
    let spec = parse_openapi(&normalized.doc)
        .with_context(|| format!("{display_path}, once normalized to OpenAPI 3.0.3"))?;
    Ok(Prepared {
        display_path: display_path.to_string(),
        sha256,
        spec,
        normalized,
        open_enums,
        unions,
        optional_bodies,
    })
}

/// Deserializes with the failing location in the error: openapiv3's own
/// messages ("invalid type: sequence, expected a string") name none.
fn parse_openapi(doc: &serde_json::Value) -> Result<openapiv3::OpenAPI> {
    let text = doc.to_string();
    let de = &mut serde_json::Deserializer::from_str(&text);
    serde_path_to_error::deserialize(de)
        .map_err(|e| anyhow!("openapiv3 rejects it at `{}`: {}", e.path(), e.inner()))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::Value;

    use super::*;
    use crate::spec;

    fn vendored() -> Value {
        let text = std::fs::read_to_string(workspace_root().join(SPEC_PATH)).unwrap();
        serde_norway::from_str(&text).unwrap()
    }

    #[test]
    fn vendored_spec_has_85_operations_and_84_are_generated() {
        let doc = vendored();
        assert_eq!(spec::operations(&doc).len(), 85);
        let prepared = prepare(&workspace_root().join(SPEC_PATH), SPEC_PATH).unwrap();
        assert_eq!(prepared.spec.operations().count(), 84);
        assert_eq!(
            prepared.normalized.left_out,
            [(
                "uploadAsset".to_string(),
                "heygen_api_ext::Client::upload_asset".to_string()
            )]
        );
    }

    #[test]
    fn vendored_spec_has_no_unused_component() {
        let doc = vendored();
        // Everything reachable from the paths, transitively.
        let mut reached = BTreeSet::new();
        let mut todo = vec![doc["paths"].clone()];
        while let Some(v) = todo.pop() {
            let mut found = Vec::new();
            spec::collect_refs(&v, String::new(), &mut found);
            for (_, r) in found {
                if reached.insert(r.clone()) {
                    let target = spec::ref_target_pointer(&doc, &r, "");
                    todo.push(
                        target
                            .and_then(|p| doc.pointer(&p).cloned())
                            .unwrap_or_default(),
                    );
                }
            }
        }
        let mut unused = Vec::new();
        for (kind, items) in doc["components"].as_object().unwrap() {
            if kind == "securitySchemes" {
                continue;
            }
            for name in items.as_object().unwrap().keys() {
                let r = format!("#/components/{kind}/{name}");
                if !reached.contains(&r) {
                    unused.push(r);
                }
            }
        }
        assert!(unused.is_empty(), "unused components: {unused:?}");
    }
}
