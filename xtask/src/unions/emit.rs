//! The Rust enums of the tagged unions (see the parent module for why):
//! a derived internally tagged enum for a union only requests carry, an
//! open one with hand-written serde and schemars impls for a union a
//! response can carry, and the conversions from each branch.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{Union, Variant, rust_name};

/// The enums, and their conversions, to add to the generated `types` module.
pub fn union_items(unions: &[Union]) -> TokenStream {
    let mut out = TokenStream::new();
    for u in unions {
        let name = format_ident!("{}", rust_name(&u.name));
        let tag = &u.tag;
        let doc = u.description.clone().unwrap_or_else(|| {
            format!(
                "One of {} branches, told apart by `{tag}`.",
                u.variants.len()
            )
        });
        let how = format!(
            "\n\nThe `{tag}` property on the wire is the variant's tag: build a branch \
             (or pass its builder) and convert it with `From`/`TryFrom`."
        );
        // The variants with serde's tag values, for a derive.
        let tagged_variants = u.variants.iter().map(|v| {
            let ident = format_ident!("{}", v.rust_name);
            let value = &v.value;
            let doc = variant_doc(u, v);
            let payload = payload(v, None);
            quote! {
                #[doc = #doc]
                #[serde(rename = #value)]
                #ident #payload,
            }
        });
        let tagged_variants: Vec<TokenStream> = tagged_variants.collect();
        let conversions = u.variants.iter().filter(|v| !v.unit).map(|v| {
            let ident = format_ident!("{}", v.rust_name);
            let branch = format_ident!("{}", rust_name(&v.branch));
            quote! {
                impl ::std::convert::From<#branch> for #name {
                    fn from(value: #branch) -> Self {
                        Self::#ident(value)
                    }
                }
                impl ::std::convert::TryFrom<builder::#branch> for #name {
                    type Error = error::ConversionError;
                    fn try_from(
                        value: builder::#branch,
                    ) -> ::std::result::Result<Self, error::ConversionError> {
                        #branch::try_from(value).map(Self::#ident)
                    }
                }
            }
        });
        if u.open {
            out.extend(open_union(u, &doc, &how, &tagged_variants));
        } else {
            out.extend(quote! {
                #[doc = #doc]
                #[doc = #how]
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, schemars::JsonSchema)]
                #[serde(tag = #tag)]
                #[non_exhaustive]
                pub enum #name {
                    #(#tagged_variants)*
                }
            });
        }
        out.extend(quote! {
            impl ::std::convert::From<&#name> for #name {
                fn from(value: &#name) -> Self {
                    value.clone()
                }
            }
            #(#conversions)*
        });
    }
    out
}

