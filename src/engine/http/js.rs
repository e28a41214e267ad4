//! The two bits of JavaScript lexing the script-redirect finder needs, and no more: dropping
//! comments (so a commented-out redirect is not followed) and undoing the escapes of a string
//! literal (`https:\/\/…`, `\x26`, `\u0026`), which share pages use to embed URLs.

/// `source` without `//` and `/* */` comments; string and template literals are kept intact,
/// so `'https://…'` is not mistaken for a comment.
pub(crate) fn strip_comments(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut chars = source.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            out.push(c);
            if c == '\\' {
                if let Some(escaped) = chars.next() {
                    out.push(escaped);
                }
            } else if c == q || (c == '\n' && q != '`') {
                quote = None;
            }
            continue;
        }
        match (c, chars.peek()) {
            ('/', Some('/')) => {
                for skipped in chars.by_ref() {
                    if skipped == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            ('/', Some('*')) => {
                chars.next();
                let mut previous = '\0';
                for skipped in chars.by_ref() {
                    if previous == '*' && skipped == '/' {
                        break;
                    }
                    previous = skipped;
                }
                out.push(' ');
            }
            ('\'' | '"' | '`', _) => {
                quote = Some(c);
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// The value of a string literal's body: `\/`, `\'`, `\"`, `\\`, `\n`, `\t`, `\xHH`,
/// `\uHHHH` and `\u{H…}` decoded; an unknown escape stands for its character, as in JS.
pub(crate) fn unescape(literal: &str) -> String {
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
    fn comments_go_and_urls_in_strings_stay() {
        let js = "a='https://x.test/'; // b='1'\nc=\"/*keep*/\"; /* d='2' */ e=`//t`";
        assert_eq!(
            strip_comments(js),
            "a='https://x.test/'; \nc=\"/*keep*/\";   e=`//t`"
        );
    }

    #[test]
    fn escaped_quotes_do_not_end_a_string() {
        assert_eq!(strip_comments(r"a='it\'s //x'"), r"a='it\'s //x'");
    }

    #[test]
    fn literal_escapes_decode() {
        assert_eq!(
            unescape(r"https:\/\/a.test\/p?x=1\x26y=\u0032\u{41}\'"),
            "https://a.test/p?x=1&y=2A'"
        );
        assert_eq!(unescape(r"\xZZ\u12"), "xZZu12");
    }
}
