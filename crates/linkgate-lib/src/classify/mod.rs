//! Classification turns an observation into a verdict. It is a pure function of the
//! observation, the compiled signatures and what is known of the probe (host, gateway, target
//! link), so verdicts can be recomputed from stored observations whenever signatures improve.
//!
//! # Precedence
//!
//! 1. An observation that failed (no page reached: timeout, reset, loop, …) is
//!    `inconclusive`, with the failure kind as its mechanism. Signatures are not consulted:
//!    a half-loaded chain is no evidence either way.
//! 2. Every signature that applies (its `hosts` allow the context's host, its `targets` allow
//!    the link's platform) and whose conditions all hold is a match. A `by_continue`
//!    signature's verdict is read from the page (`way_on`): `interstitial` when it offers a
//!    continue control leading to the link, `blocked` when it offers none, `inconclusive` /
//!    `script_undecided` when a control that could lead on cannot be run to the end. The
//!    deciding match is the one with the most severe verdict (`blocked`, then
//!    `interstitial`, then `inconclusive`), then the highest `priority`, then the earliest in
//!    load order. Severity comes first because a page that stops the user is a stop whatever
//!    else it also shows.
//! 3. With no match, a page whose own scripts could not be decided (the engine's
//!    `script_undecided`) is `inconclusive` / `script_undecided`.
//! 4. With no match, a page on the host's gateway is `inconclusive` / `unrecognized_page`:
//!    a gateway page is never `opened`.
//! 5. With no match, a final URL on a landing pattern of the link (or of any of the target's
//!    links) with a 2xx status is `opened` / `direct` only when the page has content: the
//!    link's landing marker where it has one, else a title or some visible text; an empty page
//!    is `inconclusive` / `empty_page`, a non-2xx `inconclusive` / `target_error`.
//! 6. Anything else is `inconclusive` / `unrecognized_page`, never `opened`.
//!
//! Over all of these: a page that had to be parsed and went past a parse limit (see
//! `crate::html`) is `inconclusive` / `page_too_complex`, naming the limit, since what was read
//! of it proves nothing either way.

mod control;
mod embedded_json;
mod matching;
mod page;
mod prefilter;
mod script_text;
mod signature;
mod text;
mod title;
mod way_on;

pub use crate::html::{LimitExceeded, ParseLimits, ParsedPage, parse_page};
pub use control::with_control;
pub use matching::{SignatureMatch, match_signature};
pub use page::{Page, collapse_whitespace, visible_text, visible_text_within};
pub use prefilter::Needs;
pub use script_text::{ScriptText, literals};
pub use signature::{Condition, Matcher, Place, PlatformFilter, SelectorPlace, Signature};
pub use text::normalize;
pub use title::{page_title, title_of};
pub use way_on::{DEFAULT_USER_AGENT, WayOn};

use crate::model::{Actor, Gateway, Link, Mechanism, Observation, Verdict, VerdictKind};
use crate::script::Control;

/// A page shows content when it has a title or at least this many characters of visible
/// text; less is an empty (or near-empty) page, which proves nothing.
pub const MIN_VISIBLE_CHARS: usize = 8;

/// What is known of the probe besides its observation.
#[derive(Debug, Clone, Copy, Default)]
pub struct Situation<'a> {
    /// The context's host platform; `None` in a neutral context.
    pub host: Option<&'a str>,
    /// The context's gateway, whose pages are never the target's.
    pub gateway: Option<&'a Gateway>,
    /// The link's platform.
    pub target: Option<&'a str>,
    /// The link (or, for a target platform, every link of it): its landing pattern is the
    /// only way to `opened`, and its URL is where a continue control may lead.
    pub landing: &'a [&'a Link],
    /// The context's user agent, which the page's scripts see; a plain mobile browser's
    /// when `None`.
    pub user_agent: Option<&'a str>,
}

/// A verdict and every signature that held.
#[derive(Debug, Clone)]
pub struct Classification {
    pub verdict: Verdict,
    /// All matches, the deciding one first.
    pub matches: Vec<SignatureMatch>,
    /// The continue control of the deciding page, when the verdict was read from it.
    pub way_on: Option<Control>,
}

