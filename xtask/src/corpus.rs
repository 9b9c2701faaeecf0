//! `cargo xtask corpus`: the pipeline tried on specs FastAPI and pydantic
//! really produce (`xtask/corpus/`, see its README). For every spec there:
//! a standalone crate (`regen --crate-dir`) under `target/corpus/<app>`,
//! built offline against the workspace's `Cargo.lock`, whose example
//! decodes every committed sample payload into its generated type and
//! encodes it back without losing a field (`xtask/corpus/roundtrip.rs`).
//! No Python: the specs and samples are committed.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::names::sanitize;
use crate::prepare::workspace_root;
use crate::regen::standalone_crate;

/// Runs the corpus (every spec, or those named in `apps`).
pub fn corpus(apps: &[String]) -> Result<ExitCode> {
    let root = workspace_root();
    let corpus = root.join("xtask/corpus");
    let mut specs: Vec<(String, PathBuf)> = std::fs::read_dir(corpus.join("specs"))
        .context("reading xtask/corpus/specs")?
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let app = path.file_stem()?.to_str()?.to_string();
            (path.extension()? == "json").then_some((app, path))
        })
        .filter(|(app, _)| apps.is_empty() || apps.contains(app))
        .collect();
    specs.sort();
    if specs.is_empty() {
        bail!("no corpus spec matches {apps:?} in xtask/corpus/specs");
    }
    let mut failed = Vec::new();
    for (app, spec) in &specs {
        eprintln!("==> corpus: {app}");
        if let Err(e) = run_app(&root, app, spec) {
            eprintln!("corpus {app} FAILED: {e:#}");
            failed.push(app.clone());
        }
    }
    if failed.is_empty() {
        eprintln!(
            "corpus: {} spec(s) generate, compile and round-trip",
            specs.len()
        );
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("corpus: failed: {}", failed.join(", "));
        Ok(ExitCode::FAILURE)
    }
}

fn run_app(root: &Path, app: &str, spec: &Path) -> Result<()> {
    let dir = root.join("target/corpus").join(app);
    let samples = root.join("xtask/corpus/samples").join(app);
    let prepared = standalone_crate(spec, &dir, |_| {})?;
    // The notes are for whoever changes the corpus; kept beside the crate.
    std::fs::write(
        dir.join("regen-notes.txt"),
        prepared.normalized.notes.join("\n"),
    )?;
    let lib = std::fs::read_to_string(dir.join("src/lib.rs"))?;
    numbered_names(spec, &lib)?;

    // The workspace's versions, so the build is offline and shares them.
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"))?;
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(samples.join("roundtrip.json"))
            .with_context(|| format!("reading {}/roundtrip.json", samples.display()))?,
    )?;
    let comparator = std::fs::read_to_string(root.join("xtask/corpus/roundtrip.rs"))?;
    let example = format!("{comparator}\n{}", cases(app, &manifest)?);
    std::fs::create_dir_all(dir.join("examples"))?;
    std::fs::write(dir.join("examples/roundtrip.rs"), example)?;

    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args([
            "run",
            "--offline",
            "--quiet",
            "--example",
            "roundtrip",
            "--manifest-path",
        ])
        .arg(dir.join("Cargo.toml"))
        .arg("--")
        .arg(&samples)
        // One target directory for every corpus crate: they share their
        // dependencies.
        .env("CARGO_TARGET_DIR", root.join("target/corpus/target"))
        .status()
        .context("running cargo")?;
    if !status.success() {
        bail!("the generated crate does not build, or a sample does not round-trip (above)");
    }
    Ok(())
}

/// The generated `fn cases`: one `check` per `types` pair of the app's
/// `roundtrip.json`.
fn cases(app: &str, manifest: &Value) -> Result<String> {
    let krate = sanitize(app, false);
    let pairs = manifest["types"]
        .as_array()
        .context("roundtrip.json has no `types` list")?;
    let mut out = String::from("fn cases(r: &mut Report) {\n");
    for pair in pairs {
        let (Some(ty), Some(model)) = (pair[0].as_str(), pair[1].as_str()) else {
            bail!("roundtrip.json: `types` holds [type, model] pairs, not {pair}");
        };
        out.push_str(&format!(
            "    r.check::<{krate}::types::{ty}>({ty:?}, {model:?});\n"
        ));
    }
    out.push_str("}\n");
    Ok(out)
}

/// A type the pipeline named with a trailing number (`ErrorBody2`) that the
/// spec did not name so itself (`V2` is the spec's own).
fn numbered_names(spec: &Path, lib: &str) -> Result<()> {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(spec)?)?;
    let own: Vec<String> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| m.keys().map(|n| sanitize(n, true)).collect())
        .unwrap_or_default();
    let numbered: Vec<&str> = lib
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .collect::<Vec<_>>()
        .windows(2)
        .filter(|w| w[0] == "struct" || w[0] == "enum")
        .map(|w| w[1])
        .filter(|name| name.ends_with(|c: char| c.is_ascii_digit()))
        .filter(|name| !own.iter().any(|o| o == name))
        .collect();
    if !numbered.is_empty() {
        bail!(
            "types named with a number, not by meaning: {}",
            numbered.join(", ")
        );
    }
    Ok(())
}
