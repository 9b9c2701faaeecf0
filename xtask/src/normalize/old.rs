//! Turns a pydantic-style OpenAPI 3.1 document into the OpenAPI 3.0.3 dialect
//! progenitor 0.15 reads, and fixes the shapes progenitor mistypes or panics on.
//!
//! The vendored spec is never edited: everything here works on a copy in
//! memory. Each rewrite exists because of a measured progenitor/typify
//! behaviour (see `shared/notes/progenitor-0.15-findings.md`); the reason is
//! given next to the rule.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use anyhow::{Result, bail};
use serde_json::{Map, Value, json};

use crate::names::{pascal, unused_name};
use crate::spec::{
    METHODS, collect_refs, deref, escape, fragment_encode, ref_target_pointer, unescape,
};

/// Operations whose request body progenitor cannot generate and that a
/// hand-written method replaces: `(operationId, what to use instead)`.
pub const HAND_WRITTEN: &[(&str, &str)] =
    &[("uploadAsset", "heygen_api_ext::Client::upload_asset")];

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

/// Keys under which a schema holds a map of subschemas.
const SCHEMA_MAPS: &[&str] = &[
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
];
/// Keys under which a schema holds one subschema.
const SCHEMA_SINGLES: &[&str] = &[
    "items",
    "additionalProperties",
    "not",
    "contains",
    "if",
    "then",
    "else",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "additionalItems",
];
/// Keys under which a schema holds a list of subschemas.
const SCHEMA_LISTS: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems"];

/// The result of normalization.
#[derive(Debug)]
pub struct Normalized {
    /// The OpenAPI 3.0.3 document, as JSON.
    pub doc: Value,
    /// What was rewritten that a maintainer should know about.
    pub notes: Vec<String>,
    /// Operations left out of generation: `(operationId, replacement)`.
    pub left_out: Vec<(String, String)>,
    /// The component every operation's error responses now decode into.
    pub error_type: String,
}

/// Normalizes `doc` (an OpenAPI 3.1 or 3.0 document as JSON).
pub fn normalize(doc: Value, hand_written: &[(&str, &str)]) -> Result<Normalized> {
    let mut n = Normalizer {
        doc,
        notes: Vec::new(),
        problems: Vec::new(),
        left_out: Vec::new(),
        new_components: Vec::new(),
        required_tags: Vec::new(),
    };
    n.validate();
    if !n.problems.is_empty() {
        bail!(problem_list(&n.problems));
    }
    n.drop_invalid_defaults();
    n.request_bodies(hand_written);
    if !n.problems.is_empty() {
        bail!(problem_list(&n.problems));
    }
    n.hoist_non_component_refs()?;
    n.convert_schemas();
    let error_type = n.responses();
    if !n.problems.is_empty() {
        bail!(problem_list(&n.problems));
    }
    n.finish_document();
    Ok(Normalized {
        doc: n.doc,
        notes: n.notes,
        left_out: n.left_out,
        error_type,
    })
}

fn problem_list(problems: &[String]) -> String {
    let mut s = format!(
        "the spec has {} problem(s) the generator cannot work around:",
        problems.len()
    );
    for p in problems {
        let _ = write!(s, "\n  - {p}");
    }
    s
}

struct Normalizer {
    doc: Value,
    notes: Vec<String>,
    problems: Vec<String>,
    left_out: Vec<(String, String)>,
    /// Components created while converting, not yet converted themselves.
    new_components: Vec<(String, Value)>,
    /// `(component, property)`: discriminator tags that must be required.
    required_tags: Vec<(String, String)>,
}

/// One operation's location in the document.
#[derive(Clone)]
struct OpRef {
    path: String,
    method: String,
    id: String,
}

impl OpRef {
    fn pointer(&self) -> String {
        format!("/paths/{}/{}", escape(&self.path), self.method)
    }
    fn label(&self) -> String {
        format!("{} {} ({})", self.method.to_uppercase(), self.path, self.id)
    }
}

impl Normalizer {
    fn operations(&self) -> Vec<OpRef> {
        let mut ops = Vec::new();
        if let Some(paths) = self.doc.get("paths").and_then(Value::as_object) {
            for (path, item) in paths {
                for method in METHODS {
                    if let Some(op) = item.get(*method) {
                        ops.push(OpRef {
                            path: path.clone(),
                            method: (*method).to_string(),
                            id: op
                                .get("operationId")
                                .and_then(Value::as_str)
                                .unwrap_or_default()
                                .to_string(),
                        });
                    }
                }
            }
        }
        ops
    }

    fn components_mut(&mut self) -> &mut Map<String, Value> {
        let root = self
            .doc
            .as_object_mut()
            .expect("document root is an object");
        let comps = root
            .entry("components")
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .expect("components is an object");
        comps
            .entry("schemas")
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .expect("components.schemas is an object")
    }

    fn component_names(&self) -> BTreeSet<String> {
        let mut names: BTreeSet<String> = self
            .doc
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        names.extend(self.new_components.iter().map(|(n, _)| n.clone()));
        names
    }

    fn unique_name(&self, wanted: &str) -> String {
        let taken = self.component_names();
        unused_name(wanted, |n| taken.contains(n))
    }

    // ----- validation -------------------------------------------------------

    fn validate(&mut self) {
        if !self.doc.is_object() {
            self.problems
                .push("the document root is not a mapping".to_string());
            return;
        }
        match self.doc.get("openapi").and_then(Value::as_str) {
            Some(v) if v.starts_with("3.1.") || v.starts_with("3.0.") => {}
            Some(v) => self
                .problems
                .push(format!("/openapi: version `{v}` is not OpenAPI 3.0 or 3.1")),
            None => self
                .problems
                .push("/openapi: missing; this is not an OpenAPI 3 document".to_string()),
        }
        self.validate_structure();

        let mut refs = Vec::new();
        collect_refs(&self.doc, String::new(), &mut refs);
        for (ptr, r) in &refs {
            if !r.starts_with('#') {
                self.problems.push(format!(
                    "{ptr}: external $ref `{r}`; vendor the referenced document into this one"
                ));
            } else if ref_target_pointer(&self.doc, r, ptr).is_none() {
                self.problems.push(format!(
                    "{ptr}: $ref `{r}` points at nothing in this document"
                ));
            }
        }

        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for op in self.operations() {
            let ptr = op.pointer();
            if op.id.is_empty() {
                self.problems.push(format!(
                    "{ptr}: {} {} has no operationId (it names the generated method)",
                    op.method.to_uppercase(),
                    op.path
                ));
            } else if let Some(first) = seen.insert(op.id.clone(), ptr.clone()) {
                self.problems.push(format!(
                    "{ptr}: operationId `{}` is already used at {first}",
                    op.id
                ));
            }
            self.validate_path_params(&op);
        }
    }