/// Classifies one observation. See the module documentation for the precedence.
pub fn classify(
    observation: &Observation,
    situation: &Situation<'_>,
    signatures: &[Signature],
) -> Classification {
    if let Some(failure) = &observation.failure {
        let verdict = Verdict::inconclusive(
            failure.kind.as_str(),
            Actor::None,
            format!("no page was reached: {}", failure.message),
        );
        return Classification {
            verdict,
            matches: Vec::new(),
            way_on: None,
        };
    }
    let page = Page::parse(&observation.body, observation.rendered_text.as_deref());
    let matched: Vec<(&Signature, SignatureMatch)> = signatures
        .iter()
        .filter(|s| s.hosts.allows(situation.host) && s.targets.allows(situation.target))
        .filter_map(|s| match_signature(s, observation, &page).map(|m| (s, m)))
        .collect();
    // Read the page for a way on once, and only when a signature leaves the verdict to it.
    let way = matched
        .iter()
        .any(|(s, _)| s.by_continue)
        .then(|| way_on::find(observation, situation, &page));
    let mut ranked: Vec<(&Signature, SignatureMatch, VerdictKind)> = matched
        .into_iter()
        .map(|(s, m)| {
            let kind = match (&way, s.by_continue) {
                (Some(w), true) => read_from_page(w),
                _ => s.verdict,
            };
            (s, m, kind)
        })
        .collect();
    ranked.sort_by_key(|(s, _, kind)| (severity(*kind), std::cmp::Reverse(s.priority), s.order));
    let (verdict, way_on) = match ranked.first() {
        Some((signature, m, kind)) => decided(signature, m, *kind, way.as_ref(), observation),
        None => (unmatched(observation, situation, &page), None),
    };
    if let Some(limit) = page.exceeded() {
        let ids: Vec<&str> = ranked.iter().map(|(s, _, _)| s.id.as_str()).collect();
        return Classification {
            verdict: too_complex(limit, &ids),
            matches: ranked.into_iter().map(|(_, m, _)| m).collect(),
            way_on: None,
        };
    }
    Classification {
        verdict,
        matches: ranked.into_iter().map(|(_, m, _)| m).collect(),
        way_on,
    }
}

/// A page past a parse limit: what was read of it proves nothing either way, so no verdict is
/// taken from it, whatever matched there.
fn too_complex(limit: LimitExceeded, matched: &[&str]) -> Verdict {
    let mut reason = format!(
        "the page was not read whole: {limit} (parse limit `{}`), so nothing can be concluded \
         from it",
        limit.name()
    );
    if !matched.is_empty() {
        reason.push_str(&format!(
            "; on the part read, signature {} matched",
            matched.join(", ")
        ));
    }
    Verdict::inconclusive(Mechanism::PAGE_TOO_COMPLEX, Actor::None, reason)
}

/// The verdict a page that decides by its continue control gets.
fn read_from_page(way: &WayOn) -> VerdictKind {
    match (&way.control, &way.undecided) {
        (Some(_), _) => VerdictKind::Interstitial,
        (None, Some(_)) => VerdictKind::Inconclusive,
        (None, None) => VerdictKind::Blocked,
    }
}

/// The verdict of the deciding signature, with its evidence and, when the page decided,
/// the control that did.
fn decided(
    signature: &Signature,
    m: &SignatureMatch,
    kind: VerdictKind,
    way: Option<&WayOn>,
    observation: &Observation,
) -> (Verdict, Option<Control>) {
    let mut reason = format!(
        "signature {} matched: {}",
        signature.id,
        m.evidence.join("; ")
    );
    let mut mechanism = signature.mechanism.clone();
    let mut control = None;
    if let (true, Some(way)) = (signature.by_continue, way) {
        match (&way.control, &way.undecided) {
            (Some(c), _) => {
                reason.push_str(&format!("; the page offers a way on: {}", c.describe()));
                control = Some(c.clone());
            }
            (None, Some(c)) => {
                mechanism = Mechanism::SCRIPT_UNDECIDED.to_string();
                reason.push_str(&format!(
                    "; whether the page offers a way on cannot be decided: {}",
                    c.describe()
                ));
            }
            (None, None) => reason.push_str(&format!(
                "; the page offers no way on (none of its {} controls leads to the link)",
                way.controls
            )),
        }
    }
    if let Some(why) = &observation.script_undecided {
        reason.push_str(&format!("; note: {why}"));
    }
    let verdict = Verdict {
        kind,
        mechanism,
        actor: signature.actor,
        signature: Some(signature.id.clone()),
        reason,
    };
    (verdict, control)
}

