//! Checks on single values that several tables share: id characters, http(s) URLs, regexes
//! and CSS selectors. Each compiles or parses the value once and reports why it cannot,
//! in the words of the library that refused it.

use std::sync::Arc;

use regex::Regex;

use super::fields::{Fields, Str};

/// Which characters an id may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum IdRule {
    /// `[a-z0-9_]+`: platforms and owner groups, which are joined into other ids.
    Word,
    /// `[a-z0-9_.-]+`: links, signatures, audits and neutral contexts.
    Dotted,
}

impl IdRule {
    fn allows(self, c: char) -> bool {
        c.is_ascii_lowercase()
            || c.is_ascii_digit()
            || c == '_'
            || (self == IdRule::Dotted && (c == '.' || c == '-'))
    }

    fn describe(self) -> &'static str {
        match self {
            IdRule::Word => "lowercase letters a-z, digits 0-9 and `_` (e.g. `wechat`)",
            IdRule::Dotted => {
                "lowercase letters a-z, digits 0-9, `_`, `.` and `-` (e.g. `taobao.item.share`)"
            }
        }
    }
}

/// Whether `s` is a well-formed id; reports the first character that is not.
pub(super) fn check_id(fields: &Fields<'_, '_>, key: &str, s: &Str<'_>, rule: IdRule) -> bool {
    match s.text.chars().find(|c| !rule.allows(*c)) {
        None => true,
        Some(bad) => {
            fields.error(
                s.at.span.clone(),
                format!(
                    "`{key}` `{}` in {} has a character that is not allowed: {}",
                    s.text,
                    fields.what(),
                    describe_char(bad)
                ),
                Some(format!("use only {}", rule.describe())),
            );
            false
        }
    }
}

fn describe_char(c: char) -> String {
    match c {
        ' ' => "a space".to_string(),
        c if c.is_uppercase() => format!("`{c}` (ids are lowercase)"),
        c => format!("`{c}`"),
    }
}

/// Whether `text` is an absolute http(s) URL with a host; the reason when it is not.
pub(super) fn http_url_problem(text: &str) -> Option<String> {
    match url::Url::parse(text) {
        Err(e) => Some(e.to_string()),
        Ok(u) if u.scheme() != "http" && u.scheme() != "https" => {
            Some(format!("the scheme is `{}`, not http or https", u.scheme()))
        }
        Ok(u) if u.host_str().is_none_or(str::is_empty) => Some("it has no host".to_string()),
        Ok(_) => None,
    }
}

/// Whether `s` is an absolute http(s) URL; reports why not.
pub(super) fn check_http_url(fields: &Fields<'_, '_>, key: &str, s: &Str<'_>) -> bool {
    match http_url_problem(s.text) {
        None => true,
        Some(why) => {
            fields.error(
                s.at.span.clone(),
                format!("`{key}` in {} is not an http(s) URL: {why}", fields.what()),
                Some("write a full URL, e.g. \"https://m.tb.cn/h.fkR7c2\"".to_string()),
            );
            false
        }
    }
}

/// Compiles `s` as a regex; reports the regex library's reason when it does not compile.
pub(super) fn compile_regex(fields: &Fields<'_, '_>, key: &str, s: &Str<'_>) -> Option<Arc<Regex>> {
    match compile_shared(s.text) {
        Ok(re) => Some(re),
        Err(e) => {
            fields.error(
                s.at.span.clone(),
                format!(
                    "`{key}` in {} does not compile: {}",
                    fields.what(),
                    last_line(&e.to_string())
                ),
                Some(
                    "regex syntax is Rust's `regex` crate (no look-around or backreferences); \
                     in a TOML 'literal string' backslashes need no doubling"
                        .to_string(),
                ),
            );
            None
        }
    }
}

/// Most distinct patterns this thread keeps compiled; past it the cache starts over.
const SHARED_REGEXES: usize = 4096;

