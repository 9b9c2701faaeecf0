//! `cargo xtask regen --spec FILE --crate-dir DIR` end to end: the pydantic
//! fixture (see `fixtures/README.md`) becomes a crate that compiles, whose
//! operations decode errors into the error type (never the success type),
//! and whose unions and tags come out as distinct Rust types.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives inside the workspace")
        .to_path_buf()
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn regen(spec: &Path, crate_dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("regen")
        .arg("--spec")
        .arg(spec)
        .arg("--crate-dir")
        .arg(crate_dir)
        .output()
        .expect("the xtask binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn pydantic_fixture_generates_a_crate_that_compiles() {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let dir = tmp.path().join("petstudio");
    let out = regen(&fixture("pydantic-3.1.yaml"), &dir);
    assert!(out.status.success(), "regen failed:\n{}", text(&out.stderr));

    // The workspace's lock file pins versions the local cache has.
    std::fs::copy(workspace().join("Cargo.lock"), dir.join("Cargo.lock"))
        .expect("copying Cargo.lock");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let check = Command::new(cargo)
        .args(["build", "--offline", "--quiet"])
        .current_dir(&dir)
        // The target directory of `cargo xtask corpus`, whose generated
        // crates have the same dependencies: after the corpus (CI runs it
        // before the tests) only this crate is compiled. Built, not
        // checked, for the same reason: the corpus builds.
        .env("CARGO_TARGET_DIR", workspace().join("target/corpus/target"))
        .output()
        .expect("cargo runs");
    assert!(
        check.status.success(),
        "the generated crate does not compile:\n{}",
        text(&check.stderr)
    );

    let lib = std::fs::read_to_string(dir.join("src/lib.rs")).expect("src/lib.rs");
    check_send_methods(&lib);
    check_inline_union(&lib);
    check_const_tags(&lib);
    check_other_types(&lib);
}

/// Every operation's `send` decodes errors into the one error type: the
/// union of the fixture's envelope and FastAPI's 422 body, never the
/// operation's success type.
fn check_send_methods(lib: &str) {
    let sends = send_signatures(lib);
    assert_eq!(sends.len(), 15, "one send per operation: {sends:#?}");
    for (ok, err) in &sends {
        assert_eq!(
            err, "types::ErrorBody",
            "send() -> Result<{ok}, Error<{err}>>"
        );
        assert_ne!(ok, err);
        assert!(
            !ok.contains("ErrorBody") && !ok.contains("ErrorEnvelope"),
            "a success type is an error type: {ok}"
        );
    }
    let body = item(lib, "pub enum ErrorBody {");
    assert!(
        body.contains("ErrorEnvelope(ErrorEnvelope)")
            && body.contains("HttpValidationError(HttpValidationError)"),
        "{body}"
    );
}

/// `(success type, error type)` of each `send` method, whitespace removed.
fn send_signatures(lib: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (start, _) in lib.match_indices("pub async fn send(") {
        let rest = &lib[start..];
        let arrow = rest.find("->").expect("send returns something");
        let end = arrow + rest[arrow..].find('{').expect("send has a body");
        let sig: String = rest[arrow + 2..end]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let ok = generic_arg(&sig, "ResponseValue<").unwrap_or_else(|| panic!("{sig}"));
        let err = generic_arg(&sig, "Error<").unwrap_or_else(|| panic!("{sig}"));
        out.push((ok, err));
    }
    out
}

/// The generic argument after `open` (which ends with `<`), brackets matched.
fn generic_arg(sig: &str, open: &str) -> Option<String> {
    let start = sig.find(open)? + open.len();
    let mut depth = 1;
    for (i, c) in sig[start..].char_indices() {
        match c {
            '<' => depth += 1,
            '>' => {
                depth -= 1;
                if depth == 0 {
                    return Some(sig[start..start + i].to_string());
                }
            }
            _ => {}
        }
    }
    None
}

/// The item that starts with `header` (its first line), through its
/// closing brace.
fn item<'a>(lib: &'a str, header: &str) -> &'a str {
    let start = lib
        .find(header)
        .unwrap_or_else(|| panic!("no `{header}` in the generated crate"));
    let mut depth = 0;
    for (i, c) in lib[start..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return &lib[start..=start + i];
                }
            }
            _ => {}
        }
    }
    panic!("`{header}` is not closed");
}

/// The type of `field` in `pub struct Name`.
fn field_type(lib: &str, strukt: &str, field: &str) -> String {
    let body = item(lib, &format!("pub struct {strukt} {{"));
    let decl = format!("pub {field}: ");
    let start = body
        .find(&decl)
        .unwrap_or_else(|| panic!("no field {field} in {body}"))
        + decl.len();
    let end = start
        + body[start..]
            .find(",\n")
            .expect("a field ends with a comma");
    body[start..end].trim().to_string()
}

/// The wire values of `pub enum Name` (its `#[serde(rename = "...")]`s),
/// and how many variants it has.
fn enum_values(lib: &str, name: &str) -> (Vec<String>, usize) {
    let body = item(lib, &format!("pub enum {name} {{"));
    let values = body
        .match_indices("rename = \"")
        .map(|(i, m)| {
            let rest = &body[i + m.len()..];
            rest[..rest.find('"').expect("closing quote")].to_string()
        })
        .collect();
    let variants = body
        .lines()
        .filter(|l| {
            let l = l.trim();
            l.ends_with(',') && l.starts_with(|c: char| c.is_ascii_uppercase())
        })
        .count();
    (values, variants)
}

