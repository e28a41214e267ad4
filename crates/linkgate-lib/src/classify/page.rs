//! A page is the final document of an observation, parsed at most once so every signature can
//! look at its title, its visible text and its DOM without parsing again, and parsed only when
//! a condition needs it: a signature whose URL condition already failed costs no parse. Visible text leaves out
//! scripts, styles and templates: a block message hidden in a script string is not shown to
//! the user, and matching it would call an ordinary page a block page.

use std::cell::{Cell, OnceCell};

use ego_tree::iter::Edge;
use scraper::{ElementRef, Html, Node, Selector};

use super::prefilter::{Needs, spelled_by_escapes, spelled_by_references};
use super::script_text::ScriptText;
use super::signature::Place;
use super::text::normalize;
use super::title::title_of;
use crate::html::{LimitExceeded, ParseLimits, ParsedPage, parse_page};

/// The final page, parsed on first use.
pub struct Page<'a> {
    body: &'a str,
    rendered_text: Option<&'a str>,
    parsed: OnceCell<ParsedPage>,
    /// A limit reached while reading the parsed page (a selector's text).
    exceeded: Cell<Option<LimitExceeded>>,
    title: OnceCell<String>,
    text: OnceCell<String>,
    spelled: OnceCell<Vec<char>>,
    /// Title and visible text as signatures compare them (see `text`).
    matchable: OnceCell<(String, String)>,
    script_text: OnceCell<ScriptText>,
    escaped: OnceCell<Vec<char>>,
}

/// Elements whose content a reader never sees.
const INVISIBLE: [&str; 7] = [
    "script", "style", "noscript", "template", "head", "svg", "iframe",
];

impl<'a> Page<'a> {
    /// The page of `body`, parsed when first needed. `rendered_text` (what a browser
    /// rendered) replaces the extracted text when the engine has it, since scripts may have
    /// changed what is shown.
    pub fn parse(body: &'a str, rendered_text: Option<&'a str>) -> Page<'a> {
        Page {
            body,
            rendered_text,
            parsed: OnceCell::new(),
            exceeded: Cell::new(None),
            title: OnceCell::new(),
            text: OnceCell::new(),
            spelled: OnceCell::new(),
            matchable: OnceCell::new(),
            script_text: OnceCell::new(),
            escaped: OnceCell::new(),
        }
    }

    /// The decoded page source.
    pub fn body(&self) -> &'a str {
        self.body
    }

    /// Title and visible text, normalised for matching.
    pub fn matchable(&self) -> (&str, &str) {
        let (title, text) = self
            .matchable
            .get_or_init(|| (normalize(self.title()), normalize(self.text())));
        (title, text)
    }

    /// The source of every inline script, in document order.
    pub fn script_sources(&self) -> Vec<String> {
        let selector = Selector::parse("script:not([src])").expect("valid selector");
        self.html()
            .select(&selector)
            .map(|s| s.text().collect())
            .collect()
    }

    /// Script literals and `<noscript>` text, normalised.
    pub fn script_text(&self) -> &ScriptText {
        self.script_text.get_or_init(|| ScriptText::of(self.html()))
    }

    /// Whether the source `place` is read from could hold what `needs` asks for; `false`
    /// rules a condition out without parsing the page.
    pub fn could_hold(&self, place: &Place, needs: &Needs) -> bool {
        match (place, self.rendered_text) {
            (Place::Text, Some(text)) => needs.met_by(text, &[]),
            (Place::Script | Place::AnyText | Place::Json(_), _) => {
                let spelled = self.escaped.get_or_init(|| {
                    let mut all = spelled_by_references(self.body);
                    all.extend(spelled_by_escapes(self.body));
                    all
                });
                needs.met_by(self.body, spelled)
            }
            _ => needs.met_by(
                self.body,
                self.spelled
                    .get_or_init(|| spelled_by_references(self.body)),
            ),
        }
    }

    fn parsed(&self) -> &ParsedPage {
        self.parsed
            .get_or_init(|| parse_page(self.body, &ParseLimits::PAGE))
    }

    /// The document, as far as the parse limits let it be built.
    pub fn html(&self) -> &Html {
        &self.parsed().html
    }

    /// The limit the page went past while it was parsed or read (`None` before it was).
    pub fn exceeded(&self) -> Option<LimitExceeded> {
        self.parsed
            .get()
            .and_then(|p| p.exceeded)
            .or(self.exceeded.get())
    }

    /// Records that reading the page went past `limit`.
    pub fn exceed(&self, limit: LimitExceeded) {
        if self.exceeded.get().is_none() {
            self.exceeded.set(Some(limit));
        }
    }

    /// `<title>` text, whitespace collapsed; empty when there is none.
    pub fn title(&self) -> &str {
        self.title.get_or_init(|| title_of(self.html()))
    }

    /// Visible text, whitespace collapsed.
    pub fn text(&self) -> &str {
        self.text.get_or_init(|| match self.rendered_text {
            Some(text) => collapse_whitespace(text),
            None => visible_text(self.html().root_element()),
        })
    }
}

/// The text a reader would see under `root`, whitespace collapsed.
pub fn visible_text(root: ElementRef<'_>) -> String {
    visible_text_within(root, usize::MAX).unwrap_or_default()
}

/// As [`visible_text`], or `None` once more than `budget` bytes of text were read. The walk
/// is a loop, not a recursion: a page's depth must not be the stack's.
pub fn visible_text_within(root: ElementRef<'_>, budget: usize) -> Option<String> {
    let mut out = String::new();
    // How many hidden elements enclose the current node.
    let mut hidden = 0usize;
    for edge in root.traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(element)
                    if hidden > 0
                        || INVISIBLE.contains(&element.name())
                        || element.attr("hidden").is_some() =>
                {
                    hidden += 1;
                }
                Node::Text(text) if hidden == 0 => {
                    if out.len() + text.len() > budget {
                        return None;
                    }
                    out.push_str(text);
                }
                _ => {}
            },
            Edge::Close(node) => {
                if node.value().is_element() {
                    hidden = hidden.saturating_sub(1);
                    // Block boundaries separate words even without whitespace in the markup.
                    if hidden == 0 && node.id() != root.id() {
                        out.push(' ');
                    }
                }
            }
        }
    }
    Some(collapse_whitespace(&out))
}

/// Runs of whitespace (ASCII and the full-width ideographic space) become one space.
pub fn collapse_whitespace(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c == '\u{3000}')
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_text_skips_scripts_styles_and_hidden() {
        let page = Page::parse(
            "<html><head><title> 已停止访问\n该网页 </title><style>p{}</style></head>\
             <body><p>看得见</p><script>var s='已停止访问该网页';</script>\
             <div hidden>藏起来</div><template>模板</template><p>第二段</p></body></html>",
            None,
        );
        assert_eq!(page.title(), "已停止访问 该网页");
        assert_eq!(page.text(), "看得见 第二段");
    }

    #[test]
    fn rendered_text_wins_when_given() {
        let page = Page::parse("<p>before</p>", Some("  after\n script  "));
        assert_eq!(page.text(), "after script");
    }
}
