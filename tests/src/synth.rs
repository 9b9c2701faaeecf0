//! JSON synthesized from the spec's schemas: request arguments and bodies,
//! response bodies, error envelopes. Deterministic: the same schema and
//! [`Shape`] always give the same value.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use crate::spec::{Spec, SpecParam, required_names, resolve, types_of};
use crate::unions::{discriminator_tag, is_null_schema};

/// Which instance of a schema to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Every property; unions on their first branch, enums on their first
    /// value.
    AllFields,
    /// Only the required properties.
    RequiredOnly,
    /// Every property; each nullable one `null`.
    Nulls,
    /// Every property, plus [`EXTRA_FIELD`] (a field the spec does not
    /// declare) in every object that does not forbid extra properties.
    ExtraFields,
    /// Every property; each union on branch `k` and each enum on value `k`
    /// (modulo their length): `Variant(1..variety)` reach every branch and
    /// every value.
    Variant(usize),
}

impl Shape {
    /// A short label for messages.
    pub fn label(&self) -> String {
        match self {
            Shape::AllFields => "all fields".into(),
            Shape::RequiredOnly => "required fields only".into(),
            Shape::Nulls => "nullable fields null".into(),
            Shape::ExtraFields => "unknown extra fields".into(),
            Shape::Variant(k) => format!("union/enum variant {k}"),
        }
    }

    fn choice(&self) -> usize {
        match self {
            Shape::Variant(k) => *k,
            _ => 0,
        }
    }
}

/// The undeclared field [`Shape::ExtraFields`] adds.
pub const EXTRA_FIELD: &str = "contract_unknown_field";

/// Nesting beyond which only required properties are made (a guard
/// against recursive schemas).
const MAX_DEPTH: usize = 24;

/// An instance of the schema at `pointer`.
pub fn synthesize(spec: &Spec, pointer: &str, shape: Shape) -> Value {
    let mut s = Synth {
        spec,
        shape,
        stack: Vec::new(),
    };
    s.value(spec.at(pointer), "value", 0, None)
}

/// How many [`Shape::Variant`]s reach every union branch and enum value of
/// the schema at `pointer` (at least 1).
pub fn variety(spec: &Spec, pointer: &str) -> usize {
    let mut seen = BTreeSet::new();
    variety_of(spec, spec.at(pointer), &mut seen).max(1)
}

fn variety_of(spec: &Spec, schema: &Value, seen: &mut BTreeSet<String>) -> usize {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        if !seen.insert(r.to_string()) {
            return 1;
        }
        return variety_of(spec, resolve(&spec.doc, schema), seen);
    }
    let Some(obj) = schema.as_object() else {
        return 1;
    };
    let mut n = 1;
    if let Some(e) = obj.get("enum").and_then(Value::as_array) {
        n = n.max(e.iter().filter(|v| !v.is_null()).count());
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(bs) = obj.get(key).and_then(Value::as_array) {
            n = n.max(bs.iter().filter(|b| !is_null_schema(&spec.doc, b)).count());
            for b in bs {
                n = n.max(variety_of(spec, b, seen));
            }
        }
    }
    for key in ["allOf", "prefixItems"] {
        for b in obj.get(key).and_then(Value::as_array).into_iter().flatten() {
            n = n.max(variety_of(spec, b, seen));
        }
    }
    for p in obj
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|m| m.values())
    {
        n = n.max(variety_of(spec, p, seen));
    }
    for key in ["items", "additionalProperties"] {
        if let Some(s) = obj.get(key).filter(|s| s.is_object()) {
            n = n.max(variety_of(spec, s, seen));
        }
    }
    n
}

/// `value` without the fields [`Shape::ExtraFields`] added.
pub fn strip_extras(value: &Value) -> Value {
    match value {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| *k != EXTRA_FIELD)
                .map(|(k, v)| (k.clone(), strip_extras(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(strip_extras).collect()),
        other => other.clone(),
    }
}

/// A value for a parameter that proves it travels intact: path values
/// hold characters that must be percent-encoded (space, `/`, `?`, `#`,
/// `%`, non-ASCII), query strings hold `&`, `=` and `+`, numbers and enums
/// differ from the spec's default (so a value that is dropped, and the
/// server's default used instead, shows).
pub fn param_value(spec: &Spec, op_id: &str, param: &SpecParam) -> Value {
    let raw = spec.at(&param.schema);
    let schema = resolve(&spec.doc, raw);
    let default = raw.get("default").or_else(|| schema.get("default"));
    let plain_string = type_of(schema) == Some("string")
        && schema.get("enum").is_none()
        && schema.get("pattern").is_none()
        && schema.get("const").is_none();
    match param.location.as_str() {
        "path" if plain_string => json!(format!("{} a/b?c#d%e ü", param.name)),
        "query" if plain_string => json!(format!("{} a&b=c+d é", param.name)),
        _ => {
            if let Some(values) = schema.get("enum").and_then(Value::as_array) {
                let pick = values
                    .iter()
                    .find(|v| !v.is_null() && Some(*v) != default)
                    .or_else(|| values.first());
                return pick.cloned().unwrap_or(Value::Null);
            }
            match type_of(schema) {
                Some("integer") => integer(schema, default),
                Some("number") => number(schema, default),
                Some("boolean") => json!(default != Some(&json!(true))),
                Some("string") => string(schema, &format!("{op_id}-{}", param.name), 0),
                _ => synthesize(spec, &param.schema, Shape::AllFields),
            }
        }
    }
}

struct Synth<'a> {
    spec: &'a Spec,
    shape: Shape,
    /// `$ref`s being expanded (cycle guard).
    stack: Vec<String>,
}

