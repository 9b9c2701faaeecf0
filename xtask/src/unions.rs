//! Discriminated unions as Rust enums a person would write and build.
//!
//! typify ignores `discriminator`: a `oneOf` of `$ref` branches becomes an
//! `#[serde(untagged)]` enum of structs that each carry their own one-value
//! tag type, which the caller has to set and which decodes by trial. Inlining
//! the branches gets `#[serde(tag = "...")]` struct variants instead, but a
//! struct variant cannot be built with a builder: a caller writes every
//! field, and every added optional field breaks that literal.
//!
//! So each branch stays the named component HeyGen publishes it as
//! (`CreateVideoFromAvatar`), minus its tag property, and typify generates
//! it as a struct with a builder like every other. The union itself is
//! emitted here, in place of typify's: an internally tagged enum of newtype
//! variants (`CreateVideoRequest::Avatar(CreateVideoFromAvatar)`), with
//! `From<Branch>` and `TryFrom<builder::Branch>`, so a branch (or its
//! builder) goes wherever the union is expected. The tag is serde's: the
//! wire format is the spec's, and nobody sets it by hand.
//!
//! A union a response can carry is open, like the response enums (see
//! `open_enums`): an object whose tag this SDK does not know decodes as the
//! variant `Unknown { tag, body }` instead of failing the whole response,
//! and serializes back to what was received. serde's derive cannot express
//! that, so such a union gets hand-written `Deserialize` (the object read as
//! a map, the tag taken out, the rest decoded as the tagged branch's
//! struct), `Serialize` (known variants through a derived internally tagged
//! twin, so their wire format is unchanged) and `JsonSchema` (the derived
//! twin's schema, marked `x-open-union`). Unions only requests carry keep
//! the plain derive: a request is never built with a tag the spec lacks.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;
#[cfg(test)]
use serde_json::json;

use crate::names::{pascal, unused_name};
use crate::spec::{self, component_refs, escape, visit_objects};

/// A discriminated union the generated code carries as a tagged enum.
#[derive(Debug, Clone)]
pub struct Union {
    /// The union's component name (the enum's name).
    pub name: String,
    pub description: Option<String>,
    /// The discriminator property (`type`, `engine_type`).
    pub tag: String,
    pub variants: Vec<Variant>,
    /// Reachable from some response: unknown tags decode as `Unknown`.
    pub open: bool,
}

/// One branch of a [`Union`].
#[derive(Debug, Clone)]
pub struct Variant {
    /// The tag's value on the wire (`cinematic_avatar`).
    pub value: String,
    /// The enum variant (`CinematicAvatar`).
    pub rust_name: String,
    /// The branch's component (`CreateVideoFromCinematicAvatar`).
    pub branch: String,
    /// The branch has nothing but its tag: a unit variant, and its
    /// component is not generated (it would be an empty map type).
    pub unit: bool,
    pub description: Option<String>,
}

