//! Pass 5, component names: pydantic and FastAPI name components for
//! uniqueness, not for people. A generic model `Page[Item]` is
//! `Page_Item_`, FastAPI's model of an operation's form fields is
//! `Body_<operation>`, a model whose name two modules share is
//! `app__models__Item`. Each becomes the name a person would write
//! (`PageItem`, `UploadBody`, `ModelsItem`), and every `$ref` to it
//! follows. Names that are already plain (letters and digits) stay, so
//! HeyGen's components keep theirs.
//!
//! A rename whose name another component already has (as a Rust type:
//! `PageItem` beside `Page_Item_`) takes the next name by meaning
//! (`PageOfItem`); see [`crate::names::name_by_meaning`].

use std::collections::BTreeMap;

use serde_json::Value;

use super::Log;
use super::doc::components_mut;
use crate::names::{name_by_meaning, pascal, sanitize};
use crate::spec::escape;

pub(super) fn run(doc: &mut Value, log: &mut Log) {
    let names: Vec<String> = components_mut(doc).keys().cloned().collect();
    let mut taken: Vec<String> = names.iter().map(|n| sanitize(n, true)).collect();
    let mut renames: BTreeMap<String, String> = BTreeMap::new();
    for old in &names {
        let Some(candidates) = candidates(old) else {
            continue;
        };
        // The others' Rust names: this one's own entry is not a collision.
        let own = sanitize(old, true);
        if let Some(i) = taken.iter().position(|t| *t == own) {
            taken.remove(i);
        }
        let name = name_by_meaning(&candidates, |n| taken.contains(&sanitize(n, true)));
        taken.push(sanitize(&name, true));
        if name == *old {
            continue;
        }
        log.notes.push(format!(
            "components/schemas/{old} named {name} (pydantic's name is for uniqueness)"
        ));
        renames.insert(old.clone(), name);
    }
    if renames.is_empty() {
        return;
    }
    let comps = components_mut(doc);
    for (old, new) in &renames {
        if let Some(schema) = comps.remove(old) {
            comps.insert(new.clone(), schema);
        }
    }
    let refs: BTreeMap<String, String> = renames
        .iter()
        .map(|(old, new)| (component_ref(old), component_ref(new)))
        .collect();
    rewrite_refs(doc, &refs);
}

/// The names to try for component `name`, the most natural first; `None`
/// when the name is already one a person would write.
fn candidates(name: &str) -> Option<Vec<String>> {
    if name.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    // FastAPI's model of an operation's body parameters (form fields, or
    // several `Body()`s): `Body_<operation id>`.
    if let Some(op) = name.strip_prefix("Body_") {
        let op = pascal(op);
        return Some(vec![format!("{op}Body"), format!("{op}Form")]);
    }
    // A model two modules define: `pkg__module__Model`, the nearest
    // module first.
    if name.contains("__") && !name.ends_with('_') {
        let parts: Vec<&str> = name.split("__").filter(|p| !p.is_empty()).collect();
        if let [.., module, model] = parts.as_slice() {
            return Some(vec![
                format!("{}{}", pascal(module), pascal(model)),
                parts.iter().map(|p| pascal(p)).collect(),
            ]);
        }
    }
    // A generic model: pydantic writes `Page[Item]` as `Page_Item_` and
    // `Pair[int, str]` as `Pair_int__str_`.
    if let Some((base, args)) = name.split_once('_').filter(|_| name.ends_with('_')) {
        let (base, args) = (pascal(base), pascal(args));
        return Some(vec![format!("{base}{args}"), format!("{base}Of{args}")]);
    }
    // `Model-Input` / `Model-Output` (pydantic's separate schemas for
    // validation and serialization) and anything else.
    Some(vec![pascal(name)])
}

fn component_ref(name: &str) -> String {
    format!("#/components/schemas/{}", escape(name))
}

