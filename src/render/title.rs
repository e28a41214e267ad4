//! The title of a stored page, as a report shows it: the first `<title>`, whitespace
//! collapsed. Block pages differ mostly in their titles (已停止访问该网页, …), so the title is
//! the quickest thing for a reader to check a verdict against.

use scraper::{Html, Selector};

/// The page title of `body`, or `None` when it has none (or is not HTML).
pub fn page_title(body: &str) -> Option<String> {
    // Parsing is the costly part; most non-HTML bodies (JSON, images' error text) are skipped.
    let has_title_tag = body
        .as_bytes()
        .windows(6)
        .any(|w| w.eq_ignore_ascii_case(b"<title"));
    if !has_title_tag {
        return None;
    }
    let selector = Selector::parse("title").ok()?;
    let document = Html::parse_document(body);
    let element = document.select(&selector).next()?;
    let title: String = element.text().collect();
    let collapsed = title.split_whitespace().collect::<Vec<_>>().join(" ");
    (!collapsed.is_empty()).then_some(collapsed)
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
    fn uppercase_title_tag_is_found() {
        assert_eq!(
            page_title("<TITLE>淘宝网</TITLE>").as_deref(),
            Some("淘宝网")
        );
    }
}
