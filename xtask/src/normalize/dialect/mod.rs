//! Pass 6, the 3.0.3 dialect: every schema (components, parameters,
//! bodies, responses, headers) and its subschemas rewritten from OpenAPI
//! 3.1 / JSON Schema 2020-12 into the OpenAPI 3.0.3 dialect progenitor
//! 0.15 reads (through openapiv3, which refuses 3.1's forms outright).
//! Each rewrite says what progenitor or typify does with the 3.1 form;
//! the keyword rewrites are in `keywords.rs`, and discriminated unions,
//! which the walk meets on the way, in `discriminator.rs`; last, header
//! and path parameters lose `nullable` and optional cookie parameters go
//! (`parameters.rs`).

mod discriminator;
mod keywords;
mod parameters;

use serde_json::{Map, Value, json};

use self::keywords::{
    convert_contents, convert_exclusive_bounds, convert_prefix_items, convert_type_array,
    json_type, strip_null_branches,
};
use super::Log;
use super::doc::{components_mut, unique_name};
use super::schemas::{require, schema_roots};
use crate::names::pascal;
use crate::spec::{escape, schema_pointer};

/// Schema keywords OpenAPI 3.0.3 knows. Anything else (bar `x-` extensions)
/// is a 3.1/JSON Schema 2020-12 keyword progenitor would misread or ignore.
const OAS30_KEYWORDS: &[&str] = &[
    "title",
    "multipleOf",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "maxProperties",
    "minProperties",
    "required",
    "enum",
    "type",
    "allOf",
    "oneOf",
    "anyOf",
    "not",
    "items",
    "properties",
    "additionalProperties",
    "description",
    "format",
    "default",
    "nullable",
    "discriminator",
    "readOnly",
    "writeOnly",
    "xml",
    "externalDocs",
    "example",
    "deprecated",
    "$ref",
];

/// Keywords dropped without a warning: they carry no meaning for the
/// generated Rust (annotations), or were consumed by an earlier rewrite.
const SILENTLY_DROPPED: &[&str] = &[
    "$schema",
    "$comment",
    "$id",
    "$anchor",
    "$dynamicAnchor",
    "$defs",
    "definitions",
    "contentMediaType",
    "contentEncoding",
    "contentSchema",
];

/// Converts every schema of `doc`.
pub(super) fn run(doc: &mut Value, log: &mut Log) {
    let mut c = Converter::new(doc, log);
    for (ptr, hint, is_component) in schema_roots(c.doc) {
        let mut schema = c
            .doc
            .pointer_mut(&ptr)
            .map(Value::take)
            .expect("schema root exists");
        c.convert(&mut schema, &ptr, &hint, is_component);
        *c.doc.pointer_mut(&ptr).expect("schema root exists") = schema;
    }
    c.finish();
    parameters::run(doc, log);
}

/// The walk's state: the document (read for free names while a schema is
/// out of it), and what the walk creates on the way.
pub(super) struct Converter<'a> {
    pub(super) doc: &'a mut Value,
    pub(super) log: &'a mut Log,
    /// Components created while converting, not yet converted themselves.
    pub(super) pending: Vec<(String, Value)>,
    /// `(component, property)`: discriminator tags that must be required.
    required_tags: Vec<(String, String)>,
}

impl<'a> Converter<'a> {
    pub(super) fn new(doc: &'a mut Value, log: &'a mut Log) -> Self {
        Converter {
            doc,
            log,
            pending: Vec::new(),
            required_tags: Vec::new(),
        }
    }

    /// The first of `candidates` not taken in the document or by a
    /// pending component.
    pub(super) fn unique_name<S: AsRef<str>>(&self, candidates: &[S]) -> String {
        unique_name(self.doc, &self.pending, candidates)
    }

    /// Converts the components created on the way (hoisted union branches,
    /// which may create more) into the document, then requires the
    /// discriminator tags.
    pub(super) fn finish(mut self) {
        while let Some((name, mut schema)) = self.pending.pop() {
            self.convert(&mut schema, &schema_pointer(&name), &name, true);
            components_mut(self.doc).insert(name, schema);
        }
        for (component, prop) in std::mem::take(&mut self.required_tags) {
            let Some(schema) = components_mut(self.doc).get_mut(&component) else {
                continue;
            };
            require(schema, &prop);
        }
    }

    /// Converts one schema node (and, recursively, its subschemas) from 3.1
    /// to 3.0.3.
    pub(super) fn convert(&mut self, s: &mut Value, ptr: &str, hint: &str, is_component: bool) {
        if let Value::Bool(b) = s {
            *s = if *b { json!({}) } else { json!({"not": {}}) };
        }
        let Some(obj) = s.as_object_mut() else {
            self.log
                .problems
                .push(format!("{ptr}: a schema must be a mapping or a boolean"));
            return;
        };

        self.rewrite_keywords(obj, ptr, hint, is_component);
        self.convert_subschemas(obj, ptr, hint);
    }

