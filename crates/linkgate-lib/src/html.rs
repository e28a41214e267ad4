//! The one way linkgate parses a page: html5ever's tokenizer and tree builder with a gate
//! between them that bounds the work. Pages come from sites the audit does not control, and
//! an unbounded parse let one page of 20,000 nested `<div>` (120 KB) take a run down: the
//! tree builder scans its stack of open elements for most tags, so deep nesting costs the
//! square of the depth, and every node of a 5 MiB page cost ~200 bytes of memory.
//!
//! The gate forwards tokens to the tree builder until a limit is reached: the stack of open
//! elements (plus the list of active formatting elements, which the tree builder also scans)
//! deeper than [`ParseLimits::depth`], more than [`ParseLimits::elements`] start tags, or the
//! parse taking longer than [`ParseLimits::time`]. From then on the rest of the page is text,
//! appended once at the end, so the work stays linear in the page's size and the memory a
//! small multiple of it. The limit reached is kept with the document: classification turns it
//! into `inconclusive` / `page_too_complex`, naming the limit, rather than a verdict read
//! from part of a page. Parse errors are counted, not kept (a page of NULs made one each).
//!
//! Every reader of a page (classification, titles, the report's gists, the HTTP engine's
//! fallback for in-page redirects) parses through [`parse_page`].

use std::cell::{Cell, RefCell};
use std::fmt;
use std::time::{Duration, Instant};

use html5ever::TokenizerResult;
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use html5ever::tree_builder::{Tracer, TreeBuilder, TreeBuilderOpts, TreeSink};
use scraper::{Html, HtmlTreeSink};

type Handle = <HtmlTreeSink as TreeSink>::Handle;

/// How much of a page the parser builds before the rest is text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseLimits {
    /// Open elements plus active formatting elements the tree builder may hold. Chromium
    /// stops nesting at 512 too.
    pub depth: usize,
    /// Start tags built into the tree.
    pub elements: usize,
    /// Wall-clock time for the parse: a safety net behind the two work limits.
    pub time: Duration,
}

impl ParseLimits {
    /// The limits every reader uses: far above any real page (a large store page has ~10,000
    /// elements and nests ~40 deep), and a page within them parses in well under a second.
    pub const PAGE: ParseLimits = ParseLimits {
        depth: 512,
        elements: 100_000,
        time: Duration::from_secs(2),
    };
}

impl Default for ParseLimits {
    fn default() -> Self {
        ParseLimits::PAGE
    }
}

/// The limit a page went past.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitExceeded {
    Depth(usize),
    Elements(usize),
    Time(Duration),
    /// Characters of element text a selector condition may read (see `matching`).
    SelectorText(usize),
}

impl LimitExceeded {
    /// The limit's name, as a verdict's reason and the docs say it.
    pub fn name(&self) -> &'static str {
        match self {
            LimitExceeded::Depth(_) => "depth",
            LimitExceeded::Elements(_) => "elements",
            LimitExceeded::Time(_) => "time",
            LimitExceeded::SelectorText(_) => "selector_text",
        }
    }
}

impl fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LimitExceeded::Depth(n) => write!(f, "it nests elements more than {n} deep"),
            LimitExceeded::Elements(n) => write!(f, "it has more than {n} elements"),
            LimitExceeded::Time(t) => write!(f, "parsing it took longer than {t:?}"),
            LimitExceeded::SelectorText(n) => write!(
                f,
                "a selector condition would read more than {n} characters of element text"
            ),
        }
    }
}

/// A parsed page and the limit it went past, if any.
pub struct ParsedPage {
    pub html: Html,
    pub exceeded: Option<LimitExceeded>,
}

/// Parses `body` as a document within `limits` (see the module documentation).
pub fn parse_page(body: &str, limits: &ParseLimits) -> ParsedPage {
    let builder = TreeBuilder::new(
        HtmlTreeSink::new(Html::new_document()),
        TreeBuilderOpts::default(),
    );
    let gate = Gate {
        builder,
        limits: *limits,
        started: Instant::now(),
        tokens: Cell::new(0),
        elements: Cell::new(0),
        exceeded: Cell::new(None),
        rest: RefCell::new(String::new()),
    };
    let tokenizer = Tokenizer::new(gate, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(body));
    // The tokenizer pauses after each `</script>` and at a `<meta charset>`; nothing runs
    // scripts here and the page is already decoded, so go on.
    while !matches!(tokenizer.feed(&input), TokenizerResult::Done) {}
    tokenizer.end();
    let gate = tokenizer.sink;
    let exceeded = gate.exceeded.get();
    let mut html = gate.builder.sink.0.into_inner();
    html.errors = Vec::new();
    ParsedPage { html, exceeded }
}

