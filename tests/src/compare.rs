//! Whether JSON survived a trip through the generated types: every value
//! set arrives unchanged, nothing appears that was not set (bar the spec's
//! own defaults), and `null` is the same as absent.

use serde_json::Value;

use crate::spec::{Spec, resolve};
use crate::walk::{Step, walk};

/// `value` with the spec's non-null `default`s filled in where a property
/// is absent: what a reader that applies the spec's defaults holds.
pub fn with_defaults(spec: &Spec, pointer: &str, value: &Value) -> Value {
    let mut filled = value.clone();
    for step in walk(spec, spec.at(pointer), value) {
        let Step::Value {
            at,
            value: Value::Object(present),
            schema,
        } = step
        else {
            continue;
        };
        for (k, ps) in schema
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter(|(k, _)| !present.contains_key(*k))
        {
            let default = ps
                .get("default")
                .or_else(|| resolve(&spec.doc, ps).get("default"));
            if let Some(d) = default.filter(|d| !d.is_null())
                && let Some(Value::Object(m)) = filled.pointer_mut(&at)
            {
                m.entry(k.clone()).or_insert_with(|| d.clone());
            }
        }
    }
    filled
}

/// Where `actual` does not carry `input` (a value of the schema at
/// `pointer`): every value set must be there unchanged; a field that was
/// not set may appear only with the spec's default for it.
pub fn carried(spec: &Spec, pointer: &str, input: &Value, actual: &Value) -> Vec<String> {
    let filled = with_defaults(spec, pointer, input);
    let mut out = Vec::new();
    diff(Some(input), &filled, actual, "", &mut out);
    out
}

/// Where `actual` does not carry `expected`: one line per difference,
/// naming the field (`data.items.0.status`).
pub fn differences(expected: &Value, actual: &Value) -> Vec<String> {
    let mut out = Vec::new();
    diff(Some(expected), expected, actual, "", &mut out);
    out
}

fn field(path: &str) -> String {
    if path.is_empty() {
        "the body".to_string()
    } else {
        format!("field `{path}`")
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// `set` is what was given at this place (`None`: the field was not set,
/// `expected` holds the spec's default for it, which may be left out).
fn diff(set: Option<&Value>, expected: &Value, actual: &Value, path: &str, out: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            let set = set.and_then(Value::as_object);
            for (k, ev) in e {
                let was_set = set.and_then(|s| s.get(k));
                match a.get(k) {
                    Some(av) => diff(was_set, ev, av, &join(path, k), out),
                    None if ev.is_null() || was_set.is_none() => {}
                    None => out.push(format!(
                        "{}: was {ev} but is missing after the trip",
                        field(&join(path, k))
                    )),
                }
            }
            for (k, av) in a {
                if !e.contains_key(k) && !av.is_null() {
                    out.push(format!(
                        "{}: appeared as {av} though it was not set",
                        field(&join(path, k))
                    ));
                }
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                out.push(format!(
                    "{}: had {} items, has {} after the trip",
                    field(path),
                    e.len(),
                    a.len()
                ));
                return;
            }
            let set = set.and_then(Value::as_array);
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                let was_set = set.and_then(|s| s.get(i)).or(Some(ev));
                diff(was_set, ev, av, &join(path, &i.to_string()), out);
            }
        }
        (Value::Number(e), Value::Number(a)) => {
            let (x, y) = (
                e.as_f64().unwrap_or(f64::NAN),
                a.as_f64().unwrap_or(f64::NAN),
            );
            if (x - y).abs() > 1e-9 * x.abs().max(1.0) {
                out.push(format!("{}: was {e}, is {a} after the trip", field(path)));
            }
        }
        (e, a) if e == a => {}
        (e, a) => out.push(format!("{}: was {e}, is {a} after the trip", field(path))),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::differences;

    #[test]
    fn names_each_lost_changed_or_added_field() {
        let sent = json!({"a": 1, "b": {"c": "x", "n": null}, "l": [1, 2]});
        assert!(differences(&sent, &json!({"a": 1.0, "b": {"c": "x"}, "l": [1, 2]})).is_empty());
        let d = differences(&sent, &json!({"a": 2, "b": {"z": true}, "l": [1]}));
        assert_eq!(d.len(), 4, "{d:#?}");
        assert!(d[0].contains("field `a`: was 1, is 2"));
        assert!(d[1].contains("field `b.c`: was \"x\" but is missing"));
        assert!(d[2].contains("field `b.z`: appeared as true"));
        assert!(d[3].contains("field `l`: had 2 items, has 1"));
    }
}
