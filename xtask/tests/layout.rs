//! The workspace's shape, checked from its sources (the house rules, kept
//! here, in the crate that builds the rest):
//! - the top-level modules of the xtask and of `heygen-api-ext` import each
//!   other without a circle (`config` and `error` import nothing);
//! - no hand-written file in the workspace is over 700 lines, no function
//!   over 120 (generated files aside);
//! - one of each mechanism: one module resolves `$ref`s, one parses the
//!   generated client, one classifies a failed request;
//! - the normalizer's pass list names every pass.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_FILE_LINES: usize = 700;
const MAX_FN_LINES: usize = 120;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The workspace root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the workspace")
        .to_path_buf()
}

/// `heygen-api-ext/src`.
fn ext_src() -> PathBuf {
    root().join("heygen-api-ext/src")
}

/// The names `heygen-api-ext`'s `lib.rs` re-exports, by the module that
/// defines them: `crate::Client` is a reference to `client`.
const EXT_REEXPORTS: &[(&str, &[&str])] = &[
    ("client", &["Client", "ClientBuilder"]),
    ("config", &["Options", "RetryPolicy"]),
    ("data", &["SendData"]),
    ("download", &["DownloadProgress", "Downloaded", "VideoFile"]),
    ("error", &["Error", "ApiError", "CallInfo", "Resend"]),
    ("paginate", &["Page", "Paginated"]),
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

/// Every hand-written source of the crate: `src/` and `tests/`.
fn all_sources() -> Vec<PathBuf> {
    let mut files = Vec::new();
    sources(&src(), &mut files);
    sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests"),
        &mut files,
    );
    files.sort();
    files
}

/// Every hand-written source of the workspace (what `cargo xtask regen`
/// writes is left out: it says so in its first line).
fn workspace_sources() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["xtask", "heygen-api", "heygen-api-ext", "tests"] {
        for sub in ["src", "tests", "examples", "benches"] {
            let path = root().join(dir).join(sub);
            if path.is_dir() {
                sources(&path, &mut files);
            }
        }
    }
    files.retain(|f| {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        !text.starts_with("// @generated")
    });
    files.sort();
    files
}

/// `text` with comments, string and character literals blanked out
/// (newlines kept, so line numbers stay).
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    let blank = |out: &mut Vec<u8>, s: &[u8]| {
        out.extend(s.iter().map(|&c| if c == b'\n' { b'\n' } else { b' ' }));
    };
    while i < b.len() {
        let rest = &b[i..];
        let after_ident = i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
        // `r"..."`, `r#"..."#` (not `r#ident`).
        let hashes = rest.iter().skip(1).take_while(|&&c| c == b'#').count();
        let raw = rest[0] == b'r' && !after_ident && rest.get(1 + hashes) == Some(&b'"');
        let end = if rest.starts_with(b"//") {
            rest.iter().position(|&c| c == b'\n').unwrap_or(rest.len())
        } else if raw {
            let close: Vec<u8> = std::iter::once(b'"')
                .chain(std::iter::repeat_n(b'#', hashes))
                .collect();
            let body = 2 + hashes;
            body + find(&rest[body..], &close).map_or(rest.len() - body, |at| at + close.len())
        } else if rest[0] == b'"' {
            let mut j = 1;
            while j < rest.len() && rest[j] != b'"' {
                j += if rest[j] == b'\\' { 2 } else { 1 };
            }
            j + 1
        } else if rest[0] == b'\'' && (rest.get(2) == Some(&b'\'') || rest.get(1) == Some(&b'\\')) {
            rest[1..]
                .iter()
                .position(|&c| c == b'\'')
                .map_or(1, |at| at + 2)
        } else {
            out.push(rest[0]);
            i += 1;
            continue;
        };
        let end = end.min(rest.len());
        blank(&mut out, &rest[..end]);
        i += end;
    }
    String::from_utf8(out).unwrap()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The top-level module a source file of `src` belongs to (`None` for the
/// crate root, `main.rs` or `lib.rs`).
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.trim_end_matches(".rs");
    (name != "main" && name != "lib").then(|| name.to_string())
}

