//! Runs progenitor on a prepared spec: the generated client (with the
//! xtask's changes to it: builders only, the tagged unions, the open enums,
//! optional bodies that start empty) and its httpmock helpers.

use std::panic::{AssertUnwindSafe, catch_unwind};

use anyhow::{Context, Result, anyhow};
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle, TypeImpl};

use crate::prepare::Prepared;
use crate::{bodies, builders, client_index, detach, open_enums, schema_feature, unions};

fn settings(
    inner: Option<proc_macro2::TokenStream>,
    open: &[open_enums::OpenEnum],
    prepared: &Prepared,
) -> GenerationSettings {
    let mut settings = GenerationSettings::default();
    for e in open {
        settings.with_replacement(
            &e.name,
            format!("crate::open_enums::{}", e.name),
            [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
        );
    }
    for (component, path) in unions::replacements(&prepared.unions) {
        settings.with_replacement(&component, path, std::iter::empty());
    }
    for component in &prepared.optional_bodies.components {
        settings.with_patch(
            component,
            progenitor::TypePatch::default().with_derive("Default"),
        );
    }
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_derive("schemars::JsonSchema");
    match inner {
        Some(inner) => {
            // The seam: heygen-api must implement `ClientHooks` (auth,
            // retries, tracing live behind it); forgetting is a compile error.
            settings
                .with_inner_type(inner)
                .with_hooks(HooksMode::Expected);
        }
        None => {
            settings.with_hooks(HooksMode::Optional);
        }
    }
    settings
}

/// Runs progenitor, turning its panics (it has `todo!`s and asserts on
/// shapes it does not support) into an error that says where to look.
fn run_progenitor<F>(what: &str, f: F) -> Result<proc_macro2::TokenStream>
where
    F: FnOnce() -> Result<proc_macro2::TokenStream, progenitor::Error>,
{
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = catch_unwind(AssertUnwindSafe(f));
    std::panic::set_hook(previous);
    match result {
        Ok(Ok(tokens)) => Ok(tokens),
        Ok(Err(e)) => Err(anyhow!("progenitor could not generate the {what}: {e}")),
        Err(panic) => {
            let msg = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".into());
            Err(anyhow!(
                "progenitor panicked while generating the {what}: {msg}\n\
                 The spec has a shape the normalizer does not handle yet; \
                 add a pass to xtask/src/normalize/"
            ))
        }
    }
}

/// typify 0.8 names a parameter `gen` in the `JsonSchema` impls it writes
/// for non-string enums (`type: integer, enum: [1, 2, 3]`); `gen` is a
/// reserved word in edition 2024, the generated crates' edition.
fn raw_gen(tokens: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    use proc_macro2::{Group, Ident, TokenTree};
    tokens
        .into_iter()
        .map(|tt| match tt {
            TokenTree::Ident(id) if id == "gen" => {
                TokenTree::Ident(Ident::new_raw("gen", id.span()))
            }
            TokenTree::Group(g) => {
                let mut inner = Group::new(g.delimiter(), raw_gen(g.stream()));
                inner.set_span(g.span());
                TokenTree::Group(inner)
            }
            other => other,
        })
        .collect()
}

fn parse_tokens(tokens: proc_macro2::TokenStream) -> Result<syn::File> {
    syn::parse2(raw_gen(tokens)).context("progenitor produced unparsable Rust")
}

/// What the generated types module gets besides typify's output, and what
/// changes in it: structs built through builders only (see [`builders`]),
/// the tagged unions, the open enums re-exported (every type a request or
/// response names is in `types`, whether typify or `open_enum!` made it),
/// and optional bodies that start from their empty value.
fn finish_client(
    file: &mut syn::File,
    prepared: &Prepared,
    open: &[open_enums::OpenEnum],
) -> Result<()> {
    let types = client_index::module_items(file, "types")
        .context("progenitor generated no `types` module")?;
    builders::builders_only(types);
    let unions: syn::File = syn::parse2(unions::union_items(&prepared.unions))
        .context("the tagged unions are not valid Rust")?;
    types.extend(unions.items);
    if !open.is_empty() {
        let names = open.iter().map(|e| quote::format_ident!("{}", e.name));
        types.push(syn::parse_quote! {
            pub use crate::open_enums::{#(#names),*};
        });
    }
    bodies::start_from_default(file, &prepared.optional_bodies.builders);
    detach::detachable_lists(file);
    schema_feature::behind_feature(file);
    Ok(())
}

pub fn generate_client(
    prepared: &Prepared,
    inner: Option<proc_macro2::TokenStream>,
    open: &[open_enums::OpenEnum],
) -> Result<String> {
    let settings = settings(inner, open, prepared);
    let tokens = run_progenitor("client", || {
        Generator::new(&settings).generate_tokens(&prepared.spec)
    })?;
    let mut file = parse_tokens(tokens)?;
    finish_client(&mut file, prepared, open)?;
    Ok(prettyplease::unparse(&file))
}

pub fn generate_mock(
    prepared: &Prepared,
    crate_path: &str,
    open: &[open_enums::OpenEnum],
) -> Result<String> {
    let settings = settings(None, open, prepared);
    let tokens = run_progenitor("httpmock helpers", || {
        Generator::new(&settings).httpmock(&prepared.spec, crate_path)
    })?;
    Ok(prettyplease::unparse(&parse_tokens(tokens)?))
}
