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
use crate::{bodies, builders, changes, glue, open_enums, shared_params, unions};

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

/// [`prepare`] on a spec's text.
pub fn prepare_text(text: &str, display_path: &str) -> Result<Prepared> {
    let sha256 = hex(&Sha256::digest(text.as_bytes()));
    let raw: serde_json::Value = serde_norway::from_str(text)
        .with_context(|| format!("{display_path} is not valid YAML"))?;
    let mut normalized = normalize::normalize(raw, HAND_WRITTEN)
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
    let generated = std::fs::read_to_string(root.join("heygen-api/src/generated.rs")).ok()?;
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
    let client = generate_client(prepared, Some(quote!(crate::hooks::Inner)), open)?;
    let mock = generate_mock(prepared, "crate", open)?;
    let ops = glue::Operations::from_doc(&prepared.normalized.doc, &prepared.normalized)?;
    // One index of the generated client for all the glue read from it.
    let index = glue::TypeIndex::parse(&client)?;
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
                ops.pagination_rs(&index)?
            ),
        ),
        (
            "heygen-api-ext/src/data/generated.rs".into(),
            format!(
                "{}{}",
                header(prepared, "data payload glue"),
                ops.data_rs(&index)?
            ),
        ),
        (
            "tests/src/generated.rs".into(),
            format!(
                "{}{}",
                header(prepared, "contract test glue"),
                crate::contract::contract_rs(prepared, &client)?
            ),
        ),
    ])
}

fn settings(
    inner: Option<proc_macro2::TokenStream>,
    open: &[open_enums::OpenEnum],
    prepared: &Prepared,
) -> GenerationSettings {
    let mut settings = GenerationSettings::default();
    for e in open {
        settings.with_replacement(
            &e.name,
            format!("crate::open_enums::{}", e.name),
            [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
        );
    }
    for (component, path) in unions::replacements(&prepared.unions) {
        settings.with_replacement(&component, path, std::iter::empty());
    }
    for component in &prepared.optional_bodies.components {
        settings.with_patch(
            component,
            progenitor::TypePatch::default().with_derive("Default"),
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

/// typify 0.8 names a parameter `gen` in the `JsonSchema` impls it writes
/// for non-string enums (`type: integer, enum: [1, 2, 3]`); `gen` is a
/// reserved word in edition 2024, the generated crates' edition.
fn raw_gen(tokens: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    use proc_macro2::{Group, Ident, TokenTree};
    tokens
        .into_iter()
        .map(|tt| match tt {
            TokenTree::Ident(id) if id == "gen" => {
                TokenTree::Ident(Ident::new_raw("gen", id.span()))
            }
            TokenTree::Group(g) => {
                let mut inner = Group::new(g.delimiter(), raw_gen(g.stream()));
                inner.set_span(g.span());
                TokenTree::Group(inner)
            }
            other => other,
        })
        .collect()
}

fn parse_tokens(tokens: proc_macro2::TokenStream) -> Result<syn::File> {
    syn::parse2(raw_gen(tokens)).context("progenitor produced unparsable Rust")
}

/// What the generated types module gets besides typify's output, and what
/// changes in it: structs built through builders only (see [`builders`]),
/// the tagged unions, the open enums re-exported (every type a request or
/// response names is in `types`, whether typify or `open_enum!` made it),
/// and optional bodies that start from their empty value.
fn finish_client(
    file: &mut syn::File,
    prepared: &Prepared,
    open: &[open_enums::OpenEnum],
) -> Result<()> {
    let types = file
        .items
        .iter_mut()
        .find_map(|item| match item {
            syn::Item::Mod(m) if m.ident == "types" => m.content.as_mut().map(|(_, items)| items),
            _ => None,
        })
        .context("progenitor generated no `types` module")?;
    builders::builders_only(types);
    let unions: syn::File = syn::parse2(unions::union_items(&prepared.unions))
        .context("the tagged unions are not valid Rust")?;
    types.extend(unions.items);
    if !open.is_empty() {
        let names = open.iter().map(|e| quote::format_ident!("{}", e.name));
        types.push(syn::parse_quote! {
            pub use crate::open_enums::{#(#names),*};
        });
    }
    bodies::start_from_default(file, &prepared.optional_bodies.builders);
    Ok(())
}

pub fn generate_client(
    prepared: &Prepared,
    inner: Option<proc_macro2::TokenStream>,
    open: &[open_enums::OpenEnum],
) -> Result<String> {
    let settings = settings(inner, open, prepared);
    let tokens = run_progenitor("client", || {
        Generator::new(&settings).generate_tokens(&prepared.spec)
    })?;
    let mut file = parse_tokens(tokens)?;
    finish_client(&mut file, prepared, open)?;
    Ok(prettyplease::unparse(&file))
}

pub fn generate_mock(
    prepared: &Prepared,
    crate_path: &str,
    open: &[open_enums::OpenEnum],
) -> Result<String> {
    let settings = settings(None, open, prepared);
    let tokens = run_progenitor("httpmock helpers", || {
        Generator::new(&settings).httpmock(&prepared.spec, crate_path)
    })?;
    Ok(prettyplease::unparse(&parse_tokens(tokens)?))
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

    /// An optional request field HeyGen adds is compatible, and that is
    /// true of the code: the struct cannot be built with a literal.
    #[test]
    fn an_added_optional_request_field_is_compatible_because_structs_are_non_exhaustive() {
        let text = std::fs::read_to_string(workspace_root().join(SPEC_PATH)).unwrap();
        let old = prepare_text(&text, "old").unwrap();
        let mut doc: Value = serde_norway::from_str(&text).unwrap();
        doc["components"]["schemas"]["CreateVideoFromAvatar"]["properties"]["mood"] =
            serde_json::json!({"type": "string"});
        let new = prepare_text(&serde_json::to_string(&doc).unwrap(), "new").unwrap();
        let list = changes::compare(&old.normalized.doc, &new.normalized.doc, &BTreeSet::new());
        let added: Vec<_> = list.iter().filter(|c| c.what.contains("mood")).collect();
        assert_eq!(added.len(), 1, "{list:?}");
        assert!(!added[0].breaking, "{}", added[0]);
        let client = generate_client(&new, None, &[]).unwrap();
        assert!(
            client.contains("#[non_exhaustive]\n    pub struct CreateVideoFromAvatar {"),
            "a struct users could build with a literal would break"
        );
    }

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