/// Finds the discriminated unions of `doc` (normalized, OpenAPI 3.0) that
/// can be tagged enums and takes the tag property out of their branches.
/// The union components stay in the document (their `oneOf` and
/// `discriminator` describe the wire format to every other reader); typify
/// is told to use the enums [`union_items`] emits instead of generating them.
pub fn tagged_unions(doc: &mut Value) -> (Vec<Union>, Vec<String>) {
    let mut notes = Vec::new();
    for ptr in inline_unions(doc) {
        match hoist_union(doc, &ptr) {
            Some(name) => notes.push(format!("{ptr}: the union hoisted into components/schemas/{name}")),
            None => notes.push(format!(
                "{ptr}: a discriminated union outside components/schemas stays untagged (give it a component)"
            )),
        }
    }
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return (Vec::new(), notes);
    };
    let candidates: Vec<(String, String, Vec<String>)> = schemas
        .iter()
        .filter_map(|(name, s)| {
            let tag = s.pointer("/discriminator/propertyName")?.as_str()?;
            let branches = s.get("oneOf")?.as_array()?;
            let names = branches.iter().map(component_ref).collect::<Option<_>>()?;
            Some((name.clone(), tag.to_string(), names))
        })
        .collect();

    // A branch used anywhere but in a union's `oneOf` must keep its tag.
    let mut without_unions = doc.clone();
    for (name, ..) in &candidates {
        if let Some(u) =
            without_unions.pointer_mut(&format!("/components/schemas/{}", escape(name)))
            && let Some(obj) = u.as_object_mut()
        {
            obj.remove("oneOf");
            obj.remove("discriminator");
        }
    }
    let mut used_elsewhere = BTreeSet::new();
    component_refs(&without_unions, &mut used_elsewhere);
    let from_responses = spec::response_reach(doc);

    let mut unions = Vec::new();
    // branch -> the tag property it loses (one, whatever the union).
    let mut untag: BTreeMap<String, String> = BTreeMap::new();
    for (name, tag, branches) in candidates {
        let mut variants = Vec::new();
        let mut problem = None;
        for branch in &branches {
            let schema = doc.pointer(&format!("/components/schemas/{}", escape(branch)));
            match schema.and_then(|s| tag_value(s, &tag)) {
                None => {
                    problem = Some(format!(
                        "branch {branch} is not a plain object with a one-value `{tag}`"
                    ))
                }
                Some(_) if used_elsewhere.contains(branch) => {
                    problem = Some(format!(
                        "branch {branch} is also used outside a union, with its tag"
                    ))
                }
                Some(_) if untag.get(branch).is_some_and(|t| t != &tag) => {
                    problem = Some(format!(
                        "branch {branch} is tagged by another property in another union"
                    ))
                }
                Some(value) => variants.push(Variant {
                    rust_name: variant_name(&value),
                    value,
                    branch: branch.clone(),
                    unit: schema
                        .and_then(|s| s.get("properties"))
                        .and_then(Value::as_object)
                        .is_none_or(|p| p.len() == 1),
                    description: schema
                        .and_then(|s| s.get("description"))
                        .and_then(Value::as_str)
                        .map(str::to_string),
                }),
            }
        }
        let open = from_responses.contains(&name);
        if open {
            // `Unknown` is the open union's catch-all.
            for v in variants.iter_mut().filter(|v| v.rust_name == "Unknown") {
                v.rust_name.push_str("Value");
            }
        }
        let names: BTreeSet<&str> = variants.iter().map(|v| v.rust_name.as_str()).collect();
        if problem.is_none() && names.len() != variants.len() {
            problem = Some("two tag values make the same variant name".into());
        }
        if let Some(problem) = problem {
            notes.push(format!("union {name} stays untagged: {problem}"));
            continue;
        }
        for v in &variants {
            untag.insert(v.branch.clone(), tag.clone());
        }
        notes.push(format!(
            "union {name}: a tagged enum over the branch structs {}{}",
            branches.join(", "),
            if open {
                " (open: a response carries it)"
            } else {
                ""
            }
        ));
        unions.push(Union {
            description: doc
                .pointer(&format!(
                    "/components/schemas/{}/description",
                    escape(&name)
                ))
                .and_then(Value::as_str)
                .map(str::to_string),
            name,
            tag,
            variants,
            open,
        });
    }
    for (branch, tag) in untag {
        if let Some(obj) = doc
            .pointer_mut(&format!("/components/schemas/{}", escape(&branch)))
            .and_then(Value::as_object_mut)
        {
            remove_property(obj, &tag);
        }
    }
    (unions, notes)
}

/// Discriminated unions anywhere but directly under `components/schemas`.
fn inline_unions(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    visit_objects(doc, String::new(), &mut |ptr, m| {
        let top_level = ptr.matches('/').count() == 3 && ptr.starts_with("/components/schemas/");
        if m.contains_key("discriminator") && m.contains_key("oneOf") && !top_level {
            out.push(ptr.to_string());
        }
    });
    out
}

/// Moves the union at `ptr` (inside a component) into a component of its
/// own, named after where it was (`RenderRequest/properties/engine` ->
/// `RenderRequestEngine`), so it becomes a named enum like the others.
fn hoist_union(doc: &mut Value, ptr: &str) -> Option<String> {
    let rest = ptr.strip_prefix("/components/schemas/")?;
    let mut segments = rest.split('/');
    let mut name = pascal(&segments.next()?.replace("~1", "/").replace("~0", "~"));
    let mut after_properties = false;
    for seg in segments {
        match seg {
            "properties" => after_properties = true,
            "items" => name.push_str("Item"),
            "additionalProperties" => name.push_str("Value"),
            _ if after_properties => {
                name.push_str(&pascal(seg));
                after_properties = false;
            }
            _ => {}
        }
    }
    let wanted = unused_name(&name, |n| {
        doc.pointer(&format!("/components/schemas/{}", escape(n)))
            .is_some()
    });
    let at = doc.pointer_mut(ptr)?.as_object_mut()?;
    let mut union = serde_json::Map::new();
    for key in ["oneOf", "discriminator", "description"] {
        if let Some(v) = at.remove(key) {
            union.insert(key.to_string(), v);
        }
    }
    let reference = serde_json::json!({"$ref": format!("#/components/schemas/{wanted}")});
    if at.is_empty() {
        *at = reference.as_object()?.clone();
    } else {
        at.insert("allOf".into(), Value::Array(vec![reference]));
    }
    doc.pointer_mut("/components/schemas")?
        .as_object_mut()?
        .insert(wanted.clone(), Value::Object(union));
    Some(wanted)
}