/// Lower sorts first: the most severe verdict decides.
fn severity(kind: VerdictKind) -> u8 {
    match kind {
        VerdictKind::Blocked => 0,
        VerdictKind::Interstitial => 1,
        VerdictKind::Inconclusive => 2,
        VerdictKind::Opened => 3,
    }
}

/// Rules 3 to 6: no signature held.
fn unmatched(observation: &Observation, situation: &Situation<'_>, page: &Page<'_>) -> Verdict {
    let url = &observation.final_url;
    if let Some(why) = &observation.script_undecided {
        return Verdict::inconclusive(
            Mechanism::SCRIPT_UNDECIDED,
            Actor::None,
            format!(
                "the page at {url} may navigate on its own, and where could not be decided: {why}"
            ),
        );
    }
    if let Some(gateway) = situation.gateway.filter(|g| g.owns(url)) {
        return Verdict::inconclusive(
            Mechanism::UNRECOGNIZED_PAGE,
            Actor::Host,
            format!(
                "the probe ended on the host's gateway ({}) on a page no signature recognises; \
                 capture it and add a signature",
                gateway.prefix()
            ),
        );
    }
    if situation.landing.is_empty() {
        return Verdict::inconclusive(
            Mechanism::UNRECOGNIZED_PAGE,
            Actor::None,
            "no signature matched and no link landing pattern was given, so nothing proves \
             the target was reached",
        );
    }
    let Some(link) = situation.landing.iter().find(|l| l.lands_on(url)) else {
        let patterns: Vec<&str> = situation
            .landing
            .iter()
            .map(|l| l.landing.as_str())
            .collect();
        let ids: Vec<&str> = situation.landing.iter().map(|l| l.id.as_str()).collect();
        return Verdict::inconclusive(
            Mechanism::UNRECOGNIZED_PAGE,
            Actor::None,
            format!(
                "no signature matched and the final URL {url} is not on the landing pattern of \
                 {} ({})",
                ids.join(", "),
                patterns.join(" | ")
            ),
        );
    };
    match observation.status {
        Some(status) if (200..300).contains(&status) => landed(observation, link, status, page),
        status => Verdict::inconclusive(
            Mechanism::TARGET_ERROR,
            Actor::Target,
            format!(
                "reached link {}'s landing page {url} but with status {}",
                link.id,
                status.map_or("none".to_string(), |s| s.to_string())
            ),
        ),
    }
}

/// Rule 6: a 2xx page on the landing pattern is `opened` only when it shows content: the
/// link's landing marker where one is given, else a title or some visible text.
fn landed(observation: &Observation, link: &Link, status: u16, page: &Page<'_>) -> Verdict {
    let url = &observation.final_url;
    let proof = match &link.landing_marker {
        Some(marker) => match marker.find(&observation.body) {
            Some(m) => Ok(format!(
                "the link's landing marker matched {:?}",
                m.as_str()
            )),
            None => Err((
                Mechanism::UNRECOGNIZED_PAGE,
                format!(
                    "reached link {}'s landing pattern at {url} (status {status}) but the page \
                     lacks the link's landing marker {}",
                    link.id,
                    marker.as_str()
                ),
            )),
        },
        None => {
            let (title, text) = page.matchable();
            if !title.is_empty() {
                Ok(format!("the page has the title {title:?}"))
            } else if text.chars().count() >= MIN_VISIBLE_CHARS {
                Ok(format!(
                    "the page shows {} characters of text",
                    text.chars().count()
                ))
            } else {
                Err((
                    Mechanism::EMPTY_PAGE,
                    format!(
                        "reached link {}'s landing pattern at {url} with status {status}, but the \
                         page is empty (no title, {} characters of visible text): nothing proves \
                         the target's content was shown",
                        link.id,
                        text.chars().count()
                    ),
                ))
            }
        }
    };
    match proof {
        Ok(proof) => Verdict {
            kind: VerdictKind::Opened,
            mechanism: Mechanism::DIRECT.to_string(),
            actor: Actor::None,
            signature: Some(format!("landing:{}", link.id)),
            reason: format!(
                "the final URL {url} is on link {}'s landing pattern with status {status}, {proof}, \
                 and no block or interstitial signature matched",
                link.id
            ),
        },
        Err((mechanism, reason)) => Verdict::inconclusive(mechanism, Actor::None, reason),
    }
}

#[cfg(test)]
mod tests;
