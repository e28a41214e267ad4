//! Page templates (`src/sim/pages/*.html`, compiled in) and the escaping their holes need.
//! Every value from a request ends up in a page through one of these escapes, so a crafted
//! URL cannot break out of the HTML or the script it is shown in.

/// Fills `{{name}}` holes. Values must already be escaped for where they go.
pub fn fill(template: &str, values: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(template.len() + 256);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                let name = &after[..end];
                match values.iter().find(|(n, _)| *n == name) {
                    Some((_, value)) => out.push_str(value),
                    None => out.push_str(&rest[start..start + 2 + end + 2]),
                }
                rest = &after[end + 2..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Escapes text for HTML content and quoted attributes.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes text for a quoted JavaScript string inside a `<script>`.
pub fn js(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            _ => out.push(c),
        }
    }
    out
}

/// HTML-entity encodes a URL the way WeChat's `cgiData` carries it: every character that
/// could end a string or a tag, and `/`, becomes an entity.
pub fn entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '/' => out.push_str("&#x2f;"),
            '\\' => out.push_str("&#92;"),
            '\n' | '\r' | '\u{2028}' | '\u{2029}' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// Percent-encodes a value for a query string, as `encodeURIComponent` does.
pub fn component(text: &str) -> String {
    crate::model::encode_uri_component(text)
}

/// Stable pseudo-random digits from a seed, so a share code always names the same item.
pub fn digits(seed: &str, count: usize) -> String {
    derived(seed, count, b"123456789", b"0123456789")
}

/// Stable pseudo-random lower-case hex from a seed.
pub fn hex_id(seed: &str, count: usize) -> String {
    derived(seed, count, b"0123456789abcdef", b"0123456789abcdef")
}

/// Stable pseudo-random characters of Bilibili's BV alphabet (base58 without 0, I, O, l).
pub fn base58(seed: &str, count: usize) -> String {
    const ALPHABET: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    derived(seed, count, ALPHABET, ALPHABET)
}

fn derived(seed: &str, count: usize, first: &[u8], rest: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let mut out = String::with_capacity(count);
    let mut block = 0u32;
    while out.len() < count {
        let digest = Sha256::new()
            .chain_update(seed.as_bytes())
            .chain_update(block.to_le_bytes())
            .finalize();
        for byte in digest {
            if out.len() == count {
                break;
            }
            let alphabet = if out.is_empty() { first } else { rest };
            out.push(char::from(alphabet[usize::from(byte) % alphabet.len()]));
        }
        block += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_replaces_known_holes_and_keeps_unknown_ones() {
        let out = fill("<p>{{a}} {{b}} {{a}} {{", &[("a", "x".into())]);
        assert_eq!(out, "<p>x {{b}} x {{");
    }

    #[test]
    fn escapes_keep_crafted_urls_inside_their_context() {
        let evil = "https://x.example/'\"><script>alert(1)</script>\\";
        assert!(!html(evil).contains(['<', '>', '"', '\'']));
        let js = js(evil);
        assert!(!js.contains('<') && !js.contains("'\"") && js.ends_with("\\\\"));
        assert!(!entities(evil).contains(['<', '>', '"', '\'', '/', '\\']));
    }

    #[test]
    fn cgi_data_urls_are_entity_encoded() {
        assert_eq!(
            entities("https://item.taobao.com/item.htm?id=1&a=2"),
            "https:&#x2f;&#x2f;item.taobao.com&#x2f;item.htm?id=1&amp;a=2"
        );
    }

    #[test]
    fn derived_ids_are_stable_and_shaped() {
        assert_eq!(digits("abc", 12), digits("abc", 12));
        assert_ne!(digits("abc", 12), digits("abd", 12));
        let d = digits("seed", 40);
        assert_eq!(d.len(), 40);
        assert!(d.bytes().all(|b| b.is_ascii_digit()) && !d.starts_with('0'));
        assert!(hex_id("x", 24).bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(!base58("x", 9).contains(['0', 'I', 'O', 'l']));
    }
}
