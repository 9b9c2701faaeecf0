//! The data glue (`heygen-api-ext/src/data/generated.rs`): a `SendData`
//! impl for every operation, handing back the response's `data` payload
//! (the whole response where it has none). Read from the generated client,
//! like the pagination glue.

use std::fmt::Write as _;

use anyhow::{Result, bail};

use crate::client_index::{ClientIndex, generic_arg, type_source};
use crate::operation_facts::Operations;

/// `heygen-api-ext/src/data/generated.rs`: a `SendData` impl for every
/// operation, handing back the response's `data` payload (the whole
/// response where it has none). Read from the generated client, like
/// the pagination glue.
pub fn data_rs(operations: &Operations, types: &ClientIndex) -> Result<String> {
    let mut s = String::new();
    writeln!(
        s,
        "//! `SendData` for every operation of the spec.\n\n\
         use std::future::Future;\n\n\
         use heygen_api::builder;\n\
         #[allow(unused_imports)]\n\
         use heygen_api::types;\n\n\
         use super::{{SendData, payload}};\n\
         use crate::Error;\n"
    )?;
    for op in &operations.ops {
        let builder = op.builder_name();
        let Some(response) = types.response_name(&builder) else {
            bail!("no builder `{builder}` with a `send` method for {}", op.id);
        };
        let data = types.fields(&response).and_then(|f| f.get("data"));
        let (data_type, take) = match data {
            Some(ty) => match generic_arg(ty, "Option") {
                Some(inner) => (type_source(inner), "|r| r.data"),
                None => (type_source(ty), "|r| Some(r.data)"),
            },
            None => (format!("types::{response}"), "Some"),
        };
        writeln!(s, "impl<'a> SendData<'a> for builder::{builder}<'a> {{")?;
        writeln!(s, "    type Data = {data_type};")?;
        writeln!(
            s,
            "    fn data(self) -> impl Future<Output = Result<Self::Data, Error>> + Send + 'a {{"
        )?;
        writeln!(s, "        payload({:?}, self.send(), {take})", op.id)?;
        writeln!(s, "    }}")?;
        writeln!(s, "}}\n")?;
    }
    Ok(s)
}
