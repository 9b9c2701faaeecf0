//! Header and path parameters are never null. pydantic writes an optional
//! parameter (`x: str | None = Header(None)`) as `anyOf: [T, {type: null}]`,
//! which the keyword rewrites turn into `nullable: true`. progenitor 0.15
//! then types the parameter `Option<Option<T>>`, unwraps the outer option
//! (the parameter is optional) and calls `.to_string()` on the inner one,
//! which does not compile (`Option<T>` is not `Display`). A header or a path
//! segment is sent or left out, it has no null, so `nullable` goes (a
//! query parameter keeps it: progenitor serializes queries through serde).
//!
//! Cookie parameters (`x: str | None = Cookie(None)`) make progenitor 0.15
//! refuse the whole document ("cookie parameters are not supported"). An
//! optional one is left out of the operation, with a note; a required one
//! is a problem (the operation cannot be called without it).

use serde_json::{Map, Value};

use super::super::Log;
use crate::spec::{METHODS, escape};

/// Where parameters are sent that cannot carry a null.
const NEVER_NULL: &[&str] = &["header", "path"];

/// Drops `nullable` from the schema of every header and path parameter.
pub(super) fn run(doc: &mut Value, log: &mut Log) {
    let mut lists: Vec<String> = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            let item_ptr = format!("/paths/{}", escape(path));
            lists.push(format!("{item_ptr}/parameters"));
            for method in METHODS {
                if item.get(*method).is_some() {
                    lists.push(format!("{item_ptr}/{method}/parameters"));
                }
            }
        }
    }
    for list in lists {
        let Some(Value::Array(params)) = doc.pointer_mut(&list) else {
            continue;
        };
        for (i, p) in params.iter_mut().enumerate() {
            non_null(p, &format!("{list}/{i}"), log);
        }
        params.retain(|p| !is_cookie(p, &list, log));
    }
    if let Some(Value::Object(params)) = doc.pointer_mut("/components/parameters") {
        for (name, p) in params.iter_mut() {
            non_null(p, &format!("/components/parameters/{}", escape(name)), log);
        }
    }
}

/// Whether `param` is a cookie parameter; a required one is reported.
fn is_cookie(param: &Value, list: &str, log: &mut Log) -> bool {
    if param.get("in").and_then(Value::as_str) != Some("cookie") {
        return false;
    }
    let name = param
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if param.get("required") == Some(&Value::Bool(true)) {
        log.problems.push(format!(
            "{list}: the required cookie parameter {name} cannot be generated \
             (progenitor 0.15 has no cookie parameters)"
        ));
    } else {
        log.notes.push(format!(
            "{list}: the optional cookie parameter {name} left out (progenitor 0.15 has no cookie parameters)"
        ));
    }
    true
}

fn non_null(param: &mut Value, ptr: &str, log: &mut Log) {
    let place = param
        .get("in")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if !NEVER_NULL.contains(&place.as_str()) {
        return;
    }
    let Some(Value::Object(schema)) = param.get_mut("schema") else {
        return;
    };
    if schema.remove("nullable") != Some(Value::Bool(true)) {
        return;
    }
    unwrap_lone_ref(schema);
    let name = param
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    log.notes.push(format!(
        "{ptr} ({place} parameter {name}): not nullable (a {place} parameter cannot carry a null)"
    ));
}

/// `{allOf: [{$ref}]}` was only there to carry `nullable`: the `$ref` alone.
fn unwrap_lone_ref(schema: &mut Map<String, Value>) {
    let lone = match schema.get("allOf") {
        Some(Value::Array(list)) if schema.len() == 1 && list.len() == 1 => list[0].clone(),
        _ => return,
    };
    if lone
        .as_object()
        .is_some_and(|b| b.len() == 1 && b.contains_key("$ref"))
    {
        *schema = lone.as_object().cloned().expect("checked above");
    }
}

#[cfg(test)]
mod tests {
    use crate::normalize::test_support::*;

    const PATHS: &str = r#"
/items/{id}:
  get:
    operationId: getItem
    parameters:
      - {name: id, in: path, required: true, schema: {anyOf: [{type: string}, {type: 'null'}]}}
      - {name: x-request-id, in: header, required: false,
         schema: {anyOf: [{type: string, maxLength: 255}, {type: 'null'}], title: X-Request-Id}}
      - {name: x-kind, in: header, schema: {anyOf: [{$ref: '#/components/schemas/Kind'}, {type: 'null'}]}}
      - {name: q, in: query, schema: {anyOf: [{type: string}, {type: 'null'}]}}
    responses:
      '200': {description: OK, content: {application/json: {schema: {type: string}}}}
"#;

    #[test]
    fn header_and_path_parameters_lose_nullable_query_keeps_it() {
        let n = run(with_paths(PATHS, "Kind: {type: string, enum: [a, b]}"));
        let params = "/paths/~1items~1{id}/get/parameters";
        assert_eq!(
            *at(&n, &format!("{params}/0/schema")),
            json!({"type": "string"})
        );
        assert_eq!(
            *at(&n, &format!("{params}/1/schema")),
            json!({"type": "string", "maxLength": 255})
        );
        assert_eq!(*at(&n, &format!("{params}/2/schema")), schema_ref("Kind"));
        assert_eq!(
            *at(&n, &format!("{params}/3/schema")),
            json!({"type": "string", "nullable": true})
        );
        let notes = n
            .notes
            .iter()
            .filter(|s| s.contains("not nullable"))
            .count();
        assert_eq!(notes, 3, "{:#?}", n.notes);
    }

    const COOKIES: &str = r#"
/items:
  get:
    operationId: listItems
    parameters:
      - {name: session, in: cookie, required: false, schema: {anyOf: [{type: string}, {type: 'null'}]}}
      - {name: q, in: query, schema: {type: string}}
    responses:
      '200': {description: OK, content: {application/json: {schema: {type: string}}}}
"#;

    #[test]
    fn optional_cookie_parameter_is_left_out_required_one_is_a_problem() {
        let n = run(with_paths(COOKIES, ""));
        let params = at(&n, "/paths/~1items/get/parameters");
        assert_eq!(params.as_array().map(Vec::len), Some(1));
        assert_eq!(params[0]["name"], "q");
        let note = "optional cookie parameter session left out";
        assert!(n.notes.iter().any(|s| s.contains(note)), "{:#?}", n.notes);

        let required = COOKIES.replace("required: false", "required: true");
        let err = failure(with_paths(&required, ""));
        assert!(err.contains("required cookie parameter session"), "{err}");
    }
}
