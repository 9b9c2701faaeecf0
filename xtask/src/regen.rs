//! `cargo xtask regen`: spec -> prepared spec -> progenitor -> the files
//! the workspace commits (or, with `--check`, a comparison with them; with
//! `--crate-dir`, a standalone crate).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use quote::quote;
use sha2::{Digest, Sha256};

use crate::client::{generate_client, generate_mock};
use crate::client_index::ClientIndex;
use crate::operation_facts::Operations;
use crate::prepare::{
    Prepared, SPEC_PATH, hex, prepare, prepare_standalone, prepare_text, workspace_root,
};
use crate::{changes, contract_glue, data_glue, open_enums, pagination_glue};

pub struct RegenArgs {
    pub check: bool,
    pub spec: Option<PathBuf>,
    pub crate_dir: Option<PathBuf>,
}

pub fn regen(args: RegenArgs) -> Result<ExitCode> {
    let root = workspace_root();
    if let Some(dir) = &args.crate_dir {
        let spec = args
            .spec
            .as_ref()
            .context("--crate-dir needs --spec FILE (the spec to generate from)")?;
        let prepared = standalone_crate(spec, dir, print_notes)?;
        eprintln!(
            "wrote a standalone crate to {} ({} operations, {} left out); try it with `cargo check --manifest-path {}/Cargo.toml`",
            dir.display(),
            prepared.spec.operations().count(),
            prepared.normalized.left_out.len(),
            dir.display()
        );
        return Ok(ExitCode::SUCCESS);
    }

    let spec_path = args.spec.clone().unwrap_or_else(|| root.join(SPEC_PATH));
    let prepared = prepare(&spec_path, SPEC_PATH)?;
    print_notes(&prepared);
    let outputs = workspace_outputs(&prepared)?;
    let report = change_report(&root, &prepared)?;

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
        if let Some((text, _)) = &report {
            eprint!("{text}");
        }
        eprintln!(
            "{} generated file(s) are stale against {SPEC_PATH}: run `cargo xtask regen` and commit the result",
            stale.len()
        );
        return Ok(ExitCode::FAILURE);
    }

    if let Some((text, changes)) = &report {
        eprint!("{text}");
        if !changes.is_empty() {
            record_in_changelog(&root, &prepared.sha256, changes)?;
        }
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

/// The spec the committed generated code was made from: the vendored
/// spec at the commit whose sha256 the generated header names. `None` when
/// the generated code already matches the spec.
fn previous_spec(root: &Path, current_sha: &str) -> Option<(String, String)> {
    let generated =
        std::fs::read_to_string(root.join("heygen-api/src/generated/client.rs")).ok()?;
    let generated_sha = generated
        .lines()
        .take(5)
        .find_map(|l| l.strip_prefix("// spec sha256: "))?
        .trim()
        .to_string();
    if generated_sha == current_sha {
        return None;
    }
    let git = |args: &[&str]| -> Option<String> {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(root)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let commits = git(&["log", "--format=%H", "--", SPEC_PATH])?;
    for commit in commits.lines().take(200) {
        let Some(text) = git(&["show", &format!("{commit}:{SPEC_PATH}")]) else {
            continue;
        };
        if hex(&Sha256::digest(text.as_bytes())) == generated_sha {
            let short = &commit[..commit.len().min(12)];
            return Some((
                text,
                format!("commit {short} (the spec the committed code was generated from)"),
            ));
        }
    }
    None
}

/// The change report of the spec against the previous vendored version.
fn change_report(
    root: &Path,
    prepared: &Prepared,
) -> Result<Option<(String, Vec<changes::Change>)>> {
    let Some((old_text, label)) = previous_spec(root, &prepared.sha256) else {
        return Ok(None);
    };
    let old = prepare_text(&old_text, &label)
        .with_context(|| format!("normalizing the previous spec ({label})"))?;
    let open = prepared.open_enums.iter().map(|e| e.name.clone()).collect();
    let list = changes::compare(&old.normalized.doc, &prepared.normalized.doc, &open);
    Ok(Some((changes::render(&list, &label), list)))
}

/// Adds the report to CHANGELOG.md's Unreleased section, once per spec.
fn record_in_changelog(root: &Path, sha: &str, list: &[changes::Change]) -> Result<()> {
    let path = root.join("CHANGELOG.md");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(());
    };
    let heading = format!("### Spec update (sha256 {})", &sha[..12]);
    if text.contains(&heading) {
        return Ok(());
    }
    let Some(at) = text.find("## Unreleased") else {
        return Ok(());
    };
    let insert_at = text[at..]
        .find('\n')
        .map(|i| at + i + 1)
        .unwrap_or(text.len());
    let mut block = format!("\n{heading}\n\n");
    for c in list {
        let class = if c.breaking {
            "**breaking**"
        } else {
            "compatible"
        };
        block.push_str(&format!("- {class}: {}\n", c.what));
    }
    let mut out = text.clone();
    out.insert_str(insert_at, &block);
    std::fs::write(&path, out)?;
    eprintln!("recorded the spec changes in CHANGELOG.md");
    Ok(())
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
    let client = generate_client(prepared, Some(quote!(crate::hooks::TransportSlot)), open)?;
    let mock = generate_mock(prepared, "crate", open)?;
    let ops = Operations::from_doc(&prepared.normalized.doc, &prepared.normalized)?;
    // One index of the generated client for all the glue read from it.
    let index = ClientIndex::parse(&client)?;
    Ok(vec![
        (
            "heygen-api/src/generated/client.rs".into(),
            format!("{}{client}", header(prepared, "progenitor client")),
        ),
        (
            "heygen-api/src/generated/mock.rs".into(),
            format!(
                "{}//! httpmock helpers for every operation, generated by progenitor.\n\n{mock}",
                header(prepared, "progenitor httpmock helpers")
            ),
        ),
        (
            "heygen-api/src/generated/open_enums.rs".into(),
            format!(
                "{}{}",
                header(prepared, "open response enums"),
                open_enums::open_enums_rs(open)
            ),
        ),
        (
            "heygen-api/src/generated/operations.rs".into(),
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
                pagination_glue::pagination_rs(&ops, &index)?
            ),
        ),
        (
            "heygen-api-ext/src/data/generated.rs".into(),
            format!(
                "{}{}",
                header(prepared, "data payload glue"),
                data_glue::data_rs(&ops, &index)?
            ),
        ),
        (
            "tests/src/generated.rs".into(),
            format!(
                "{}{}",
                header(prepared, "contract test glue"),
                contract_glue::contract_rs(prepared, &index)?
            ),
        ),
    ])
}