impl Synth<'_> {
    fn value(
        &mut self,
        schema: &Value,
        name: &str,
        depth: usize,
        tag: Option<(&str, &str)>,
    ) -> Value {
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            if self.stack.iter().any(|s| s == r) || depth > MAX_DEPTH {
                return Value::Null;
            }
            self.stack.push(r.to_string());
            let target = resolve(&self.spec.doc, schema);
            let v = self.value(target, name, depth + 1, tag);
            self.stack.pop();
            return v;
        }
        if let Some(c) = schema.get("const") {
            return c.clone();
        }
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            if self.shape == Shape::Nulls && values.iter().any(Value::is_null) {
                return Value::Null;
            }
            let known: Vec<&Value> = values.iter().filter(|v| !v.is_null()).collect();
            if known.is_empty() {
                return Value::Null;
            }
            return known[self.shape.choice() % known.len()].clone();
        }
        for key in ["oneOf", "anyOf"] {
            let Some(branches) = schema.get(key).and_then(Value::as_array) else {
                continue;
            };
            let has_null = branches.iter().any(|b| is_null_schema(&self.spec.doc, b));
            let live: Vec<&Value> = branches
                .iter()
                .filter(|b| !is_null_schema(&self.spec.doc, b))
                .collect();
            if live.is_empty() || (self.shape == Shape::Nulls && has_null) {
                return Value::Null;
            }
            let branch = live[self.shape.choice() % live.len()];
            let tag = discriminator_tag(&self.spec.doc, schema, branch);
            let tag_ref = tag.as_ref().map(|(p, v)| (p.as_str(), v.as_str()));
            return self.value(branch, name, depth + 1, tag_ref);
        }
        if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
            let mut merged = Map::new();
            for p in parts {
                if let Value::Object(m) = self.value(p, name, depth + 1, tag) {
                    merged.extend(m);
                }
            }
            return Value::Object(merged);
        }
        let types = types_of(schema);
        if self.shape == Shape::Nulls && types.contains(&"null") {
            return Value::Null;
        }
        let ty = types.iter().copied().find(|t| *t != "null").or_else(|| {
            if schema.get("properties").is_some() {
                Some("object")
            } else if schema.get("items").is_some() {
                Some("array")
            } else {
                None
            }
        });
        match ty {
            Some("object") => self.object(schema, depth, tag),
            Some("array") => {
                let items = schema.get("items").cloned().unwrap_or(json!({}));
                let n = schema
                    .get("minItems")
                    .and_then(Value::as_u64)
                    .unwrap_or(1)
                    .max(1) as usize;
                Value::Array(
                    (0..n)
                        .map(|_| self.value(&items, name, depth + 1, None))
                        .collect(),
                )
            }
            Some("string") => string(schema, name, self.shape.choice()),
            Some("integer") => integer(schema, None),
            Some("number") => number(schema, None),
            Some("boolean") => json!(self.shape.choice().is_multiple_of(2)),
            Some("null") => Value::Null,
            // No type at all: anything goes.
            _ => json!(format!("{name}-any")),
        }
    }

    fn object(&mut self, schema: &Value, depth: usize, tag: Option<(&str, &str)>) -> Value {
        let required: BTreeSet<&str> = required_names(schema).collect();
        let mut out = Map::new();
        let props = schema.get("properties").and_then(Value::as_object);
        for (k, ps) in props.into_iter().flatten() {
            if let Some((tag_prop, tag_value)) = tag
                && tag_prop == k
            {
                out.insert(k.clone(), json!(tag_value));
                continue;
            }
            let wanted = match self.shape {
                Shape::RequiredOnly => required.contains(k.as_str()),
                _ => required.contains(k.as_str()) || depth <= MAX_DEPTH,
            };
            if wanted {
                out.insert(k.clone(), self.value(ps, k, depth + 1, None));
            }
        }
        if let Some((tag_prop, tag_value)) = tag {
            out.entry(tag_prop.to_string())
                .or_insert_with(|| json!(tag_value));
        }
        let additional = schema.get("additionalProperties");
        let no_props = props.is_none_or(|p| p.is_empty());
        if self.shape != Shape::RequiredOnly && no_props {
            match additional {
                Some(Value::Object(s)) if !s.is_empty() => {
                    let s = Value::Object(s.clone());
                    out.insert("key_1".into(), self.value(&s, "key_1", depth + 1, None));
                }
                Some(Value::Bool(true)) | Some(Value::Object(_)) => {
                    out.insert("free_form".into(), json!({"any": ["json", 1, true]}));
                }
                _ => {}
            }
        }
        // Only where the spec lets any property in: a typed map
        // (`additionalProperties: {type: string}`) takes no stranger.
        let open = matches!(additional, None | Some(Value::Bool(true)))
            || additional.is_some_and(|a| a.as_object().is_some_and(|o| o.is_empty()));
        if self.shape == Shape::ExtraFields && open {
            out.insert(
                EXTRA_FIELD.into(),
                json!({"added_by": "a newer HeyGen", "n": 1}),
            );
        }
        Value::Object(out)
    }
}

