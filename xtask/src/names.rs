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

/// The first of `candidates` (the most natural first) that is not `taken`,
/// where `taken` is asked about the Rust name (typify's [`sanitize`]):
/// `Page_Item_` and `PageItem` are the same type to it. A name never gets
/// a number (`ErrorBody2` says nothing); when every candidate is taken,
/// the last one grows `Schema` until it is free, which no spec has needed.
pub fn name_by_meaning<S: AsRef<str>>(candidates: &[S], taken: impl Fn(&str) -> bool) -> String {
    let free = |n: &str| !n.is_empty() && !taken(n);
    if let Some(name) = candidates.iter().map(AsRef::as_ref).find(|n| free(n)) {
        return name.to_string();
    }
    let mut name = candidates
        .last()
        .map(|n| n.as_ref().to_string())
        .unwrap_or_default();
    while !free(&name) {
        name.push_str("Schema");
    }
    name
}

/// What a person calls the answer with this status: `Created` for 201,
/// `NotFound` for 404; a status without a common name is `Status{code}`.
pub fn status_name(code: &str) -> String {
    let name = match code {
        "200" => "Ok",
        "201" => "Created",
        "202" => "Accepted",
        "203" => "NonAuthoritative",
        "204" => "NoContent",
        "206" => "PartialContent",
        "400" => "BadRequest",
        "401" => "Unauthorized",
        "402" => "PaymentRequired",
        "403" => "Forbidden",
        "404" => "NotFound",
        "405" => "MethodNotAllowed",
        "409" => "Conflict",
        "410" => "Gone",
        "413" => "PayloadTooLarge",
        "415" => "UnsupportedMediaType",
        "422" => "Unprocessable",
        "429" => "TooManyRequests",
        "500" => "InternalError",
        "501" => "NotImplemented",
        "502" => "BadGateway",
        "503" => "Unavailable",
        "504" => "GatewayTimeout",
        "4XX" | "4xx" => "ClientError",
        "5XX" | "5xx" => "ServerError",
        "default" => "Default",
        other => return format!("Status{other}"),
    };
    name.to_string()
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
    use super::{name_by_meaning, sanitize, status_name};

    #[test]
    fn a_taken_name_gives_way_to_the_next_meaning_never_a_number() {
        let taken = ["ErrorBody", "ShopErrorBody"];
        let is_taken = |n: &str| taken.contains(&n);
        assert_eq!(
            name_by_meaning(&["ErrorBody", "ShopErrorBody", "AnyErrorBody"], is_taken),
            "AnyErrorBody"
        );
        assert_eq!(name_by_meaning(&["ErrorBody"], is_taken), "ErrorBodySchema");
        assert_eq!(name_by_meaning(&["Free"], is_taken), "Free");
    }

    #[test]
    fn statuses_are_named_as_people_say_them() {
        assert_eq!(status_name("201"), "Created");
        assert_eq!(status_name("404"), "NotFound");
        assert_eq!(status_name("5XX"), "ServerError");
        assert_eq!(status_name("299"), "Status299");
    }

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
