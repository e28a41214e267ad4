//! What a page declares that the redirect search reads first — its inline JavaScript, its
//! `<meta http-equiv>` refreshes and its first `<base href>` — found by html5ever's tokenizer
//! alone, without building a DOM. Building the tree cost as much again as tokenizing, and this
//! runs on every page that names `location` (most share-link pages do).
//!
//! The tokenizer switches to raw text after `<script>`, `<style>`, `<title>` and the like
//! the way the tree builder would tell it to, so a `<script>` inside a comment, a `<title>` or
//! a `<textarea>` is not read as one. Where the tree builder would decide otherwise — foreign
//! content (SVG, MathML, whose scripts may be written with character references), templates
//! and framesets — [`scan`] returns `None` and the caller parses the page.

use std::cell::RefCell;

use html5ever::TokenizerResult;
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use regex::Regex;

use crate::script::is_javascript;
use std::sync::LazyLock;

/// Pages the tokenizer alone cannot read as the tree builder would.
static NEEDS_TREE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)<(svg|math|template|frameset)").unwrap_or_else(|e| panic!("{e}"))
});

/// What a page declares, in document order.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Declared {
    /// The first `<base href>`.
    pub base: Option<String>,
    /// The text of each inline script (no `src`) of a JavaScript type.
    pub scripts: Vec<String>,
    /// The `content` of each `<meta http-equiv=refresh>`.
    pub refreshes: Vec<String>,
}

/// What `html` declares, or `None` when only a full parse can tell.
pub(crate) fn scan(html: &str) -> Option<Declared> {
    if NEEDS_TREE.is_match(html) {
        return None;
    }
    let tokenizer = Tokenizer::new(Sink::default(), TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    // The sink never asks to stop for a script, so one call reads everything.
    while let TokenizerResult::Script(()) = tokenizer.feed(&input) {}
    tokenizer.end();
    Some(tokenizer.sink.state.into_inner().declared)
}

#[derive(Default)]
struct Sink {
    state: RefCell<State>,
}

#[derive(Default)]
struct State {
    declared: Declared,
    /// The text of the script being read, when it is one that counts.
    script: Option<String>,
}

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut state = self.state.borrow_mut();
        match token {
            Token::TagToken(tag) => state.tag(&tag),
            Token::CharacterTokens(text) => {
                if let Some(script) = state.script.as_mut() {
                    script.push_str(&text);
                }
                TokenSinkResult::Continue
            }
            Token::EOFToken => {
                state.end_script();
                TokenSinkResult::Continue
            }
            _ => TokenSinkResult::Continue,
        }
    }
}

impl State {
    fn tag(&mut self, tag: &Tag) -> TokenSinkResult<()> {
        let attr = |name: &str| {
            tag.attrs
                .iter()
                .find(|a| &*a.name.local == name)
                .map(|a| a.value.to_string())
        };
        if tag.kind == TagKind::EndTag {
            if &*tag.name == "script" {
                self.end_script();
            }
            return TokenSinkResult::Continue;
        }
        match &*tag.name {
            "script" => {
                let counts = attr("src").is_none() && is_javascript(attr("type").as_deref());
                self.script = counts.then(String::new);
                TokenSinkResult::RawData(RawKind::ScriptData)
            }
            // Raw text with scripting enabled, as browsers (and scraper) parse.
            "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => {
                TokenSinkResult::RawData(RawKind::Rawtext)
            }
            "title" | "textarea" => TokenSinkResult::RawData(RawKind::Rcdata),
            "plaintext" => TokenSinkResult::Plaintext,
            "meta" => {
                let refresh =
                    attr("http-equiv").is_some_and(|v| v.trim().eq_ignore_ascii_case("refresh"));
                if let (true, Some(content)) = (refresh, attr("content")) {
                    self.declared.refreshes.push(content);
                }
                TokenSinkResult::Continue
            }
            "base" => {
                if self.declared.base.is_none() {
                    self.declared.base = attr("href");
                }
                TokenSinkResult::Continue
            }
            _ => TokenSinkResult::Continue,
        }
    }

    fn end_script(&mut self) {
        if let Some(script) = self.script.take() {
            self.declared.scripts.push(script);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_metas_and_base_are_found_in_order() {
        let found = scan(
            "<html><head><base href='/b/'><base href='/ignored/'>\
             <META HTTP-EQUIV=' Refresh ' CONTENT='0;url=/m'><meta http-equiv=x-ua content=y>\
             <script>var a = 1;</script><script src='x.js'>location='/no'</script>\
             <script type='text/template'>location='/no'</script>\
             <script type='module'>b()</script></head></html>",
        )
        .unwrap();
        assert_eq!(found.base.as_deref(), Some("/b/"));
        assert_eq!(found.refreshes, ["0;url=/m"]);
        assert_eq!(found.scripts, ["var a = 1;", "b()"]);
    }

    #[test]
    fn scripts_in_comments_titles_textareas_and_styles_are_text() {
        let found = scan(
            "<!-- <script>location='/c'</script> --><title><script>x</script></title>\
             <textarea><script>y</script></textarea><style><script>z</script></style>\
             <noscript><script>n</script></noscript><script>real()</script>",
        )
        .unwrap();
        assert_eq!(found.scripts, ["real()"]);
    }

    #[test]
    fn a_script_left_open_ends_with_the_page() {
        let found = scan("<p>a<script>location.href = '/end';").unwrap();
        assert_eq!(found.scripts, ["location.href = '/end';"]);
    }

    #[test]
    fn foreign_content_templates_and_framesets_need_the_tree() {
        for page in [
            "<svg><script>x</script></svg>",
            "<MATH></MATH>",
            "<template><script>x</script></template>",
            "<frameset><script>x</script></frameset>",
        ] {
            assert_eq!(scan(page), None, "{page}");
        }
    }
}
