// The corpus round trip, copied by `cargo xtask corpus` into each crate it
// generates as `examples/roundtrip.rs`, followed by a generated
// `fn cases(r: &mut Report)` that calls `r.check::<Type>(..)` once per
// (generated type, sample file) pair.
//
// For every sample value, two payloads pydantic wrote:
// - `<Model>.json`, every field (`model_dump`);
// - `<Model>.non-default.json`, only the fields that differ from their
//   defaults (`exclude_defaults=True`): what a decoder must not lose.
// Each decodes into the generated type and encodes back. The encoding may
// leave out a field only where pydantic would read the same value back (a
// default), so it must hold every field of the non-default payload and
// nothing the full payload does not. Two timestamps of the same instant
// are the same value (pydantic writes the offset it was given, the
// generated type writes UTC).

use std::collections::BTreeMap;

use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;

/// A difference the corpus knows about and cannot fix, with the reason:
/// `(sample file, index, JSON pointer)`, from `roundtrip.json`'s `known`.
type Known = BTreeMap<(String, usize, String), String>;

struct Report {
    samples: std::path::PathBuf,
    known: Known,
    seen_known: Vec<(String, usize, String)>,
    checked: usize,
    failures: Vec<String>,
}

impl Report {
    fn check<T: DeserializeOwned + Serialize>(&mut self, ty: &str, model: &str) {
        let full = self.read(&format!("{model}.json"));
        let non_default = self.read(&format!("{model}.non-default.json"));
        if full.len() != non_default.len() {
            self.failures
                .push(format!("{model}: the two sample files differ in length"));
            return;
        }
        for (i, (full, essential)) in full.iter().zip(&non_default).enumerate() {
            self.checked += 1;
            let file = format!("{model}.json");
            for (what, payload) in [("full", full), ("non-default", essential)] {
                let back = match serde_json::from_value::<T>(payload.clone()) {
                    Ok(value) => match serde_json::to_value(&value) {
                        Ok(back) => back,
                        Err(e) => {
                            self.failures
                                .push(format!("{ty} <- {file}[{i}] ({what}): does not encode: {e}"));
                            continue;
                        }
                    },
                    Err(e) => {
                        self.failures.push(format!(
                            "{ty} <- {file}[{i}] ({what}): does not decode: {e}\n    payload: {payload}"
                        ));
                        continue;
                    }
                };
                let mut diffs = Vec::new();
                contains(essential, &back, String::new(), "lost", &mut diffs);
                contains(&back, full, String::new(), "not in the payload", &mut diffs);
                for (pointer, why) in diffs {
                    let key = (file.clone(), i, pointer.clone());
                    if self.known.contains_key(&key) {
                        if !self.seen_known.contains(&key) {
                            self.seen_known.push(key);
                        }
                        continue;
                    }
                    self.failures.push(format!(
                        "{ty} <- {file}[{i}] ({what}): {pointer} {why}\n    payload: {payload}\n    back:    {back}"
                    ));
                }
            }
        }
    }

    fn read(&mut self, name: &str) -> Vec<Value> {
        let path = self.samples.join(name);
        match std::fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|text| serde_json::from_str(&text).map_err(|e| e.to_string()))
        {
            Ok(values) => values,
            Err(e) => {
                self.failures.push(format!("{}: {e}", path.display()));
                Vec::new()
            }
        }
    }
}

/// Records where `inner` has something `outer` lacks or holds otherwise.
fn contains(inner: &Value, outer: &Value, at: String, why: &str, out: &mut Vec<(String, String)>) {
    match (inner, outer) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                let at = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                match b.get(key) {
                    Some(other) => contains(value, other, at, why, out),
                    None => out.push((at, why.to_string())),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                contains(x, y, format!("{at}/{i}"), why, out);
            }
        }
        (a, b) if same_scalar(a, b) => {}
        (a, b) => out.push((at, format!("differs: {a} vs {b}"))),
    }
}

fn same_scalar(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x == y || x.as_f64() == y.as_f64(),
        (Value::String(x), Value::String(y)) => {
            x == y
                || matches!(
                    (
                        chrono::DateTime::parse_from_rfc3339(x),
                        chrono::DateTime::parse_from_rfc3339(y),
                    ),
                    (Ok(p), Ok(q)) if p == q
                )
        }
        _ => a == b,
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(samples) = args.next() else {
        eprintln!("usage: roundtrip <samples dir>");
        std::process::exit(2);
    };
    let manifest = std::path::Path::new(&samples).join("roundtrip.json");
    let known: Vec<(String, usize, String, String)> = std::fs::read_to_string(&manifest)
        .ok()
        .and_then(|text| serde_json::from_str::<Value>(&text).ok())
        .and_then(|m| serde_json::from_value(m["known"].clone()).ok())
        .unwrap_or_default();
    let mut report = Report {
        samples: samples.into(),
        known: known
            .into_iter()
            .map(|(file, i, pointer, why)| ((file, i, pointer), why))
            .collect(),
        seen_known: Vec::new(),
        checked: 0,
        failures: Vec::new(),
    };
    cases(&mut report);
    for (key, why) in &report.known {
        if report.seen_known.contains(key) {
            println!("known: {}[{}] {}: {why}", key.0, key.1, key.2);
        } else {
            report.failures.push(format!(
                "known difference {}[{}] {} no longer happens: take it out of roundtrip.json",
                key.0, key.1, key.2
            ));
        }
    }
    for failure in &report.failures {
        println!("FAIL {failure}");
    }
    println!(
        "{} sample value(s), {} failure(s)",
        report.checked,
        report.failures.len()
    );
    if !report.failures.is_empty() {
        std::process::exit(1);
    }
}
