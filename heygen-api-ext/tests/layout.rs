//! The crate's shape, checked from its sources: the modules import each
//! other without a circle, `config` imports nothing of the crate, and one
//! place (`transport::classify`) decides what is worth a retry.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Top-level modules of `src/`, and the names `lib.rs` re-exports from each.
const MODULES: &[(&str, &[&str])] = &[
    ("client", &["Client", "ClientBuilder"]),
    ("config", &["Options", "RetryPolicy"]),
    ("data", &["SendData"]),
    ("error", &["Error", "ApiError", "CallInfo", "Resend"]),
    ("paginate", &["Page", "Paginated"]),
    ("testing", &[]),
    (
        "transport",
        &["IDEMPOTENCY_KEY", "RetryEvent", "RetryReason"],
    ),
    ("upload", &["AssetSource", "UploadProgress"]),
    ("wait", &["StatusChange", "WaitOptions"]),
];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a source file belongs to (`None` for `lib.rs`).
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel.components().next()?.as_os_str().to_str()?.to_string();
    let name = first.trim_end_matches(".rs").to_string();
    (name != "lib").then_some(name)
}

/// The modules `text` refers to through `crate::`, by path or by a name
/// `lib.rs` re-exports. Comments are skipped.
fn references(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            // `crate::x::...`, `crate::Name`, or `crate::{a, b::c}`.
            let group = if let Some(inner) = rest.strip_prefix('{') {
                inner.split('}').next().unwrap_or("")
            } else {
                rest.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .next()
                    .unwrap_or("")
            };
            for item in group.split(',') {
                let head = item.trim().split("::").next().unwrap_or("").trim();
                for (module, names) in MODULES {
                    if head == *module || names.contains(&head) {
                        found.insert(module.to_string());
                    }
                }
            }
        }
    }
    found
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let Some(module) = module_of(&src, &file) else {
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap();
        let refs = references(&text);
        let entry = graph.entry(module.clone()).or_default();
        entry.extend(refs.into_iter().filter(|r| *r != module));
    }
    graph
}

#[test]
fn modules_import_each_other_without_a_circle() {
    let graph = graph();
    assert!(graph.len() >= 8, "found the modules: {graph:?}");
    // Depth-first search for a back edge.
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut circle = path[at..].to_vec();
            circle.push(node.to_string());
            return Some(circle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(circle) = visit(next, graph, path, done) {
                return Some(circle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        if let Some(circle) = visit(node, &graph, &mut Vec::new(), &mut done) {
            panic!("import circle: {}\n{graph:#?}", circle.join(" -> "));
        }
    }
    assert!(
        graph["config"].is_empty(),
        "config is plain settings: {:?}",
        graph["config"]
    );
    assert!(
        graph["error"].is_empty(),
        "error is types only: {:?}",
        graph["error"]
    );
}

#[test]
fn one_place_classifies_a_failure() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut deciders = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        // What a classifier looks at: retryable statuses, or reqwest's
        // error kinds.
        let decides = text.contains("408 | 500")
            || text.contains(".is_connect()")
            || text.contains(".is_timeout()")
            || text.contains("fn is_retryable");
        if decides {
            deciders.push(file.strip_prefix(&src).unwrap().display().to_string());
        }
    }
    assert_eq!(deciders, ["transport/classify.rs"]);
}

#[test]
fn the_reference_scanner_sees_paths_groups_and_reexports() {
    let refs = references(
        "use crate::config::Options;\nuse crate::{Client, error::Resend};\n// crate::upload\nlet x = crate::transport::call(y);",
    );
    let expected: BTreeSet<String> = ["client", "config", "error", "transport"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(refs, expected);
}
