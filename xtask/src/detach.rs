//! List builders that can leave their client behind.
//!
//! progenitor's builders borrow the client (`ListVideos<'a>` holds
//! `&'a Client`), so a list walk built from one cannot move to a task of
//! its own: the task would outlive the borrow. Every builder with a `token`
//! setter (a cursor list) therefore gets
//!
//! - `detach(self) -> (&'a Client, detached::ListVideos)`: the client it
//!   was built on, and the request's settings without it (`'static`);
//! - `detached::ListVideos::attach(self, &Client) -> ListVideos<'_>`: the
//!   same request again, on whatever client the caller owns.
//!
//! heygen-api-ext's walk clones the client, moves both halves into a task,
//! and attaches them there for every page. The detached struct keeps the
//! builder's fields as they are (each a `Result` that holds a setter's
//! conversion error until `send`), so nothing is checked twice or lost.

use crate::client_index::module_items;

/// Adds `detach` and a `detached::<Builder>` to every builder in the
/// `builder` module of `file` that has both a `client` and a `token` field.
pub fn detachable_lists(file: &mut syn::File) {
    let Some(items) = module_items(file, "builder") else {
        return;
    };
    let mut detached = Vec::new();
    let mut impls = Vec::new();
    for item in items.iter() {
        let syn::Item::Struct(s) = item else { continue };
        let syn::Fields::Named(named) = &s.fields else {
            continue;
        };
        let fields: Vec<&syn::Field> = named.named.iter().collect();
        let has = |name: &str| {
            fields
                .iter()
                .any(|f| f.ident.as_ref().is_some_and(|i| i == name))
        };
        if !has("client") || !has("token") {
            continue;
        }
        let (d, i) = detached_form(&s.ident, &fields);
        detached.push(d);
        impls.push(i);
    }
    if detached.is_empty() {
        return;
    }
    items.extend(impls);
    items.push(syn::parse_quote! {
        /// List requests without their client (see each builder's
        /// `detach`): `'static` values a task can own, attached again to a
        /// client with `attach`.
        pub mod detached {
            // The field types name what the builder module imports.
            #[allow(unused_imports)]
            use super::*;
            #(#detached)*
        }
    });
}

/// The `detached::<name>` struct with its `attach`, and the builder's
/// `detach`.
fn detached_form(name: &syn::Ident, fields: &[&syn::Field]) -> (syn::File, syn::Item) {
    let settings: Vec<&syn::Field> = fields
        .iter()
        .copied()
        .filter(|f| f.ident.as_ref().is_some_and(|i| i != "client"))
        .collect();
    let idents: Vec<&syn::Ident> = settings.iter().filter_map(|f| f.ident.as_ref()).collect();
    let types: Vec<&syn::Type> = settings.iter().map(|f| &f.ty).collect();
    let builder_doc = format!(
        " [`super::{name}`] without its client: its settings, to be sent through a client later with [`attach`](Self::attach)."
    );
    let attach_doc = format!(" The request again, as a [`super::{name}`] on `client`.");
    let detach_doc = format!(
        " The client this request was built on, and the request without it (a `'static` [`detached::{name}`] that a task can own; [`detached::{name}::attach`] puts them together again)."
    );
    let form: syn::File = syn::parse_quote! {
        #[doc = #builder_doc]
        #[derive(Debug, Clone)]
        pub struct #name {
            #(pub(super) #idents: #types,)*
        }
        impl #name {
            #[doc = #attach_doc]
            pub fn attach(self, client: &super::super::Client) -> super::#name<'_> {
                super::#name {
                    client,
                    #(#idents: self.#idents,)*
                }
            }
        }
    };
    let detach: syn::Item = syn::parse_quote! {
        impl<'a> #name<'a> {
            #[doc = #detach_doc]
            pub fn detach(self) -> (&'a super::Client, detached::#name) {
                (
                    self.client,
                    detached::#name {
                        #(#idents: self.#idents,)*
                    },
                )
            }
        }
    };
    (form, detach)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_cursor_lists_get_a_detached_form_that_keeps_every_setting() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod builder {
                pub struct ListVideos<'a> {
                    client: &'a super::Client,
                    limit: Result<Option<u64>, String>,
                    token: Result<Option<String>, String>,
                }
                pub struct GetVideo<'a> {
                    client: &'a super::Client,
                    video_id: Result<String, String>,
                }
            }
        };
        detachable_lists(&mut file);
        let out = prettyplease::unparse(&file);
        assert!(
            out.contains("pub fn detach(self) -> (&'a super::Client, detached::ListVideos)"),
            "{out}"
        );
        assert!(
            out.contains("pub(super) limit: Result<Option<u64>, String>"),
            "{out}"
        );
        assert!(
            out.contains("pub(super) token: Result<Option<String>, String>"),
            "{out}"
        );
        assert!(
            out.contains(
                "pub fn attach(self, client: &super::super::Client) -> super::ListVideos<'_>"
            ),
            "{out}"
        );
        assert!(!out.contains("detached::GetVideo"), "{out}");
        assert!(!out.contains("pub(super) client"), "{out}");
    }

    #[test]
    fn a_client_without_lists_is_left_as_it_is() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod builder {
                pub struct GetVideo<'a> { client: &'a super::Client, video_id: Result<String, String> }
            }
        };
        let before = prettyplease::unparse(&file);
        detachable_lists(&mut file);
        assert_eq!(prettyplease::unparse(&file), before);
    }
}