    /// The containers later steps rewrite must be mappings; a YAML key left
    /// empty (`application/json:` with nothing under it) is null, and for a
    /// media type that means the same as `{}`.
    fn validate_structure(&mut self) {
        for ptr in ["/paths", "/components", "/components/schemas"] {
            if self.doc.pointer(ptr).is_some_and(|v| !v.is_object()) {
                self.problems.push(format!("{ptr}: must be a mapping"));
            }
        }
        let mut holders: Vec<String> = Vec::new();
        for kind in ["requestBodies", "responses"] {
            if let Some(items) = self
                .doc
                .pointer(&format!("/components/{kind}"))
                .and_then(Value::as_object)
            {
                holders.extend(
                    items
                        .keys()
                        .map(|k| format!("/components/{kind}/{}", escape(k))),
                );
            }
        }
        for op in self.operations() {
            let ptr = op.pointer();
            if !self.doc.pointer(&ptr).is_some_and(Value::is_object) {
                self.problems
                    .push(format!("{ptr}: the operation must be a mapping"));
                continue;
            }
            holders.push(format!("{ptr}/requestBody"));
            match self.doc.pointer(&format!("{ptr}/responses")) {
                None => {}
                Some(Value::Object(responses)) => {
                    holders.extend(
                        responses
                            .keys()
                            .map(|c| format!("{ptr}/responses/{}", escape(c))),
                    );
                }
                Some(_) => self
                    .problems
                    .push(format!("{ptr}/responses: must be a mapping")),
            }
        }
        for holder in holders {
            match self.doc.pointer_mut(&holder) {
                None => continue,
                Some(Value::Object(h)) => match h.get_mut("content") {
                    None => {}
                    Some(Value::Object(content)) => {
                        let mut bad = Vec::new();
                        for (mt, media) in content.iter_mut() {
                            match media {
                                Value::Null => *media = json!({}),
                                Value::Object(_) => {}
                                _ => bad.push(mt.clone()),
                            }
                        }
                        for mt in bad {
                            self.problems.push(format!(
                                "{holder}/content/{}: a media type must be a mapping",
                                escape(&mt)
                            ));
                        }
                    }
                    Some(_) => self
                        .problems
                        .push(format!("{holder}/content: must be a mapping")),
                },
                Some(_) => self.problems.push(format!("{holder}: must be a mapping")),
            }
        }
    }

    fn validate_path_params(&mut self, op: &OpRef) {
        let in_template: BTreeSet<String> = template_names(&op.path);
        let mut declared = BTreeSet::new();
        let item_ptr = format!("/paths/{}", escape(&op.path));
        for list_ptr in [
            format!("{item_ptr}/parameters"),
            format!("{}/parameters", op.pointer()),
        ] {
            let params = self
                .doc
                .pointer(&list_ptr)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for p in params {
                let p = deref(&self.doc, &p);
                if p.get("in").and_then(Value::as_str) == Some("path")
                    && let Some(name) = p.get("name").and_then(Value::as_str)
                {
                    declared.insert(name.to_string());
                }
            }
        }
        for missing in in_template.difference(&declared) {
            self.problems.push(format!(
                "{}: path parameter `{{{missing}}}` of {} is not declared in `parameters`",
                op.pointer(),
                op.label()
            ));
        }
        for extra in declared.difference(&in_template) {
            self.problems.push(format!(
                "{}: parameter `{extra}` is declared `in: path` but {} has no `{{{extra}}}`",
                op.pointer(),
                op.path
            ));
        }
    }

    // ----- defaults ---------------------------------------------------------

    /// A `default` its own schema rejects would be baked into the generated
    /// `Default` impls and sent on the wire; checked against the 3.1 schema
    /// (JSON Schema 2020-12) before anything is rewritten.
    fn drop_invalid_defaults(&mut self) {
        let mut bad = Vec::new();
        for ptr in schema_pointers(&self.doc) {
            let Some(default) = self.doc.pointer(&ptr).and_then(|s| s.get("default")) else {
                continue;
            };
            // Validate against the schema in place, so its $refs resolve
            // against the whole document.
            let mut root = self.doc.clone();
            if let Some(obj) = root.as_object_mut() {
                obj.insert(
                    "$ref".into(),
                    Value::String(format!("#{}", fragment_encode(&ptr))),
                );
            }
            let Ok(validator) = jsonschema::validator_for(&root) else {
                continue;
            };
            if !validator.is_valid(default) {
                bad.push((ptr, default.clone()));
            }
        }
        for (ptr, default) in bad {
            if let Some(obj) = self.doc.pointer_mut(&ptr).and_then(Value::as_object_mut) {
                obj.remove("default");
            }
            self.notes.push(format!(
                "warning: {ptr}: dropped `default: {default}`, which its own schema rejects"
            ));
        }
    }

    // ----- request bodies ---------------------------------------------------

    fn request_bodies(&mut self, hand_written: &[(&str, &str)]) {
        for op in self.operations() {
            let body_ptr = format!("{}/requestBody", op.pointer());
            let Some(body) = self.doc.pointer(&body_ptr).cloned() else {
                continue;
            };
            // Inline a referenced body: it is rewritten per operation below.
            let mut body = deref(&self.doc, &body).clone();
            let Some(content) = body.get_mut("content").and_then(Value::as_object_mut) else {
                continue;
            };
            let kinds: Vec<(String, Option<BodyKind>)> = content
                .keys()
                .map(|k| (k.clone(), BodyKind::of(k)))
                .collect();
            let best = kinds
                .iter()
                .filter_map(|(k, kind)| kind.map(|kind| (kind, k.clone())))
                .min_by_key(|(kind, _)| *kind);
            let Some((kind, keep)) = best else {
                let types: Vec<&str> = kinds.iter().map(|(k, _)| k.as_str()).collect();
                if let Some((_, instead)) = hand_written.iter().find(|(id, _)| *id == op.id) {
                    self.left_out.push((op.id.clone(), (*instead).to_string()));
                    self.notes.push(format!(
                        "left out {}: request body {} cannot be generated; use {instead}",
                        op.label(),
                        types.join(", ")
                    ));
                    self.remove_operation(&op);
                } else {
                    self.problems.push(format!(
                        "{body_ptr}: {} takes {}, which progenitor 0.15 cannot generate \
                         (it generates application/json, application/x-www-form-urlencoded, \
                         application/octet-stream and text/plain); write the call by hand and \
                         list the operation in xtask's HAND_WRITTEN",
                        op.label(),
                        types.join(", ")
                    ));
                }
                continue;
            };
            if content.len() > 1 {
                let dropped: Vec<String> =
                    content.keys().filter(|k| **k != keep).cloned().collect();
                content.retain(|k, _| *k == keep);
                self.notes.push(format!(
                    "{}: request body sent as {keep} only (also accepts {})",
                    op.label(),
                    dropped.join(", ")
                ));
            }
            let media = content
                .get_mut(&keep)
                .and_then(Value::as_object_mut)
                .expect("kept media type exists");
            if media.remove("encoding").is_some() {
                self.notes.push(format!(
                    "{}: dropped the request body's `encoding`",
                    op.label()
                ));
            }
            // progenitor accepts raw bodies only with exactly these schemas.
            match kind {
                BodyKind::OctetStream => {
                    media.insert(
                        "schema".into(),
                        json!({"type": "string", "format": "binary"}),
                    );
                }
                BodyKind::Text => {
                    media.insert("schema".into(), json!({"type": "string"}));
                }
                BodyKind::Json | BodyKind::Form => {
                    media.entry("schema").or_insert_with(|| json!({}));
                }
            }
            *self.doc.pointer_mut(&body_ptr).expect("body exists") = body;
        }
    }

