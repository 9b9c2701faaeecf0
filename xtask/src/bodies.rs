//! Optional request bodies that a call may leave out.
//!
//! progenitor 0.15 treats every request body as required: unless the body
//! type is a struct with a builder, the operation builder starts with
//! `Err("body was not initialized")` and refuses to send. For a body the
//! spec marks `required: false` that makes a required parameter up.
//!
//! An optional body whose schema is an object with no required property
//! has an empty value, `{}`, that means the same as no body. When typify
//! makes a struct of it, progenitor already starts from the struct's
//! builder. A free-form object (no properties) becomes a map newtype
//! instead: that type derives `Default` (a typify patch) and the operation
//! builder starts from it. An optional body with required properties keeps
//! the error: there is nothing valid to send in its place.

use std::collections::BTreeSet;

use serde_json::Value;
#[cfg(test)]
use serde_json::json;
use syn::visit_mut::VisitMut;

use crate::client_index::module_items;
use crate::names::sanitize;
use crate::spec;

/// The optional, free-form request bodies of `doc`.
#[derive(Debug, Default)]
pub struct OptionalBodies {
    /// Their components, whose types must derive `Default`.
    pub components: BTreeSet<String>,
    /// The operation builders (PascalCase operation ids) that start from it.
    pub builders: BTreeSet<String>,
}

/// Finds the optional request bodies a builder can start empty.
pub fn optional_bodies(doc: &Value) -> (OptionalBodies, Vec<String>) {
    let mut found = OptionalBodies::default();
    let mut notes = Vec::new();
    for o in spec::operations(doc) {
        let Some(body) = o.op.get("requestBody") else {
            continue;
        };
        if body.get("required") == Some(&Value::Bool(true)) {
            continue;
        }
        let id = o.id().unwrap_or_default();
        let component = body
            .pointer("/content/application~1json/schema/$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/components/schemas/"));
        let Some(component) = component else {
            notes.push(format!(
                "{id}: the optional body is not a named JSON component; the builder requires one"
            ));
            continue;
        };
        let schema = spec::component(doc, component);
        let object = schema.is_some_and(|s| {
            s.get("type").is_none_or(|t| t == "object")
                && !["oneOf", "anyOf", "allOf"]
                    .iter()
                    .any(|k| s.get(*k).is_some())
        });
        let required = schema
            .and_then(|s| s.get("required"))
            .and_then(Value::as_array)
            .is_some_and(|r| !r.is_empty());
        let free_form = schema
            .and_then(|s| s.get("properties"))
            .and_then(Value::as_object)
            .is_none_or(|p| p.is_empty());
        if !object || required {
            notes.push(format!(
                "{id}: the optional body {component} has no empty value to send in its place; the builder requires one"
            ));
        } else if free_form {
            found.components.insert(component.to_string());
            found.builders.insert(sanitize(id, true));
            notes.push(format!(
                "{id}: the optional body {component} defaults to `{{}}`"
            ));
        }
    }
    (found, notes)
}

/// In the generated `builder` module, makes the operation builders named in
/// `builders` start with their body type's default instead of an error.
pub fn start_from_default(file: &mut syn::File, builders: &BTreeSet<String>) {
    struct BodyInit;
    impl VisitMut for BodyInit {
        fn visit_field_value_mut(&mut self, fv: &mut syn::FieldValue) {
            if matches!(&fv.member, syn::Member::Named(n) if n == "body") {
                fv.expr = syn::parse_quote!(Ok(::std::default::Default::default()));
            }
        }
    }
    let Some(items) = module_items(file, "builder") else {
        return;
    };
    for item in items {
        let syn::Item::Impl(imp) = item else { continue };
        let syn::Type::Path(self_ty) = &*imp.self_ty else {
            continue;
        };
        let named = self_ty
            .path
            .segments
            .last()
            .is_some_and(|s| builders.contains(&s.ident.to_string()));
        if !named {
            continue;
        }
        for it in &mut imp.items {
            if let syn::ImplItem::Fn(f) = it
                && f.sig.ident == "new"
            {
                BodyInit.visit_block_mut(&mut f.block);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(body_required: bool, schema: Value) -> Value {
        json!({
            "openapi": "3.0.3",
            "paths": {"/x/{id}/stop": {"post": {
                "operationId": "stopThing",
                "requestBody": {"required": body_required, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/StopThingRequest"}}}}
            }}},
            "components": {"schemas": {"StopThingRequest": schema}}
        })
    }

    #[test]
    fn an_optional_free_form_body_starts_empty() {
        let d = doc(
            false,
            json!({"type": "object", "additionalProperties": true}),
        );
        let (found, notes) = optional_bodies(&d);
        assert_eq!(
            found.builders.into_iter().collect::<Vec<_>>(),
            ["StopThing"],
            "{notes:?}"
        );
        assert_eq!(
            found.components.into_iter().collect::<Vec<_>>(),
            ["StopThingRequest"]
        );
    }

    #[test]
    fn a_required_body_a_struct_or_one_with_required_fields_is_left_alone() {
        let d = doc(true, json!({"type": "object"}));
        assert!(optional_bodies(&d).0.builders.is_empty());
        // A struct with optional fields: progenitor starts from its builder.
        let d = doc(
            false,
            json!({"type": "object", "properties": {"why": {"type": "string"}}}),
        );
        assert!(optional_bodies(&d).0.builders.is_empty());
        let d = doc(
            false,
            json!({"type": "object", "properties": {"why": {"type": "string"}}, "required": ["why"]}),
        );
        let (found, notes) = optional_bodies(&d);
        assert!(found.builders.is_empty());
        assert!(notes[0].contains("no empty value"), "{notes:?}");
    }

    #[test]
    fn the_builder_starts_from_the_default() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod builder {
                impl<'a> StopThing<'a> {
                    pub fn new(client: &'a super::Client) -> Self {
                        Self { client: client, id: Err("id was not initialized".to_string()), body: Err("body was not initialized".to_string()) }
                    }
                }
                impl<'a> OtherThing<'a> {
                    pub fn new(client: &'a super::Client) -> Self {
                        Self { client: client, body: Err("body was not initialized".to_string()) }
                    }
                }
            }
        };
        start_from_default(&mut file, &BTreeSet::from(["StopThing".to_string()]));
        let code = quote::quote!(#file).to_string();
        assert_eq!(
            code.matches("Ok (:: std :: default :: Default :: default ())")
                .count(),
            1,
            "{code}"
        );
        assert!(
            code.contains("id was not initialized"),
            "other parameters stay required"
        );
        assert!(
            code.contains("body was not initialized"),
            "other operations untouched"
        );
    }
}
