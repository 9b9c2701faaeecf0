//! The one parse of the generated client that the glue generators read:
//! its types (and each struct's fields) and its operation builders (each
//! setter's target type and what `send` answers). Reading the client
//! itself keeps the glue in step with whatever progenitor and typify made.
//!
//! Also the `syn` helpers for the shapes progenitor writes: `Wrapper<T>`,
//! a setter's `TryInto<T>` bound, and a type as the glue crates name it.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result};

/// One builder's setters: method name -> the type its value converts to.
pub type Setters = BTreeMap<String, Option<syn::Type>>;

/// What the generated client exposes, read from its source.
pub struct ClientIndex {
    /// Every struct and enum of the `types` module.
    types: BTreeSet<String>,
    /// The structs of the `types` module: field -> type (`r#` taken off).
    structs: BTreeMap<String, BTreeMap<String, syn::Type>>,
    /// The operation builders' setters, by builder.
    builders: BTreeMap<String, Setters>,
    /// Builder -> `T` of its `send() -> Result<ResponseValue<T>, ..>`.
    sends: BTreeMap<String, syn::Type>,
}

impl ClientIndex {
    /// Indexes the generated client's source.
    pub fn parse(client_src: &str) -> Result<Self> {
        let file: syn::File = syn::parse_str(client_src).context("parsing the generated client")?;
        let mut index = ClientIndex {
            types: BTreeSet::new(),
            structs: BTreeMap::new(),
            builders: BTreeMap::new(),
            sends: BTreeMap::new(),
        };
        for item in &file.items {
            let syn::Item::Mod(m) = item else { continue };
            let Some((_, items)) = &m.content else {
                continue;
            };
            match m.ident.to_string().as_str() {
                "types" => items.iter().for_each(|item| index.add_type(item)),
                "builder" => items.iter().for_each(|item| index.add_builder(item)),
                _ => {}
            }
        }
        Ok(index)
    }

    fn add_type(&mut self, item: &syn::Item) {
        match item {
            syn::Item::Struct(st) => {
                let fields = st
                    .fields
                    .iter()
                    .filter_map(|f| {
                        let name = f.ident.as_ref()?.to_string();
                        Some((name.trim_start_matches("r#").to_string(), f.ty.clone()))
                    })
                    .collect();
                self.structs.insert(st.ident.to_string(), fields);
                self.types.insert(st.ident.to_string());
            }
            syn::Item::Enum(e) => {
                self.types.insert(e.ident.to_string());
            }
            _ => {}
        }
    }

    fn add_builder(&mut self, item: &syn::Item) {
        let syn::Item::Impl(imp) = item else { return };
        let syn::Type::Path(self_ty) = &*imp.self_ty else {
            return;
        };
        let Some(name) = self_ty.path.segments.last().map(|s| s.ident.to_string()) else {
            return;
        };
        let setters = self.builders.entry(name.clone()).or_default();
        for it in &imp.items {
            let syn::ImplItem::Fn(f) = it else { continue };
            let method = f.sig.ident.to_string();
            if method == "send" {
                if let Some(ty) = send_output(&f.sig.output) {
                    self.sends.insert(name.clone(), ty);
                }
                continue;
            }
            setters.insert(method, try_into_target(&mut f.sig.clone()).cloned());
        }
    }

    /// Whether the `types` module has a struct or enum `name`.
    pub fn has_type(&self, name: &str) -> bool {
        self.types.contains(name)
    }

    /// The fields of the generated struct `name`.
    pub fn fields(&self, name: &str) -> Option<&BTreeMap<String, syn::Type>> {
        self.structs.get(name)
    }

    /// The setters of the operation builder `builder`.
    pub fn setters(&self, builder: &str) -> Option<&Setters> {
        self.builders.get(builder)
    }

    /// What the operation builder's `send` answers with.
    pub fn send_output(&self, builder: &str) -> Option<&syn::Type> {
        self.sends.get(builder)
    }

    /// The name of the generated type `send` answers with (`VideoResponse`
    /// of `types::VideoResponse`); `None` when it is no named type.
    pub fn response_name(&self, builder: &str) -> Option<String> {
        match self.send_output(builder)? {
            syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
            _ => None,
        }
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

/// `T` of a setter's `where V: std::convert::TryInto<T>` (the first such
/// bound), to read or to rewrite.
pub fn try_into_target(sig: &mut syn::Signature) -> Option<&mut syn::Type> {
    let clause = sig.generics.where_clause.as_mut()?;
    clause.predicates.iter_mut().find_map(|pred| {
        let syn::WherePredicate::Type(pt) = pred else {
            return None;
        };
        pt.bounds.iter_mut().find_map(|bound| {
            let syn::TypeParamBound::Trait(tb) = bound else {
                return None;
            };
            let last = tb.path.segments.last_mut()?;
            if last.ident != "TryInto" {
                return None;
            }
            let syn::PathArguments::AngleBracketed(args) = &mut last.arguments else {
                return None;
            };
            match args.args.first_mut()? {
                syn::GenericArgument::Type(t) => Some(t),
                _ => None,
            }
        })
    })
}

/// The items of the top-level module `name` of a generated file (`types`,
/// `builder`), to rewrite.
pub fn module_items<'f>(file: &'f mut syn::File, name: &str) -> Option<&'f mut Vec<syn::Item>> {
    file.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == name => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}

/// `T` of `Wrapper<T>` (the last path segment named `wrapper`).
pub fn generic_arg<'t>(ty: &'t syn::Type, wrapper: &str) -> Option<&'t syn::Type> {
    let syn::Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != wrapper {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(t) => Some(t),
        _ => None,
    }
}

/// A type from inside `mod types`, written so it resolves from the glue:
/// bare capitalized names, at any depth (`Vec<Asset>`), are generated
/// types, and `crate` is heygen-api.
pub fn type_source(ty: &syn::Type) -> String {
    let ty = outside_heygen_api(ty);
    quote::quote!(#ty).to_string().replace(' ', "")
}

/// [`type_source`] as a type.
pub fn outside_heygen_api(ty: &syn::Type) -> syn::Type {
    struct Qualify;
    impl syn::visit_mut::VisitMut for Qualify {
        fn visit_type_path_mut(&mut self, tp: &mut syn::TypePath) {
            syn::visit_mut::visit_type_path_mut(self, tp);
            let generated = tp.qself.is_none()
                && tp.path.leading_colon.is_none()
                && tp.path.segments.len() == 1
                && tp.path.segments[0]
                    .ident
                    .to_string()
                    .starts_with(|c: char| c.is_ascii_uppercase());
            if generated {
                tp.path.segments.insert(0, syn::parse_quote!(types));
            }
            // Replacement types name their home as `crate::...` of heygen-api.
            if tp.path.segments.first().is_some_and(|s| s.ident == "crate") {
                tp.path.segments[0] = syn::parse_quote!(heygen_api);
            }
        }
    }
    let mut ty = ty.clone();
    syn::visit_mut::VisitMut::visit_type_mut(&mut Qualify, &mut ty);
    ty
}