    fn remove_operation(&mut self, op: &OpRef) {
        let item_ptr = format!("/paths/{}", escape(&op.path));
        if let Some(item) = self
            .doc
            .pointer_mut(&item_ptr)
            .and_then(Value::as_object_mut)
        {
            item.remove(&op.method);
            if !METHODS.iter().any(|m| item.contains_key(*m)) {
                let path = op.path.clone();
                if let Some(paths) = self.doc.get_mut("paths").and_then(Value::as_object_mut) {
                    paths.remove(&path);
                }
            }
        }
    }

    // ----- references -------------------------------------------------------

    /// typify resolves only `#/components/schemas/Name`: anything else
    /// (pydantic `$defs`, pointers into paths) panics with "$ref ... is
    /// missing". A schema a `$ref` points at is moved into
    /// `components/schemas` once, however many `$ref`s reach it, and its
    /// old place refers to the component (so its users share one type). A
    /// `$ref` to something else outside components (a parameter, a
    /// response) is replaced by a copy of it.
    fn hoist_non_component_refs(&mut self) -> Result<()> {
        // A copy may bring `$ref`s of its own; a few rounds settle chains.
        for _ in 0..8 {
            if !self.hoist_round()? {
                return Ok(());
            }
        }
        let mut refs = Vec::new();
        collect_refs(&self.doc, String::new(), &mut refs);
        let left: Vec<String> = refs
            .into_iter()
            .filter(|(at, r)| !is_component_ref(r) && !at.starts_with("/webhooks/"))
            .map(|(at, r)| format!("{at}: `{r}`"))
            .collect();
        bail!(
            "$refs outside components that keep leading to others (a cycle?): {}",
            left.join(", ")
        )
    }

    /// One pass of [`Self::hoist_non_component_refs`]; false when there was
    /// nothing left to do.
    fn hoist_round(&mut self) -> Result<bool> {
        let mut refs = Vec::new();
        collect_refs(&self.doc, String::new(), &mut refs);
        let schema_nodes: BTreeSet<String> = schema_pointers(&self.doc).into_iter().collect();
        // Target pointer -> the `$ref` that replaces it.
        let mut hoisted: BTreeMap<String, String> = BTreeMap::new();
        // (wanted name, shape) -> component: pydantic repeats a model's
        // `$defs` in every body that uses it; the copies are one type.
        let mut by_shape: BTreeMap<(String, String), String> = BTreeMap::new();
        let mut rewrites: Vec<(String, String)> = Vec::new();
        let mut inlines: Vec<(String, String)> = Vec::new();
        let mut to_copy: Vec<(String, String)> = Vec::new();
        for (at, r) in refs {
            // Webhooks are dropped from the 3.0 document.
            if is_component_ref(&r) || at.starts_with("/webhooks/") {
                continue;
            }
            let Some(target) = ref_target_pointer(&self.doc, &r, &at) else {
                bail!("{at}: $ref `{r}` does not resolve");
            };
            if !schema_nodes.contains(&at) {
                inlines.push((at, target));
                continue;
            }
            if let Some(new_ref) = hoisted.get(&target) {
                rewrites.push((at, new_ref.clone()));
                continue;
            }
            let Some(value) = self.doc.pointer(&target).cloned() else {
                bail!("{at}: $ref `{r}` does not resolve");
            };
            // A pointer at a bare component `$ref` is that component.
            let alias = value
                .as_object()
                .filter(|o| o.len() == 1)
                .and_then(|o| o.get("$ref"))
                .and_then(Value::as_str)
                .filter(|c| c.starts_with("#/components/schemas/"));
            if let Some(component) = alias {
                hoisted.insert(target, component.to_string());
                rewrites.push((at, component.to_string()));
                continue;
            }
            let wanted = component_name_for(&target, &value);
            let shape = canonical(&value);
            let existing = self
                .doc
                .pointer(&format!("/components/schemas/{}", escape(&wanted)))
                .filter(|c| canonical(c) == shape)
                .map(|_| wanted.clone())
                .or_else(|| by_shape.get(&(wanted.clone(), shape.clone())).cloned());
            let name = match existing {
                Some(name) => {
                    self.notes.push(format!(
                        "$ref `{r}` at {at} is components/schemas/{name} (same shape)"
                    ));
                    name
                }
                None => {
                    let name = self.unique_name(&wanted);
                    self.notes.push(format!(
                        "$ref `{r}` at {at} hoisted into components/schemas/{name}"
                    ));
                    // Reserves the name; filled once the refs inside are rewritten.
                    self.components_mut().insert(name.clone(), json!({}));
                    by_shape.insert((wanted, shape), name.clone());
                    to_copy.push((target.clone(), name.clone()));
                    name
                }
            };
            let new_ref = format!("#/components/schemas/{}", escape(&name));
            hoisted.insert(target, new_ref.clone());
            rewrites.push((at, new_ref));
        }
        if rewrites.is_empty() && inlines.is_empty() {
            return Ok(false);
        }

        for (at, new_ref) in &rewrites {
            if let Some(obj) = self.doc.pointer_mut(at).and_then(Value::as_object_mut) {
                obj.insert("$ref".into(), Value::String(new_ref.clone()));
            }
        }
        for (target, name) in &to_copy {
            let value = self.doc.pointer(target).cloned().unwrap_or_default();
            self.components_mut().insert(name.clone(), value);
        }
        // Deepest first, so an enclosing target is replaced after what it holds.
        let mut targets: Vec<(&String, &String)> = hoisted.iter().collect();
        targets.sort_by_key(|(t, _)| std::cmp::Reverse(t.matches('/').count()));
        for (target, new_ref) in targets {
            if let Some(v) = self.doc.pointer_mut(target) {
                *v = json!({ "$ref": new_ref });
            }
        }

        for (at, target) in inlines {
            let Some(value) = self.doc.pointer(&target).cloned() else {
                bail!("{at}: its $ref points at nothing once other $refs were resolved");
            };
            let Some(slot) = self.doc.pointer_mut(&at).and_then(Value::as_object_mut) else {
                continue;
            };
            // 3.1 lets `summary`/`description` next to a `$ref` override the target's.
            let mut siblings = std::mem::take(slot);
            siblings.remove("$ref");
            let mut copy = match value {
                Value::Object(m) => m,
                other => bail!("{at}: its $ref points at {other}, not a mapping"),
            };
            copy.extend(siblings);
            *slot = copy;
            self.notes
                .push(format!("{at}: $ref to #{target} replaced by a copy of it"));
        }
        Ok(true)
    }

