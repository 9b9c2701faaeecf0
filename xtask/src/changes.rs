//! What a spec change does to users' Rust code: operations, parameters,
//! fields and enum values added, removed or changed, each marked breaking
//! or compatible for a caller. Both sides are compared after normalization,
//! i.e. as the generated code sees them.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::{Value, json};

use crate::spec::{self, escape};

/// One change.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    /// Would code written against the old client stop compiling or behave
    /// differently?
    pub breaking: bool,
    /// What changed, naming the operation, type and field.
    pub what: String,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let class = if self.breaking {
            "breaking  "
        } else {
            "compatible"
        };
        write!(f, "{class} {}", self.what)
    }
}

/// Which way a schema travels.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Direction {
    request: bool,
    response: bool,
}

impl Direction {
    fn label(self) -> &'static str {
        match (self.request, self.response) {
            (true, true) => "request and response",
            (true, false) => "request",
            (false, true) => "response",
            (false, false) => "unused",
        }
    }
}

/// Compares two normalized documents. `open` names the enums generated
/// open in the new client (a value added to them breaks nobody).
pub fn compare(old: &Value, new: &Value, open: &BTreeSet<String>) -> Vec<Change> {
    let mut out = Vec::new();
    compare_operations(old, new, &mut out);
    compare_components(old, new, open, &mut out);
    out.sort();
    out.dedup();
    out
}

fn push(out: &mut Vec<Change>, breaking: bool, what: String) {
    out.push(Change { breaking, what });
}

fn operations(doc: &Value) -> BTreeMap<String, (String, String, Value, Vec<Value>)> {
    let mut ops = BTreeMap::new();
    for o in spec::operations(doc) {
        let Some(id) = o.id() else {
            continue;
        };
        let params = o.parameters(doc).cloned().collect();
        ops.insert(
            id.to_string(),
            (
                o.method.to_uppercase(),
                o.path.to_string(),
                o.op.clone(),
                params,
            ),
        );
    }
    ops
}

fn compare_operations(old: &Value, new: &Value, out: &mut Vec<Change>) {
    let (o, n) = (operations(old), operations(new));
    for (id, (method, path, _, _)) in &n {
        if !o.contains_key(id) {
            push(
                out,
                false,
                format!("operation `{id}` added ({method} {path})"),
            );
        }
    }
    for (id, (method, path, old_op, old_params)) in &o {
        let Some((new_method, new_path, new_op, new_params)) = n.get(id) else {
            push(
                out,
                true,
                format!("operation `{id}` removed ({method} {path})"),
            );
            continue;
        };
        if (method, path) != (new_method, new_path) {
            push(
                out,
                true,
                format!("operation `{id}` moved from {method} {path} to {new_method} {new_path}"),
            );
        }
        let key = |p: &Value| {
            (
                p.get("in")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                p.get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
            )
        };
        let olds: BTreeMap<_, _> = old_params.iter().map(|p| (key(p), p)).collect();
        let news: BTreeMap<_, _> = new_params.iter().map(|p| (key(p), p)).collect();
        for ((loc, name), p) in &news {
            let required = p.get("required") == Some(&Value::Bool(true));
            match olds.get(&(loc.clone(), name.clone())) {
                None => push(
                    out,
                    required,
                    format!(
                        "operation `{id}`: {} {loc} parameter `{name}` added",
                        if required { "required" } else { "optional" }
                    ),
                ),
                Some(old_p) => {
                    let was = old_p.get("required") == Some(&Value::Bool(true));
                    if was != required {
                        push(
                            out,
                            required,
                            format!(
                                "operation `{id}`: {loc} parameter `{name}` is now {}",
                                if required { "required" } else { "optional" }
                            ),
                        );
                    }
                    let (ts, tn) = (
                        sig(old_p.get("schema").unwrap_or(&Value::Null)),
                        sig(p.get("schema").unwrap_or(&Value::Null)),
                    );
                    if ts != tn {
                        push(
                            out,
                            true,
                            format!(
                                "operation `{id}`: {loc} parameter `{name}` changed type from {ts} to {tn}"
                            ),
                        );
                    }
                }
            }
        }
        for (loc, name) in olds.keys() {
            if !news.contains_key(&(loc.clone(), name.clone())) {
                push(
                    out,
                    true,
                    format!("operation `{id}`: {loc} parameter `{name}` removed"),
                );
            }
        }
        // Bodies: the type each names, or inline fields.
        let body = |op: &Value| {
            op.pointer("/requestBody/content")
                .and_then(Value::as_object)
                .and_then(|c| c.values().next())
                .and_then(|m| m.get("schema"))
                .map(|s| (sig(s), s.clone()))
        };
        match (body(old_op), body(new_op)) {
            (None, Some(_)) => push(out, true, format!("operation `{id}`: request body added")),
            (Some(_), None) => push(out, true, format!("operation `{id}`: request body removed")),
            (Some((so, o_s)), Some((sn, n_s))) => {
                if so != sn {
                    push(
                        out,
                        true,
                        format!("operation `{id}`: request body changed from {so} to {sn}"),
                    );
                } else if o_s.get("$ref").is_none() {
                    let dir = Direction {
                        request: true,
                        response: false,
                    };
                    compare_schema(
                        &format!("{id} request body"),
                        &o_s,
                        &n_s,
                        dir,
                        &BTreeSet::new(),
                        out,
                    );
                }
            }
            (None, None) => {}
        }
        let success = |op: &Value| {
            op.get("responses")
                .and_then(Value::as_object)
                .and_then(|r| r.iter().find(|(c, _)| c.starts_with('2')))
                .map(|(c, r)| {
                    let s = r
                        .get("content")
                        .and_then(Value::as_object)
                        .and_then(|c| c.values().next())
                        .and_then(|m| m.get("schema"))
                        .map(|s| (sig(s), s.clone()));
                    (c.clone(), s)
                })
        };
        if let (Some((oc, os)), Some((nc, ns))) = (success(old_op), success(new_op)) {
            if oc != nc {
                push(
                    out,
                    false,
                    format!("operation `{id}`: success status {oc} became {nc}"),
                );
            }
            match (os, ns) {
                (Some((so, _)), Some((sn, _))) if so != sn => push(
                    out,
                    true,
                    format!("operation `{id}`: response changed from {so} to {sn}"),
                ),
                (Some(_), None) | (None, Some(_)) => push(
                    out,
                    true,
                    format!("operation `{id}`: response body added or removed"),
                ),
                (Some((_, o_s)), Some((_, n_s))) if o_s.get("$ref").is_none() => {
                    let dir = Direction {
                        request: false,
                        response: true,
                    };
                    compare_schema(
                        &format!("{id} response"),
                        &o_s,
                        &n_s,
                        dir,
                        &BTreeSet::new(),
                        out,
                    );
                }
                _ => {}
            }
        }
    }
}

