//! Turns a pydantic-style OpenAPI 3.1 document into the OpenAPI 3.0.3
//! dialect progenitor 0.15 reads, and fixes the shapes progenitor mistypes
//! or panics on.
//!
//! The vendored spec is never edited: everything here works on a copy in
//! memory. Each pass exists because of a measured progenitor 0.15 / typify
//! 0.8 behaviour, which the top of its file states. In order:
//!
//! 1. [`validate`]: reports what no pass can work around (not OpenAPI 3,
//!    external or dangling `$ref`s, missing or repeated operation ids, path
//!    parameters the template disagrees with); an empty media type is `{}`.
//! 2. [`defaults`]: drops a `default` its own schema rejects.
//! 3. [`request_bodies`]: one media type per body, the one progenitor
//!    generates; operations a hand-written call replaces are left out.
//! 4. [`hoist_refs`]: every `$ref` outside `components` (pydantic `$defs`,
//!    pointers into paths) points into `components/schemas`, or is inlined.
//! 5. [`component_names`]: pydantic's names made for uniqueness
//!    (`Page_Item_`, `Body_upload`) become the names a person would write.
//! 6. [`dialect`]: every schema rewritten from 3.1 / JSON Schema 2020-12 to
//!    3.0.3 (null branches, type lists, `const`, bounds, tuples, unknown
//!    keywords), an `anyOf` of tagged objects made `oneOf`, inline
//!    discriminated-union branches made components;
//!    header and path parameters never nullable, cookie parameters out.
//! 7. [`responses`]: one error type for the whole spec and one success type
//!    per operation.
//! 8. [`document`]: the version is 3.0.3 and the 3.1-only top-level keys go.
//!
//! Passes 1, 3, 6 and 7 can find problems; normalization stops after 1,
//! 3 and 7 if any was found, and reports them all. [`doc`] and [`schemas`] hold
//! what the passes share. The passes that shape the generated Rust after
//! this one are listed in `crate::prepare`.

mod component_names;
mod defaults;
mod dialect;
mod doc;
mod document;
mod hoist_refs;
mod request_bodies;
mod responses;
mod schemas;
mod validate;

#[cfg(test)]
mod test_support;

use std::fmt::Write as _;

use anyhow::{Result, bail};
use serde_json::Value;

/// Operations whose request body progenitor cannot generate and that a
/// hand-written method replaces: `(operationId, what to use instead)`.
pub const HAND_WRITTEN: &[(&str, &str)] =
    &[("uploadAsset", "heygen_api_ext::Client::upload_asset")];

/// What becomes of an operation whose request body progenitor cannot
/// generate (a multipart upload).
#[derive(Clone, Copy, Debug)]
pub enum Ungenerated<'a> {
    /// The workspace: a hand-written call replaces each listed operation,
    /// `(operationId, what to use instead)`; any other is a problem.
    HandWritten(&'a [(&'a str, &'a str)]),
    /// A standalone crate from any spec: every such operation is left out
    /// (listed in [`Normalized::left_out`] for regen to name), the rest is
    /// generated.
    LeftOut,
}

/// [`Normalized::left_out`]'s replacement for an operation left out under
/// [`Ungenerated::LeftOut`].
pub const WRITE_BY_HAND: &str = "a call written by hand";

/// The result of normalization.
#[derive(Debug)]
pub struct Normalized {
    /// The OpenAPI 3.0.3 document, as JSON.
    pub doc: Value,
    /// What was rewritten that a maintainer should know about.
    pub notes: Vec<String>,
    /// Operations left out of generation: `(operationId, replacement)`.
    pub left_out: Vec<(String, String)>,
    /// The component every operation's error responses now decode into.
    pub error_type: String,
}

/// Normalizes `doc` (an OpenAPI 3.1 or 3.0 document as JSON): the passes,
/// in order.
pub fn normalize(mut doc: Value, ungenerated: Ungenerated<'_>) -> Result<Normalized> {
    let mut log = Log::default();
    validate::run(&mut doc, &mut log);
    log.stop_on_problems()?;
    defaults::run(&mut doc, &mut log);
    let left_out = request_bodies::run(&mut doc, ungenerated, &mut log);
    log.stop_on_problems()?;
    hoist_refs::run(&mut doc, &mut log)?;
    component_names::run(&mut doc, &mut log);
    dialect::run(&mut doc, &mut log);
    let error_type = responses::run(&mut doc, &mut log);
    log.stop_on_problems()?;
    document::run(&mut doc);
    Ok(Normalized {
        doc,
        notes: log.notes,
        left_out,
        error_type,
    })
}

/// What the passes report besides the document they rewrite.
#[derive(Default)]
struct Log {
    /// For the maintainer: what was rewritten, and warnings.
    notes: Vec<String>,
    /// What the generator cannot work around, with the place to fix.
    problems: Vec<String>,
}

impl Log {
    fn stop_on_problems(&self) -> Result<()> {
        if self.problems.is_empty() {
            return Ok(());
        }
        let mut s = format!(
            "the spec has {} problem(s) the generator cannot work around:",
            self.problems.len()
        );
        for p in &self.problems {
            let _ = write!(s, "\n  - {p}");
        }
        bail!(s)
    }
}
