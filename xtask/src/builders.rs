//! How callers build the generated types: through builders only, with
//! setters that take the value itself.
//!
//! - Every struct is `#[non_exhaustive]`. A struct literal names every
//!   field, so it breaks whenever HeyGen adds an optional one; with the
//!   literal ruled out, the builder (which every struct has) is the way to
//!   build one, and an added optional field breaks nobody.
//! - typify's setter for an optional field takes `TryInto<Option<T>>`, so
//!   `.script("Hello")` does not compile (`&str` is no `Option<String>`) and
//!   a nested builder cannot be passed (`.voice_settings(VoiceSettings::builder()...)`).
//!   The setters take `TryInto<T>` and store `Some`, as a hand-written
//!   builder would; leaving a field unset is how it stays `None`.

use syn::visit_mut::VisitMut;

use crate::client_index::{generic_arg, try_into_target};

/// Applies both rules to the generated `types` module (and its `builder`
/// submodule) in `file`.
pub fn builders_only(types: &mut [syn::Item]) {
    for item in types.iter_mut() {
        match item {
            syn::Item::Struct(s) if matches!(s.fields, syn::Fields::Named(_)) => {
                s.attrs.push(syn::parse_quote!(#[non_exhaustive]));
            }
            syn::Item::Mod(m) if m.ident == "builder" => {
                for item in m.content.iter_mut().flat_map(|(_, items)| items) {
                    if let syn::Item::Impl(imp) = item {
                        for it in &mut imp.items {
                            if let syn::ImplItem::Fn(f) = it {
                                unwrap_option_setter(f);
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

/// `fn x<T>(self, value: T) where T: TryInto<Option<X>>` becomes
/// `where T: TryInto<X>`, storing `Some(value)`.
fn unwrap_option_setter(f: &mut syn::ImplItemFn) {
    let Some(target) = try_into_target(&mut f.sig) else {
        return;
    };
    let Some(inner) = generic_arg(target, "Option").cloned() else {
        return;
    };
    *target = inner;
    WrapInSome.visit_block_mut(&mut f.block);
}

/// `value.try_into()` -> `value.try_into().map(Some)`.
struct WrapInSome;

impl VisitMut for WrapInSome {
    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        if let syn::Expr::MethodCall(call) = e
            && call.method == "try_into"
            && matches!(&*call.receiver, syn::Expr::Path(p) if p.path.is_ident("value"))
        {
            let inner = e.clone();
            *e = syn::parse_quote!(#inner.map(::std::option::Option::Some));
            return;
        }
        syn::visit_mut::visit_expr_mut(self, e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structs_lose_their_literal_and_optional_setters_take_the_value() {
        let mut file: syn::File = syn::parse_quote! {
            pub struct Video { pub id: String, pub title: Option<String> }
            pub struct Opaque(pub String);
            pub mod builder {
                impl Video {
                    pub fn id<T>(mut self, value: T) -> Self
                    where T: ::std::convert::TryInto<::std::string::String>, T::Error: ::std::fmt::Display,
                    { self.id = value.try_into().map_err(|e| format!("{e}")); self }
                    pub fn title<T>(mut self, value: T) -> Self
                    where T: ::std::convert::TryInto<::std::option::Option<::std::string::String>>, T::Error: ::std::fmt::Display,
                    { self.title = value.try_into().map_err(|e| format!("{e}")); self }
                }
            }
        };
        builders_only(&mut file.items);
        let code = quote::quote!(#file).to_string();
        assert!(
            code.contains("# [non_exhaustive] pub struct Video"),
            "{code}"
        );
        assert!(
            !code.contains("# [non_exhaustive] pub struct Opaque"),
            "newtypes keep their From"
        );
        assert!(
            !code.contains("TryInto < :: std :: option :: Option"),
            "{code}"
        );
        assert_eq!(
            code.matches("value . try_into () . map (:: std :: option :: Option :: Some)")
                .count(),
            1,
            "only the optional field wraps: {code}"
        );
    }
}