fn directions(doc: &Value) -> BTreeMap<String, Direction> {
    let (responses, requests) = spec::roots(doc);
    let resp = spec::reach(doc, &responses);
    let req = spec::reach(doc, &requests);
    resp.union(&req)
        .map(|n| {
            (
                n.clone(),
                Direction {
                    request: req.contains(n),
                    response: resp.contains(n),
                },
            )
        })
        .collect()
}

fn compare_components(old: &Value, new: &Value, open: &BTreeSet<String>, out: &mut Vec<Change>) {
    let schemas = |doc: &Value| {
        doc.pointer("/components/schemas")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    };
    let (os, ns) = (schemas(old), schemas(new));
    let (od, nd) = (directions(old), directions(new));
    for name in ns.keys() {
        if !os.contains_key(name) {
            push(out, false, format!("type `{name}` added"));
        }
    }
    for (name, o_schema) in &os {
        let Some(n_schema) = ns.get(name) else {
            push(out, true, format!("type `{name}` removed"));
            continue;
        };
        let dir = nd
            .get(name)
            .or_else(|| od.get(name))
            .copied()
            .unwrap_or(Direction {
                request: false,
                response: false,
            });
        compare_schema(name, o_schema, n_schema, dir, open, out);
    }
}

#[allow(clippy::too_many_arguments)]
fn compare_schema(
    at: &str,
    o: &Value,
    n: &Value,
    dir: Direction,
    open: &BTreeSet<String>,
    out: &mut Vec<Change>,
) {
    // Enum values.
    let values = |s: &Value| -> BTreeSet<String> {
        s.get("enum")
            .and_then(Value::as_array)
            .map(|e| e.iter().map(|v| v.to_string()).collect())
            .unwrap_or_default()
    };
    let (ov, nv) = (values(o), values(n));
    for v in nv.difference(&ov) {
        // A closed enum read from responses gains a variant every
        // exhaustive `match` must handle.
        let breaking = dir.response && !open.contains(at);
        push(
            out,
            breaking,
            format!("enum `{at}` ({}): value {v} added", dir.label()),
        );
    }
    for v in ov.difference(&nv) {
        push(
            out,
            true,
            format!("enum `{at}` ({}): value {v} removed", dir.label()),
        );
    }
    // Fields.
    let props = |s: &Value| {
        s.get("properties")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    };
    let required = |s: &Value| -> BTreeSet<String> {
        s.get("required")
            .and_then(Value::as_array)
            .map(|r| {
                r.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (op, np) = (props(o), props(n));
    let (or, nr) = (required(o), required(n));
    for (field, n_field) in &np {
        let req = nr.contains(field);
        match op.get(field) {
            None => {
                // A new required field breaks every request built without it.
                let breaking = req && dir.request;
                push(
                    out,
                    breaking,
                    format!(
                        "field `{at}.{field}` added ({}, {})",
                        if req { "required" } else { "optional" },
                        dir.label()
                    ),
                );
            }
            Some(o_field) => {
                if or.contains(field) != req {
                    // `T` <-> `Option<T>` in the generated struct.
                    push(
                        out,
                        true,
                        format!(
                            "field `{at}.{field}` is now {} ({})",
                            if req { "required" } else { "optional" },
                            dir.label()
                        ),
                    );
                }
                let (so, sn) = (sig(o_field), sig(n_field));
                if so != sn {
                    push(
                        out,
                        true,
                        format!(
                            "field `{at}.{field}` changed type from {so} to {sn} ({})",
                            dir.label()
                        ),
                    );
                } else if o_field.get("properties").is_some() || o_field.get("enum").is_some() {
                    compare_schema(&format!("{at}.{field}"), o_field, n_field, dir, open, out);
                }
            }
        }
    }
    for field in op.keys() {
        if !np.contains_key(field) {
            push(
                out,
                true,
                format!("field `{at}.{field}` removed ({})", dir.label()),
            );
        }
    }
    // Union variants: compared by tag value (the discriminator's mapping,
    // or the one-value tag an inline branch carries).
    let variants = |s: &Value| -> BTreeMap<String, Value> {
        let tag = s
            .pointer("/discriminator/propertyName")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if let Some(mapping) = s
            .pointer("/discriminator/mapping")
            .and_then(Value::as_object)
        {
            return mapping
                .iter()
                .map(|(value, r)| (value.clone(), json!({"$ref": r})))
                .collect();
        }
        s.get("oneOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
            .map(|(i, b)| {
                let name = b
                    .pointer(&format!("/properties/{}/enum/0", escape(tag)))
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .or_else(|| b.get("$ref").and_then(Value::as_str).map(str::to_string))
                    .unwrap_or_else(|| i.to_string());
                (name, b.clone())
            })
            .collect()
    };
    let (ovs, nvs) = (variants(o), variants(n));
    for (tag, nb) in &nvs {
        match ovs.get(tag) {
            // The union enums are `#[non_exhaustive]`: a match on one
            // already has a wildcard arm, so a new variant breaks nobody.
            None => push(
                out,
                false,
                format!("union `{at}`: variant `{tag}` added ({})", dir.label()),
            ),
            Some(ob) => compare_schema(&format!("{at}::{tag}"), ob, nb, dir, open, out),
        }
    }
    for tag in ovs.keys() {
        if !nvs.contains_key(tag) {
            push(
                out,
                true,
                format!("union `{at}`: variant `{tag}` removed ({})", dir.label()),
            );
        }
    }
}

/// A compact type signature: what the generated Rust type depends on.
fn sig(s: &Value) -> String {
    let nullable = if s.get("nullable") == Some(&Value::Bool(true)) {
        "?"
    } else {
        ""
    };
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        return r.rsplit('/').next().unwrap_or(r).to_string();
    }
    if let Some(Value::Array(all)) = s.get("allOf")
        && all.len() == 1
    {
        return format!("{}{nullable}", sig(&all[0]));
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(Value::Array(list)) = s.get(key) {
            let parts: Vec<String> = list.iter().map(sig).collect();
            return format!("union({}){nullable}", parts.join("|"));
        }
    }
    let t = s.get("type").and_then(Value::as_str).unwrap_or("any");
    let base = match t {
        "array" => format!("[{}]", s.get("items").map(sig).unwrap_or_default()),
        "object" => match s.get("additionalProperties") {
            Some(v @ Value::Object(_)) if s.get("properties").is_none() => {
                format!("map<{}>", sig(v))
            }
            _ => "object".to_string(),
        },
        _ => match s.get("format").and_then(Value::as_str) {
            Some(f) => format!("{t}({f})"),
            None => t.to_string(),
        },
    };
    format!("{base}{nullable}")
}

/// The report as printed.
pub fn render(changes: &[Change], against: &str) -> String {
    if changes.is_empty() {
        return format!("spec changes since {against}: none that affect the generated code\n");
    }
    let breaking = changes.iter().filter(|c| c.breaking).count();
    let mut s = format!("spec changes since {against}:\n");
    // Breaking first: they decide the version bump.
    for c in changes.iter().filter(|c| c.breaking) {
        s.push_str(&format!("  {c}\n"));
    }
    for c in changes.iter().filter(|c| !c.breaking) {
        s.push_str(&format!("  {c}\n"));
    }
    s.push_str(&format!(
        "{breaking} breaking, {} compatible{}\n",
        changes.len() - breaking,
        if breaking > 0 {
            ": the next release of heygen-api (and heygen-api-ext) needs a breaking version bump"
        } else {
            ""
        }
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::generate_client;
    use crate::prepare::{SPEC_PATH, prepare_text, workspace_root};

    /// A small pydantic-style spec: one list, one create. `extra` is spliced
    /// into the paths, `fields`/`params`/`enum_values` vary the shapes.
    fn spec(fields: &str, params: &str, enum_values: &str, extra: &str) -> String {
        format!(
            r#"openapi: 3.1.0
info: {{title: t, version: "1"}}
paths:
  /v3/things:
    get:
      operationId: listThings
      parameters:
        - {{name: limit, in: query, required: false, schema: {{type: integer}}}}
{params}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {{$ref: '#/components/schemas/Thing'}}
    post:
      operationId: createThing
      requestBody:
        content:
          application/json:
            schema: {{$ref: '#/components/schemas/CreateThing'}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {{$ref: '#/components/schemas/Thing'}}
{extra}
components:
  schemas:
    Thing:
      type: object
      required: [id]
      properties:
        id: {{type: string}}
        status: {{$ref: '#/components/schemas/ThingStatus'}}
{fields}
    ThingStatus:
      type: string
      enum: [pending, done]
    CreateThing:
      type: object
      required: [name]
      properties:
        name: {{type: string}}
        size: {{$ref: '#/components/schemas/Size'}}
    Size:
      type: string
      enum: [{enum_values}]
"#
        )
    }

    fn report(old: &str, new: &str) -> Vec<Change> {
        let o = prepare_text(old, "old").unwrap();
        let n = prepare_text(new, "new").unwrap();
        let open = n.open_enums.iter().map(|e| e.name.clone()).collect();
        compare(&o.normalized.doc, &n.normalized.doc, &open)
    }

    fn has(changes: &[Change], breaking: bool, needle: &str) -> bool {
        changes
            .iter()
            .any(|c| c.breaking == breaking && c.what.contains(needle))
    }

    #[test]
    fn identical_specs_have_no_changes() {
        let s = spec("", "", "s, m", "");
        assert_eq!(report(&s, &s), []);
    }

    #[test]
    fn operations_added_and_removed() {
        let base = spec("", "", "s, m", "");
        let extra = "  /v3/things/{id}:\n    delete:\n      operationId: deleteThing\n      parameters:\n        - {name: id, in: path, required: true, schema: {type: string}}\n      responses:\n        '204': {description: gone}\n";
        let more = spec("", "", "s, m", extra);
        let added = report(&base, &more);
        assert!(
            has(
                &added,
                false,
                "operation `deleteThing` added (DELETE /v3/things/{id})"
            ),
            "{added:?}"
        );
        let removed = report(&more, &base);
        assert!(
            has(&removed, true, "operation `deleteThing` removed"),
            "{removed:?}"
        );
    }

    #[test]
    fn parameters_by_required_ness_and_type() {
        let base = spec("", "", "s, m", "");
        let opt = spec(
            "",
            "        - {name: q, in: query, required: false, schema: {type: string}}",
            "s, m",
            "",
        );
        let req = spec(
            "",
            "        - {name: q, in: query, required: true, schema: {type: string}}",
            "s, m",
            "",
        );
        let int = spec(
            "",
            "        - {name: q, in: query, required: false, schema: {type: integer}}",
            "s, m",
            "",
        );
        assert!(has(
            &report(&base, &opt),
            false,
            "optional query parameter `q` added"
        ));
        assert!(has(
            &report(&base, &req),
            true,
            "required query parameter `q` added"
        ));
        assert!(has(
            &report(&opt, &req),
            true,
            "parameter `q` is now required"
        ));
        assert!(has(
            &report(&opt, &int),
            true,
            "parameter `q` changed type from string to integer"
        ));
        assert!(has(
            &report(&opt, &base),
            true,
            "query parameter `q` removed"
        ));
    }

    #[test]
    fn fields_by_direction() {
        let base = spec("", "", "s, m", "");
        let with_new = spec("        url: {type: [string, 'null']}", "", "s, m", "");
        let c = report(&base, &with_new);
        assert!(
            has(&c, false, "field `Thing.url` added (optional, response)"),
            "{c:?}"
        );
        let c = report(&with_new, &base);
        assert!(
            has(&c, true, "field `Thing.url` removed (response)"),
            "{c:?}"
        );
        let int = spec("        url: {type: integer}", "", "s, m", "");
        let c = report(&with_new, &int);
        assert!(
            has(
                &c,
                true,
                "field `Thing.url` changed type from string? to integer"
            ),
            "{c:?}"
        );
    }

    #[test]
    fn request_fields_and_enum_values() {
        let base = spec("", "", "s, m", "");
        let bigger = spec("", "", "s, m, l", "");
        let c = report(&base, &bigger);
        assert!(
            has(&c, false, "enum `Size` (request): value \"l\" added"),
            "{c:?}"
        );
        let c = report(&bigger, &base);
        assert!(
            has(&c, true, "enum `Size` (request): value \"l\" removed"),
            "{c:?}"
        );
        // A new required request field breaks callers; an optional one does not.
        let req = base.replace("required: [name]", "required: [name, size]");
        let c = report(&base, &req);
        assert!(
            has(
                &c,
                true,
                "field `CreateThing.size` is now required (request)"
            ),
            "{c:?}"
        );
        let opt = base.replace(
            "        name: {type: string}\n",
            "        name: {type: string}\n        note: {type: string}\n",
        );
        let c = report(&base, &opt);
        assert!(
            has(
                &c,
                false,
                "field `CreateThing.note` added (optional, request)"
            ),
            "{c:?}"
        );
        let req_new = opt.replace("required: [name]", "required: [name, note]");
        let c = report(&base, &req_new);
        assert!(
            has(
                &c,
                true,
                "field `CreateThing.note` added (required, request)"
            ),
            "{c:?}"
        );
    }

    #[test]
    fn open_response_enums_gain_values_compatibly() {
        let base = spec("", "", "s, m", "");
        let more = base.replace("enum: [pending, done]", "enum: [pending, done, waiting]");
        let c = report(&base, &more);
        assert!(
            has(
                &c,
                false,
                "enum `ThingStatus` (response): value \"waiting\" added"
            ),
            "{c:?}"
        );
    }

    #[test]
    fn rendering_puts_breaking_first_and_counts() {
        let list = vec![
            Change {
                breaking: false,
                what: "b".into(),
            },
            Change {
                breaking: true,
                what: "a".into(),
            },
        ];
        let text = render(&list, "HEAD");
        let first = text.lines().nth(1).unwrap();
        assert!(first.contains("breaking") && first.ends_with('a'), "{text}");
        assert!(text.contains("1 breaking, 1 compatible"), "{text}");
        assert!(render(&[], "HEAD").contains("none"));
    }

    /// An optional request field HeyGen adds is compatible, and that is
    /// true of the code: the struct cannot be built with a literal.
    #[test]
    fn an_added_optional_request_field_is_compatible_because_structs_are_non_exhaustive() {
        let text = std::fs::read_to_string(workspace_root().join(SPEC_PATH)).unwrap();
        let old = prepare_text(&text, "old").unwrap();
        let mut doc: Value = serde_norway::from_str(&text).unwrap();
        doc["components"]["schemas"]["CreateVideoFromAvatar"]["properties"]["mood"] =
            serde_json::json!({"type": "string"});
        let new = prepare_text(&serde_json::to_string(&doc).unwrap(), "new").unwrap();
        let list = compare(&old.normalized.doc, &new.normalized.doc, &BTreeSet::new());
        let added: Vec<_> = list.iter().filter(|c| c.what.contains("mood")).collect();
        assert_eq!(added.len(), 1, "{list:?}");
        assert!(!added[0].breaking, "{}", added[0]);
        let client = generate_client(&new, None, &[]).unwrap();
        assert!(
            client.contains("#[non_exhaustive]\n    pub struct CreateVideoFromAvatar {"),
            "a struct users could build with a literal would break"
        );
    }
}
