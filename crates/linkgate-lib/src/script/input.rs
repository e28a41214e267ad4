//! What the stub browser is told about a page: its URL, the user agent, its `<base href>`,
//! every element (tag, parent, attributes and, for small elements, their text) and its
//! inline scripts in document order. Read from the parsed document, so scripts inside
//! comments, `<noscript>`, `<textarea>` or templates are not scripts, as in a browser.

use scraper::{ElementRef, Html, Node};
use serde::Serialize;
use std::collections::BTreeMap;

/// Elements beyond this many are left out: no gateway or share page comes near it, and a
/// huge page must not cost a huge stub document.
const MAX_ELEMENTS: usize = 10_000;
/// An element's text is passed when it has at most this many nodes below it (a button, a
/// paragraph), so scripts can read a URL or a label from the page without the stub holding
/// the whole text of every ancestor.
const TEXT_NODES: usize = 16;
const TEXT_CHARS: usize = 200;

/// One element: tag, index of its parent element (-1 for the root), attributes, short text.
type ElementData = (String, i64, BTreeMap<String, String>, Option<String>);

#[derive(Debug, Serialize)]
pub(super) struct Input<'a> {
    pub url: &'a str,
    pub ua: &'a str,
    pub referrer: &'a str,
    pub base: Option<String>,
    pub settle_ms: u64,
    pub elements: Vec<ElementData>,
    pub scripts: Vec<String>,
}

/// The declared parts of a page that matter before any script runs.
#[derive(Debug, Default)]
pub(super) struct Declared {
    pub base: Option<String>,
    pub elements: Vec<ElementData>,
    pub scripts: Vec<String>,
    /// `content` of each `<meta http-equiv=refresh>`.
    pub refreshes: Vec<String>,
    /// Whether any element has an `on…` attribute or a `javascript:` link.
    pub inline_handlers: bool,
}

/// Reads `doc` in document order.
pub(super) fn declared(doc: &Html) -> Declared {
    let mut out = Declared::default();
    let mut stack: Vec<(ElementRef<'_>, i64)> = vec![(doc.root_element(), -1)];
    // Depth-first, children pushed in reverse, so elements come out in document order
    // without recursion (a page nested thousands deep must not overflow the stack).
    while let Some((el, parent)) = stack.pop() {
        if out.elements.len() >= MAX_ELEMENTS {
            break;
        }
        let index = out.elements.len() as i64;
        let value = el.value();
        let name = value.name().to_ascii_lowercase();
        let attrs: BTreeMap<String, String> = value
            .attrs()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
            .collect();
        if attrs.keys().any(|k| k.starts_with("on"))
            || (name == "a"
                && attrs.get("href").is_some_and(|h| {
                    h.trim_start()
                        .to_ascii_lowercase()
                        .starts_with("javascript:")
                }))
        {
            out.inline_handlers = true;
        }
        match name.as_str() {
            "script"
                if !attrs.contains_key("src")
                    && is_javascript(attrs.get("type").map(String::as_str)) =>
            {
                out.scripts.push(el.text().collect());
            }
            "base" if out.base.is_none() => out.base = attrs.get("href").cloned(),
            "meta"
                if attrs
                    .get("http-equiv")
                    .is_some_and(|v| v.trim().eq_ignore_ascii_case("refresh")) =>
            {
                if let Some(content) = attrs.get("content") {
                    out.refreshes.push(content.clone());
                }
            }
            _ => {}
        }
        let text = short_text(el);
        out.elements.push((name, parent, attrs, text));
        let children: Vec<ElementRef<'_>> = el.children().filter_map(ElementRef::wrap).collect();
        for child in children.into_iter().rev() {
            stack.push((child, index));
        }
    }
    out
}

fn short_text(el: ElementRef<'_>) -> Option<String> {
    if el.descendants().take(TEXT_NODES + 2).count() > TEXT_NODES + 1 {
        return None;
    }
    let mut text = String::new();
    for node in el.descendants() {
        if let Node::Text(t) = node.value() {
            text.push_str(t);
        }
    }
    Some(text.chars().take(TEXT_CHARS).collect())
}

/// Whether a `<script type>` is JavaScript (no type, an empty one, a module, or a MIME type
/// ending in javascript or ecmascript).
pub(crate) fn is_javascript(script_type: Option<&str>) -> bool {
    match script_type.map(|t| t.trim().to_ascii_lowercase()) {
        None => true,
        Some(t) => {
            t.is_empty() || t == "module" || t.ends_with("javascript") || t.ends_with("ecmascript")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_metas_base_and_elements_are_read_in_order() {
        let doc = Html::parse_document(
            "<html><head><base href='/b/'><base href='/x/'>\
             <META HTTP-EQUIV=' Refresh ' CONTENT='0;url=/m'>\
             <script>var a = 1;</script><script src='x.js'>location='/no'</script>\
             <script type='text/template'>location='/no'</script></head>\
             <body><!-- <script>c()</script> --><noscript><script>n()</script></noscript>\
             <a id=go onclick='go()'>继续</a><script type='module'>b()</script></body></html>",
        );
        let d = declared(&doc);
        assert_eq!(d.base.as_deref(), Some("/b/"));
        assert_eq!(d.refreshes, ["0;url=/m"]);
        assert_eq!(d.scripts, ["var a = 1;", "b()"]);
        assert!(d.inline_handlers);
        let a = d.elements.iter().find(|e| e.0 == "a").unwrap();
        assert_eq!(a.3.as_deref(), Some("继续"));
        assert_eq!(d.elements[0].0, "html");
        assert_eq!(d.elements[0].1, -1);
    }

    #[test]
    fn deep_pages_do_not_recurse() {
        let html = "<div>".repeat(3_000);
        let d = declared(&Html::parse_document(&html));
        assert!(d.elements.len() > 100);
    }
}