    // ----- schema conversion --------------------------------------------------

    fn convert_schemas(&mut self) {
        let roots = schema_roots(&self.doc);
        for (ptr, hint, is_component) in roots {
            let mut schema = self
                .doc
                .pointer_mut(&ptr)
                .map(Value::take)
                .expect("schema root exists");
            self.convert(&mut schema, &ptr, &hint, is_component);
            *self.doc.pointer_mut(&ptr).expect("schema root exists") = schema;
        }
        // Components created on the way (hoisted union branches) are
        // converted in turn; they may create more.
        while let Some((name, mut schema)) = self.new_components.pop() {
            let ptr = format!("/components/schemas/{}", escape(&name));
            self.convert(&mut schema, &ptr, &name, true);
            self.components_mut().insert(name, schema);
        }
        for (component, prop) in std::mem::take(&mut self.required_tags) {
            let Some(schema) = self.components_mut().get_mut(&component) else {
                continue;
            };
            require(schema, &prop);
        }
    }

    /// Converts one schema node (and, recursively, its subschemas) from 3.1
    /// to 3.0.3.
    fn convert(&mut self, s: &mut Value, ptr: &str, hint: &str, is_component: bool) {
        if let Value::Bool(b) = s {
            *s = if *b { json!({}) } else { json!({"not": {}}) };
        }
        let Some(obj) = s.as_object_mut() else {
            self.problems
                .push(format!("{ptr}: a schema must be a mapping or a boolean"));
            return;
        };

        // First, so that what a lone remaining branch brings into this
        // schema (pydantic's `Optional[PositiveInt]` is `anyOf: [{type:
        // integer, exclusiveMinimum: 0}, {type: 'null'}]`) goes through the
        // keyword rewrites below like the schema's own keywords.
        while Self::strip_null_branches(obj) {}
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
                self.notes.push(format!(
                    "warning: {ptr}: dropped `{k}`, which OpenAPI 3.0 cannot express"
                ));
            }
        }

        // Recurse.
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

    /// `anyOf`/`oneOf` with a `{type: 'null'}` branch makes typify panic
    /// (`todo!("invalid type")`). The branch becomes `nullable: true`.
    /// Returns whether anything changed: a merged lone branch may bring a
    /// union of its own, with a null branch of its own.
    fn strip_null_branches(obj: &mut Map<String, Value>) -> bool {
        let mut changed = false;
        for key in ["anyOf", "oneOf"] {
            let Some(Value::Array(list)) = obj.get_mut(key) else {
                continue;
            };
            let before = list.len();
            list.retain(|b| !is_null_schema(b));
            if list.len() == before {
                continue;
            }
            changed = true;
            obj.insert("nullable".into(), Value::Bool(true));
            let Some(Value::Array(list)) = obj.remove(key) else {
                unreachable!("checked above");
            };
            match list.len() {
                0 => {}
                1 => {
                    let only = list.into_iter().next().expect("one branch");
                    match only {
                        Value::Object(b) if b.contains_key("$ref") && b.len() == 1 => {
                            // A lone $ref cannot carry `nullable` in 3.0.
                            obj.insert("allOf".into(), json!([b]));
                        }
                        Value::Object(b) => {
                            // The outer schema's annotations win; the branch
                            // brings the type.
                            for (k, v) in b {
                                obj.entry(k).or_insert(v);
                            }
                            // The branch may itself have been a type array.
                            convert_type_array(obj);
                        }
                        other => {
                            obj.insert(key.into(), json!([other]));
                        }
                    }
                }
                _ => {
                    obj.insert(key.into(), Value::Array(list));
                }
            }
        }
        changed
    }

    /// Discriminated unions. typify ignores `discriminator`; what keeps the
    /// variants of the resulting (untagged) enum apart is each branch's
    /// one-value tag, so the tag must be required in every branch. Inline
    /// branches become named components: typify names the nested types of
    /// inline branches without the variant, so sibling branches with a
    /// same-named property would share (and mistype) one type.
    fn discriminated_union(&mut self, obj: &mut Map<String, Value>, ptr: &str, hint: &str) {
        let Some(prop) = obj
            .get("discriminator")
            .and_then(|d| d.get("propertyName"))
            .and_then(Value::as_str)
            .map(str::to_string)
        else {
            return;
        };
        let mapping: BTreeMap<String, String> = obj
            .get("discriminator")
            .and_then(|d| d.get("mapping"))
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((v.as_str()?.to_string(), k.clone())))
                    .collect()
            })
            .unwrap_or_default();
        for key in ["oneOf", "anyOf"] {
            let Some(Value::Array(list)) = obj.get_mut(key) else {
                continue;
            };
            for (i, branch) in list.iter_mut().enumerate() {
                if let Some(r) = branch.get("$ref").and_then(Value::as_str) {
                    if let Some(name) = r.strip_prefix("#/components/schemas/") {
                        self.required_tags.push((unescape(name), prop.clone()));
                    }
                    continue;
                }
                if branch
                    .get("properties")
                    .and_then(|p| p.get(&prop))
                    .is_none()
                {
                    continue;
                }
                let tag = tag_value(branch, &prop)
                    .or_else(|| mapping.values().nth(i).cloned())
                    .unwrap_or_else(|| i.to_string());
                let name = self.unique_name(&format!("{hint}{}", pascal(&tag)));
                let mut hoisted = branch.take();
                require(&mut hoisted, &prop);
                self.notes.push(format!(
                    "{ptr}/{key}/{i}: inline union branch `{tag}` hoisted into components/schemas/{name}"
                ));
                self.new_components.push((name.clone(), hoisted));
                *branch = json!({"$ref": format!("#/components/schemas/{name}")});
            }
        }
    }

    // ----- responses --------------------------------------------------------

    /// Makes every operation decode its errors into one named type, and its
    /// successes into one type, which is all progenitor 0.15 can represent
    /// (it asserts `response_types.len() <= 1`). Returns the error type.
    fn responses(&mut self) -> String {
        let ops = self.operations();
        // Inline referenced responses so they can be rewritten per operation.
        for op in &ops {
            let ptr = format!("{}/responses", op.pointer());
            let Some(responses) = self.doc.pointer(&ptr).and_then(Value::as_object).cloned() else {
                continue;
            };
            let mut inlined = Map::new();
            for (code, resp) in responses {
                let resp = deref(&self.doc, &resp).clone();
                if code == "default" {
                    // `default` counts as success and error both in
                    // progenitor; as an error it means "any 4xx/5xx".
                    for range in ["4XX", "5XX"] {
                        inlined.entry(range).or_insert_with(|| resp.clone());
                    }
                    self.notes.push(format!(
                        "{}: `default` response read as 4XX and 5XX",
                        op.label()
                    ));
                } else {
                    inlined.insert(code, resp);
                }
            }
            *self.doc.pointer_mut(&ptr).expect("responses exist") = Value::Object(inlined);
        }

        // Distinct error bodies across the document, in order of appearance.
        let mut kinds: Vec<ErrorKind> = Vec::new();
        for op in &ops {
            let ptr = format!("{}/responses", op.pointer());
            let Some(responses) = self.doc.pointer(&ptr).and_then(Value::as_object) else {
                continue;
            };
            for (code, resp) in responses {
                if !is_error_code(code) {
                    continue;
                }
                if let Some(schema) = json_schema_of(resp) {
                    let kind = self.error_kind(schema);
                    if !kinds.contains(&kind) {
                        kinds.push(kind);
                    }
                }
            }
        }
        let error_type = self.error_type(kinds);
        let error_ref = json!({"$ref": format!("#/components/schemas/{error_type}")});

        for op in &ops {
            let ptr = format!("{}/responses", op.pointer());
            let Some(responses) = self.doc.pointer_mut(&ptr).and_then(Value::as_object_mut) else {
                continue;
            };
            let mut changed_kind = Vec::new();
            for (code, resp) in responses.iter_mut() {
                if !is_error_code(code) {
                    continue;
                }
                if json_schema_of(resp).is_none() {
                    changed_kind.push(code.clone());
                }
                let resp = resp.as_object_mut().expect("response is an object");
                resp.insert(
                    "content".into(),
                    json!({"application/json": {"schema": error_ref.clone()}}),
                );
            }
            // Undeclared statuses would reach the caller as
            // `UnexpectedResponse` with an unread body; ranges route every
            // 4xx/5xx through the one error type.
            for range in ["4XX", "5XX"] {
                responses.entry(range).or_insert_with(|| {
                    json!({
                        "description": "Error",
                        "content": {"application/json": {"schema": error_ref.clone()}},
                    })
                });
            }
            if !changed_kind.is_empty() {
                self.notes.push(format!(
                    "{}: error response(s) {} had no JSON body; typed as {error_type}",
                    op.label(),
                    changed_kind.join(", ")
                ));
            }
            self.success_responses(op);
        }
        error_type
    }

    fn error_kind(&self, schema: &Value) -> ErrorKind {
        if let Some(name) = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
        {
            return ErrorKind::Component(unescape(name));
        }
        // An inline body with the shape of an existing component is that
        // component (HeyGen's seed inlines what later got a name).
        let canon = canonical(schema);
        if let Some(comps) = self
            .doc
            .pointer("/components/schemas")
            .and_then(Value::as_object)
        {
            for (name, c) in comps {
                if canonical(c) == canon {
                    return ErrorKind::Component(name.clone());
                }
            }
        }
        ErrorKind::Inline(canon, schema.clone())
    }

    fn error_type(&mut self, kinds: Vec<ErrorKind>) -> String {
        let mut names = Vec::new();
        for kind in &kinds {
            match kind {
                ErrorKind::Component(name) => names.push(name.clone()),
                ErrorKind::Inline(_, schema) => {
                    let name = self.unique_name("ErrorEnvelope");
                    self.notes.push(format!(
                        "inline error body hoisted into components/schemas/{name}"
                    ));
                    self.components_mut().insert(name.clone(), schema.clone());
                    names.push(name);
                }
            }
        }
        match names.len() {
            0 => {
                let name = self.unique_name("ErrorBody");
                self.components_mut().insert(
                    name.clone(),
                    json!({"description": "An error body; the spec declares none."}),
                );
                name
            }
            1 => names.pop().expect("one name"),
            _ => {
                // An untagged union decodes the first branch that fits; with
                // every property optional, the first would always fit and
                // swallow the others. An error body without its one
                // property is no such body, so the properties become required.
                for name in &names {
                    if let Some(schema) = self.components_mut().get_mut(name) {
                        let props: Vec<String> = schema
                            .get("properties")
                            .and_then(Value::as_object)
                            .map(|p| p.keys().cloned().collect())
                            .unwrap_or_default();
                        for p in props {
                            require(schema, &p);
                        }
                    }
                }
                let union = self.unique_name("ErrorBody");
                let branches: Vec<Value> = names
                    .iter()
                    .map(|n| json!({"$ref": format!("#/components/schemas/{n}")}))
                    .collect();
                self.notes.push(format!(
                    "error bodies {} unified as components/schemas/{union} (untagged union)",
                    names.join(", ")
                ));
                self.components_mut().insert(
                    union.clone(),
                    json!({
                        "description": "Any error body this API declares.",
                        "anyOf": branches,
                    }),
                );
                union
            }
        }
    }

    fn success_responses(&mut self, op: &OpRef) {
        let ptr = format!("{}/responses", op.pointer());
        let Some(responses) = self.doc.pointer(&ptr).and_then(Value::as_object).cloned() else {
            return;
        };
        let mut json_codes = Vec::new();
        let mut other = Vec::new();
        for (code, resp) in &responses {
            if !is_success_code(code) {
                continue;
            }
            let content = resp.get("content").and_then(Value::as_object);
            match content {
                Some(c) if c.keys().any(|k| is_json(k)) => json_codes.push(code.clone()),
                Some(c) if !c.is_empty() => other.push(format!("{code} (non-JSON body)")),
                _ => other.push(format!("{code} (no body)")),
            }
        }
        // A JSON media type without a schema panics progenitor
        // (`todo!("media type encoding, no schema")`); `{}` is any JSON.
        for code in &json_codes {
            let resp_ptr = format!("{ptr}/{}", escape(code));
            let content = self
                .doc
                .pointer_mut(&format!("{resp_ptr}/content"))
                .and_then(Value::as_object_mut)
                .expect("content exists");
            for (mt, media) in content.iter_mut() {
                if !is_json(mt) {
                    continue;
                }
                let media = media.as_object_mut().expect("media type is an object");
                media.entry("schema").or_insert_with(|| json!({}));
                media.remove("encoding");
            }
        }
        if !json_codes.is_empty() && !other.is_empty() {
            self.problems.push(format!(
                "{ptr}: {} answers {} with JSON and {} otherwise; progenitor 0.15 gives an \
                 operation one success type, so one of them would fail to decode",
                op.label(),
                json_codes.join(", "),
                other.join(", ")
            ));
            return;
        }
        if json_codes.len() < 2 {
            return;
        }
        let schemas: Vec<Value> = json_codes
            .iter()
            .map(|code| {
                json_schema_of(&responses[code])
                    .cloned()
                    .expect("JSON response has a schema")
            })
            .collect();
        let distinct: BTreeSet<String> = schemas.iter().map(canonical).collect();
        if distinct.len() < 2 {
            return;
        }
        // Several success bodies: one untagged union of named branches.
        let base = pascal(&op.id);
        let mut branches = Vec::new();
        for (code, schema) in json_codes.iter().zip(schemas) {
            if schema.get("$ref").is_some() {
                branches.push(schema);
            } else {
                let name = self.unique_name(&format!("{base}Response{code}"));
                self.new_components.push((name.clone(), schema));
                branches.push(json!({"$ref": format!("#/components/schemas/{name}")}));
            }
        }
        let union = self.unique_name(&format!("{base}Response"));
        self.notes.push(format!(
            "{}: success bodies of {} unified as components/schemas/{union}",
            op.label(),
            json_codes.join(", ")
        ));
        // Branches created here still need converting.
        while let Some((name, mut schema)) = self.new_components.pop() {
            let p = format!("/components/schemas/{}", escape(&name));
            self.convert(&mut schema, &p, &name, true);
            self.components_mut().insert(name, schema);
        }
        self.components_mut()
            .insert(union.clone(), json!({"anyOf": branches}));
        for code in &json_codes {
            let media_ptr = format!("{ptr}/{}/content", escape(code));
            if let Some(content) = self
                .doc
                .pointer_mut(&media_ptr)
                .and_then(Value::as_object_mut)
            {
                content.retain(|k, _| is_json(k));
                for media in content.values_mut() {
                    media["schema"] = json!({"$ref": format!("#/components/schemas/{union}")});
                }
            }
        }
    }

    // ----- document ---------------------------------------------------------

    fn finish_document(&mut self) {
        let root = self
            .doc
            .as_object_mut()
            .expect("document root is an object");
        root.insert("openapi".into(), json!("3.0.3"));
        for key in ["webhooks", "jsonSchemaDialect", "$defs", "$schema", "$id"] {
            root.remove(key);
        }
        root.entry("paths").or_insert_with(|| json!({}));
        if let Some(info) = root.get_mut("info").and_then(Value::as_object_mut) {
            info.remove("summary");
            if let Some(license) = info.get_mut("license").and_then(Value::as_object_mut) {
                license.remove("identifier");
            }
        }
        if let Some(comps) = root.get_mut("components").and_then(Value::as_object_mut) {
            comps.remove("pathItems");
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum BodyKind {
    Json,
    Form,
    Text,
    OctetStream,
}

impl BodyKind {
    fn of(media_type: &str) -> Option<BodyKind> {
        let base = media_type.split(';').next().unwrap_or_default().trim();
        match base {
            "application/json" => Some(BodyKind::Json),
            "application/x-www-form-urlencoded" => Some(BodyKind::Form),
            "text/plain" | "text/x-markdown" => Some(BodyKind::Text),
            "application/octet-stream" => Some(BodyKind::OctetStream),
            _ => None,
        }
    }
}

#[derive(PartialEq)]
enum ErrorKind {
    Component(String),
    Inline(String, Value),
}

// ----- helpers ----------------------------------------------------------------

fn is_component_ref(r: &str) -> bool {
    let Some(rest) = r.strip_prefix("#/components/") else {
        return false;
    };
    let mut parts = rest.split('/');
    matches!(
        (parts.next(), parts.next(), parts.next()),
        (
            Some(
                "schemas"
                    | "parameters"
                    | "responses"
                    | "requestBodies"
                    | "headers"
                    | "examples"
                    | "links"
                    | "callbacks"
                    | "securitySchemes"
                    | "pathItems"
            ),
            Some(_),
            None
        )
    )
}

/// A component name for the schema at `ptr`: the `$defs` key; elsewhere
/// its `title` (pydantic's model name), or the last pointer segment that
/// names something.
fn component_name_for(ptr: &str, schema: &Value) -> String {
    let in_defs = ptr
        .rsplit('/')
        .nth(1)
        .is_some_and(|s| s == "$defs" || s == "definitions");
    let title = schema
        .get("title")
        .and_then(Value::as_str)
        .map(pascal)
        .filter(|t| t.starts_with(|c: char| c.is_ascii_alphabetic()));
    match title {
        Some(t) if !in_defs => t,
        _ => name_for_pointer(ptr),
    }
}

/// A component name for the schema at `ptr`: the last segment that names
/// something.
fn name_for_pointer(ptr: &str) -> String {
    let segments: Vec<String> = ptr.split('/').skip(1).map(unescape).collect();
    const STRUCTURAL: &[&str] = &[
        "properties",
        "items",
        "schema",
        "content",
        "requestBody",
        "responses",
        "allOf",
        "anyOf",
        "oneOf",
        "$defs",
        "definitions",
        "additionalProperties",
    ];
    segments
        .iter()
        .rev()
        .find(|s| {
            !STRUCTURAL.contains(&s.as_str())
                && !s.contains('/')
                && s.parse::<u32>().is_err()
                && !METHODS.contains(&s.as_str())
        })
        .map(|s| pascal(s))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "Hoisted".to_string())
}

/// Every place in the document that holds a schema root:
/// `(pointer, name hint, is a component)`.
fn schema_roots(doc: &Value) -> Vec<(String, String, bool)> {
    let mut roots = Vec::new();
    if let Some(comps) = doc.get("components").and_then(Value::as_object) {
        if let Some(schemas) = comps.get("schemas").and_then(Value::as_object) {
            for name in schemas.keys() {
                roots.push((
                    format!("/components/schemas/{}", escape(name)),
                    name.clone(),
                    true,
                ));
            }
        }
        for (kind, holder) in [
            ("parameters", None),
            ("headers", None),
            ("requestBodies", Some("content")),
            ("responses", Some("content")),
        ] {
            let Some(items) = comps.get(kind).and_then(Value::as_object) else {
                continue;
            };
            for (name, item) in items {
                let base = format!("/components/{kind}/{}", escape(name));
                push_holder_roots(item, &base, &pascal(name), holder, &mut roots);
            }
        }
    }
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            let item_ptr = format!("/paths/{}", escape(path));
            push_param_roots(item, &item_ptr, "Path", &mut roots);
            for method in METHODS {
                let Some(op) = item.get(*method) else {
                    continue;
                };
                let op_ptr = format!("{item_ptr}/{method}");
                let hint = op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .map(pascal)
                    .unwrap_or_default();
                push_param_roots(op, &op_ptr, &hint, &mut roots);
                if let Some(body) = op.get("requestBody") {
                    push_holder_roots(
                        body,
                        &format!("{op_ptr}/requestBody"),
                        &format!("{hint}Body"),
                        Some("content"),
                        &mut roots,
                    );
                }
                if let Some(responses) = op.get("responses").and_then(Value::as_object) {
                    for (code, resp) in responses {
                        push_holder_roots(
                            resp,
                            &format!("{op_ptr}/responses/{}", escape(code)),
                            &format!("{hint}Response"),
                            Some("content"),
                            &mut roots,
                        );
                    }
                }
            }
        }
    }
    roots
}