/// The xtask's top-level modules and the ones each refers to.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    crate_graph(&src(), &[])
}

/// A crate's top-level modules (of `src`) and the ones each refers to
/// through `crate::`, by path or by a name the root re-exports
/// (`reexports`: module, names).
fn crate_graph(src: &Path, reexports: &[(&str, &[&str])]) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    sources(src, &mut files);
    let modules: BTreeSet<String> = files.iter().filter_map(|f| module_of(src, f)).collect();
    let owner = |head: &str| -> Option<String> {
        if modules.contains(head) {
            return Some(head.to_string());
        }
        reexports
            .iter()
            .find(|(_, names)| names.contains(&head))
            .map(|(module, _)| module.to_string())
    };
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let Some(module) = module_of(src, file) else {
            continue;
        };
        let code = code_only(&std::fs::read_to_string(file).unwrap());
        let refs = graph.entry(module.clone()).or_default();
        for (at, _) in code.match_indices("crate::") {
            let rest = &code[at + "crate::".len()..];
            // `crate::x::...`, or `crate::{a, b::c}`.
            let group = match rest.strip_prefix('{') {
                Some(inner) => inner.split('}').next().unwrap_or(""),
                None => rest
                    .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .next()
                    .unwrap_or(""),
            };
            for item in group.split(',') {
                let head = item.trim().split("::").next().unwrap_or("").trim();
                if let Some(target) = owner(head).filter(|t| *t != module) {
                    refs.insert(target);
                }
            }
        }
    }
    graph
}

/// A circle in `graph`, if there is one.
fn circle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
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
        if !done.insert(node.to_string()) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(circle) = visit(next, graph, path, done) {
                return Some(circle);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn modules_import_each_other_without_a_circle() {
    let graph = graph();
    assert!(graph.len() >= 15, "found the modules: {graph:#?}");
    if let Some(circle) = circle(&graph) {
        panic!("import circle: {}\n{graph:#?}", circle.join(" -> "));
    }
    for leaf in ["spec", "names", "client_index"] {
        assert!(graph[leaf].is_empty(), "{leaf} imports {:?}", graph[leaf]);
    }
}

#[test]
fn the_sdks_modules_import_each_other_without_a_circle() {
    let graph = crate_graph(&ext_src(), EXT_REEXPORTS);
    assert!(graph.len() >= 9, "found the modules: {graph:#?}");
    if let Some(circle) = circle(&graph) {
        panic!("import circle: {}\n{graph:#?}", circle.join(" -> "));
    }
    // Plain settings and error types depend on nothing of the crate.
    for leaf in ["config", "error"] {
        assert!(graph[leaf].is_empty(), "{leaf} imports {:?}", graph[leaf]);
    }
}

#[test]
fn the_sdk_classifies_a_failure_in_one_place() {
    // What a classifier looks at: retryable statuses, or reqwest's error
    // kinds; and the one public answer, `is_retryable`.
    let mut files = Vec::new();
    sources(&ext_src(), &mut files);
    let mut deciders: Vec<String> = files
        .iter()
        .filter(|f| {
            let code = code_only(&std::fs::read_to_string(f).unwrap());
            [
                "408 | 500",
                ".is_connect()",
                ".is_timeout()",
                "fn is_retryable",
            ]
            .iter()
            .any(|n| code.contains(n))
        })
        .map(|f| f.strip_prefix(ext_src()).unwrap().display().to_string())
        .collect();
    deciders.sort();
    assert_eq!(deciders, ["transport/classify.rs"]);
}

#[test]
fn the_circle_finder_finds_one() {
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    g.entry("a".into()).or_default().insert("b".into());
    g.entry("b".into()).or_default().insert("c".into());
    g.entry("c".into()).or_default().insert("a".into());
    assert_eq!(circle(&g).unwrap(), ["a", "b", "c", "a"]);
    g.get_mut("c").unwrap().clear();
    assert_eq!(circle(&g), None);
}

/// `(lines, name, first line)` of every function with a body in `code`.
fn functions(code: &str) -> Vec<(usize, String, usize)> {
    let mut out = Vec::new();
    let b = code.as_bytes();
    for (at, _) in code.match_indices("fn ") {
        if at > 0 && (b[at - 1].is_ascii_alphanumeric() || b[at - 1] == b'_') {
            continue;
        }
        let name: String = code[at + 3..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if name.is_empty() {
            continue;
        }
        // The body: the first `{` before any `;`, to its matching `}`.
        let Some(open) = code[at..].find(['{', ';']).map(|i| at + i) else {
            continue;
        };
        if b[open] == b';' {
            continue;
        }
        let mut depth = 0;
        let mut close = open;
        for (i, c) in code[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => continue,
            }
            if depth == 0 {
                close = open + i;
                break;
            }
        }
        let first = code[..at].matches('\n').count() + 1;
        let last = code[..close].matches('\n').count() + 1;
        out.push((last - first + 1, name, first));
    }
    out
}

#[test]
fn no_file_over_700_lines_and_no_function_over_120() {
    let mut too_long = Vec::new();
    let files = workspace_sources();
    assert!(files.len() > 100, "read the workspace: {}", files.len());
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let name = file
            .strip_prefix(root())
            .unwrap_or(&file)
            .display()
            .to_string();
        let lines = text.lines().count();
        if lines > MAX_FILE_LINES {
            too_long.push(format!("{name}: {lines} lines"));
        }
        for (len, f, at) in functions(&code_only(&text)) {
            if len > MAX_FN_LINES {
                too_long.push(format!("{name}:{at}: fn {f} is {len} lines"));
            }
        }
    }
    assert!(too_long.is_empty(), "split these by concern: {too_long:#?}");
}

