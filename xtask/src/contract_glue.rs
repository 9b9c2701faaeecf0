//! The contract tests' glue (`tests/src/generated.rs`): the part of the
//! suite that has to name Rust items per operation and per schema.
//!
//! The tests read the spec at run time and synthesize every argument, body
//! and response from it; what they cannot do at run time is call a builder
//! method or name a type. So this emits, from the normalized spec and the
//! generated client itself (parsed, so the glue always matches what
//! progenitor produced):
//! - `OPERATIONS`: each generated operation and how each of its spec
//!   parameters is set on its builder;
//! - `call`: one match arm per operation that applies JSON arguments to the
//!   builder and sends it;
//! - `for_each_operation!`: stamps one named test per operation;
//! - `COMPONENT_TYPES` and `schema_of`: the generated type of each
//!   component schema and its `schemars` schema.
//!
//! A spec parameter without a builder setter is listed in
//! `MISSING_SETTERS` (not a regen error): the coverage gate reports it.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use anyhow::{Context, Result};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use crate::client_index::{ClientIndex, outside_heygen_api};
use crate::names::sanitize;
use crate::prepare::Prepared;
use crate::spec;

struct Param {
    /// The spec's name (`Idempotency-Key`).
    name: String,
    location: String,
    setter: String,
    ty: syn::Type,
}

struct Op {
    id: String,
    rust_name: String,
    params: Vec<Param>,
    body: Option<syn::Type>,
    response: syn::Type,
}

/// `tests/src/generated.rs`.
pub fn contract_rs(prepared: &Prepared, index: &ClientIndex) -> Result<String> {
    let (ops, missing) = operations(&prepared.normalized.doc, index);
    let components = components(prepared, index);
    let file: syn::File = syn::parse2(glue_tokens(&ops, &missing, &components))
        .context("contract glue is not valid Rust")?;
    let mut out = String::from(
        "//! The contract tests' glue: what must name Rust items per operation or\n\
         //! per schema. Everything else the tests take from the spec at run time.\n\n",
    );
    out.push_str(&prettyplease::unparse(&file));
    out.push_str(
        "\n/// Expands `$m! { (method_name \"operationId\") ... }` over every generated\n\
         /// operation: one named test per operation.\n\
         #[macro_export]\n\
         macro_rules! for_each_operation {\n    ($m:ident) => {\n        $m! {\n",
    );
    for op in &ops {
        let _ = writeln!(out, "            {} {:?}", op.rust_name, op.id);
    }
    out.push_str("        }\n    };\n}\n");
    Ok(out)
}

/// Every generated operation, sorted by id, and what the builders lack
/// (the `MISSING_SETTERS` entries).
fn operations(doc: &Value, index: &ClientIndex) -> (Vec<Op>, Vec<String>) {
    let mut ops = Vec::new();
    let mut missing: Vec<String> = Vec::new();
    for o in spec::operations(doc) {
        let (path, method, op) = (o.path, o.method, o.op);
        let Some(id) = o.id() else {
            continue;
        };
        let builder = sanitize(id, true);
        let (Some(setters), Some(response)) =
            (index.setters(&builder), index.send_output(&builder))
        else {
            missing.push(format!(
                "{id} ({} {path}): no builder `{builder}` with `send`",
                method.to_uppercase()
            ));
            continue;
        };
        let mut params = Vec::new();
        let declared = o.parameters(doc);
        for p in declared {
            let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
            let location = p.get("in").and_then(Value::as_str).unwrap_or_default();
            let setter = sanitize(name, false);
            match setters.get(&setter) {
                Some(Some(ty)) => params.push(Param {
                    name: name.to_string(),
                    location: location.to_string(),
                    setter,
                    ty: outside_heygen_api(ty),
                }),
                _ => missing.push(format!(
                    "{id}: {location} parameter `{name}` has no builder setter `{setter}`"
                )),
            }
        }
        let body = match (op.get("requestBody"), setters.get("body")) {
            (None, _) => None,
            (Some(_), Some(Some(ty))) => Some(outside_heygen_api(ty)),
            (Some(_), _) => {
                missing.push(format!("{id}: request body has no builder setter `body`"));
                None
            }
        };
        ops.push(Op {
            id: id.to_string(),
            rust_name: sanitize(id, false),
            params,
            body,
            response: response.clone(),
        });
    }
    ops.sort_by(|a, b| a.id.cmp(&b.id));
    (ops, missing)
}

