//! Many Chinese pages are not UTF-8. This module turns raw page bytes into text the way a
//! browser would: an explicit override, then a byte-order mark, then the `Content-Type`
//! charset, then a `<meta>` declaration in the first 1024 bytes, then a guess from the bytes.

use encoding_rs::{Encoding, UTF_8};

/// Page text and the charset it was decoded from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    /// Canonical WHATWG name: `UTF-8`, `GBK`, `gb18030`, `Big5`, …
    pub charset: &'static str,
    /// Where the charset came from: `override`, `bom`, `header`, `meta` or `sniffed`.
    pub source: &'static str,
}

/// Looks up a charset label (`gb2312`, `GBK`, `big5`, `utf8`, …) as browsers do.
pub fn lookup(label: &str) -> Option<&'static Encoding> {
    Encoding::for_label(label.trim().trim_matches(['"', '\'']).as_bytes())
}

/// Decodes `bytes`. `override_label` wins (the `--charset` flag); `content_type` is the
/// response's `Content-Type` header, if any.
pub fn decode(bytes: &[u8], content_type: Option<&str>, override_label: Option<&str>) -> Decoded {
    let (encoding, source) = detect(bytes, content_type, override_label);
    let (text, _, _) = encoding.decode(bytes);
    Decoded {
        text: text.into_owned(),
        charset: encoding.name(),
        source,
    }
}

fn detect(
    bytes: &[u8],
    content_type: Option<&str>,
    override_label: Option<&str>,
) -> (&'static Encoding, &'static str) {
    if let Some(encoding) = override_label.and_then(lookup) {
        return (encoding, "override");
    }
    if let Some((encoding, _)) = Encoding::for_bom(bytes) {
        return (encoding, "bom");
    }
    if let Some(encoding) = content_type.and_then(charset_param).and_then(lookup) {
        return (encoding, "header");
    }
    if let Some(encoding) = meta_charset(bytes) {
        return (encoding, "meta");
    }
    (sniff(bytes), "sniffed")
}

/// The `charset=` parameter of a `Content-Type` value.
fn charset_param(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then_some(value.trim())
    })
}

/// A `<meta charset=…>` or `<meta http-equiv=Content-Type content="…; charset=…">` in the first
/// 1024 bytes, found the way the HTML prescan does (ASCII-compatible, case-insensitive).
fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(1024)];
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    let mut rest = head.as_str();
    while let Some(start) = rest.find("<meta") {
        let tag = &rest[start..];
        let end = tag.find('>').unwrap_or(tag.len());
        let tag_text = &tag[..end];
        if let Some(pos) = tag_text.find("charset") {
            let value = tag_text[pos + "charset".len()..]
                .trim_start()
                .strip_prefix('=')
                .map(|v| v.trim_start().trim_start_matches(['"', '\'']))
                .unwrap_or("");
            let label: String = value
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
                .collect();
            if let Some(encoding) = lookup(&label) {
                // A page that declares UTF-16 in a meta tag is ASCII-compatible bytes: HTML
                // says to treat it as UTF-8.
                let is_utf16 = encoding.name().starts_with("UTF-16");
                return Some(if is_utf16 { UTF_8 } else { encoding });
            }
        }
        rest = &tag[end.min(tag.len())..];
        if rest.is_empty() {
            break;
        }
    }
    None
}

/// Guesses from the bytes: valid UTF-8 is UTF-8, otherwise chardetng (no TLD hint: it would tip Big5 pages to GBK).
fn sniff(bytes: &[u8]) -> &'static Encoding {
    if std::str::from_utf8(bytes).is_ok() {
        return UTF_8;
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    detector.guess(None, chardetng::Utf8Detection::Allow)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "如需浏览，请长按网址复制后使用浏览器访问";

    fn encode(label: &str, text: &str) -> Vec<u8> {
        let (bytes, _, _) = lookup(label).unwrap().encode(text);
        bytes.into_owned()
    }

    #[test]
    fn utf8_without_declaration_is_sniffed() {
        let d = decode(SAMPLE.as_bytes(), None, None);
        assert_eq!(
            (d.text.as_str(), d.charset, d.source),
            (SAMPLE, "UTF-8", "sniffed")
        );
    }

    #[test]
    fn gbk_from_header() {
        let d = decode(
            &encode("gbk", SAMPLE),
            Some("text/html; charset=GB2312"),
            None,
        );
        assert_eq!(
            (d.text.as_str(), d.charset, d.source),
            (SAMPLE, "GBK", "header")
        );
    }

    #[test]
    fn gb18030_from_meta() {
        let mut page = b"<html><head><meta charset=\"gb18030\"><title>".to_vec();
        page.extend(encode("gb18030", SAMPLE));
        let d = decode(&page, None, None);
        assert_eq!((d.charset, d.source), ("gb18030", "meta"));
        assert!(d.text.contains(SAMPLE));
    }

    #[test]
    fn http_equiv_meta_is_read() {
        let mut page =
            b"<meta http-equiv='Content-Type' content='text/html; charset=big5'><p>".to_vec();
        page.extend(encode("big5", "已停止訪問該網頁"));
        let d = decode(&page, None, None);
        assert_eq!((d.charset, d.source), ("Big5", "meta"));
        assert!(d.text.contains("已停止訪問該網頁"));
    }

    #[test]
    fn undeclared_gbk_and_big5_are_sniffed() {
        let long = SAMPLE.repeat(4);
        let d = decode(&encode("gbk", &long), None, None);
        assert_eq!((d.text.as_str(), d.source), (long.as_str(), "sniffed"));
        let traditional = "此頁面未在微博完成域名備案，可能存在內容風險，將要訪問".repeat(3);
        let d = decode(&encode("big5", &traditional), None, None);
        assert_eq!((d.text.as_str(), d.charset), (traditional.as_str(), "Big5"));
    }

    #[test]
    fn override_wins_over_everything() {
        let d = decode(
            &encode("gbk", SAMPLE),
            Some("text/html; charset=utf-8"),
            Some("GBK"),
        );
        assert_eq!((d.text.as_str(), d.source), (SAMPLE, "override"));
    }

    #[test]
    fn bom_wins_over_header() {
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend(SAMPLE.as_bytes());
        let d = decode(&bytes, Some("text/html; charset=gbk"), None);
        assert_eq!((d.text.as_str(), d.source), (SAMPLE, "bom"));
    }
}