fn push_param_roots(item: &Value, ptr: &str, hint: &str, roots: &mut Vec<(String, String, bool)>) {
    if let Some(params) = item.get("parameters").and_then(Value::as_array) {
        for (i, p) in params.iter().enumerate() {
            if p.get("schema").is_some() {
                let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
                roots.push((
                    format!("{ptr}/parameters/{i}/schema"),
                    format!("{hint}{}", pascal(name)),
                    false,
                ));
            }
        }
    }
}

/// Schemas inside a parameter/header (`schema`), or a body/response
/// (`content/*/schema` and `headers/*/schema`).
fn push_holder_roots(
    item: &Value,
    base: &str,
    hint: &str,
    holder: Option<&str>,
    roots: &mut Vec<(String, String, bool)>,
) {
    if item.get("$ref").is_some() {
        return;
    }
    match holder {
        None => {
            if item.get("schema").is_some() {
                roots.push((format!("{base}/schema"), hint.to_string(), false));
            }
        }
        Some(_) => {
            if let Some(content) = item.get("content").and_then(Value::as_object) {
                for (mt, media) in content {
                    if media.get("schema").is_some() {
                        roots.push((
                            format!("{base}/content/{}/schema", escape(mt)),
                            hint.to_string(),
                            false,
                        ));
                    }
                }
            }
            if let Some(headers) = item.get("headers").and_then(Value::as_object) {
                for (name, h) in headers {
                    if h.get("schema").is_some() {
                        roots.push((
                            format!("{base}/headers/{}/schema", escape(name)),
                            format!("{hint}{}", pascal(name)),
                            false,
                        ));
                    }
                }
            }
        }
    }
}

