//! The text a page keeps in its scripts and `<noscript>`: many pages draw their message from
//! a template string or a JSON object (`var cgiData = {"title": "已停止访问该网页"}`), with a
//! `<noscript>` copy or none. Signatures can look there (`in = "script"`, `"noscript"`,
//! `"any_text"`). Each string and template literal of every inline script is read with its
//! escapes undone (`\u5df2`, `\x26`, `\/`); literals holding markup or character references
//! are read as HTML, so `'<p>请长按网址<br>复制</p>'` gives its text. Script elements that are
//! templates (`type="text/html"`, `"text/template"`, …) and `<template>` elements count as
//! one piece of markup each.

use scraper::{ElementRef, Html, Node, Selector};

use super::text::normalize;

/// Inline script literals and `<noscript>` texts of a page, normalised (see `text`).
#[derive(Debug, Default, Clone)]
pub struct ScriptText {
    pub literals: Vec<String>,
    pub noscript: Vec<String>,
}

impl ScriptText {
    pub fn of(doc: &Html) -> ScriptText {
        let selector = Selector::parse("script, noscript, template").expect("valid selector");
        let mut out = ScriptText::default();
        for el in doc.select(&selector) {
            let value = el.value();
            let raw: String = el.text().collect();
            match value.name() {
                "noscript" => out.noscript.push(markup_text(&raw)),
                "template" => out.literals.push(template_text(el)),
                _ if value.attr("src").is_some() => {}
                _ if crate::script::is_javascript(value.attr("type")) => out
                    .literals
                    .extend(literals(&raw).iter().map(|l| markup_text(l))),
                _ => out.literals.push(markup_text(&raw)),
            }
        }
        out.literals.retain(|l| !l.is_empty());
        out.noscript.retain(|l| !l.is_empty());
        out
    }
}

fn template_text(el: ElementRef<'_>) -> String {
    let mut text = String::new();
    for node in el.descendants() {
        if let Node::Text(t) = node.value() {
            text.push_str(t);
            text.push(' ');
        }
    }
    normalize(&text)
}

/// A literal's text: markup and character references read as HTML, then normalised.
fn markup_text(value: &str) -> String {
    if !value.contains(['<', '&']) {
        return normalize(value);
    }
    // Bounded like every page read: a literal is page content too.
    let fragment = crate::html::parse_page(value, &crate::html::ParseLimits::PAGE).html;
    let mut text = String::new();
    for node in fragment.root_element().descendants() {
        match node.value() {
            Node::Text(t) => text.push_str(t),
            Node::Element(e)
                if !matches!(
                    e.name(),
                    "b" | "i" | "em" | "strong" | "span" | "a" | "font" | "u" | "small"
                ) =>
            {
                text.push(' ')
            }
            _ => {}
        }
    }
    normalize(&text)
}

/// The values of the string and template literals of `source`, in order, escapes undone.
/// Comments and regular-expression literals are skipped; a template's `${…}` parts are
/// left out (each becomes a space), since their value is only known when the script runs.
pub fn literals(source: &str) -> Vec<String> {
    let chars: Vec<char> = source.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    // The last significant character before `/`, to tell a regex from a division.
    let mut last = '\0';
    while i < chars.len() {
        let c = chars[i];
        match c {
            '/' if chars.get(i + 1) == Some(&'/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if chars.get(i + 1) == Some(&'*') => {
                i += 2;
                while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                    i += 1;
                }
                i += 2;
            }
            '/' if last == '\0' || "(,=:[!&|?{};+-*%<>~^".contains(last) => {
                i = skip_regex(&chars, i + 1);
                last = 'r';
            }
            '\'' | '"' => {
                let (value, next) = string(&chars, i + 1, c);
                out.push(value);
                i = next;
                last = 's';
            }
            '`' => {
                let (value, next) = template(&chars, i + 1);
                out.push(value);
                i = next;
                last = 's';
            }
            _ => {
                if !c.is_whitespace() {
                    last = c;
                }
                i += 1;
            }
        }
    }
    out
}

fn skip_regex(chars: &[char], mut i: usize) -> usize {
    let mut class = false;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 1,
            '[' => class = true,
            ']' => class = false,
            '/' if !class => return i + 1,
            '\n' => return i,
            _ => {}
        }
        i += 1;
    }
    i
}

