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

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use anyhow::{Context, Result};

use crate::glue::{generic_arg, outside_heygen_api, try_into_target};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use crate::generate::Prepared;
use crate::names::sanitize;
use crate::spec;

/// One builder's setters: method name -> the type its value converts to.
type Setters = BTreeMap<String, Option<syn::Type>>;

/// What the generated client exposes, read from its source.
struct ClientIndex {
    types: BTreeSet<String>,
    builders: BTreeMap<String, Setters>,
    /// Builder -> the type its `send` answers with.
    sends: BTreeMap<String, syn::Type>,
}

impl ClientIndex {
    fn new(src: &str) -> Result<Self> {
        let file: syn::File = syn::parse_str(src).context("parsing the generated client")?;
        let mut index = ClientIndex {
            types: BTreeSet::new(),
            builders: BTreeMap::new(),
            sends: BTreeMap::new(),
        };
        for item in &file.items {
            let syn::Item::Mod(m) = item else { continue };
            let Some((_, items)) = &m.content else {
                continue;
            };
            match m.ident.to_string().as_str() {
                "types" => {
                    for item in items {
                        match item {
                            syn::Item::Struct(s) => index.types.insert(s.ident.to_string()),
                            syn::Item::Enum(e) => index.types.insert(e.ident.to_string()),
                            _ => false,
                        };
                    }
                }
                "builder" => {
                    for item in items {
                        let syn::Item::Impl(imp) = item else { continue };
                        let syn::Type::Path(self_ty) = &*imp.self_ty else {
                            continue;
                        };
                        let Some(name) = self_ty.path.segments.last().map(|s| s.ident.to_string())
                        else {
                            continue;
                        };
                        let setters = index.builders.entry(name.clone()).or_default();
                        for it in &imp.items {
                            let syn::ImplItem::Fn(f) = it else { continue };
                            let method = f.sig.ident.to_string();
                            if method == "send" {
                                if let Some(ty) = send_output(&f.sig.output) {
                                    index.sends.insert(name.clone(), ty);
                                }
                                continue;
                            }
                            setters.insert(method, try_into_target(&mut f.sig.clone()).cloned());
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(index)
    }
}

/// `T` of `-> Result<ResponseValue<T>, Error<..>>`.
fn send_output(ret: &syn::ReturnType) -> Option<syn::Type> {
    let syn::ReturnType::Type(_, ty) = ret else {
        return None;
    };
    let ok = generic_arg(ty, "Result")?;
    generic_arg(ok, "ResponseValue").cloned()
}

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
pub fn contract_rs(prepared: &Prepared, client_src: &str) -> Result<String> {
    let doc = &prepared.normalized.doc;
    let index = ClientIndex::new(client_src)?;
    let mut ops = Vec::new();
    let mut missing: Vec<String> = Vec::new();
    for o in spec::operations(doc) {
        let (path, method, op) = (o.path, o.method, o.op);
        let Some(id) = o.id() else {
            continue;
        };
        let builder = sanitize(id, true);
        let (Some(setters), Some(response)) =
            (index.builders.get(&builder), index.sends.get(&builder))
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

    // Component schema -> the generated type that carries it.
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
        let path: TokenStream = if index.types.contains(&rust) {
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

    let op_entries = ops.iter().map(|op| {
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
    });
    let arms = ops.iter().map(|op| {
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
    });
    let component_entries = components
        .iter()
        .map(|(spec, rust, _)| quote!((#spec, #rust)));
    let roundtrip_arms = components.iter().map(|(_, rust, path)| {
        quote!(#rust => serde_json::from_value::<#path>(value).and_then(serde_json::to_value),)
    });
    let schema_arms = components
        .iter()
        .map(|(_, rust, path)| quote!(#rust => schemars::schema_for!(#path),));

    let tokens = quote! {
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
    };
    let file: syn::File = syn::parse2(tokens).context("contract glue is not valid Rust")?;
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