thread_local! {
    static COMPILED: std::cell::RefCell<std::collections::HashMap<String, Arc<Regex>>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// Compiles a pattern once per thread: links of one site share their landing pattern, and a
/// compiled regex costs about 15 KB and half a millisecond, which for 100,000 links was most
/// of loading the catalog and of a run's memory. They share an `Arc`, not a `Regex` clone: a
/// clone shares the program but gets its own match-cache pool, 1.4 KB each (146 MB of the
/// 385 MB peak of loading 100,000 links).
fn compile_shared(pattern: &str) -> Result<Arc<Regex>, regex::Error> {
    if let Some(re) = COMPILED.with(|c| c.borrow().get(pattern).cloned()) {
        return Ok(re);
    }
    let re = Arc::new(Regex::new(pattern)?);
    COMPILED.with(|c| {
        let mut compiled = c.borrow_mut();
        if compiled.len() >= SHARED_REGEXES {
            compiled.clear();
        }
        compiled.insert(pattern.to_string(), Arc::clone(&re));
    });
    Ok(re)
}

/// Compiles `s` as a CSS selector; reports why it does not.
pub(super) fn compile_selector(fields: &Fields<'_, '_>, s: &Str<'_>) -> Option<scraper::Selector> {
    match scraper::Selector::parse(s.text) {
        Ok(selector) => Some(selector),
        Err(e) => {
            use scraper::error::SelectorErrorKind as E;
            let why = match e {
                E::EndOfLine => "it ends too early".to_string(),
                E::UnexpectedToken => "unexpected token".to_string(),
                // Named after the `selectors` crate's variant, e.g. "unsupported pseudo class
                // or element" for `:contains()`.
                E::UnexpectedSelectorParseError(kind) => words(&format!("{kind:?}")),
                other => other.to_string().to_lowercase(),
            };
            fields.error(
                s.at.span.clone(),
                format!(
                    "CSS selector `{}` in {} does not compile: {why}",
                    s.text,
                    fields.what()
                ),
                Some(
                    "use standard CSS selectors such as `div.wrap > p.desc` or `#id`; \
                     match text with `contains` instead of `:contains()`"
                        .to_string(),
                ),
            );
            None
        }
    }
}

/// `UnsupportedPseudoClassOrElement("x")` → `unsupported pseudo class or element ("x")`.
fn words(debug: &str) -> String {
    let (name, rest) = debug.split_at(debug.find('(').unwrap_or(debug.len()));
    let mut out = String::new();
    for c in name.chars() {
        if c.is_uppercase() && !out.is_empty() {
            out.push(' ');
        }
        out.extend(c.to_lowercase());
    }
    if !rest.is_empty() {
        out.push(' ');
        out.push_str(rest);
    }
    out
}

/// The regex crate explains over several lines (pattern, caret, reason); the reason is last.
fn last_line(message: &str) -> String {
    message
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or(message)
        .trim_start_matches("error: ")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_urls_need_a_scheme_and_a_host() {
        assert_eq!(http_url_problem("https://m.tb.cn/h.x"), None);
        assert!(http_url_problem("m.tb.cn/h.x").is_some());
        assert_eq!(
            http_url_problem("ftp://m.tb.cn/x").as_deref(),
            Some("the scheme is `ftp`, not http or https")
        );
    }

    #[test]
    fn regex_errors_keep_only_the_reason() {
        // Built at run time so the lint that checks literal regexes lets the test compile.
        let pattern = ["(", "abc"].concat();
        let e = Regex::new(&pattern).unwrap_err().to_string();
        assert_eq!(last_line(&e), "unclosed group");
    }

    #[test]
    fn debug_names_become_words() {
        assert_eq!(words("EmptySelector"), "empty selector");
        assert_eq!(words("BadValue(\"x\")"), "bad value (\"x\")");
    }

    #[test]
    fn id_rules_differ_on_dots_and_dashes() {
        assert!(IdRule::Dotted.allows('.') && IdRule::Dotted.allows('-'));
        assert!(!IdRule::Word.allows('.') && !IdRule::Word.allows('A'));
    }
}
