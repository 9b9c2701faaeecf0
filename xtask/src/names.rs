//! Naming rules: how the xtask names what it adds to the spec, and how
//! typify names what it generates (the emitters must name the same items).

use heck::{ToPascalCase, ToSnakeCase};

/// `snake_case`, `kebab-case`, `Title Case` or `camelCase` -> `PascalCase`.
pub fn pascal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut upper = true;
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            if upper {
                out.extend(c.to_uppercase());
            } else {
                out.push(c);
            }
            upper = false;
        } else {
            upper = true;
        }
    }
    out
}

/// `wanted`, or `wanted2`, `wanted3`, ... : the first name not `taken`.
pub fn unused_name(wanted: &str, taken: impl Fn(&str) -> bool) -> String {
    if !taken(wanted) {
        return wanted.to_string();
    }
    (2..)
        .map(|i| format!("{wanted}{i}"))
        .find(|n| !taken(n))
        .expect("an unused name exists")
}

/// typify's identifier rule (`typify_impl::util::sanitize`): the case
/// conversion, then a trailing `_` on a keyword (`type` -> `type_`).
pub fn sanitize(name: &str, pascal: bool) -> String {
    let cleaned: String = name
        .replace('\'', "")
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let mut out = if pascal {
        cleaned.to_pascal_case()
    } else {
        cleaned.to_snake_case()
    };
    if out.is_empty() || !out.starts_with(|c: char| c.is_alphabetic() || c == '_') {
        out = format!("{}{out}", if pascal { "X" } else { "x" });
    }
    if KEYWORDS.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

const KEYWORDS: &[&str] = &[
    "_", "abstract", "as", "async", "await", "become", "box", "break", "const", "continue",
    "crate", "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if",
    "impl", "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub",
    "ref", "return", "Self", "self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[test]
    fn names_follow_typify() {
        assert_eq!(sanitize("StandardAPIError", true), "StandardApiError");
        assert_eq!(sanitize("getVideo", false), "get_video");
        assert_eq!(sanitize("Idempotency-Key", false), "idempotency_key");
        assert_eq!(sanitize("type", false), "type_");
        assert_eq!(
            sanitize("listVideoAgentSessions", true),
            "ListVideoAgentSessions"
        );
    }
}
