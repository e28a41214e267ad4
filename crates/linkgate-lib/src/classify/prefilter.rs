//! Most pages are ordinary pages, and building a page's DOM is the largest single cost of
//! classifying one (about 0.7 ms for a 40 KB page, more than fetching it). A condition on a
//! page's title, visible text or elements can only hold when the characters it looks for are
//! somewhere in the page's source, so checking for those characters first rules most
//! signatures out without a parse.
//!
//! The check must never rule out a page that would match, so it is about characters, not
//! words: markup may split a word (`已停<b>止</b>`), whitespace is collapsed, and character
//! references spell characters the source does not contain. Only characters that no named
//! character reference produces are checked (ASCII letters and digits but `f` and `j`, which
//! `&fjlig;` spells, and the CJK blocks U+2E80–U+FAFF); numeric references (`&#x505C;`) are
//! decoded and count as present.

use regex_syntax::hir::literal::{ExtractKind, Extractor};

use super::signature::{Matcher, Place};

/// What a condition needs in the source: the characters of at least one alternative.
/// `Needs::default()` (no alternatives known) rules nothing out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needs {
    /// Each alternative is a list of characters that must all be present; `None`: no filter.
    alternatives: Option<Vec<Vec<char>>>,
}

impl Needs {
    /// What `matcher` at `place` needs; only places read from a parsed page get a filter.
    pub fn of(place: &Place, matcher: Option<&Matcher>) -> Needs {
        let parsed = matches!(
            place,
            Place::Title
                | Place::Text
                | Place::Selector(_)
                | Place::Script
                | Place::NoScript
                | Place::AnyText
        );
        let literals = match matcher {
            Some(Matcher::Exact(p) | Matcher::Prefix(p) | Matcher::Contains(p)) if parsed => {
                Some(vec![p.clone()])
            }
            Some(Matcher::Regex(re)) if parsed => prefix_literals(re.as_str()),
            _ => None,
        };
        let alternatives = literals.map(|literals| {
            literals
                .iter()
                .map(|literal| checkable_chars(literal))
                .collect::<Vec<_>>()
        });
        // An alternative with nothing to check could be anywhere: no filter at all.
        match alternatives {
            Some(alts) if !alts.is_empty() && alts.iter().all(|a| !a.is_empty()) => Needs {
                alternatives: Some(alts),
            },
            _ => Needs::default(),
        }
    }

    /// Whether `source` (with the characters its numeric references spell) could hold what
    /// is needed; `false` means the condition cannot hold on this page.
    pub fn met_by(&self, source: &str, spelled: &[char]) -> bool {
        let Some(alternatives) = &self.alternatives else {
            return true;
        };
        alternatives.iter().any(|chars| {
            chars
                .iter()
                .all(|c| spelled.contains(c) || source.contains(*c))
        })
    }
}

/// Literals one of which every match of `pattern` starts with; `None` when there is no such
/// finite set (`.{0,8}…`) or the pattern cannot be read.
fn prefix_literals(pattern: &str) -> Option<Vec<String>> {
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    let seq = Extractor::new().kind(ExtractKind::Prefix).extract(&hir);
    let literals = seq.literals()?;
    Some(
        literals
            .iter()
            .map(|l| String::from_utf8_lossy(l.as_bytes()).into_owned())
            .collect(),
    )
}

/// The characters of `literal` worth looking for, each once.
fn checkable_chars(literal: &str) -> Vec<char> {
    let mut chars: Vec<char> = literal.chars().filter(|c| checkable(*c)).collect();
    chars.sort_unstable();
    chars.dedup();
    chars
}

/// A character that no named character reference produces (see the module documentation).
fn checkable(c: char) -> bool {
    (c.is_ascii_alphanumeric() && c != 'f' && c != 'j') || ('\u{2E80}'..='\u{FAFF}').contains(&c)
}

