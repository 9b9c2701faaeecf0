//! What a spec change does to users' Rust code: operations, parameters,
//! fields and enum values added, removed or changed, each marked breaking
//! or compatible for a caller. Both sides are compared after normalization,
//! i.e. as the generated code sees them.

mod operations;
mod schemas;

use std::collections::BTreeSet;
use std::fmt;

use serde_json::Value;

use self::operations::compare_operations;
use self::schemas::compare_components;

/// One change.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    /// Would code written against the old client stop compiling or behave
    /// differently?
    pub breaking: bool,
    /// What changed, naming the operation, type and field.
    pub what: String,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let class = if self.breaking {
            "breaking  "
        } else {
            "compatible"
        };
        write!(f, "{class} {}", self.what)
    }
}

/// Which way a schema travels.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Direction {
    request: bool,
    response: bool,
}

impl Direction {
    fn label(self) -> &'static str {
        match (self.request, self.response) {
            (true, true) => "request and response",
            (true, false) => "request",
            (false, true) => "response",
            (false, false) => "unused",
        }
    }
}

/// Compares two normalized documents. `open` names the enums generated
/// open in the new client (a value added to them breaks nobody).
pub fn compare(old: &Value, new: &Value, open: &BTreeSet<String>) -> Vec<Change> {
    let mut out = Vec::new();
    compare_operations(old, new, &mut out);
    compare_components(old, new, open, &mut out);
    out.sort();
    out.dedup();
    out
}

fn push(out: &mut Vec<Change>, breaking: bool, what: String) {
    out.push(Change { breaking, what });
}

/// The report as printed.
pub fn render(changes: &[Change], against: &str) -> String {
    if changes.is_empty() {
        return format!("spec changes since {against}: none that affect the generated code\n");
    }
    let breaking = changes.iter().filter(|c| c.breaking).count();
    let mut s = format!("spec changes since {against}:\n");
    // Breaking first: they decide the version bump.
    for c in changes.iter().filter(|c| c.breaking) {
        s.push_str(&format!("  {c}\n"));
    }
    for c in changes.iter().filter(|c| !c.breaking) {
        s.push_str(&format!("  {c}\n"));
    }
    s.push_str(&format!(
        "{breaking} breaking, {} compatible{}\n",
        changes.len() - breaking,
        if breaking > 0 {
            ": the next release of heygen-api (and heygen-api-ext) needs a breaking version bump"
        } else {
            ""
        }
    ));
    s
}

#[cfg(test)]
mod tests;