/// Pointers to every schema node (roots and all their subschemas).
fn schema_pointers(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for (ptr, _, _) in schema_roots(doc) {
        if let Some(s) = doc.pointer(&ptr) {
            subschema_pointers(s, ptr, &mut out);
        }
    }
    out
}

fn subschema_pointers(s: &Value, ptr: String, out: &mut Vec<String>) {
    let Some(obj) = s.as_object() else { return };
    for key in SCHEMA_MAPS {
        if let Some(Value::Object(m)) = obj.get(*key) {
            for (name, sub) in m {
                subschema_pointers(sub, format!("{ptr}/{key}/{}", escape(name)), out);
            }
        }
    }
    for key in SCHEMA_SINGLES {
        if let Some(sub @ Value::Object(_)) = obj.get(*key) {
            subschema_pointers(sub, format!("{ptr}/{key}"), out);
        }
    }
    for key in SCHEMA_LISTS.iter().chain(["items"].iter()) {
        if let Some(Value::Array(list)) = obj.get(*key) {
            for (i, sub) in list.iter().enumerate() {
                subschema_pointers(sub, format!("{ptr}/{key}/{i}"), out);
            }
        }
    }
    out.push(ptr);
}

fn template_names(path: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        names.insert(rest[start + 1..start + len].to_string());
        rest = &rest[start + len + 1..];
    }
    names
}

