//! The one title extractor: a page's first `<title>`, whitespace collapsed, from a parsed
//! document (signatures) or from a stored body (the history, the CSV, the report). Block
//! pages differ mostly in their titles (已停止访问该网页, …), so the title is the quickest
//! thing for a reader to check a verdict against.

use scraper::{ElementRef, Html};

use super::page::collapse_whitespace;
use crate::html::{ParseLimits, parse_page};

/// The document's first `<title>`, whitespace collapsed; empty when there is none.
pub fn title_of(html: &Html) -> String {
    html.root_element()
        .descendants()
        .filter_map(ElementRef::wrap)
        .find(|e| e.value().name() == "title")
        .map(|t| collapse_whitespace(&t.text().collect::<String>()))
        .unwrap_or_default()
}

/// The page title of `body`, or `None` when it has none (or is not HTML).
pub fn page_title(body: &str) -> Option<String> {
    let opening = find_tag(body, "<title")?;
    // Parsing a whole page costs milliseconds and a report has thousands: parse up to the first
    // `</title` (ASCII, so a char boundary) and only fall back to the whole page when that
    // prefix has no title (a `</title` inside a script or comment came first).
    let prefix = find_tag(&body[opening..], "</title")
        .map(|end| &body[..opening + end])
        .unwrap_or(body);
    title_in(prefix).or_else(|| title_in(body))
}

/// Parsed within the limits every page reader uses: a title after them is not found.
fn title_in(html: &str) -> Option<String> {
    let title = title_of(&parse_page(html, &ParseLimits::PAGE).html);
    (!title.is_empty()).then_some(title)
}

/// Where the tag opening `needle` (ASCII, starting with `<`) first occurs in `haystack`,
/// ignoring ASCII case. Jumps from `<` to `<` because most bodies have no title at all.
fn find_tag(haystack: &str, needle: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(found) = haystack[from..].find('<') {
        let at = from + found;
        let window = haystack.as_bytes().get(at..at + needle.len());
        if window.is_some_and(|w| w.eq_ignore_ascii_case(needle.as_bytes())) {
            return Some(at);
        }
        // `<` is one byte, so the next byte starts a character.
        from = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_whitespace_is_collapsed() {
        let page =
            "<html><head><title>\n  已停止访问\n\t该网页  </title></head><body>x</body></html>";
        assert_eq!(page_title(page).as_deref(), Some("已停止访问 该网页"));
    }

    #[test]
    fn entities_in_a_title_are_decoded() {
        let page = "<title>Tom &amp; Jerry &lt;3</title>";
        assert_eq!(page_title(page).as_deref(), Some("Tom & Jerry <3"));
    }

    #[test]
    fn no_title_and_empty_title_are_none() {
        assert_eq!(page_title("{\"ok\":true}"), None);
        assert_eq!(page_title("<html><title>  </title></html>"), None);
    }

    #[test]
    fn a_closing_tag_in_a_script_before_the_title_does_not_hide_it() {
        let page = "<script>var t = '<title>x</title>';</script><title>淘宝网</title><p>";
        assert_eq!(page_title(page).as_deref(), Some("淘宝网"));
    }

    #[test]
    fn an_unclosed_title_runs_to_the_end() {
        assert_eq!(page_title("<title>京东 JD").as_deref(), Some("京东 JD"));
    }

    #[test]
    fn uppercase_title_tag_is_found() {
        assert_eq!(
            page_title("<TITLE>淘宝网</TITLE>").as_deref(),
            Some("淘宝网")
        );
    }
}