/// Every `$ref` and discriminator mapping in `v` that `refs` renames.
fn rewrite_refs(v: &mut Value, refs: &BTreeMap<String, String>) {
    match v {
        Value::Object(map) => {
            for (key, sub) in map.iter_mut() {
                match sub {
                    Value::String(r) if key == "$ref" => {
                        if let Some(new) = refs.get(r.as_str()) {
                            *r = new.clone();
                        }
                    }
                    Value::Object(mapping) if key == "mapping" => {
                        for target in mapping.values_mut() {
                            if let Some(new) = target.as_str().and_then(|r| refs.get(r)) {
                                *target = Value::String(new.clone());
                            }
                        }
                    }
                    _ => rewrite_refs(sub, refs),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|sub| rewrite_refs(sub, refs)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use crate::normalize::test_support::*;

    /// The components, but the error type every document gets.
    fn names(n: &Normalized) -> Vec<String> {
        let mut names: Vec<String> = at(n, "/components/schemas")
            .as_object()
            .expect("components")
            .keys()
            .filter(|k| *k != "ErrorBody")
            .cloned()
            .collect();
        names.sort();
        names
    }

    fn ref_at(n: &Normalized, ptr: &str) -> String {
        at(n, ptr)["$ref"].as_str().expect("a $ref").to_string()
    }

    #[test]
    fn a_generic_model_is_named_without_pydantic_mangling() {
        let n = run(with_schemas(
            r#"
Item: {type: object, properties: {id: {type: string}}}
Page_Item_:
  type: object
  properties: {items: {type: array, items: {$ref: '#/components/schemas/Item'}}}
Pair_int__str_: {type: object, properties: {left: {type: integer}}}
Holder:
  type: object
  properties: {page: {$ref: '#/components/schemas/Page_Item_'}}
"#,
        ));
        assert_eq!(names(&n), ["Holder", "Item", "PageItem", "PairIntStr"]);
        assert_eq!(
            ref_at(&n, "/components/schemas/Holder/properties/page"),
            "#/components/schemas/PageItem"
        );
    }

    #[test]
    fn a_generic_name_a_model_already_has_becomes_base_of_argument() {
        let n = run(with_schemas(
            r#"
PageItem: {type: object, properties: {hand_written: {type: boolean}}}
Page_Item_: {type: object, properties: {total: {type: integer}}}
"#,
        ));
        assert_eq!(names(&n), ["PageItem", "PageOfItem"]);
        assert!(component(&n, "PageOfItem")["properties"]["total"].is_object());
    }

    #[test]
    fn fastapi_form_body_and_module_qualified_models_get_plain_names() {
        let n = run(with_schemas(
            r#"
Body_upload_file: {type: object, properties: {note: {type: string}}}
Item: {type: object, properties: {a: {type: string}}}
app__billing__Item: {type: object, properties: {b: {type: string}}}
Job-Input: {type: object, properties: {c: {type: string}}}
"#,
        ));
        assert_eq!(
            names(&n),
            ["BillingItem", "Item", "JobInput", "UploadFileBody"]
        );
    }

    #[test]
    fn discriminator_mappings_follow_a_rename() {
        let n = run(with_schemas(
            r#"
Event_Cat_:
  type: object
  required: [kind]
  properties: {kind: {type: string, enum: [cat]}}
Event_Dog_:
  type: object
  required: [kind]
  properties: {kind: {type: string, enum: [dog]}}
Any:
  oneOf: [{$ref: '#/components/schemas/Event_Cat_'}, {$ref: '#/components/schemas/Event_Dog_'}]
  discriminator:
    propertyName: kind
    mapping: {cat: '#/components/schemas/Event_Cat_', dog: '#/components/schemas/Event_Dog_'}
"#,
        ));
        let mapping = &component(&n, "Any")["discriminator"]["mapping"];
        assert_eq!(mapping["cat"], "#/components/schemas/EventCat");
        assert_eq!(mapping["dog"], "#/components/schemas/EventDog");
    }
}