fn json_type(v: &Value) -> Option<&'static str> {
    Some(match v {
        Value::String(_) => "string",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
        Value::Null => return None,
    })
}

fn is_null_schema(b: &Value) -> bool {
    match b {
        Value::Object(m) => {
            m.get("type") == Some(&json!("null"))
                || m.get("type") == Some(&json!(["null"]))
                || m.get("const") == Some(&Value::Null)
                || m.get("enum") == Some(&json!([null]))
        }
        _ => false,
    }
}

/// Keywords that belong to one JSON type: when a type list splits into
/// `anyOf` branches, each keyword follows its type.
fn keywords_of(t: &str) -> &'static [&'static str] {
    match t {
        "string" => &["minLength", "maxLength", "pattern", "format"],
        "integer" | "number" => &[
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "multipleOf",
            "format",
        ],
        "array" => &[
            "items",
            "minItems",
            "maxItems",
            "uniqueItems",
            "prefixItems",
        ],
        "object" => &[
            "properties",
            "required",
            "additionalProperties",
            "minProperties",
            "maxProperties",
        ],
        _ => &[],
    }
}

/// `type: [T, 'null']` -> `type: T, nullable: true`; several non-null types
/// -> `anyOf` (openapiv3 refuses a type list outright).
fn convert_type_array(obj: &mut Map<String, Value>) {
    let types: Vec<String> = match obj.get("type") {
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        Some(Value::String(t)) if t == "null" => vec!["null".to_string()],
        _ => return,
    };
    obj.remove("type");
    let non_null: Vec<&String> = types.iter().filter(|t| *t != "null").collect();
    if non_null.len() < types.len() {
        obj.insert("nullable".into(), Value::Bool(true));
    }
    match non_null.as_slice() {
        [] => {}
        [one] => {
            obj.insert("type".into(), json!(one));
        }
        many => {
            let enum_values = obj.remove("enum");
            let mut branches = Vec::new();
            for t in many {
                let mut b = Map::new();
                b.insert("type".into(), json!(t));
                for k in keywords_of(t) {
                    if let Some(v) = obj.get(*k) {
                        b.insert((*k).to_string(), v.clone());
                    }
                }
                if let Some(Value::Array(values)) = &enum_values {
                    let mine: Vec<Value> = values
                        .iter()
                        .filter(|v| {
                            json_type(v) == Some(t.as_str())
                                || (t.as_str() == "number" && v.is_number())
                        })
                        .cloned()
                        .collect();
                    if mine.is_empty() {
                        continue;
                    }
                    b.insert("enum".into(), Value::Array(mine));
                }
                branches.push(Value::Object(b));
            }
            for t in many {
                for k in keywords_of(t) {
                    obj.remove(*k);
                }
            }
            obj.insert("anyOf".into(), Value::Array(branches));
        }
    }
}