fn component_ref(v: &Value) -> Option<String> {
    let r = v.get("$ref")?.as_str()?;
    (v.as_object()?.len() == 1)
        .then(|| r.strip_prefix("#/components/schemas/").map(str::to_string))
        .flatten()
}

/// The tag value of a branch typify can make a plain struct of: a closed
/// (or default) object whose tag is a one-value string enum.
fn tag_value(c: &Value, tag: &str) -> Option<String> {
    let object = c.get("type").is_none_or(|t| t == "object");
    let closed = matches!(
        c.get("additionalProperties"),
        None | Some(Value::Bool(false))
    );
    let plain = !["allOf", "anyOf", "oneOf", "minProperties", "maxProperties"]
        .iter()
        .any(|k| c.get(*k).is_some());
    if !(object && closed && plain) {
        return None;
    }
    let values = c
        .pointer(&format!("/properties/{}/enum", escape(tag)))?
        .as_array()?;
    match values.as_slice() {
        [Value::String(v)] => Some(v.clone()),
        _ => None,
    }
}

/// `cinematic_avatar` -> `CinematicAvatar`; a value that starts with a
/// digit (or has no letters) gets a `V` in front to be an identifier.
fn variant_name(value: &str) -> String {
    let name = pascal(value);
    if name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        name
    } else {
        format!("V{name}")
    }
}

fn remove_property(obj: &mut serde_json::Map<String, Value>, prop: &str) {
    if let Some(props) = obj.get_mut("properties").and_then(Value::as_object_mut) {
        props.remove(prop);
    }
    if let Some(req) = obj.get_mut("required").and_then(Value::as_array_mut) {
        req.retain(|r| r != prop);
        if req.is_empty() {
            obj.remove("required");
        }
    }
}

/// The Rust name typify gives a component (heck's PascalCase of it).
fn rust_name(component: &str) -> String {
    heck::ToPascalCase::to_pascal_case(component)
}