/// A quoted string from `i` (after the quote): its value and where it ends.
fn string(chars: &[char], mut i: usize, quote: char) -> (String, usize) {
    let start = i;
    while i < chars.len() && chars[i] != quote && chars[i] != '\n' {
        if chars[i] == '\\' {
            i += 1;
        }
        i += 1;
    }
    let end = i.min(chars.len());
    let raw: String = chars[start..end].iter().collect();
    (unescape(&raw), i + 1)
}

/// A template literal from `i` (after the backquote): its static text, `${…}` as spaces.
fn template(chars: &[char], mut i: usize) -> (String, usize) {
    let mut raw = String::new();
    while i < chars.len() && chars[i] != '`' {
        match chars[i] {
            '\\' => {
                raw.push('\\');
                if let Some(&n) = chars.get(i + 1) {
                    raw.push(n);
                }
                i += 2;
            }
            '$' if chars.get(i + 1) == Some(&'{') => {
                let mut depth = 0usize;
                while i < chars.len() {
                    match chars[i] {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                raw.push(' ');
                i += 1;
            }
            c => {
                raw.push(c);
                i += 1;
            }
        }
    }
    (unescape(&raw), i + 1)
}

/// The value of a string literal's body: `\/`, `\'`, `\"`, `\\`, `\n`, `\t`, `\xHH`,
/// `\uHHHH` and `\u{H…}` decoded; an unknown escape stands for its character, as in JS.
pub fn unescape(literal: &str) -> String {
    let mut out = String::with_capacity(literal.len());
    let mut chars = literal.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = chars.next() else { break };
        match e {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            '\n' => {}
            'x' => push_hex(&mut out, &mut chars, 2, e),
            'u' => {
                let rest = chars.as_str();
                if let Some(braced) = rest.strip_prefix('{')
                    && let Some(end) = braced.find('}')
                    && let Some(ch) = u32::from_str_radix(&braced[..end], 16)
                        .ok()
                        .and_then(char::from_u32)
                {
                    out.push(ch);
                    chars = braced[end + 1..].chars();
                } else {
                    push_hex(&mut out, &mut chars, 4, e);
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// Decodes `digits` hex digits after `\x`/`\u`; if they are not hex, keeps the letter.
fn push_hex(out: &mut String, chars: &mut std::str::Chars<'_>, digits: usize, letter: char) {
    let rest = chars.as_str();
    let decoded = rest
        .get(..digits)
        .and_then(|hex| u32::from_str_radix(hex, 16).ok())
        .and_then(char::from_u32);
    match decoded {
        Some(ch) => {
            out.push(ch);
            *chars = rest[digits..].chars();
        }
        None => out.push(letter),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_templates_are_read_and_comments_and_regexes_skipped() {
        let js = r#"var a = 'it\'s'; // 'no'
            /* "no" */ var b = "\u5df2\u505c\u6b62" + x / 2 + '/'; var r = /'[a-z]'/g;
            var t = `<p>${title}</p>请长按网址`;"#;
        assert_eq!(literals(js), ["it's", "已停止", "/", "<p> </p>请长按网址"]);
    }

    #[test]
    fn literal_escapes_decode() {
        assert_eq!(
            unescape(r"https:\/\/a.test\/p?x=1\x26y=\u0032\u{41}\'"),
            "https://a.test/p?x=1&y=2A'"
        );
        assert_eq!(unescape(r"\xZZ\u12"), "xZZu12");
    }

    #[test]
    fn markup_in_literals_templates_and_noscript_is_read_as_text() {
        let doc = Html::parse_document(
            "<script>var tpl = '<p class=\"desc\">如需浏览，请长按网址<br>复制后使用浏览器访问</p>';\
             var e = '&#x5DF2;停止访问';</script>\
             <script type='text/html'><h2>已停止<b>访问</b>\n该网页</h2></script>\
             <noscript><p>如需浏览，\n请长按网址复制后使用浏览器访问</p></noscript>\
             <script src='x.js'>'ignored'</script>",
        );
        let text = ScriptText::of(&doc);
        assert_eq!(
            text.literals,
            [
                "如需浏览，请长按网址复制后使用浏览器访问",
                "已停止访问",
                "已停止访问该网页"
            ]
        );
        assert_eq!(text.noscript, ["如需浏览，请长按网址复制后使用浏览器访问"]);
    }
}
