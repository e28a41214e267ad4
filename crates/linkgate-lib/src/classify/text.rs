//! Text as signatures compare it. A page shows one sentence in many forms: split by inline
//! elements (`已停止<b>访问</b>`), broken across lines in the markup, spaced with full-width
//! spaces. Normalised, all of those read the same: whitespace runs become one space, and a
//! space is kept only between two characters that are both ASCII letters or digits (so
//! `Open in app` stays three words while `已停止 访问\n该网页` becomes `已停止访问该网页`).
//! Patterns are normalised the same way, so an author writes the sentence as it is shown.

/// `text` normalised for matching.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_whitespace() || c == '\u{3000}' || c == '\u{00a0}' {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            let before = out
                .chars()
                .next_back()
                .is_some_and(|p| p.is_ascii_alphanumeric());
            if before && c.is_ascii_alphanumeric() {
                out.push(' ');
            }
            pending_space = false;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_go_between_cjk_and_stay_between_words() {
        assert_eq!(normalize(" 已停止 访问\n  该网页 "), "已停止访问该网页");
        assert_eq!(normalize("Open  in\napp"), "Open in app");
        assert_eq!(
            normalize("将要访问 https://a.test/ 继续"),
            "将要访问https://a.test/继续"
        );
        assert_eq!(
            normalize("如需浏览，\u{3000}请长按网址"),
            "如需浏览，请长按网址"
        );
        assert_eq!(normalize(""), "");
    }
}