/// Between the tokenizer and the tree builder: counts, checks the limits, and once one is
/// reached keeps only the text.
struct Gate {
    builder: TreeBuilder<Handle, HtmlTreeSink>,
    limits: ParseLimits,
    started: Instant,
    tokens: Cell<u64>,
    elements: Cell<usize>,
    exceeded: Cell<Option<LimitExceeded>>,
    /// The text after a limit was reached, handed over once at the end: the tree builder does
    /// work per text token that depends on its (by then large) state.
    rest: RefCell<String>,
}

/// How often (in tokens) the gate measures the tree builder's state and the clock: often
/// enough that a limit is overshot by little, rarely enough to cost nothing.
const CHECK_EVERY: u64 = 32;

impl Gate {
    fn check(&self) -> Option<LimitExceeded> {
        let limits = &self.limits;
        if self.elements.get() > limits.elements {
            return Some(LimitExceeded::Elements(limits.elements));
        }
        let counter = Counter(Cell::new(0));
        self.builder.trace_handles(&counter);
        if counter.0.get() > limits.depth {
            return Some(LimitExceeded::Depth(limits.depth));
        }
        (self.started.elapsed() > limits.time).then_some(LimitExceeded::Time(limits.time))
    }
}

impl TokenSink for Gate {
    type Handle = Handle;

    fn process_token(&self, token: Token, line_number: u64) -> TokenSinkResult<Handle> {
        if let Token::ParseError(_) | Token::NullCharacterToken = token {
            // Errors are not kept, and the tree builder ignores a NUL in text anyway.
            return TokenSinkResult::Continue;
        }
        if self.exceeded.get().is_some() {
            if let Token::CharacterTokens(text) = &token {
                self.rest.borrow_mut().push_str(text);
            }
            return TokenSinkResult::Continue;
        }
        let n = self.tokens.get() + 1;
        self.tokens.set(n);
        if let Token::TagToken(Tag {
            kind: TagKind::StartTag,
            ..
        }) = &token
        {
            self.elements.set(self.elements.get() + 1);
        }
        if n.is_multiple_of(CHECK_EVERY)
            && let Some(exceeded) = self.check()
        {
            self.exceeded.set(Some(exceeded));
            if let Token::CharacterTokens(text) = &token {
                self.rest.borrow_mut().push_str(text);
            }
            return TokenSinkResult::Continue;
        }
        self.builder.process_token(token, line_number)
    }

    fn end(&self) {
        let rest = std::mem::take(&mut *self.rest.borrow_mut());
        if !rest.is_empty() {
            let _ = self
                .builder
                .process_token(Token::CharacterTokens(StrTendril::from(rest)), 0);
        }
        self.builder.end();
    }

    fn adjusted_current_node_present_but_not_in_html_namespace(&self) -> bool {
        self.builder
            .adjusted_current_node_present_but_not_in_html_namespace()
    }
}

/// Counts the handles the tree builder holds: its open elements and active formatting
/// elements (and a few more, the document, `<head>` and `<form>`).
struct Counter(Cell<usize>);

impl Tracer for Counter {
    type Handle = Handle;

    fn trace_handle(&self, _node: &Handle) {
        self.0.set(self.0.get() + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::Selector;

    fn text(html: &Html) -> String {
        html.root_element().text().collect()
    }

    #[test]
    fn an_ordinary_page_parses_as_html5ever_parses_it() {
        let page = "<!doctype html><meta charset=utf-8><title>淘宝网</title><p>一<b>二<p>三</b>四<table><td>五</table>\
                    <script>var a = '<p>';</script>";
        let bounded = parse_page(page, &ParseLimits::PAGE);
        assert_eq!(bounded.exceeded, None);
        assert_eq!(bounded.html.html(), Html::parse_document(page).html());
    }

    #[test]
    fn deep_nesting_stops_at_the_depth_limit_and_keeps_the_text() {
        let page = format!(
            "<title>d</title>{}x{}",
            "<div>".repeat(20_000),
            "<b>y".repeat(10)
        );
        let parsed = parse_page(&page, &ParseLimits::PAGE);
        assert_eq!(parsed.exceeded, Some(LimitExceeded::Depth(512)));
        let divs = parsed.html.select(&Selector::parse("div").unwrap()).count();
        assert!((500..600).contains(&divs), "{divs}");
        assert!(text(&parsed.html).ends_with("xyyyyyyyyyy"));
    }

    #[test]
    fn many_elements_stop_at_the_element_limit() {
        let page = "<p>x".repeat(1000);
        let limits = ParseLimits {
            elements: 100,
            ..ParseLimits::PAGE
        };
        let parsed = parse_page(&page, &limits);
        assert_eq!(parsed.exceeded, Some(LimitExceeded::Elements(100)));
        assert_eq!(text(&parsed.html).matches('x').count(), 1000);
    }

    #[test]
    fn nuls_and_parse_errors_are_not_kept() {
        let page = "\0".repeat(100_000) + "<p>a</p></div></div>";
        let parsed = parse_page(&page, &ParseLimits::PAGE);
        assert_eq!(parsed.exceeded, None);
        assert!(parsed.html.errors.is_empty());
        assert_eq!(text(&parsed.html), "a");
    }
}
