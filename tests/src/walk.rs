//! A value walked along the spec schema it is an instance of: each value
//! inside it, with each schema that governs it, and the tag of each
//! discriminated union on the way.

use serde_json::Value;

use crate::spec::{Spec, escape, resolve};
use crate::unions::{discriminated, is_null_schema, undiscriminated};

/// Nesting beyond which the walk stops (the synthesizer stops earlier).
const MAX_DEPTH: usize = 64;

/// What the walk meets.
#[derive(Debug)]
pub enum Step<'s, 'v> {
    /// A value, at its JSON pointer, and a schema that governs it (`$ref`s
    /// followed). A value is met once per schema: its own, each `allOf`
    /// part, the union branch it is an instance of (a union itself is not
    /// met: its branch is).
    Value {
        /// JSON pointer of the value in the instance walked.
        at: String,
        /// The value.
        value: &'v Value,
        /// The schema.
        schema: &'s Value,
    },
    /// A discriminated union's tag property, at its JSON pointer.
    Tag {
        /// JSON pointer of the tag in the instance walked.
        at: String,
    },
}

/// Every step of `value`, an instance of `schema`, outside in. A union's
/// branch is the one its tag selects (none when no branch carries it); in
/// a union without a discriminator, the one of the value's JSON type (see
/// [`undiscriminated`]), else the first non-null branch. A property
/// undeclared by its object's `properties` is walked with
/// `additionalProperties` when that is a schema. `null` is not walked.
pub fn walk<'s, 'v>(spec: &'s Spec, schema: &'s Value, value: &'v Value) -> Vec<Step<'s, 'v>> {
    let mut steps = Vec::new();
    step(spec, schema, value, "", 0, &mut steps);
    steps
}

fn step<'s, 'v>(
    spec: &'s Spec,
    schema: &'s Value,
    value: &'v Value,
    at: &str,
    depth: usize,
    out: &mut Vec<Step<'s, 'v>>,
) {
    if depth > MAX_DEPTH || value.is_null() {
        return;
    }
    let schema = resolve(&spec.doc, schema);
    for key in ["oneOf", "anyOf"] {
        let Some(branches) = schema.get(key).and_then(Value::as_array) else {
            continue;
        };
        let branch = match discriminated(spec, schema, branches, value) {
            Some((prop, branch)) => {
                out.push(Step::Tag {
                    at: format!("{at}/{}", escape(&prop)),
                });
                branch
            }
            None => undiscriminated(spec, branches, value)
                .or_else(|| branches.iter().find(|b| !is_null_schema(&spec.doc, b))),
        };
        if let Some(branch) = branch {
            step(spec, branch, value, at, depth + 1, out);
        }
        return;
    }
    out.push(Step::Value {
        at: at.to_string(),
        value,
        schema,
    });
    for part in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        step(spec, part, value, at, depth + 1, out);
    }
    match value {
        Value::Object(fields) => {
            let props = schema.get("properties").and_then(Value::as_object);
            let extra = schema.get("additionalProperties").filter(|a| a.is_object());
            for (k, v) in fields {
                if let Some(sub) = props.and_then(|p| p.get(k)).or(extra) {
                    let at = format!("{at}/{}", escape(k));
                    step(spec, sub, v, &at, depth + 1, out);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item) = schema.get("items") {
                for (i, v) in items.iter().enumerate() {
                    step(spec, item, v, &format!("{at}/{i}"), depth + 1, out);
                }
            }
        }
        _ => {}
    }
}