/// Numeric `exclusiveMinimum: n` (3.1) -> `minimum: n, exclusiveMinimum: true`.
fn convert_exclusive_bounds(obj: &mut Map<String, Value>) {
    for (excl, bound, stricter_is_greater) in [
        ("exclusiveMinimum", "minimum", true),
        ("exclusiveMaximum", "maximum", false),
    ] {
        let Some(Value::Number(n)) = obj.get(excl).cloned() else {
            continue;
        };
        let nv = n.as_f64().unwrap_or_default();
        // With both forms present, the tighter bound wins.
        let keep_inclusive = obj
            .get(bound)
            .and_then(Value::as_f64)
            .is_some_and(|b| if stricter_is_greater { b > nv } else { b < nv });
        if keep_inclusive {
            obj.remove(excl);
        } else {
            obj.insert(bound.into(), Value::Number(n));
            obj.insert(excl.into(), Value::Bool(true));
        }
    }
}

/// `prefixItems` (tuples) -> `items` of the branch types with a fixed length.
fn convert_prefix_items(obj: &mut Map<String, Value>) {
    let Some(Value::Array(prefix)) = obj.remove("prefixItems") else {
        return;
    };
    let len = prefix.len();
    // Compared without annotations: pydantic titles each tuple position
    // (`Latitude`, `Longitude`), and two `number`s that differ only by title
    // would make an `anyOf` typify cannot tell apart (it emits a struct of
    // two flattened `Option<f64>`, which decodes nothing).
    let mut distinct: Vec<Value> = Vec::new();
    let mut seen = BTreeSet::new();
    for p in prefix {
        if seen.insert(canonical(&p)) {
            distinct.push(p);
        }
    }
    let items = if distinct.len() == 1 {
        distinct.pop().expect("one item")
    } else {
        json!({"anyOf": distinct})
    };
    let extra_allowed = !matches!(obj.get("items"), Some(Value::Bool(false)));
    obj.insert("items".into(), items);
    obj.entry("minItems").or_insert(json!(len));
    if !extra_allowed {
        obj.insert("maxItems".into(), json!(len));
    }
}

/// `contentEncoding: base64` on a string is 3.0's `format: byte`;
/// `contentMediaType` alone is `format: binary`.
fn convert_contents(obj: &mut Map<String, Value>) {
    if obj.get("type") != Some(&json!("string")) || obj.contains_key("format") {
        return;
    }
    if obj.get("contentEncoding") == Some(&json!("base64")) {
        obj.insert("format".into(), json!("byte"));
    } else if obj.contains_key("contentMediaType") && !obj.contains_key("contentEncoding") {
        obj.insert("format".into(), json!("binary"));
    }
}

fn tag_value(branch: &Value, prop: &str) -> Option<String> {
    let p = branch.get("properties")?.get(prop)?;
    let v = p
        .get("const")
        .or_else(|| p.get("enum").and_then(|e| e.get(0)))?;
    v.as_str().map(str::to_string)
}

fn require(schema: &mut Value, prop: &str) {
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    let required = obj
        .entry("required")
        .or_insert_with(|| json!([]))
        .as_array_mut();
    if let Some(required) = required
        && !required.iter().any(|r| r == prop)
    {
        required.push(json!(prop));
    }
}

fn json_schema_of(resp: &Value) -> Option<&Value> {
    let content = resp.get("content")?.as_object()?;
    content
        .iter()
        .find(|(k, _)| is_json(k))
        .and_then(|(_, m)| m.get("schema"))
}

fn is_json(media_type: &str) -> bool {
    media_type == "application/json" || media_type.starts_with("application/json;")
}

fn is_error_code(code: &str) -> bool {
    matches!(code.as_bytes().first(), Some(b'4' | b'5'))
}

fn is_success_code(code: &str) -> bool {
    code.starts_with('2')
}

/// A schema's shape, for telling whether two schemas are the same type:
/// annotations (descriptions, titles, examples) do not count. Names under
/// `properties` do: a property called `title` is data, not an annotation.
fn canonical(schema: &Value) -> String {
    fn strip(v: &Value) -> Value {
        let m = match v {
            Value::Object(m) => m,
            Value::Array(a) => return Value::Array(a.iter().map(strip).collect()),
            other => return other.clone(),
        };
        let mut out: BTreeMap<String, Value> = BTreeMap::new();
        for (k, sub) in m {
            match k.as_str() {
                "description" | "title" | "example" | "examples" | "$comment" => {}
                // Values, not schemas: compared as they are.
                "enum" | "const" | "default" | "required" | "discriminator" => {
                    out.insert(k.clone(), sub.clone());
                }
                key if SCHEMA_MAPS.contains(&key) => {
                    let named: BTreeMap<String, Value> = sub
                        .as_object()
                        .map(|props| props.iter().map(|(n, s)| (n.clone(), strip(s))).collect())
                        .unwrap_or_default();
                    out.insert(k.clone(), json!(named));
                }
                _ => {
                    out.insert(k.clone(), strip(sub));
                }
            }
        }
        json!(out)
    }
    strip(schema).to_string()
}

#[cfg(test)]
mod tests;