/// What typify is told to use instead of generating a component:
/// `(component, Rust path)`. The union enums live in the generated `types`
/// module, which every generated crate has at its root. The components of
/// unit branches are never referred to once their union is replaced, so
/// their stand-in is never written anywhere; it only keeps typify from
/// emitting an empty map type nobody uses.
pub fn replacements(unions: &[Union]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for u in unions {
        let name = rust_name(&u.name);
        out.push((name.clone(), format!("crate::types::{name}")));
        for v in u.variants.iter().filter(|v| v.unit) {
            out.push((rust_name(&v.branch), "()".to_string()));
        }
    }
    out.sort();
    out.dedup();
    out
}

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
            let payload = (!v.unit).then(|| {
                let branch = format_ident!("{}", rust_name(&v.branch));
                quote!((#branch))
            });
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
        let payload = (!v.unit).then(|| {
            let branch = format_ident!("{}", rust_name(&v.branch));
            quote!((#branch))
        });
        quote! {
            #[doc = #doc]
            #ident #payload,
        }
    });
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
    // The borrowed twin serde serializes known variants through.
    let borrowed = u.variants.iter().any(|v| !v.unit);
    let lifetime = borrowed.then(|| quote!(<'a>));
    let borrowed_variants = u.variants.iter().map(|v| {
        let ident = format_ident!("{}", v.rust_name);
        let value = &v.value;
        let payload = (!v.unit).then(|| {
            let branch = format_ident!("{}", rust_name(&v.branch));
            quote!((&'a #branch))
        });
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

#[cfg(test)]
mod tests {
    use super::*;

    fn disc(tag: &str) -> Value {
        json!({"propertyName": tag})
    }

    fn doc(schemas: Value) -> Value {
        json!({"openapi": "3.0.3", "paths": {}, "components": {"schemas": schemas}})
    }

    #[test]
    fn branches_stay_named_structs_without_their_tag() {
        let mut d = doc(json!({
            "Engine": {
                "oneOf": [{"$ref": "#/components/schemas/Fast"}, {"$ref": "#/components/schemas/SlowMode"}],
                "discriminator": disc("kind"),
                "description": "How to run."
            },
            "Fast": {"type": "object", "description": "Quick.", "properties": {
                "kind": {"type": "string", "enum": ["fast"]},
                "model": {"type": "string", "enum": ["f1", "f2"]}
            }, "required": ["kind", "model"]},
            "SlowMode": {"type": "object", "properties": {
                "kind": {"type": "string", "enum": ["slow_mode"]}
            }, "required": ["kind"]}
        }));
        let (unions, notes) = tagged_unions(&mut d);
        assert_eq!(unions.len(), 1, "{notes:?}");
        let u = &unions[0];
        assert_eq!((u.name.as_str(), u.tag.as_str()), ("Engine", "kind"));
        assert_eq!(u.description.as_deref(), Some("How to run."));
        let v: Vec<_> = u
            .variants
            .iter()
            .map(|v| (v.value.as_str(), v.rust_name.as_str(), v.branch.as_str()))
            .collect();
        assert_eq!(
            v,
            [
                ("fast", "Fast", "Fast"),
                ("slow_mode", "SlowMode", "SlowMode")
            ]
        );
        let s = &d["components"]["schemas"];
        assert!(s["Fast"]["properties"].get("kind").is_none(), "tag removed");
        assert_eq!(s["Fast"]["required"], json!(["model"]));
        assert!(
            s["SlowMode"].get("required").is_none(),
            "empty required dropped"
        );
        assert!(
            s["Engine"].get("oneOf").is_some(),
            "the union keeps describing the wire"
        );
    }

    #[test]
    fn a_branch_used_elsewhere_leaves_the_union_untagged() {
        let mut d = doc(json!({
            "U": {"oneOf": [{"$ref": "#/components/schemas/A"}], "discriminator": disc("type")},
            "A": {"type": "object", "properties": {"type": {"type": "string", "enum": ["a"]}}, "required": ["type"]},
            "Holder": {"type": "object", "properties": {"a": {"$ref": "#/components/schemas/A"}}}
        }));
        let (unions, notes) = tagged_unions(&mut d);
        assert!(unions.is_empty());
        assert!(notes[0].contains("also used outside a union"), "{notes:?}");
        assert!(
            d["components"]["schemas"]["A"]["properties"]
                .get("type")
                .is_some()
        );
    }

    #[test]
    fn a_branch_shared_by_two_unions_is_untagged_once() {
        let mut d = doc(json!({
            "U": {"oneOf": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}], "discriminator": disc("type")},
            "V": {"oneOf": [{"$ref": "#/components/schemas/A"}], "discriminator": disc("type")},
            "A": {"type": "object", "properties": {"type": {"type": "string", "enum": ["a"]}, "x": {"type": "string"}}, "required": ["type"]},
            "B": {"type": "object", "properties": {"type": {"type": "string", "enum": ["b"]}}, "required": ["type"]}
        }));
        let (unions, _) = tagged_unions(&mut d);
        assert_eq!(unions.len(), 2);
        assert_eq!(
            d["components"]["schemas"]["A"]["properties"],
            json!({"x": {"type": "string"}})
        );
    }

    #[test]
    fn an_open_branch_leaves_the_union_untagged() {
        let mut d = doc(json!({
            "U": {"oneOf": [{"$ref": "#/components/schemas/A"}], "discriminator": disc("type")},
            "A": {"type": "object", "additionalProperties": true,
                  "properties": {"type": {"type": "string", "enum": ["a"]}}}
        }));
        let (unions, notes) = tagged_unions(&mut d);
        assert!(unions.is_empty());
        assert!(notes[0].contains("stays untagged"), "{notes:?}");
    }

    #[test]
    fn variant_names_are_identifiers() {
        assert_eq!(variant_name("cinematic_avatar"), "CinematicAvatar");
        assert_eq!(variant_name("avatar_iii"), "AvatarIii");
        assert_eq!(variant_name("3d"), "V3d");
    }

    #[test]
    fn the_emitted_enum_is_internally_tagged_with_conversions() {
        let u = Union {
            name: "Engine".into(),
            description: None,
            tag: "kind".into(),
            variants: vec![
                Variant {
                    value: "fast".into(),
                    rust_name: "Fast".into(),
                    branch: "FastEngine".into(),
                    unit: false,
                    description: Some("Quick.".into()),
                },
                Variant {
                    value: "plain".into(),
                    rust_name: "Plain".into(),
                    branch: "PlainEngine".into(),
                    unit: true,
                    description: None,
                },
            ],
            open: false,
        };
        let code = union_items(&[u]).to_string();
        for want in [
            "# [serde (tag = \"kind\")]",
            "# [serde (rename = \"fast\")] Fast (FastEngine)",
            "impl :: std :: convert :: From < FastEngine > for Engine",
            "impl :: std :: convert :: TryFrom < builder :: FastEngine > for Engine",
            "# [non_exhaustive]",
            "# [serde (rename = \"plain\")] Plain ,",
        ] {
            assert!(code.contains(want), "missing {want} in {code}");
        }
    }

    #[test]
    fn only_unions_a_response_carries_are_open() {
        let mut d = json!({
            "openapi": "3.0.3",
            "paths": {"/hits": {"post": {
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Input"}}}},
                "responses": {"200": {"description": "", "content": {"application/json": {"schema": {
                    "type": "object",
                    "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}}}
                }}}}}
            }}},
            "components": {"schemas": {
                "Hit": {"oneOf": [{"$ref": "#/components/schemas/Image"}, {"$ref": "#/components/schemas/Unknown"}], "discriminator": disc("type")},
                "Image": {"type": "object", "properties": {"type": {"type": "string", "enum": ["image"]}, "url": {"type": "string"}}, "required": ["type"]},
                "Unknown": {"type": "object", "properties": {"type": {"type": "string", "enum": ["unknown"]}}, "required": ["type"]},
                "Input": {"oneOf": [{"$ref": "#/components/schemas/ById"}], "discriminator": disc("type")},
                "ById": {"type": "object", "properties": {"type": {"type": "string", "enum": ["id"]}, "id": {"type": "string"}}, "required": ["type"]}
            }}
        });
        let (unions, notes) = tagged_unions(&mut d);
        let open: Vec<(&str, bool)> = unions.iter().map(|u| (u.name.as_str(), u.open)).collect();
        assert_eq!(open, [("Hit", true), ("Input", false)], "{notes:?}");
        // A tag `unknown` leaves the name `Unknown` to the catch-all.
        let names: Vec<&str> = unions[0]
            .variants
            .iter()
            .map(|v| v.rust_name.as_str())
            .collect();
        assert_eq!(names, ["Image", "UnknownValue"]);

        let code = union_items(&unions).to_string();
        let (hit, input) = code.split_at(code.find("pub enum Input").unwrap());
        let hit = &hit[..hit.rfind("# [doc").unwrap()];
        for want in [
            "# [derive (Clone , Debug)] # [non_exhaustive] pub enum Hit",
            "Unknown { # [doc = \"The `type` value.\"] tag : :: std :: string :: String",
            "body : :: serde_json :: Map < :: std :: string :: String , :: serde_json :: Value >",
            "impl < 'de > :: serde :: Deserialize < 'de > for Hit",
            "\"image\" => :: serde_json :: from_value (:: serde_json :: Value :: Object (body)) . map (Self :: Image)",
            "\"unknown\" => :: std :: result :: Result :: Ok (Self :: UnknownValue)",
            "_ => :: std :: result :: Result :: Ok (Self :: Unknown { tag , body })",
            "impl :: serde :: Serialize for Hit",
            "enum Known < 'a > { # [serde (rename = \"image\")] Image (& 'a Image) , # [serde (rename = \"unknown\")] UnknownValue , }",
            "map . serialize_entry (\"type\" , tag)",
            "impl :: schemars :: JsonSchema for Hit",
            "\"x-open-union\"",
        ] {
            assert!(hit.contains(want), "missing {want} in {hit}");
        }
        assert!(
            code.contains("# [derive (:: serde :: Deserialize , :: serde :: Serialize , Clone , Debug , schemars :: JsonSchema)] # [serde (tag = \"type\")] # [non_exhaustive] pub enum Input"),
            "a request-only union keeps the derive: {input}"
        );
        assert!(!input.contains("Unknown"), "{input}");
    }
}