#[test]
fn the_function_measure_skips_strings_and_comments() {
    let code = code_only(
        "fn a() {\n    let s = \"}\"; // }\n    let c = '}';\n    let r = r#\"}\"#;\n}\nfn b();\n",
    );
    assert_eq!(functions(&code), [(5, "a".to_string(), 1)]);
}

/// The files of `src/` with a line that contains `needle` before any
/// `//`, relative to `src/`.
fn files_with(needle: &str) -> Vec<String> {
    let has = |text: String| {
        text.lines()
            .any(|l| l.split("//").next().unwrap_or("").contains(needle))
    };
    all_sources()
        .into_iter()
        .filter(|f| f.starts_with(src()))
        .filter(|f| has(std::fs::read_to_string(f).unwrap()))
        .map(|f| f.strip_prefix(src()).unwrap().display().to_string())
        .collect()
}

#[test]
fn one_ref_resolver_and_one_parse_of_the_generated_client() {
    // A `$ref` is read as a pointer in one place (`#` taken off it).
    assert_eq!(files_with("strip_prefix('#')"), ["spec.rs"]);
    // The generated client's source is parsed in one place.
    assert_eq!(files_with("syn::parse_str"), ["client_index.rs"]);
}

#[test]
fn the_pass_list_names_every_pass() {
    let dir = src().join("normalize");
    let doc = std::fs::read_to_string(dir.join("mod.rs")).unwrap();
    let mut passes = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        let file = if path.is_dir() {
            path.join("mod.rs")
        } else {
            path
        };
        let text = std::fs::read_to_string(&file).unwrap();
        if text.starts_with("//! Pass ") {
            passes.push(name);
        }
    }
    assert!(passes.len() >= 7, "{passes:?}");
    for pass in passes {
        assert!(
            doc.contains(&format!("[`{pass}`]")),
            "normalize/mod.rs does not list the pass {pass}"
        );
    }
}