/// Component schema -> the generated type that carries it:
/// `(spec name, Rust name, path)`.
fn components(prepared: &Prepared, index: &ClientIndex) -> Vec<(String, String, TokenStream)> {
    let doc = &prepared.normalized.doc;
    let open: BTreeSet<&str> = prepared
        .open_enums
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    let mut components = Vec::new();
    for name in doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|m| m.keys())
    {
        let rust = sanitize(name, true);
        let path: TokenStream = if index.has_type(&rust) {
            let ident = format_ident!("{rust}");
            quote!(types::#ident)
        } else if open.contains(rust.as_str()) {
            let ident = format_ident!("{rust}");
            quote!(heygen_api::open_enums::#ident)
        } else {
            continue;
        };
        components.push((name.clone(), rust, path));
    }
    components
}

/// The glue's items (all but the `for_each_operation!` macro).
fn glue_tokens(
    ops: &[Op],
    missing: &[String],
    components: &[(String, String, TokenStream)],
) -> TokenStream {
    let op_entries = ops.iter().map(operation_entry);
    let arms = ops.iter().map(call_arm);
    let component_entries = components
        .iter()
        .map(|(spec, rust, _)| quote!((#spec, #rust)));
    let roundtrip_arms = components.iter().map(|(_, rust, path)| {
        quote!(#rust => serde_json::from_value::<#path>(value).and_then(serde_json::to_value),)
    });
    let schema_arms = components
        .iter()
        .map(|(_, rust, path)| quote!(#rust => schemars::schema_for!(#path),));

    quote! {
        use heygen_api::types;
        use serde_json::Value;

        use crate::glue::{arg, decoded, Args, CallError, OperationGlue, ParamGlue};

        /// Every generated operation, sorted by `id`, with the builder
        /// setter of each spec parameter.
        pub const OPERATIONS: &[OperationGlue] = &[#(#op_entries),*];

        /// Spec parameters and bodies the generated builders have no setter
        /// for (the coverage gate fails on any).
        pub const MISSING_SETTERS: &[&str] = &[#(#missing),*];

        /// Calls operation `op_id` through `client`, setting each spec
        /// parameter present in `args` (by its spec name) and the body, and
        /// returns the decoded response re-serialized to JSON.
        pub async fn call(
            client: &heygen_api::Client,
            op_id: &str,
            args: &Args,
        ) -> Result<Value, CallError> {
            match op_id {
                #(#arms)*
                other => Err(CallError::NotGenerated(other.to_string())),
            }
        }

        /// `(component schema, generated type)` for every component the
        /// client has a type of its own for.
        pub const COMPONENT_TYPES: &[(&str, &str)] = &[#(#component_entries),*];

        /// `value` decoded into the generated type `rust_name` and
        /// serialized back; `None` when there is no such type.
        pub fn roundtrip(rust_name: &str, value: Value) -> Option<Result<Value, serde_json::Error>> {
            Some(match rust_name {
                #(#roundtrip_arms)*
                _ => return None,
            })
        }

        /// The `schemars` schema of the generated type `rust_name`.
        pub fn schema_of(rust_name: &str) -> Option<schemars::schema::RootSchema> {
            Some(match rust_name {
                #(#schema_arms)*
                _ => return None,
            })
        }
    }
}

/// `op`'s `OperationGlue` entry.
fn operation_entry(op: &Op) -> TokenStream {
    let id = &op.id;
    let rust_name = &op.rust_name;
    let params = op.params.iter().map(|p| {
        let (name, location, setter) = (&p.name, &p.location, &p.setter);
        quote!(ParamGlue { name: #name, location: #location, setter: #setter })
    });
    let body = match &op.body {
        Some(ty) => {
            let s = type_name(ty);
            quote!(Some(#s))
        }
        None => quote!(None),
    };
    let response = type_name(&op.response);
    quote! {
        OperationGlue {
            id: #id,
            rust_name: #rust_name,
            params: &[#(#params),*],
            body: #body,
            response: #response,
        }
    }
}

/// `op`'s arm of `call`: the builder, each parameter and the body set from
/// the JSON arguments, the call sent.
fn call_arm(op: &Op) -> TokenStream {
    let id = &op.id;
    let method = format_ident!("{}", op.rust_name);
    let sets = op.params.iter().map(|p| {
        let name = &p.name;
        let setter = format_ident!("{}", p.setter);
        let ty = &p.ty;
        quote! {
            if let Some(v) = args.param(#name) {
                b = b.#setter(arg::<#ty>(#id, #name, v)?);
            }
        }
    });
    let body = op.body.as_ref().map(|ty| {
        quote! {
            if let Some(v) = args.body.as_ref() {
                b = b.body(arg::<#ty>(#id, "body", v)?);
            }
        }
    });
    quote! {
        #id => {
            #[allow(unused_mut)]
            let mut b = client.#method();
            #(#sets)*
            #body
            decoded(b.send().await)
        }
    }
}

/// The last path segment of a type (`types::VideoResponse` -> `VideoResponse`).
fn type_name(ty: &syn::Type) -> String {
    match ty {
        syn::Type::Path(p) => p
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default(),
        other => quote!(#other).to_string(),
    }
}
