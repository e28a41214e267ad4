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
//!    the link's platform) and whose conditions all hold is a match. The deciding match is the
//!    one with the most severe verdict (`blocked`, then `interstitial`, then `inconclusive`),
//!    then the highest `priority`, then the earliest in load order. Severity comes first
//!    because a page that stops the user is a stop whatever else it also shows.
//! 3. With no match, a page on the host's gateway is `inconclusive` / `unrecognized_page`:
//!    a gateway page is never `opened`.
//! 4. With no match, a final URL on the link's landing pattern is `opened` / `direct` when the
//!    status is 2xx (the positive proof `opened` needs), and `inconclusive` / `target_error`
//!    otherwise.
//! 5. Anything else is `inconclusive` / `unrecognized_page`, never `opened`.
//!
//! Before 2 to 5: a page that had to be parsed and went past a parse limit (see `bounded`)
//! is `inconclusive` / `page_too_complex`, naming the limit.

mod bounded;
mod control;
mod matching;
mod page;
mod prefilter;
mod signature;

pub use bounded::{LimitExceeded, ParseLimits, ParsedPage, parse_page};
pub use control::with_control;
pub use matching::{SignatureMatch, match_signature};
pub use page::{Page, collapse_whitespace, title_of, visible_text, visible_text_within};
pub use prefilter::Needs;
pub use signature::{Condition, Matcher, Place, PlatformFilter, SelectorPlace, Signature};

use regex::Regex;

use crate::model::{Actor, Gateway, Mechanism, Observation, Verdict, VerdictKind};

/// What is known of the probe besides its observation.
#[derive(Debug, Clone, Copy, Default)]
pub struct Situation<'a> {
    /// The context's host platform; `None` in a neutral context.
    pub host: Option<&'a str>,
    /// The context's gateway, whose pages are never the target's.
    pub gateway: Option<&'a Gateway>,
    /// The link's platform.
    pub target: Option<&'a str>,
    /// The link id and its landing pattern: without it nothing can be `opened`.
    pub landing: Option<(&'a str, &'a Regex)>,
}

/// A verdict and every signature that held.
#[derive(Debug, Clone)]
pub struct Classification {
    pub verdict: Verdict,
    /// All matches, the deciding one first.
    pub matches: Vec<SignatureMatch>,
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
        };
    }
    let page = Page::parse(&observation.body, observation.rendered_text.as_deref());
    let mut matched: Vec<(&Signature, SignatureMatch)> = signatures
        .iter()
        .filter(|s| s.hosts.allows(situation.host) && s.targets.allows(situation.target))
        .filter_map(|s| match_signature(s, observation, &page).map(|m| (s, m)))
        .collect();
    matched.sort_by_key(|(s, _)| (severity(s.verdict), std::cmp::Reverse(s.priority), s.order));
    if let Some(limit) = page.exceeded() {
        return Classification {
            verdict: too_complex(limit, &matched),
            matches: matched.into_iter().map(|(_, m)| m).collect(),
        };
    }
    let verdict = match matched.first() {
        Some((signature, m)) => Verdict {
            kind: signature.verdict,
            mechanism: signature.mechanism.clone(),
            actor: signature.actor,
            signature: Some(signature.id.clone()),
            reason: format!(
                "signature {} matched: {}",
                signature.id,
                m.evidence.join("; ")
            ),
        },
        None => unmatched(observation, situation),
    };
    Classification {
        verdict,
        matches: matched.into_iter().map(|(_, m)| m).collect(),
    }
}

/// A page past a parse limit: what was read of it proves nothing either way, so no verdict is
/// taken from it, whatever matched there.
fn too_complex(limit: LimitExceeded, matched: &[(&Signature, SignatureMatch)]) -> Verdict {
    let mut reason = format!(
        "the page was not read whole: {limit} (parse limit `{}`), so nothing can be concluded \
         from it",
        limit.name()
    );
    if !matched.is_empty() {
        let ids: Vec<&str> = matched.iter().map(|(s, _)| s.id.as_str()).collect();
        reason.push_str(&format!(
            "; on the part read, signature {} matched",
            ids.join(", ")
        ));
    }
    Verdict::inconclusive(Mechanism::PAGE_TOO_COMPLEX, Actor::None, reason)
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

/// Rules 3 to 5: no signature held.
fn unmatched(observation: &Observation, situation: &Situation<'_>) -> Verdict {
    let url = &observation.final_url;
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
    let Some((link, landing)) = situation.landing else {
        return Verdict::inconclusive(
            Mechanism::UNRECOGNIZED_PAGE,
            Actor::None,
            "no signature matched and no link landing pattern was given, so nothing proves \
             the target was reached",
        );
    };
    if !landing.is_match(url) {
        return Verdict::inconclusive(
            Mechanism::UNRECOGNIZED_PAGE,
            Actor::None,
            format!(
                "no signature matched and the final URL {url} is not on link {link}'s landing \
                 pattern {}",
                landing.as_str()
            ),
        );
    }
    match observation.status {
        Some(status) if (200..300).contains(&status) => Verdict {
            kind: VerdictKind::Opened,
            mechanism: Mechanism::DIRECT.to_string(),
            actor: Actor::None,
            signature: Some(format!("landing:{link}")),
            reason: format!(
                "the final URL {url} is on link {link}'s landing pattern with status {status}, \
                 and no block or interstitial signature matched"
            ),
        },
        status => Verdict::inconclusive(
            Mechanism::TARGET_ERROR,
            Actor::Target,
            format!(
                "reached link {link}'s landing page {url} but with status {}",
                status.map_or("none".to_string(), |s| s.to_string())
            ),
        ),
    }
}

#[cfg(test)]
mod tests;
