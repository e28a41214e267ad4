//! Whether one signature holds on one page, and the evidence it found. Kept apart from the
//! verdict rules so that `linkgate classify` can show an author exactly which condition held.

use std::borrow::Cow;

use crate::model::Observation;

use super::page::Page;
use super::signature::{Condition, Matcher, Place, Signature};
use super::text::normalize;
use crate::html::LimitExceeded;

/// A signature that held, with one line of evidence per condition.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SignatureMatch {
    pub signature: String,
    pub evidence: Vec<String>,
}

/// Checks every condition of `signature`; `None` as soon as one fails. Conditions on the
/// response are checked before those that need the page parsed, so a signature for another
/// site usually fails without a parse, and so does one whose words are not in the page's
/// source (see `prefilter`); the evidence keeps the signature's own order.
pub fn match_signature(
    signature: &Signature,
    observation: &Observation,
    page: &Page<'_>,
) -> Option<SignatureMatch> {
    let conditions = &signature.conditions;
    let mut order: Vec<usize> = (0..conditions.len()).collect();
    order.sort_by_key(|&i| cost(&conditions[i].place));
    let mut evidence: Vec<Option<String>> = vec![None; conditions.len()];
    let mut source_checked = false;
    for i in order {
        if cost(&conditions[i].place) > 0 && !source_checked {
            // Before the first look at the page: can its source hold every condition at all?
            let possible = conditions
                .iter()
                .all(|c| page.could_hold(&c.place, &c.needs));
            if !possible {
                return None;
            }
            source_checked = true;
        }
        evidence[i] = Some(check(&conditions[i], observation, page)?);
    }
    Some(SignatureMatch {
        signature: signature.id.clone(),
        evidence: evidence.into_iter().flatten().collect(),
    })
}

/// Bytes of element text one selector condition may read on a page of `body_len` bytes: the
/// page's text once per level of 32 nested matches (a broad selector such as `div` on an
/// ordinary page nests far less), at least 16 MiB; at most a few hundred milliseconds.
fn selector_text_budget(body_len: usize) -> usize {
    body_len.saturating_mul(32).max(16 << 20)
}

/// How costly a place is to look at: 0 for the response, 1 for the page source, 2 for what
/// needs the page parsed.
fn cost(place: &Place) -> u8 {
    match place {
        Place::HopUrl | Place::FinalUrl | Place::Status | Place::Header(_) => 0,
        Place::Body => 1,
        Place::Title | Place::Text | Place::Selector(_) => 2,
        Place::Script | Place::NoScript | Place::AnyText | Place::Json(_) => 3,
    }
}

/// The evidence line when `condition` holds.
fn check(condition: &Condition, observation: &Observation, page: &Page<'_>) -> Option<String> {
    let describe = |found: &str| describe(condition, found);
    match (&condition.place, &condition.matcher) {
        (Place::Selector(place), matcher) => {
            // Each element's text includes its descendants': on a deep page the same text is
            // read once per ancestor, so what one condition may read is bounded.
            let limit = selector_text_budget(observation.body.len());
            let mut budget = limit;
            for el in page.html().select(&place.selector) {
                let Some(text) = super::page::visible_text_within(el, budget) else {
                    page.exceed(LimitExceeded::SelectorText(limit));
                    return None;
                };
                budget = budget.saturating_sub(text.len().max(1));
                let text = normalize(&text);
                if matcher.as_ref().is_none_or(|m| m.is_match(&text)) {
                    return Some(describe(&text));
                }
            }
            None
        }
        (_, None) => None,
        (place, Some(matcher)) => candidates(place, observation, page)
            .into_iter()
            .find(|value| matcher.is_match(value))
            .map(|value| describe(&value)),
    }
}

/// The values a place offers for matching, borrowed: a page's text or source is matched
/// where it is, not copied per condition.
fn candidates<'p>(
    place: &Place,
    observation: &'p Observation,
    page: &'p Page<'_>,
) -> Vec<Cow<'p, str>> {
    match place {
        Place::HopUrl => std::iter::once(observation.entry_url.as_str())
            .chain(observation.hops.iter().map(|hop| hop.url.as_str()))
            .map(Cow::Borrowed)
            .collect(),
        Place::FinalUrl => vec![Cow::Borrowed(observation.final_url.as_str())],
        Place::Status => observation
            .status
            .map(|s| Cow::Owned(s.to_string()))
            .into_iter()
            .collect(),
        Place::Header(name) => {
            let mut values: Vec<Cow<'p, str>> = observation
                .headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| Cow::Borrowed(v.as_str()))
                .collect();
            if name.eq_ignore_ascii_case("location") {
                values.extend(
                    observation
                        .hops
                        .iter()
                        .filter_map(|h| h.location.as_deref().map(Cow::Borrowed)),
                );
            }
            values
        }
        Place::Title => vec![Cow::Borrowed(page.matchable().0)],
        Place::Text => vec![Cow::Borrowed(page.matchable().1)],
        Place::Body => vec![Cow::Borrowed(observation.body.as_str())],
        Place::Selector(_) => Vec::new(),
        Place::Script => borrowed(&page.script_text().literals),
        Place::NoScript => borrowed(&page.script_text().noscript),
        Place::AnyText => std::iter::once(Cow::Borrowed(page.matchable().1))
            .chain(borrowed(&page.script_text().noscript))
            .chain(borrowed(&page.script_text().literals))
            .collect(),
        Place::Json(path) => {
            let scripts = page.script_sources();
            super::embedded_json::lookup(&scripts, path)
                .map(Cow::Owned)
                .into_iter()
                .collect()
        }
    }
}

fn borrowed(values: &[String]) -> Vec<Cow<'_, str>> {
    values.iter().map(|v| Cow::Borrowed(v.as_str())).collect()
}

/// `text contains "已停止访问该网页"`, with a short excerpt of what was found.
fn describe(condition: &Condition, found: &str) -> String {
    let place = match &condition.place {
        Place::Header(name) => format!("header {name}"),
        Place::Json(path) => format!("json {path}"),
        Place::Selector(s) => format!("selector `{}`", s.source),
        other => other.as_str().to_string(),
    };
    let excerpt = excerpt(found, condition.matcher.as_ref());
    match &condition.matcher {
        Some(m) => format!("{place} {} {:?}: {excerpt}", m.kind(), m.pattern()),
        None => format!("{place} present: {excerpt}"),
    }
}

/// Up to 80 characters around the match, so evidence stays readable for long texts.
fn excerpt(found: &str, matcher: Option<&Matcher>) -> String {
    const WIDTH: usize = 80;
    let chars: Vec<char> = found.chars().collect();
    if chars.len() <= WIDTH {
        return found.to_string();
    }
    let at_byte = match matcher {
        Some(Matcher::Contains(p)) => found.find(p.as_str()),
        Some(Matcher::Regex(re)) => re.find(found).map(|m| m.start()),
        _ => None,
    }
    .unwrap_or(0);
    let at = found[..at_byte].chars().count();
    let start = at.saturating_sub(20);
    let end = (start + WIDTH).min(chars.len());
    let mut out: String = chars[start..end].iter().collect();
    if start > 0 {
        out.insert(0, '…');
    }
    if end < chars.len() {
        out.push('…');
    }
    out
}