/// The characters that numeric character references in `source` spell (`&#38;`, `&#x5DF2`),
/// as an HTML parser decodes them, semicolon or not.
pub fn spelled_by_references(source: &str) -> Vec<char> {
    let mut spelled = Vec::new();
    for (at, _) in source.match_indices("&#") {
        let rest = &source[at + 2..];
        let (digits, radix) = match rest.strip_prefix(['x', 'X']) {
            Some(hex) => (hex, 16),
            None => (rest, 10),
        };
        let end = digits
            .find(|c: char| !c.is_digit(radix))
            .unwrap_or(digits.len());
        // Longer than any code point: the parser reads U+FFFD, which is not checked.
        let digits = digits[..end].trim_start_matches('0');
        let value = (digits.len() <= 8)
            .then(|| u32::from_str_radix(digits, radix).ok())
            .flatten();
        if let Some(c) = value
            .and_then(char::from_u32)
            .filter(|c| checkable(*c) && !spelled.contains(c))
        {
            spelled.push(c);
        }
    }
    spelled
}

/// The characters that JavaScript escapes in `source` spell (`\u5df2`, `\u{5DF2}`, `\x41`):
/// script literals may write every character of a message that way.
pub fn spelled_by_escapes(source: &str) -> Vec<char> {
    let mut spelled = Vec::new();
    for (at, _) in source.match_indices('\\') {
        let rest = &source[at + 1..];
        let (digits, radix_len) = match rest.as_bytes().first() {
            Some(b'u') if rest[1..].starts_with('{') => {
                let inner = &rest[2..];
                (inner.split('}').next().unwrap_or(""), 8)
            }
            Some(b'u') => (rest.get(1..5).unwrap_or(""), 4),
            Some(b'x') => (rest.get(1..3).unwrap_or(""), 2),
            _ => continue,
        };
        if digits.is_empty() || digits.len() > radix_len {
            continue;
        }
        if let Some(c) = u32::from_str_radix(digits, 16)
            .ok()
            .and_then(char::from_u32)
            .filter(|c| checkable(*c) && !spelled.contains(c))
        {
            spelled.push(c);
        }
    }
    spelled
}

#[cfg(test)]
mod tests {
    use regex::Regex;

    use super::*;

    fn needs(place: Place, matcher: Matcher) -> Needs {
        Needs::of(&place, Some(&matcher))
    }

    #[test]
    fn text_conditions_need_their_characters_anywhere_in_the_source() {
        let n = needs(Place::Text, Matcher::Contains("已停止访问".into()));
        assert!(n.met_by("<p>已停<b>止</b>访问</p>", &[]));
        assert!(n.met_by("<p>访问已停止</p>", &[]), "order is not checked");
        assert!(!n.met_by("<p>已停止</p>", &[]));
        let spelled = spelled_by_references("<p>已停止&#x8BBF;&#38382</p>");
        assert!(n.met_by("<p>已停止&#x8BBF;&#38382</p>", &spelled));
    }

    #[test]
    fn regexes_need_one_of_their_prefixes() {
        let re = Regex::new("(打开|去|前往).{0,8}(App|客户端)").unwrap();
        let n = needs(Place::Text, Matcher::Regex(re));
        assert!(n.met_by("<a>前往</a>", &[]));
        assert!(n.met_by("去", &[]));
        assert!(!n.met_by("<a>下载</a>", &[]));
        let open_start = Regex::new("^.{0,8}请在App中打开").unwrap();
        assert_eq!(
            needs(Place::Text, Matcher::Regex(open_start)),
            Needs::default()
        );
    }

    #[test]
    fn response_places_and_unreadable_characters_get_no_filter() {
        let body = needs(Place::Body, Matcher::Contains("已停止".into()));
        assert_eq!(body, Needs::default());
        // `&copy;` and `&fjlig;` spell these: they cannot be looked for in the source.
        let named = needs(Place::Title, Matcher::Contains("© fj".into()));
        assert_eq!(named, Needs::default());
        let mixed = needs(Place::Title, Matcher::Contains("fj 微信".into()));
        assert!(mixed.met_by("<title>&fjlig; 微&#x4FE1;</title>", &['信']));
        assert!(!mixed.met_by("<title>&fjlig; 微</title>", &[]));
    }

    #[test]
    fn numeric_references_are_decoded_with_or_without_semicolons() {
        let spelled = spelled_by_references(
            "&#24050; &#x505c &#X6B62;x &#; &#x; &#99999999999 &#x0000000000008BBF;",
        );
        assert_eq!(spelled, vec!['已', '停', '止', '访']);
    }
}