/// A variant's payload, `(Branch)` or, with `by`, `(&'a Branch)`; none for
/// a unit variant.
fn payload(v: &Variant, by: Option<TokenStream>) -> Option<TokenStream> {
    (!v.unit).then(|| {
        let branch = format_ident!("{}", rust_name(&v.branch));
        quote!((#by #branch))
    })
}

fn variant_doc(u: &Union, v: &Variant) -> String {
    let (tag, value) = (&u.tag, &v.value);
    match &v.description {
        Some(d) => format!("{d} (`{tag}: \"{value}\"`)"),
        None => format!("`{tag}: \"{value}\"`"),
    }
}

/// A union a response carries: the enum with an `Unknown` variant, and its
/// hand-written serde and schemars impls (see the module docs).
fn open_union(u: &Union, doc: &str, how: &str, tagged_variants: &[TokenStream]) -> TokenStream {
    let name = format_ident!("{}", rust_name(&u.name));
    let name_str = name.to_string();
    let tag = &u.tag;
    let open_doc = format!(
        "\n\nOpen: an object whose `{tag}` this SDK does not know (one HeyGen added \
         later) decodes as [`{name_str}::Unknown`], keeping the tag and the other \
         properties, instead of failing the response; it serializes back unchanged."
    );
    let unknown_doc = format!(
        "An object whose `{tag}` this SDK does not know, as received: it serializes \
         back to the same object (`{tag}` included)."
    );
    let tag_doc = format!("The `{tag}` value.");
    let body_doc = format!("Every other property of the object, `{tag}` left out.");
    let variants = u.variants.iter().map(|v| {
        let ident = format_ident!("{}", v.rust_name);
        let doc = variant_doc(u, v);
        let payload = payload(v, None);
        quote! {
            #[doc = #doc]
            #ident #payload,
        }
    });
    let enum_tokens = quote! {
        #[doc = #doc]
        #[doc = #how]
        #[doc = #open_doc]
        #[derive(Clone, Debug)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            #[doc = #unknown_doc]
            Unknown {
                #[doc = #tag_doc]
                tag: ::std::string::String,
                #[doc = #body_doc]
                body: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
            },
        }
    };
    let mut out = enum_tokens;
    out.extend(open_deserialize(u));
    out.extend(open_serialize(u));
    out.extend(open_schema(u, doc, how, tagged_variants));
    out
}

/// `Deserialize` of an open union: the object read as a map, the tag taken
/// out, the rest decoded as the tagged branch's struct (or kept, unknown).
fn open_deserialize(u: &Union) -> TokenStream {
    let name = format_ident!("{}", rust_name(&u.name));
    let tag = &u.tag;
    let decode_arms = u.variants.iter().map(|v| {
        let ident = format_ident!("{}", v.rust_name);
        let value = &v.value;
        if v.unit {
            quote!(#value => ::std::result::Result::Ok(Self::#ident),)
        } else {
            quote! {
                #value => ::serde_json::from_value(::serde_json::Value::Object(body))
                    .map(Self::#ident)
                    .map_err(D::Error::custom),
            }
        }
    });
    quote! {
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
            where
                D: ::serde::Deserializer<'de>,
            {
                use ::serde::de::Error as _;
                let mut body: ::serde_json::Map<::std::string::String, ::serde_json::Value> =
                    ::serde::Deserialize::deserialize(deserializer)?;
                let tag = match body.remove(#tag) {
                    ::std::option::Option::Some(::serde_json::Value::String(tag)) => tag,
                    ::std::option::Option::Some(other) => {
                        return ::std::result::Result::Err(D::Error::custom(::std::format!(
                            "the tag `{}` is not a string: {}",
                            #tag,
                            other
                        )));
                    }
                    ::std::option::Option::None => {
                        return ::std::result::Result::Err(D::Error::missing_field(#tag));
                    }
                };
                match tag.as_str() {
                    #(#decode_arms)*
                    _ => ::std::result::Result::Ok(Self::Unknown { tag, body }),
                }
            }
        }
    }
}

/// `Serialize` of an open union: known variants through a derived,
/// internally tagged, borrowed twin (so their wire format is serde's);
/// `Unknown` as the object it was received as.
fn open_serialize(u: &Union) -> TokenStream {
    let name = format_ident!("{}", rust_name(&u.name));
    let tag = &u.tag;
    // The borrowed twin serde serializes known variants through.
    let borrowed = u.variants.iter().any(|v| !v.unit);
    let lifetime = borrowed.then(|| quote!(<'a>));
    let borrowed_variants = u.variants.iter().map(|v| {
        let ident = format_ident!("{}", v.rust_name);
        let value = &v.value;
        let payload = payload(v, Some(quote!(&'a)));
        quote! {
            #[serde(rename = #value)]
            #ident #payload,
        }
    });
    let encode_arms = u.variants.iter().map(|v| {
        let ident = format_ident!("{}", v.rust_name);
        if v.unit {
            quote!(Self::#ident => Known::#ident,)
        } else {
            quote!(Self::#ident(value) => Known::#ident(value),)
        }
    });
    quote! {
        impl ::serde::Serialize for #name {
            fn serialize<S>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error>
            where
                S: ::serde::Serializer,
            {
                #[derive(::serde::Serialize)]
                #[serde(tag = #tag)]
                enum Known #lifetime {
                    #(#borrowed_variants)*
                }
                let known = match self {
                    #(#encode_arms)*
                    Self::Unknown { tag, body } => {
                        use ::serde::ser::SerializeMap as _;
                        let rest = || body.iter().filter(|(k, _)| k.as_str() != #tag);
                        let mut map = serializer.serialize_map(::std::option::Option::Some(1 + rest().count()))?;
                        map.serialize_entry(#tag, tag)?;
                        for (k, v) in rest() {
                            map.serialize_entry(k, v)?;
                        }
                        return map.end();
                    }
                };
                ::serde::Serialize::serialize(&known, serializer)
            }
        }
    }
}

/// `JsonSchema` of an open union: the derived schema of the closed enum,
/// marked `x-open-union`.
fn open_schema(u: &Union, doc: &str, how: &str, tagged_variants: &[TokenStream]) -> TokenStream {
    let name = format_ident!("{}", rust_name(&u.name));
    let name_str = name.to_string();
    let tag = &u.tag;
    quote! {
        impl ::schemars::JsonSchema for #name {
            fn schema_name() -> ::std::string::String {
                #name_str.to_string()
            }
            fn json_schema(
                generator: &mut ::schemars::r#gen::SchemaGenerator,
            ) -> ::schemars::schema::Schema {
                // The derived schema of the closed enum (the known
                // branches), marked open: another tag decodes too.
                #[doc = #doc]
                #[doc = #how]
                #[derive(schemars::JsonSchema)]
                #[serde(tag = #tag)]
                #[allow(dead_code)]
                enum Known {
                    #(#tagged_variants)*
                }
                let mut schema = <Known as ::schemars::JsonSchema>::json_schema(generator).into_object();
                schema
                    .extensions
                    .insert("x-open-union".to_string(), ::serde_json::Value::Bool(true));
                ::schemars::schema::Schema::Object(schema)
            }
        }
    }
}
