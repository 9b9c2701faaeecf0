//! Which enums become open (see `heygen-api/src/open_enum_macro.rs`): every
//! string enum of two or more values reachable from some response, whether
//! or not a request can carry it too. A value HeyGen adds must not fail the
//! decode of a whole response; a request built with an open enum still
//! takes the known variants (and any string, through `From<&str>`). Enums
//! reachable only from requests stay typify's closed enums, so a typo is
//! caught before sending. Inline enums in response-reachable objects are
//! first named as components (`Video.kind` -> `VideoKind`, typify's own
//! name for them), since typify can replace only named types. Variants
//! are named by typify's rule too, so an enum that turns open keeps its
//! variant names.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::names::{name_by_meaning, pascal, sanitize};
use crate::spec::{self, schema_pointer};

/// One open enum to emit.
pub struct OpenEnum {
    pub name: String,
    pub values: Vec<String>,
    pub description: Option<String>,
}

/// Finds (and names) the open enums of `doc`, rewriting inline ones into
/// components.
pub fn open_enums(doc: &mut Value) -> Vec<OpenEnum> {
    let response_reach = spec::response_reach(doc);

    // Name inline enums of response-reachable objects.
    let mut created: BTreeMap<String, Value> = BTreeMap::new();
    for name in &response_reach {
        let ptr = schema_pointer(name);
        if let Some(mut schema) = doc.pointer(&ptr).cloned() {
            name_inline_enums(doc, &mut schema, name, &mut created, true);
            *doc.pointer_mut(&ptr).expect("component exists") = schema;
        }
    }
    let schemas = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut);
    if let Some(schemas) = schemas {
        for (n, s) in &created {
            schemas.insert(n.clone(), s.clone());
        }
    }

    let mut out = Vec::new();
    for name in response_reach.iter().chain(created.keys()) {
        let Some(schema) = spec::component(doc, name) else {
            continue;
        };
        if let Some(values) = string_enum(schema) {
            out.push(OpenEnum {
                name: name.clone(),
                values,
                description: schema
                    .get("description")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out.dedup_by(|a, b| a.name == b.name);
    out
}

/// A string enum of two or more values (a one-value enum is a literal).
fn string_enum(schema: &Value) -> Option<Vec<String>> {
    if schema.get("type").is_some_and(|t| t != "string") {
        return None;
    }
    let values: Vec<String> = schema
        .get("enum")?
        .as_array()?
        .iter()
        .map(|v| v.as_str().map(str::to_string))
        .collect::<Option<_>>()?;
    (values.len() >= 2).then_some(values)
}

fn name_inline_enums(
    doc: &Value,
    schema: &mut Value,
    base: &str,
    created: &mut BTreeMap<String, Value>,
    is_root: bool,
) {
    if !is_root && string_enum(schema).is_some() {
        let obj = schema.as_object_mut().expect("an enum schema is an object");
        let nullable = obj.remove("nullable") == Some(Value::Bool(true));
        let default = obj.remove("default");
        let name = name_by_meaning(&[base.to_string(), format!("{base}Kind")], |n| {
            spec::component(doc, n).is_some() || created.contains_key(n)
        });
        created.insert(name.clone(), schema.clone());
        let r = json!({"$ref": format!("#/components/schemas/{name}")});
        *schema = if nullable || default.is_some() {
            let mut w = serde_json::Map::new();
            w.insert("allOf".into(), json!([r]));
            if nullable {
                w.insert("nullable".into(), json!(true));
            }
            if let Some(d) = default {
                w.insert("default".into(), d);
            }
            Value::Object(w)
        } else {
            r
        };
        return;
    }
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    if let Some(Value::Object(props)) = obj.get_mut("properties") {
        for (prop, sub) in props.iter_mut() {
            name_inline_enums(doc, sub, &format!("{base}{}", pascal(prop)), created, false);
        }
    }
    for (key, suffix) in [("items", "Item"), ("additionalProperties", "Value")] {
        if let Some(sub) = obj.get_mut(key).filter(|s| s.is_object()) {
            name_inline_enums(doc, sub, &format!("{base}{suffix}"), created, false);
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(list)) = obj.get_mut(key) {
            for sub in list {
                // Union variants are named after their tag by typify; an
                // enum inside keeps the union's base plus its property.
                name_inline_enums(doc, sub, base, created, true);
            }
        }
    }
}

/// `heygen-api/src/generated/open_enums.rs`.
pub fn open_enums_rs(enums: &[OpenEnum]) -> String {
    let mut s = String::from(
        "//! Enums a response can carry, generated open: an unknown value\n\
         //! decodes as `Unknown(String)` (the `open_enum!` macro). Each is also\n\
         //! re-exported from `crate::types`.\n\n",
    );
    for e in enums {
        let _ = writeln!(s, "crate::open_enum! {{");
        match &e.description {
            Some(d) => {
                for line in d.lines() {
                    let _ = writeln!(s, "    /// {}", line.trim_end());
                }
            }
            None => {
                let _ = writeln!(s, "    /// `{}`", e.name);
            }
        }
        let _ = writeln!(s, "    {} {{", e.name);
        let mut used = BTreeSet::new();
        for v in &e.values {
            let mut ident = variant_ident(v);
            while !used.insert(ident.clone()) {
                ident.push('_');
            }
            let _ = writeln!(s, "        /// `{v}`");
            let _ = writeln!(s, "        {ident} = {v:?},");
        }
        let _ = writeln!(s, "    }}\n}}\n");
    }
    s
}

/// The variant for `value`: typify's name for it (`"30"` -> `X30`), so an
/// enum that was closed keeps its variants, except that `Unknown` is taken.
fn variant_ident(value: &str) -> String {
    let mut ident = sanitize(value, true);
    if ident == "Unknown" {
        ident.push_str("Value");
    }
    ident
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_enums_open_request_only_enums_stay_closed() {
        let mut doc = json!({
            "openapi": "3.0.3",
            "paths": {"/v": {
                "post": {
                    "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Req"}}}},
                    "responses": {"200": {"description": "", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Video"}}}}}
                }
            }},
            "components": {"schemas": {
                "Req": {"type": "object", "properties": {
                    "ratio": {"$ref": "#/components/schemas/Ratio"},
                    "size": {"$ref": "#/components/schemas/Size"},
                    "settings": {"$ref": "#/components/schemas/Settings"},
                    "speed": {"type": "string", "enum": ["slow", "fast"]}
                }},
                "Video": {"type": "object", "properties": {
                    "status": {"$ref": "#/components/schemas/Status"},
                    "ratio": {"$ref": "#/components/schemas/Ratio"},
                    "settings": {"$ref": "#/components/schemas/Settings"},
                    "kind": {"type": "string", "enum": ["a", "b"], "nullable": true},
                    "literal": {"type": "string", "enum": ["only"]}
                }},
                "Settings": {"type": "object", "properties": {
                    "duration": {"type": "string", "enum": ["30", "long"], "default": "30"}
                }},
                "Status": {"type": "string", "enum": ["pending", "completed"]},
                "Ratio": {"type": "string", "enum": ["16:9", "9:16"]},
                "Size": {"type": "string", "enum": ["s", "m"]}
            }}
        });
        let enums = open_enums(&mut doc);
        let names: Vec<&str> = enums.iter().map(|e| e.name.as_str()).collect();
        // Request and response (`Ratio`, the inline `Settings.duration`) and
        // response only (`Status`, `Video.kind`): open. Request only
        // (`Size`, the inline `Req.speed`) and one-value literals: closed.
        assert_eq!(names, ["Ratio", "SettingsDuration", "Status", "VideoKind"]);
        assert_eq!(
            doc.pointer("/components/schemas/Video/properties/kind")
                .unwrap(),
            &json!({"allOf": [{"$ref": "#/components/schemas/VideoKind"}], "nullable": true})
        );
        assert_eq!(
            doc.pointer("/components/schemas/Settings/properties/duration")
                .unwrap(),
            &json!({"allOf": [{"$ref": "#/components/schemas/SettingsDuration"}], "default": "30"})
        );
        assert_eq!(
            doc.pointer("/components/schemas/Req/properties/speed")
                .unwrap(),
            &json!({"type": "string", "enum": ["slow", "fast"]}),
            "a request-only inline enum stays inline (typify's closed enum)"
        );
        let rs = open_enums_rs(&enums);
        assert!(rs.contains("Pending = \"pending\","), "{rs}");
        assert!(
            rs.contains("X169 = \"16:9\","),
            "typify's variant names, kept when an enum turns open: {rs}"
        );
        assert!(rs.contains("X30 = \"30\","), "{rs}");
        assert!(!rs.contains("Size"), "request-only enums stay closed");
    }

    #[test]
    fn variants_are_named_as_typify_names_them() {
        assert_eq!(variant_ident("pending_consent"), "PendingConsent");
        assert_eq!(variant_ident("180"), "X180");
        assert_eq!(variant_ident("unknown"), "UnknownValue");
        assert_eq!(variant_ident("self"), "Self_");
    }
}
