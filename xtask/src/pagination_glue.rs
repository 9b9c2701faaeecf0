//! The pagination glue (`heygen-api-ext/src/paginate/generated.rs`): a
//! `Paginated` impl for every operation that takes a `token` and answers a
//! `next_token`, so heygen-api-ext can offer `.items()`/`.pages()`. Field
//! types are read from the generated client, so the glue always matches
//! what typify produced.

use std::fmt::Write as _;

use anyhow::{Result, bail};

use crate::client_index::{ClientIndex, generic_arg, type_source};
use crate::operation_facts::Operations;

/// `heygen-api-ext/src/paginate/generated.rs`: a `Paginated` impl for
/// every operation that takes a `token` and answers a `next_token`.
/// Field types are read from the generated client itself, so the glue
/// always matches what typify produced.
pub fn pagination_rs(operations: &Operations, types: &ClientIndex) -> Result<String> {
    let mut s = String::new();
    writeln!(
        s,
        "//! `Paginated` for every list operation of the spec.\n\n\
         use heygen_api::builder;\n\
         #[allow(unused_imports)]\n\
         use heygen_api::types;\n\n\
         use super::fields::{{IntoCursor as _, IntoFlag as _, IntoItems as _}};\n\
         use super::{{ListRequest, Page, Paginated}};\n\
         use crate::Error;\n\
         use heygen_api::hooks::BoxFuture;\n"
    )?;
    let mut count = 0;
    for op in operations.ops.iter().filter(|o| o.takes_token) {
        let builder = op.builder_name();
        let Some(response) = types.response_name(&builder) else {
            bail!("no builder `{builder}` with a `send` method for {}", op.id);
        };
        let Some(fields) = types.fields(&response) else {
            // Not an object response: nothing to walk.
            continue;
        };
        // Where the cursor lives: beside `data` (lists), or inside it
        // (batch GETs page over `data.items`).
        let (item, holder) = match fields.get("data").map(classify) {
            Some(Shape::List(item)) if fields.contains_key("next_token") => (
                item,
                Holder::Root {
                    has_more: fields.contains_key("has_more"),
                },
            ),
            Some(Shape::Struct { name, optional }) => {
                let Some(inner) = types.fields(&name) else {
                    continue;
                };
                match inner.get("items").map(classify) {
                    Some(Shape::List(item)) if inner.contains_key("next_token") => (
                        item,
                        Holder::Data {
                            optional,
                            has_more: inner.contains_key("has_more"),
                        },
                    ),
                    _ => continue,
                }
            }
            _ => continue,
        };
        count += 1;
        writeln!(s, "impl<'a> Paginated<'a> for builder::{builder}<'a> {{")?;
        writeln!(s, "    type Item = {item};")?;
        writeln!(s, "    type Request = builder::detached::{builder};")?;
        writeln!(
            s,
            "    fn detach(self) -> (&'a heygen_api::Client, Self::Request) {{"
        )?;
        writeln!(s, "        builder::{builder}::detach(self)")?;
        writeln!(s, "    }}")?;
        writeln!(s, "}}\n")?;
        writeln!(s, "impl ListRequest for builder::detached::{builder} {{")?;
        writeln!(s, "    type Item = {item};")?;
        writeln!(s, "    const OPERATION_ID: &'static str = {:?};", op.id)?;
        writeln!(
            s,
            "    fn fetch(self, client: &heygen_api::Client, token: Option<String>) -> BoxFuture<'_, Result<Page<Self::Item>, Error>> {{"
        )?;
        writeln!(s, "        let request = self.attach(client);")?;
        writeln!(
            s,
            "        let request = match token {{ Some(token) => request.token(token), None => request }};"
        )?;
        // `fetch_page` sends, and turns a page without its list (the
        // closure's `None`) into an error rather than an empty last page.
        writeln!(
            s,
            "        Box::pin(super::fetch_page(Self::OPERATION_ID, request.send(), |page| {{"
        )?;
        let (var, items_field, has_more) = match holder {
            Holder::Root { has_more } => ("page", "data", has_more),
            Holder::Data { optional, has_more } => {
                let take = if optional { "page.data?" } else { "page.data" };
                writeln!(s, "            let data = {take};")?;
                ("data", "items", has_more)
            }
        };
        writeln!(s, "            Some(Page {{")?;
        writeln!(
            s,
            "                items: {var}.{items_field}.into_items()?,"
        )?;
        writeln!(
            s,
            "                next_token: {var}.next_token.into_cursor(),"
        )?;
        if has_more {
            writeln!(s, "                has_more: {var}.has_more.into_flag(),")?;
        } else {
            writeln!(s, "                has_more: None,")?;
        }
        writeln!(s, "            }})")?;
        writeln!(s, "        }}))")?;
        writeln!(s, "    }}")?;
        writeln!(s, "}}\n")?;
    }
    writeln!(s, "/// How many operations have a `Paginated` impl.")?;
    writeln!(s, "#[allow(dead_code)]")?;
    writeln!(s, "pub(crate) const PAGINATED_OPERATIONS: usize = {count};")?;
    Ok(s)
}

enum Holder {
    Root { has_more: bool },
    Data { optional: bool, has_more: bool },
}

enum Shape {
    /// `Vec<T>` or `Option<Vec<T>>`: the item type, as Rust source.
    List(String),
    /// A generated struct, possibly optional.
    Struct {
        name: String,
        optional: bool,
    },
    Other,
}

/// Peels `Option<..>` and `Vec<..>` off a field type.
fn classify(ty: &syn::Type) -> Shape {
    let (ty, optional) = match generic_arg(ty, "Option") {
        Some(inner) => (inner, true),
        None => (ty, false),
    };
    if let Some(item) = generic_arg(ty, "Vec") {
        return Shape::List(type_source(item));
    }
    match ty {
        syn::Type::Path(p) if p.path.segments.len() == 1 => Shape::Struct {
            name: p.path.segments[0].ident.to_string(),
            optional,
        },
        _ => Shape::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::generate_client;
    use crate::operation_facts::tests::{SPEC, operations};
    use crate::prepare::prepare_text;

    /// Every page goes through `fetch_page`; a page without its list is
    /// `None` there (an error), never an empty last page.
    #[test]
    fn pagination_glue_splits_pages_for_fetch_page() {
        let ops = operations(SPEC);
        let client = generate_client(&prepare_text(SPEC, "test").unwrap(), None, &[]).unwrap();
        let index = ClientIndex::parse(&client).unwrap();
        let rs = pagination_rs(&ops, &index).unwrap();
        let list = "        Box::pin(super::fetch_page(Self::OPERATION_ID, request.send(), |page| {
            Some(Page {
                items: page.data.into_items()?,
                next_token: page.next_token.into_cursor(),
                has_more: page.has_more.into_flag(),
            })
        }))
    }";
        let batch =
            "        Box::pin(super::fetch_page(Self::OPERATION_ID, request.send(), |page| {
            let data = page.data?;
            Some(Page {
                items: data.items.into_items()?,
                next_token: data.next_token.into_cursor(),
                has_more: None,
            })
        }))
    }";
        assert!(rs.contains(list), "{rs}");
        assert!(rs.contains(batch), "{rs}");
        assert!(!rs.contains(".await"), "{rs}");
        assert!(rs.contains("PAGINATED_OPERATIONS: usize = 2;"), "{rs}");
    }
}