    /// The 3.1 keywords of one schema node in their 3.0.3 form; what 3.0
    /// cannot express is dropped.
    fn rewrite_keywords(
        &mut self,
        obj: &mut Map<String, Value>,
        ptr: &str,
        hint: &str,
        is_component: bool,
    ) {
        // First, so that what a lone remaining branch brings into this
        // schema (pydantic's `Optional[PositiveInt]` is `anyOf: [{type:
        // integer, exclusiveMinimum: 0}, {type: 'null'}]`) goes through the
        // keyword rewrites below like the schema's own keywords.
        while strip_null_branches(obj) {}
        // typify names types after `title`: two inline enums both titled
        // "Type" become one Rust enum and the second no longer decodes.
        if !is_component {
            obj.remove("title");
        }
        // 3.1 `examples` (a list) -> 3.0 `example`.
        if let Some(Value::Array(examples)) = obj.remove("examples")
            && let Some(first) = examples.into_iter().next()
        {
            obj.entry("example").or_insert(first);
        }
        // typify drops `const` silently; a one-value enum keeps the value
        // (and is what makes a discriminator tag tell variants apart).
        if let Some(c) = obj.remove("const") {
            if !obj.contains_key("type")
                && let Some(t) = json_type(&c)
            {
                obj.insert("type".into(), json!(t));
            }
            obj.insert("enum".into(), json!([c]));
        }
        convert_type_array(obj);
        // After the type list is resolved: `type: [string, 'null']` with
        // `contentEncoding` is a string too.
        convert_contents(obj);
        // An enum that lists null means nullable.
        // (`const: null` leaves no value: an empty enum admits nothing, so
        // it goes.)
        if let Some(Value::Array(values)) = obj.get_mut("enum")
            && values.iter().any(Value::is_null)
        {
            values.retain(|v| !v.is_null());
            if values.is_empty() {
                obj.remove("enum");
            }
            obj.insert("nullable".into(), Value::Bool(true));
        }
        convert_exclusive_bounds(obj);
        convert_prefix_items(obj);
        // 3.1 allows siblings next to $ref; 3.0 (and openapiv3) ignore them.
        // `nullable` matters, so it moves onto an `allOf` wrapper.
        if obj.contains_key("$ref") && obj.len() > 1 {
            let nullable = obj.get("nullable") == Some(&Value::Bool(true));
            let r = obj.remove("$ref").expect("checked above");
            if nullable {
                obj.insert("allOf".into(), json!([{"$ref": r}]));
            } else {
                obj.clear();
                obj.insert("$ref".into(), r);
            }
        }
        self.tagged_any_of(obj, ptr);
        if obj.contains_key("discriminator") {
            self.discriminated_union(obj, ptr, hint);
        }

        // Unknown keywords are dropped, loudly unless known to be harmless.
        let unknown: Vec<String> = obj
            .keys()
            .filter(|k| !OAS30_KEYWORDS.contains(&k.as_str()) && !k.starts_with("x-"))
            .cloned()
            .collect();
        for k in unknown {
            obj.remove(&k);
            if !SILENTLY_DROPPED.contains(&k.as_str()) {
                self.log.notes.push(format!(
                    "warning: {ptr}: dropped `{k}`, which OpenAPI 3.0 cannot express"
                ));
            }
        }
    }

    /// Converts the subschemas of `obj`.
    fn convert_subschemas(&mut self, obj: &mut Map<String, Value>, ptr: &str, hint: &str) {
        if let Some(Value::Object(props)) = obj.get_mut("properties") {
            for (name, sub) in props.iter_mut() {
                let sub_ptr = format!("{ptr}/properties/{}", escape(name));
                self.convert(sub, &sub_ptr, &format!("{hint}{}", pascal(name)), false);
            }
        }
        if let Some(items) = obj.get_mut("items") {
            self.convert(
                items,
                &format!("{ptr}/items"),
                &format!("{hint}Item"),
                false,
            );
        }
        match obj.get_mut("additionalProperties") {
            Some(Value::Bool(_)) | None => {}
            Some(sub) => {
                self.convert(
                    sub,
                    &format!("{ptr}/additionalProperties"),
                    &format!("{hint}Value"),
                    false,
                );
            }
        }
        if let Some(sub) = obj.get_mut("not") {
            self.convert(sub, &format!("{ptr}/not"), &format!("{hint}Not"), false);
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            if let Some(Value::Array(list)) = obj.get_mut(key) {
                for (i, sub) in list.iter_mut().enumerate() {
                    self.convert(
                        sub,
                        &format!("{ptr}/{key}/{i}"),
                        &format!("{hint}{i}"),
                        false,
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