/// Generates a crate of its own from the spec at `spec` into `dir` (what
/// `--crate-dir` does), showing the normalizer's notes with `notes`. An
/// operation that cannot be generated is left out with a warning naming it.
pub fn standalone_crate(
    spec: &Path,
    dir: &Path,
    notes: impl FnOnce(&Prepared),
) -> Result<Prepared> {
    let prepared = prepare_standalone(spec, &spec.display().to_string())?;
    notes(&prepared);
    write_standalone_crate(&prepared, dir)?;
    for (id, _) in &prepared.normalized.left_out {
        eprintln!(
            "warning: operation {id} is not in the generated crate: progenitor 0.15 cannot \
             generate its request body (see the note); write that call by hand"
        );
    }
    Ok(prepared)
}

/// A crate of its own from any spec: for trying a new spec version.
fn write_standalone_crate(prepared: &Prepared, dir: &Path) -> Result<()> {
    // Open enums need heygen-api's `open_enum!`; a standalone crate keeps
    // typify's closed enums.
    let client = generate_client(prepared, None, &[])?;
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
         # Not part of any enclosing workspace.\n[workspace]\n\n\
         [features]\n# `schemars::JsonSchema` for every type.\nschemars = [\"dep:schemars\"]\n\n\
         [dependencies]\n{}",
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
    Ok(())
}

/// The generated code's dependencies: heygen-api's, and what typify's
/// formats need that HeyGen's spec does not use (`chrono` for dates, `uuid`,
/// `bytes` and `futures-core` for raw bodies).
const STANDALONE_DEPENDENCIES: &str = r#"bytes = "1"
chrono = { version = "0.4", default-features = false, features = ["serde", "std"] }
futures-core = "0.3"
progenitor-client = "0.15.1"
regress = "0.10"
reqwest = { version = "0.13.4", default-features = false, features = ["json", "query", "stream"] }
schemars = { version = "0.8.22", features = ["chrono", "uuid1"], optional = true }
serde = { version = "1", features = ["derive"] }
serde_json = "1"
uuid = { version = "1", features = ["serde", "v4"] }
"#;

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
    use super::*;

    #[test]
    fn regeneration_is_deterministic() {
        let path = workspace_root().join(SPEC_PATH);
        let first = workspace_outputs(&prepare(&path, SPEC_PATH).unwrap()).unwrap();
        let second = workspace_outputs(&prepare(&path, SPEC_PATH).unwrap()).unwrap();
        assert_eq!(first.len(), second.len());
        for ((path, a), (_, b)) in first.iter().zip(&second) {
            assert!(a == b, "{path} differs between two runs");
        }
    }
}
