//! `schemars::JsonSchema` behind a feature. progenitor derives it on every
//! generated type (the contract tests compare those schemas with the
//! spec's), but no user needs it: 220-odd derives and the `schemars` crate
//! were compiled by everyone. Here each derive becomes
//! `#[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))]` and
//! each hand-written `impl JsonSchema` (typify's, the unions') gets
//! `#[cfg(feature = "schemars")]`, so the generated crate declares a
//! `schemars` feature and only the contract tests turn it on.

use syn::visit_mut::{self, VisitMut};
use syn::{Attribute, Meta, Path, Token, parse_quote, punctuated::Punctuated};

/// Rewrites every `JsonSchema` derive and impl in `file` to depend on the
/// `schemars` feature.
pub fn behind_feature(file: &mut syn::File) {
    Gate.visit_file_mut(file);
}

struct Gate;

/// The attributes of one item, field or variant, rewritten.
fn gate_attrs(attrs: &mut Vec<Attribute>) {
    let mut gated_at = None;
    for (i, attr) in attrs.iter_mut().enumerate() {
        if !attr.path().is_ident("derive") {
            continue;
        }
        let Ok(paths) = attr.parse_args_with(Punctuated::<Path, Token![,]>::parse_terminated)
        else {
            continue;
        };
        let (schema, kept): (Vec<Path>, Vec<Path>) = paths.into_iter().partition(is_json_schema);
        if schema.is_empty() {
            continue;
        }
        gated_at.get_or_insert(i);
        *attr = parse_quote!(#[derive(#(#kept),*)]);
    }
    if let Some(i) = gated_at {
        // Right after the derive it came from, so derive helpers below it
        // (`#[serde(..)]`) keep their order.
        attrs.insert(
            i + 1,
            parse_quote!(#[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))]),
        );
        attrs.retain(|a| !is_empty_derive(a));
    }
    // `#[schemars(..)]` helper attributes exist only with the derive.
    for attr in attrs.iter_mut() {
        if let Meta::List(list) = &attr.meta
            && attr.path().is_ident("schemars")
        {
            let tokens = &list.tokens;
            *attr = parse_quote!(#[cfg_attr(feature = "schemars", schemars(#tokens))]);
        }
    }
}

impl VisitMut for Gate {
    fn visit_item_mut(&mut self, item: &mut syn::Item) {
        if let syn::Item::Impl(imp) = item {
            let implements_schema = imp
                .trait_
                .as_ref()
                .is_some_and(|(_, path, _)| is_json_schema(path));
            if implements_schema {
                imp.attrs.push(parse_quote!(#[cfg(feature = "schemars")]));
                return;
            }
        }
        visit_mut::visit_item_mut(self, item);
        if let Some(attrs) = item_attrs(item) {
            gate_attrs(attrs);
        }
    }

    fn visit_field_mut(&mut self, field: &mut syn::Field) {
        gate_attrs(&mut field.attrs);
        visit_mut::visit_field_mut(self, field);
    }

    fn visit_variant_mut(&mut self, variant: &mut syn::Variant) {
        gate_attrs(&mut variant.attrs);
        visit_mut::visit_variant_mut(self, variant);
    }
}

fn item_attrs(item: &mut syn::Item) -> Option<&mut Vec<Attribute>> {
    match item {
        syn::Item::Struct(s) => Some(&mut s.attrs),
        syn::Item::Enum(e) => Some(&mut e.attrs),
        _ => None,
    }
}

fn is_json_schema(path: &Path) -> bool {
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    segments == ["schemars", "JsonSchema"] || segments == ["JsonSchema"]
}

fn is_empty_derive(attr: &Attribute) -> bool {
    attr.path().is_ident("derive")
        && attr
            .parse_args_with(Punctuated::<Path, Token![,]>::parse_terminated)
            .is_ok_and(|p| p.is_empty())
}

#[cfg(test)]
mod tests {
    use super::behind_feature;

    fn gated(mut file: syn::File) -> String {
        behind_feature(&mut file);
        prettyplease::unparse(&file)
    }

    #[test]
    fn derives_and_impls_of_json_schema_need_the_feature() {
        let out = gated(syn::parse_quote! {
            pub mod types {
                #[derive(Clone, Debug, schemars::JsonSchema)]
                pub struct Video { pub id: String }
                #[derive(::schemars::JsonSchema)]
                pub enum Status { Done }
                impl ::schemars::JsonSchema for Other {
                    fn schema_name() -> String { String::new() }
                }
                #[derive(Clone)]
                pub struct Plain;
            }
        });
        assert!(out.contains("#[derive(Clone, Debug)]\n    #[cfg_attr(feature = \"schemars\", derive(::schemars::JsonSchema))]\n    pub struct Video"), "{out}");
        assert!(!out.contains("#[derive()]"), "{out}");
        assert!(out.contains("#[cfg_attr(feature = \"schemars\", derive(::schemars::JsonSchema))]\n    pub enum Status"), "{out}");
        assert!(
            out.contains(
                "#[cfg(feature = \"schemars\")]\n    impl ::schemars::JsonSchema for Other"
            ),
            "{out}"
        );
        assert!(
            out.contains("#[derive(Clone)]\n    pub struct Plain;"),
            "{out}"
        );
        assert_eq!(out.matches("schemars::JsonSchema").count(), 3, "{out}");
    }
}
