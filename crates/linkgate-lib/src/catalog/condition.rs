//! Reads one condition of a signature's `when`: where to look (`in`) and exactly one way to
//! compare (`exact`, `prefix`, `contains`, `regex`), with `header` and `selector` only where
//! they mean something. A condition that could be read two ways is refused, not guessed.

use toml::de::{DeTable, DeValue};

use crate::classify::{Condition, Matcher, Place, SelectorPlace};

use super::checks::{compile_regex, compile_selector};
use super::fields::{Fields, Str};
use super::problems::{Loc, Problems};

const KEYS: &[&str] = &[
    "in", "exact", "prefix", "contains", "regex", "header", "selector", "key",
];
const MATCHERS: &[&str] = &["exact", "prefix", "contains", "regex"];
pub(super) const PLACES: &[&str] = &[
    "hop_url",
    "final_url",
    "status",
    "header",
    "title",
    "text",
    "selector",
    "body",
    "script",
    "noscript",
    "any_text",
    "json",
];

/// The place before its header name or selector is attached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Where {
    HopUrl,
    FinalUrl,
    Status,
    Header,
    Title,
    Text,
    Selector,
    Body,
    Script,
    NoScript,
    AnyText,
    Json,
}

fn parse_where(word: &str) -> Option<Where> {
    Some(match word {
        "hop_url" => Where::HopUrl,
        "final_url" => Where::FinalUrl,
        "status" => Where::Status,
        "header" => Where::Header,
        "title" => Where::Title,
        "text" => Where::Text,
        "selector" => Where::Selector,
        "body" => Where::Body,
        "script" => Where::Script,
        "noscript" => Where::NoScript,
        "any_text" => Where::AnyText,
        "json" => Where::Json,
        _ => return None,
    })
}

/// Reads the condition table at `at`; `what` names it ("condition 2 of signature `x`").
pub(super) fn read(
    table: &DeTable<'_>,
    at: Loc,
    what: String,
    problems: &Problems,
) -> Option<Condition> {
    let f = Fields::new(table, at, what, KEYS, problems);
    let place = f
        .required_string("in", "\"text\"")
        .and_then(|s| f.choice("place", &s, PLACES, parse_where));
    let header = only_with(&f, "header", place, Where::Header, "\"Location\"");
    let selector = only_with(
        &f,
        "selector",
        place,
        Where::Selector,
        "\".weui-msg__title\"",
    )
    .and_then(|s| compile_selector(&f, &s).map(|compiled| (s, compiled)));
    let key =
        only_with(&f, "key", place, Where::Json, "\"cgiData.title\"").filter(|k| check_key(&f, k));
    let matcher = read_matcher(&f, place);
    let place = match place? {
        Where::HopUrl => Place::HopUrl,
        Where::FinalUrl => Place::FinalUrl,
        Where::Status => Place::Status,
        Where::Header => Place::Header(header?.text.to_string()),
        Where::Title => Place::Title,
        Where::Text => Place::Text,
        Where::Selector => {
            let (source, selector) = selector?;
            Place::Selector(SelectorPlace {
                source: source.text.to_string(),
                selector,
            })
        }
        Where::Body => Place::Body,
        Where::Script => Place::Script,
        Where::NoScript => Place::NoScript,
        Where::AnyText => Place::AnyText,
        Where::Json => Place::Json(key?.text.to_string()),
    };
    Some(Condition::new(place, matcher?))
}

/// A JSON key path: the object's name, then keys or indexes, separated by dots.
fn check_key(f: &Fields<'_, '_>, key: &Str<'_>) -> bool {
    let ok = key.text.split('.').count() >= 2
        && key.text.split('.').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
        });
    if !ok {
        f.error(
            key.at.span.clone(),
            format!("`key` `{}` in {} is not a key path", key.text, f.what()),
            Some(
                "write the object's variable name, then its keys or array indexes, separated \
                 by dots: `cgiData.title`, `cgiData.btns.0.name`"
                    .to_string(),
            ),
        );
    }
    ok
}

/// `key` (header name, selector or JSON key path) is required with `place == wanted` and refused otherwise.
fn only_with<'a>(
    f: &Fields<'a, '_>,
    key: &str,
    place: Option<Where>,
    wanted: Where,
    example: &str,
) -> Option<Str<'a>> {
    match place {
        Some(p) if p == wanted => f.required_string(key, example),
        Some(_) => {
            if let Some(span) = f.key_span(key) {
                let word = match wanted {
                    Where::Json => "json",
                    _ => key,
                };
                f.error(
                    span,
                    format!("`{key}` in {} only applies to `in = \"{word}\"`", f.what()),
                    Some(format!("remove `{key}`, or set `in = \"{word}\"`")),
                );
            }
            None
        }
        None => None,
    }
}

/// Exactly one matcher, or none for a bare selector. `Some(None)` is "no matcher, and fine".
fn read_matcher(f: &Fields<'_, '_>, place: Option<Where>) -> Option<Option<Matcher>> {
    let present: Vec<&str> = MATCHERS
        .iter()
        .copied()
        .filter(|k| f.get(k).is_some())
        .collect();
    match present.as_slice() {
        [] if place == Some(Where::Selector) => Some(None),
        // The unknown-key problem already says "did you mean `contains`?".
        [] if f.misspelt_any(MATCHERS) => None,
        [] => {
            f.error(
                f.at().span.clone(),
                format!("{} has no matcher", f.what()),
                Some(
                    "add exactly one of `exact`, `prefix`, `contains` or `regex`, \
                     e.g. `contains = \"已停止访问该网页\"`"
                        .to_string(),
                ),
            );
            None
        }
        [key] => {
            let s = matcher_text(f, key, place)?;
            Some(Some(match *key {
                "exact" => Matcher::Exact(s.text.to_string()),
                "prefix" => Matcher::Prefix(s.text.to_string()),
                "contains" => Matcher::Contains(s.text.to_string()),
                // A signature owns its regex: there are a few dozen, not one per link.
                _ => Matcher::Regex(regex::Regex::clone(&*compile_regex(f, key, &s)?)),
            }))
        }
        [first, rest @ ..] => {
            for key in rest {
                let span = f.key_span(key).unwrap_or_else(|| f.at().span.clone());
                f.error(
                    span,
                    format!("{} has two matchers, `{first}` and `{key}`", f.what()),
                    Some(
                        "keep exactly one; to require both, write two conditions \
                         (all conditions of a signature must hold)"
                            .to_string(),
                    ),
                );
            }
            None
        }
    }
}

/// A matcher's pattern; for `in = "status"` a bare number is taken as its decimal text.
fn matcher_text<'a>(f: &Fields<'a, '_>, key: &str, place: Option<Where>) -> Option<Str<'a>> {
    let value = f.get(key)?;
    if place == Some(Where::Status)
        && let DeValue::Integer(n) = value.get_ref()
        && n.radix() == 10
    {
        return Some(Str {
            text: n.as_str(),
            at: f.at().with(value.span()),
        });
    }
    f.required_string(key, "\"…\"")
}
