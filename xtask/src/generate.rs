//! `cargo xtask regen`: spec -> normalized spec -> progenitor -> files.

use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow};
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle, TypeImpl};
use quote::quote;
use sha2::{Digest, Sha256};

use crate::normalize::{self, HAND_WRITTEN};
use crate::{glue, names, open_enums, unions};

pub struct RegenArgs {
    pub check: bool,
    pub spec: Option<PathBuf>,
    pub crate_dir: Option<PathBuf>,
}

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
    /// Response-only enums, generated open in the workspace crate.
    pub open_enums: Vec<open_enums::OpenEnum>,
}

pub fn prepare(path: &Path, display_path: &str) -> Result<Prepared> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the spec at {}", path.display()))?;
    let sha256 = hex(&Sha256::digest(text.as_bytes()));
    let raw: serde_json::Value = serde_norway::from_str(&text)
        .with_context(|| format!("{display_path} is not valid YAML"))?;
    let mut normalized = normalize::normalize(raw, HAND_WRITTEN)
        .with_context(|| format!("normalizing {display_path}"))?;
    let union_notes = unions::inline_tagged_unions(&mut normalized.doc);
    normalized.notes.extend(union_notes);
    let param_notes = names::name_shared_parameter_types(&mut normalized.doc);
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

pub fn regen(args: RegenArgs) -> Result<ExitCode> {
    let root = workspace_root();
    if let Some(dir) = &args.crate_dir {
        let spec = args
            .spec
            .as_ref()
            .context("--crate-dir needs --spec FILE (the spec to generate from)")?;
        let prepared = prepare(spec, &spec.display().to_string())?;
        print_notes(&prepared);
        write_standalone_crate(&prepared, dir)?;
        eprintln!(
            "wrote a standalone crate to {} ({} operations); try it with `cargo check --manifest-path {}/Cargo.toml`",
            dir.display(),
            prepared.spec.operations().count(),
            dir.display()
        );
        return Ok(ExitCode::SUCCESS);
    }

    let spec_path = args.spec.clone().unwrap_or_else(|| root.join(SPEC_PATH));
    let prepared = prepare(&spec_path, SPEC_PATH)?;
    print_notes(&prepared);
    let outputs = workspace_outputs(&prepared)?;

    if args.check {
        let mut stale = Vec::new();
        for (rel, content) in &outputs {
            let current = std::fs::read_to_string(root.join(rel)).unwrap_or_default();
            if &current != content {
                stale.push((rel.clone(), short_diff(&current, content)));
            }
        }
        if stale.is_empty() {
            eprintln!(
                "up to date: {} files match {SPEC_PATH} (sha256 {})",
                outputs.len(),
                prepared.sha256
            );
            return Ok(ExitCode::SUCCESS);
        }
        for (rel, diff) in &stale {
            eprintln!("stale: {rel}\n{diff}");
        }
        eprintln!(
            "{} generated file(s) are stale against {SPEC_PATH}: run `cargo xtask regen` and commit the result",
            stale.len()
        );
        return Ok(ExitCode::FAILURE);
    }

    for (rel, content) in &outputs {
        let path = root.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if &current != content {
            std::fs::write(&path, content).with_context(|| format!("writing {rel}"))?;
            eprintln!("wrote {rel}");
        } else {
            eprintln!("unchanged {rel}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_notes(prepared: &Prepared) {
    for note in &prepared.normalized.notes {
        eprintln!("note: {note}");
    }
}

fn header(prepared: &Prepared, what: &str) -> String {
    format!(
        "// @generated by `cargo xtask regen` from {} ({what}). Do not edit by hand.\n\
         // spec sha256: {}\n\n",
        prepared.display_path, prepared.sha256
    )
}

/// Every file regen owns in the workspace: `(path relative to the root, content)`.
pub fn workspace_outputs(prepared: &Prepared) -> Result<Vec<(String, String)>> {
    let open = &prepared.open_enums;
    let client = generate_client(&prepared.spec, Some(quote!(crate::hooks::Inner)), open)?;
    let mock = generate_mock(&prepared.spec, "crate", open)?;
    let ops = glue::Operations::from_doc(&prepared.normalized.doc, &prepared.normalized)?;
    Ok(vec![
        (
            "heygen-api/src/generated.rs".into(),
            format!("{}{client}", header(prepared, "progenitor client")),
        ),
        (
            "heygen-api/src/mock.rs".into(),
            format!(
                "{}//! httpmock helpers for every operation, generated by progenitor.\n\n{mock}",
                header(prepared, "progenitor httpmock helpers")
            ),
        ),
        (
            "heygen-api/src/open_enums.rs".into(),
            format!(
                "{}{}",
                header(prepared, "open response enums"),
                open_enums::open_enums_rs(open)
            ),
        ),
        (
            "heygen-api/src/operations.rs".into(),
            format!(
                "{}{}",
                header(prepared, "operation facts"),
                ops.operations_rs(&prepared.sha256)?
            ),
        ),
        (
            "heygen-api-ext/src/paginate/generated.rs".into(),
            format!(
                "{}{}",
                header(prepared, "pagination glue"),
                ops.pagination_rs(&client)?
            ),
        ),
    ])
}

fn settings(
    inner: Option<proc_macro2::TokenStream>,
    open: &[open_enums::OpenEnum],
) -> GenerationSettings {
    let mut settings = GenerationSettings::default();
    for e in open {
        settings.with_replacement(
            &e.name,
            format!("crate::open_enums::{}", e.name),
            [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
        );
    }
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_derive("schemars::JsonSchema");
    match inner {
        Some(inner) => {
            // The seam: heygen-api must implement `ClientHooks` (auth,
            // retries, tracing live behind it); forgetting is a compile error.
            settings
                .with_inner_type(inner)
                .with_hooks(HooksMode::Expected);
        }
        None => {
            settings.with_hooks(HooksMode::Optional);
        }
    }
    settings
}

/// Runs progenitor, turning its panics (it has `todo!`s and asserts on
/// shapes it does not support) into an error that says where to look.
fn run_progenitor<F>(what: &str, f: F) -> Result<proc_macro2::TokenStream>
where
    F: FnOnce() -> Result<proc_macro2::TokenStream, progenitor::Error>,
{
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = catch_unwind(AssertUnwindSafe(f));
    std::panic::set_hook(previous);
    match result {
        Ok(Ok(tokens)) => Ok(tokens),
        Ok(Err(e)) => Err(anyhow!("progenitor could not generate the {what}: {e}")),
        Err(panic) => {
            let msg = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".into());
            Err(anyhow!(
                "progenitor panicked while generating the {what}: {msg}\n\
                 The spec has a shape the normalizer does not handle yet; \
                 add a rule to xtask/src/normalize.rs"
            ))
        }
    }
}

fn format_tokens(tokens: proc_macro2::TokenStream) -> Result<String> {
    let file: syn::File = syn::parse2(tokens).context("progenitor produced unparsable Rust")?;
    Ok(prettyplease::unparse(&file))
}

pub fn generate_client(
    spec: &openapiv3::OpenAPI,
    inner: Option<proc_macro2::TokenStream>,
    open: &[open_enums::OpenEnum],
) -> Result<String> {
    let settings = settings(inner, open);
    let tokens = run_progenitor("client", || Generator::new(&settings).generate_tokens(spec))?;
    format_tokens(tokens)
}

pub fn generate_mock(
    spec: &openapiv3::OpenAPI,
    crate_path: &str,
    open: &[open_enums::OpenEnum],
) -> Result<String> {
    let settings = settings(None, open);
    let tokens = run_progenitor("httpmock helpers", || {
        Generator::new(&settings).httpmock(spec, crate_path)
    })?;
    format_tokens(tokens)
}

/// A crate of its own from any spec: for trying a new spec version.
fn write_standalone_crate(prepared: &Prepared, dir: &Path) -> Result<()> {
    // Open enums need heygen-api's `open_enum!`; a standalone crate keeps
    // typify's closed enums.
    let client = generate_client(&prepared.spec, None, &[])?;
    let name = dir
        .file_name()
        .and_then(|n| n.to_str())
        .map(|n| {
            n.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_lowercase()
                    } else {
                        '-'
                    }
                })
                .collect::<String>()
        })
        .filter(|n| n.starts_with(|c: char| c.is_ascii_alphabetic()))
        .unwrap_or_else(|| "generated-client".into());
    std::fs::create_dir_all(dir.join("src"))?;
    let mut manifest = String::new();
    let _ = write!(
        manifest,
        "# @generated by `cargo xtask regen --crate-dir` from {}\n\
         [package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         # Not part of any enclosing workspace.\n[workspace]\n\n[dependencies]\n{}",
        prepared.display_path, STANDALONE_DEPENDENCIES
    );
    std::fs::write(dir.join("Cargo.toml"), manifest)?;
    std::fs::write(
        dir.join("src/lib.rs"),
        format!(
            "{}#![allow(clippy::all, unreachable_patterns, dead_code)]\n\n{client}",
            header(prepared, "standalone progenitor client")
        ),
    )?;
    for (id, instead) in &prepared.normalized.left_out {
        eprintln!("note: {id} is not in the generated crate; in this workspace it is {instead}");
    }
    Ok(())
}

/// The generated code's dependencies: what heygen-api depends on.
const STANDALONE_DEPENDENCIES: &str = r#"bytes = "1"
chrono = { version = "0.4", default-features = false, features = ["serde", "std"] }
futures-core = "0.3"
progenitor-client = "0.15.1"
regress = "0.10"
reqwest = { version = "0.13.4", default-features = false, features = ["json", "query", "stream"] }
schemars = { version = "0.8.22", features = ["chrono", "uuid1"] }
serde = { version = "1", features = ["derive"] }
serde_json = "1"
uuid = { version = "1", features = ["serde", "v4"] }
"#;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// A unified diff, cut short: enough to see what moved.
fn short_diff(old: &str, new: &str) -> String {
    const MAX_LINES: usize = 40;
    let diff = similar::TextDiff::from_lines(old, new);
    let text = diff
        .unified_diff()
        .context_radius(2)
        .header("committed", "regenerated")
        .to_string();
    let total = text.lines().count();
    let mut out: String = text.lines().take(MAX_LINES).collect::<Vec<_>>().join("\n");
    if total > MAX_LINES {
        let _ = write!(out, "\n... ({} more diff lines)", total - MAX_LINES);
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::Value;

    use super::*;

    fn vendored() -> Value {
        let text = std::fs::read_to_string(workspace_root().join(SPEC_PATH)).unwrap();
        serde_norway::from_str(&text).unwrap()
    }

    #[test]
    fn vendored_spec_has_85_operations_and_84_are_generated() {
        let doc = vendored();
        let ops: usize = doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .map(|item| {
                item.as_object()
                    .unwrap()
                    .keys()
                    .filter(|k| *k != "parameters")
                    .count()
            })
            .sum();
        assert_eq!(ops, 85);
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
        fn refs(v: &Value, out: &mut BTreeSet<String>) {
            match v {
                Value::Object(m) => {
                    if let Some(r) = m.get("$ref").and_then(Value::as_str) {
                        out.insert(r.to_string());
                    }
                    m.values().for_each(|s| refs(s, out));
                }
                Value::Array(a) => a.iter().for_each(|s| refs(s, out)),
                _ => {}
            }
        }
        // Everything reachable from the paths, transitively.
        let mut reached = BTreeSet::new();
        let mut todo = vec![doc["paths"].clone()];
        while let Some(v) = todo.pop() {
            let mut found = BTreeSet::new();
            refs(&v, &mut found);
            for r in found {
                if reached.insert(r.clone()) {
                    let ptr = r.trim_start_matches('#');
                    todo.push(doc.pointer(ptr).cloned().unwrap_or(Value::Null));
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