/// `RenderRequest.engine`: inline `oneOf` branches whose `model` enums
/// differ. typify would give both one `model` type (and refuse one
/// branch's values); each branch is a named struct with its own `model`
/// type, and the union a tagged enum over them.
fn check_inline_union(lib: &str) {
    assert!(
        lib.contains(
            "#[serde(tag = \"tier\")]\n    #[non_exhaustive]\n    pub enum RenderRequestEngine {"
        ),
        "the union is tagged by `tier`"
    );
    let engine = item(lib, "pub enum RenderRequestEngine {");
    let mut models = Vec::new();
    for (variant, values) in [("Fast", ["f1", "f2"]), ("Slow", ["s1", "s2"])] {
        let branch = format!("RenderRequestEngine{variant}");
        assert!(
            engine.contains(&format!("{variant}({branch}),")),
            "{engine}"
        );
        let body = item(lib, &format!("pub struct {branch} {{"));
        let decl = "pub model: ";
        let start = body
            .find(decl)
            .unwrap_or_else(|| panic!("no model in {body}"))
            + decl.len();
        let end = start + body[start..].find([',', '\n', '}']).expect("field ends");
        let model = body[start..end].trim().to_string();
        assert_eq!(
            enum_values(lib, &model),
            (values.map(String::from).to_vec(), 2),
            "{model}"
        );
        models.push(model);
    }
    assert_ne!(models[0], models[1], "both branches share one `model` type");
}

/// 3.1 `const` tags (typify drops a bare `const`, leaving a `String` that
/// tells no variant apart) end up as the serde tags of tagged enums: one
/// variant per value, renamed to it. A union a response carries
/// (`RenderJob.result`) is open: its serde impls are written out, with the
/// tags in the `Deserialize` arms and in the derived twin `Serialize` goes
/// through, and an `Unknown` variant for the others.
fn check_const_tags(lib: &str) {
    for (union, tag, values, open) in [
        (
            "RenderJobResult",
            "kind",
            &["image", "video", "gif"][..],
            true,
        ),
        ("RenderRequestEngine", "tier", &["fast", "slow"][..], false),
    ] {
        let header = if open {
            format!("#[derive(Clone, Debug)]\n    #[non_exhaustive]\n    pub enum {union} {{")
        } else {
            format!("#[serde(tag = \"{tag}\")]\n    #[non_exhaustive]\n    pub enum {union} {{")
        };
        assert!(lib.contains(&header), "{union} is not tagged by `{tag}`");
        let body = item(lib, &format!("pub enum {union} {{"));
        let tagged = if open {
            assert!(
                body.contains("Unknown {"),
                "{union}: no `Unknown` in {body}"
            );
            let de = item(
                lib,
                &format!("impl<'de> ::serde::Deserialize<'de> for {union} {{"),
            );
            for v in values {
                assert!(
                    de.contains(&format!("\"{v}\" =>")),
                    "{union}: `{v}` in {de}"
                );
            }
            let ser = item(lib, &format!("impl ::serde::Serialize for {union} {{"));
            assert!(ser.contains(&format!("#[serde(tag = \"{tag}\")]")), "{ser}");
            ser
        } else {
            body
        };
        for v in values {
            assert!(
                tagged.contains(&format!("#[serde(rename = \"{v}\")]")),
                "{union}: no variant for `{v}` in {tagged}"
            );
        }
    }
}

/// Regression guards for other fixture items.
fn check_other_types(lib: &str) {
    // Two inline enums titled `Type` stay two types.
    let pet = field_type(lib, "Pet", "type_");
    let toy = field_type(lib, "Toy", "type_");
    assert_ne!(pet, toy);
    assert_eq!(enum_values(lib, &pet).0, ["dog", "cat"]);
    assert_eq!(enum_values(lib, &toy).0, ["ball", "rope"]);
    // A tuple of two numbers titled apart is `[f64; 2]`, not a struct of
    // two flattened options.
    assert!(
        lib.contains("pub struct Coordinates(pub [f64; 2usize]);"),
        "{}",
        item(lib, "pub struct Coordinates")
    );
    // The owner schema reached through a `#/paths/...` $ref is one type
    // for both of its users.
    assert_eq!(
        field_type(lib, "PetUpdate", "owner"),
        "::std::option::Option<OwnerInput>"
    );
    assert_eq!(
        field_type(lib, "CreatePetBody", "owner"),
        "::std::option::Option<OwnerInput>"
    );
}

#[test]
fn a_multipart_operation_is_left_out_by_name_and_the_rest_generated() {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let spec = tmp.path().join("multipart.yaml");
    std::fs::write(
        &spec,
        r#"openapi: 3.1.0
info: {title: Uploads, version: '1'}
paths:
  /pets/{pet_id}/photo:
    post:
      operationId: uploadPetPhoto
      parameters:
        - {name: pet_id, in: path, required: true, schema: {type: string}}
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema:
              type: object
              properties:
                file: {type: string, format: binary}
      responses:
        '200': {description: Stored}
  /pets/{pet_id}:
    get:
      operationId: getPet
      parameters:
        - {name: pet_id, in: path, required: true, schema: {type: string}}
      responses:
        '200': {description: The pet, content: {application/json: {schema: {type: object}}}}
"#,
    )
    .expect("writing the spec");
    let dir = tmp.path().join("uploads");
    let out = regen(&spec, &dir);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "regen failed:\n{stderr}");
    assert!(
        stderr.contains("warning: operation uploadPetPhoto is not in the generated crate"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "left out POST /pets/{pet_id}/photo (uploadPetPhoto): request body multipart/form-data"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("(1 operations, 1 left out)"), "{stderr}");
    let lib = std::fs::read_to_string(dir.join("src/lib.rs")).expect("the crate was written");
    assert!(lib.contains("pub fn get_pet"), "getPet is generated");
    assert!(!lib.contains("upload_pet_photo"), "uploadPetPhoto is not");
}