fn type_of(schema: &Value) -> Option<&str> {
    types_of(schema).into_iter().find(|t| *t != "null")
}

fn string(schema: &Value, name: &str, choice: usize) -> Value {
    let base = match schema.get("format").and_then(Value::as_str) {
        Some("date-time") => "2024-01-02T03:04:05Z".to_string(),
        Some("date") => "2024-01-02".to_string(),
        Some("uri") | Some("url") => format!("https://example.com/{name}"),
        Some("email") => "someone@example.com".to_string(),
        Some("uuid") => "00000000-0000-4000-8000-000000000000".to_string(),
        Some("binary") | Some("byte") => "aGV5Z2Vu".to_string(),
        _ if choice == 0 => format!("{name}-value"),
        _ => format!("{name}-value-{choice}"),
    };
    let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    let max = schema
        .get("maxLength")
        .and_then(Value::as_u64)
        .map(|m| m as usize);
    let fit = |s: String| -> String {
        let mut s = s;
        while s.chars().count() < min {
            s.push('x');
        }
        if let Some(max) = max {
            s = s.chars().take(max).collect();
        }
        s
    };
    let Some(pattern) = schema.get("pattern").and_then(Value::as_str) else {
        return json!(fit(base));
    };
    // A pattern: the first candidate it accepts.
    let check = json!({"type": "string", "pattern": pattern, "minLength": min, "maxLength": max.unwrap_or(100_000)});
    let safe: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let candidates = [
        fit(base.clone()),
        fit(safe),
        "contract-key_1".to_string(),
        "abc".to_string(),
        "A".to_string(),
        "1".to_string(),
    ];
    let pick = candidates
        .into_iter()
        .find(|c| jsonschema::is_valid(&check, &json!(c)))
        .unwrap_or(base);
    json!(pick)
}

fn bounds(schema: &Value) -> (Option<f64>, Option<f64>, bool, bool) {
    let num = |k: &str| schema.get(k).and_then(Value::as_f64);
    let (mut lo, mut hi) = (num("minimum"), num("maximum"));
    let (mut lo_x, mut hi_x) = (false, false);
    if let Some(x) = num("exclusiveMinimum") {
        lo = Some(x);
        lo_x = true;
    }
    if let Some(x) = num("exclusiveMaximum") {
        hi = Some(x);
        hi_x = true;
    }
    (lo, hi, lo_x, hi_x)
}

fn in_range(v: f64, schema: &Value) -> bool {
    let (lo, hi, lo_x, hi_x) = bounds(schema);
    lo.is_none_or(|l| if lo_x { v > l } else { v >= l })
        && hi.is_none_or(|h| if hi_x { v < h } else { v <= h })
}

fn integer(schema: &Value, default: Option<&Value>) -> Value {
    let (lo, hi, _, _) = bounds(schema);
    let lo = lo.map(|l| l.ceil() as i64);
    let hi = hi.map(|h| h.floor() as i64);
    let default = default.and_then(Value::as_i64);
    let candidates = [
        lo.map(|l| l + 1),
        hi,
        lo,
        Some(7),
        hi.map(|h| h - 1),
        lo.map(|l| l + 2),
    ];
    json!(pick(&candidates, default, |c| in_range(c as f64, schema)).unwrap_or(0))
}

fn number(schema: &Value, default: Option<&Value>) -> Value {
    let (lo, hi, _, _) = bounds(schema);
    let default = default.and_then(Value::as_f64);
    let mid = match (lo, hi) {
        (Some(l), Some(h)) => Some((l + h) / 2.0 + (h - l) / 8.0),
        _ => None,
    };
    let candidates = [
        mid,
        lo.map(|l| l + 0.5),
        Some(1.5),
        hi.map(|h| h - 0.5),
        lo,
        hi,
    ];
    json!(pick(&candidates, default, |c| in_range(c, schema)).unwrap_or(0.0))
}

/// The first of `candidates` that `fits` and differs from `default`, else
/// the first that fits.
fn pick<T: Copy + PartialEq>(
    candidates: &[Option<T>],
    default: Option<T>,
    fits: impl Fn(T) -> bool,
) -> Option<T> {
    let fitting = || candidates.iter().flatten().copied().filter(|c| fits(*c));
    fitting()
        .find(|c| Some(*c) != default)
        .or_else(|| fitting().next())
}
