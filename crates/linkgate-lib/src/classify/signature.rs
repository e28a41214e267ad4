//! A signature is a rule that recognises a page: conditions on where to look and what to find,
//! and what a match means. Signatures are data (scenario files); this is their compiled form,
//! with regexes and CSS selectors built once at load so classification never compiles.

use regex::Regex;
use std::path::PathBuf;
use strum::IntoStaticStr;

use crate::model::{Actor, VerdictKind};

use super::prefilter::Needs;

/// Where a condition looks.
#[derive(Debug, Clone, IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum Place {
    /// Any hop's URL, the entry URL included.
    HopUrl,
    /// The final page's URL.
    FinalUrl,
    /// The final page's HTTP status, as decimal text (`"302"`).
    Status,
    /// A response header of the final page, by (case-insensitive) name; hops' `Location`
    /// headers count for `location`.
    Header(String),
    /// The final page's `<title>`.
    Title,
    /// Visible text of the final page: scripts, styles and hidden templates removed.
    Text,
    /// Elements matching a CSS selector; with a matcher, their text must match.
    Selector(SelectorPlace),
    /// The decoded body as it came, markup and scripts included.
    Body,
    /// The string and template literals of the page's inline scripts (escapes undone,
    /// markup read as text) and its script templates: text a page draws by script.
    Script,
    /// The text of the page's `<noscript>` elements.
    #[strum(serialize = "noscript")]
    NoScript,
    /// Any of the text a page holds: visible text, `<noscript>` text and script literals.
    AnyText,
    /// A value in an object a script embeds, by key path (`cgiData.title`).
    Json(String),
}

/// A compiled CSS selector and the source text it came from.
#[derive(Debug, Clone)]
pub struct SelectorPlace {
    pub source: String,
    pub selector: scraper::Selector,
}

impl Place {
    /// The scenario-file word for this place.
    pub fn as_str(&self) -> &'static str {
        self.into()
    }
}

/// How a condition's pattern is compared. Text places (title, text, selector, script,
/// noscript, any_text) compare normalised text (see `text`) with the normalised pattern.
#[derive(Debug, Clone)]
pub enum Matcher {
    Exact(String),
    Prefix(String),
    Contains(String),
    Regex(Regex),
}

impl Matcher {
    pub fn is_match(&self, haystack: &str) -> bool {
        match self {
            Matcher::Exact(p) => haystack == p,
            Matcher::Prefix(p) => haystack.starts_with(p.as_str()),
            Matcher::Contains(p) => haystack.contains(p.as_str()),
            Matcher::Regex(re) => re.is_match(haystack),
        }
    }

    /// The scenario-file word for this kind of match.
    pub fn kind(&self) -> &'static str {
        match self {
            Matcher::Exact(_) => "exact",
            Matcher::Prefix(_) => "prefix",
            Matcher::Contains(_) => "contains",
            Matcher::Regex(_) => "regex",
        }
    }

    /// The same matcher with its literal pattern normalised as page text is (see `text`).
    pub fn normalized(self) -> Matcher {
        use super::text::normalize;
        match self {
            Matcher::Exact(p) => Matcher::Exact(normalize(&p)),
            Matcher::Prefix(p) => Matcher::Prefix(normalize(&p)),
            Matcher::Contains(p) => Matcher::Contains(normalize(&p)),
            Matcher::Regex(re) => Matcher::Regex(re),
        }
    }

    pub fn pattern(&self) -> &str {
        match self {
            Matcher::Exact(p) | Matcher::Prefix(p) | Matcher::Contains(p) => p,
            Matcher::Regex(re) => re.as_str(),
        }
    }
}

/// One condition: a place and, except for a bare selector, a matcher.
#[derive(Debug, Clone)]
pub struct Condition {
    pub place: Place,
    /// `None` only for `Place::Selector`: the selector matching any element is enough.
    pub matcher: Option<Matcher>,
    /// What the page's source must contain for the condition to hold, checked before the
    /// page is parsed.
    pub needs: Needs,
}

impl Condition {
    pub fn new(place: Place, matcher: Option<Matcher>) -> Condition {
        let matcher = match (&place, matcher) {
            (
                Place::Title
                | Place::Text
                | Place::Selector(_)
                | Place::Script
                | Place::NoScript
                | Place::AnyText,
                Some(m),
            ) => Some(m.normalized()),
            (_, m) => m,
        };
        let needs = Needs::of(&place, matcher.as_ref());
        Condition {
            place,
            matcher,
            needs,
        }
    }
}

/// Which platforms a signature applies to; empty means all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlatformFilter(pub Vec<String>);

impl PlatformFilter {
    pub fn allows(&self, platform: Option<&str>) -> bool {
        self.0.is_empty() || platform.is_some_and(|p| self.0.iter().any(|x| x == p))
    }
}

/// A compiled signature.
#[derive(Debug, Clone)]
pub struct Signature {
    pub id: String,
    /// All must hold.
    pub conditions: Vec<Condition>,
    /// The verdict; with `by_continue`, the verdict of a page that offers no way on
    /// (`blocked`): one that offers one is `interstitial`.
    pub verdict: VerdictKind,
    /// The page decides: `interstitial` when it offers a continue control, `blocked` when it
    /// offers none (`verdict = "by_continue"` in scenario files).
    pub by_continue: bool,
    pub mechanism: String,
    pub actor: Actor,
    /// Host platforms whose contexts it applies to (empty: all, neutral included).
    pub hosts: PlatformFilter,
    /// Target (link) platforms it applies to (empty: all).
    pub targets: PlatformFilter,
    /// Higher wins among matches of equal verdict rank (see `classify`).
    pub priority: i32,
    /// Where the facts come from (article, userscript, capture).
    pub source: String,
    /// A page that this signature must recognise; a test classifies it.
    pub fixture: PathBuf,
    /// The URL the fixture page was captured at (defaults to the first URL-like condition).
    pub fixture_url: Option<String>,
    /// The verdict the fixture gets; `None`: `verdict`. Required with `by_continue`.
    pub fixture_verdict: Option<VerdictKind>,
    /// Position in load order: the final tie-breaker, so results never depend on hashing.
    pub order: usize,
}
