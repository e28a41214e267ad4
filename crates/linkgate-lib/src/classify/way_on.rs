//! Whether a gateway or warning page offers a way on. An interstitial is a page that lets the
//! person continue; a block lets them go nowhere, whatever either says. The page's controls
//! (links, buttons, handlers, `javascript:` links, forms: `crate::script` learns where each
//! goes, without following any) are read for one that leads to the link itself (its URL, a
//! URL the gateway carries as a parameter, a URL the page shows, or one on the link's landing
//! pattern) or back into the same gateway page carrying the link (WeCom's
//! `uriconfirm?…&err_type=continue_visit`). Help, appeal and report links lead elsewhere.

use std::sync::LazyLock;

use regex::Regex;
use url::Url;

use crate::model::Observation;
use crate::script::{self, Control, Limits, Mode, PageSource};

use super::Situation;
use super::page::Page;

/// A user agent for pages classified without a context: a plain mobile browser.
pub const DEFAULT_USER_AGENT: &str = "Mozilla/5.0 (Linux; Android 12; Pixel 6) AppleWebKit/537.36 \
     (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36";

static SHOWN_URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"https?://[^\s"'<>，。、）)]+"#).unwrap_or_else(|e| panic!("{e}"))
});

/// What the page offers.
#[derive(Debug, Clone, Default)]
pub struct WayOn {
    /// The first control that leads on.
    pub control: Option<Control>,
    /// When none does: a control whose handler failed before it could be told where it goes.
    pub undecided: Option<Control>,
    /// How many controls the page has.
    pub controls: usize,
}

/// Reads `page` (the final page of `observation`) for a way on.
pub fn find(observation: &Observation, situation: &Situation<'_>, page: &Page<'_>) -> WayOn {
    let Ok(url) = Url::parse(&observation.final_url) else {
        return WayOn::default();
    };
    let run = script::run_parsed(
        page.html(),
        PageSource {
            html: &observation.body,
            url: &url,
            user_agent: situation.user_agent.unwrap_or(DEFAULT_USER_AGENT),
        },
        Mode::Controls,
        &Limits::default(),
    );
    let wanted = Wanted::of(observation, situation, page.text(), &url);
    let control = run
        .controls
        .iter()
        .find(|c| c.target.as_deref().is_some_and(|t| wanted.leads_on(t)))
        .cloned();
    let undecided = match control {
        Some(_) => None,
        None => run.controls.iter().find(|c| c.undecided).cloned(),
    };
    WayOn {
        control,
        undecided,
        controls: run.controls.len(),
    }
}

/// Where a way on may lead.
struct Wanted<'a> {
    urls: Vec<String>,
    situation: &'a Situation<'a>,
    page: &'a Url,
}

impl<'a> Wanted<'a> {
    fn of(
        observation: &Observation,
        situation: &'a Situation<'a>,
        text: &str,
        page: &'a Url,
    ) -> Wanted<'a> {
        let mut urls: Vec<String> = situation.landing.iter().map(|l| l.url.clone()).collect();
        let through_gateway = |u: &str| situation.gateway.is_some_and(|g| g.owns(u));
        let visited = std::iter::once(observation.entry_url.as_str())
            .chain(observation.hops.iter().map(|h| h.url.as_str()));
        for u in visited.chain(std::iter::once(observation.final_url.as_str())) {
            if u != observation.final_url && !through_gateway(u) {
                urls.push(u.to_string());
            }
            if let Ok(parsed) = Url::parse(u) {
                urls.extend(
                    parsed
                        .query_pairs()
                        .map(|(_, v)| v.into_owned())
                        .filter(|v| v.starts_with("http://") || v.starts_with("https://")),
                );
            }
        }
        // URLs the page shows, except its own site's (rules, help pages).
        urls.extend(
            SHOWN_URL
                .find_iter(text)
                .map(|m| m.as_str())
                .filter(|u| Url::parse(u).is_ok_and(|u| u.host_str() != page.host_str()))
                .map(str::to_string),
        );
        let mut urls: Vec<String> = urls.iter().map(|u| same(u)).collect();
        urls.sort();
        urls.dedup();
        Wanted {
            urls,
            situation,
            page,
        }
    }

    fn leads_on(&self, target: &str) -> bool {
        let Ok(t) = Url::parse(target) else {
            return false;
        };
        if !matches!(t.scheme(), "http" | "https") {
            return false;
        }
        if self.urls.contains(&same(target)) {
            return true;
        }
        if self.situation.landing.iter().any(|l| l.lands_on(target)) {
            return true;
        }
        // Back into this gateway page, carrying the link: its own continue URL.
        t.host_str() == self.page.host_str()
            && t.path() == self.page.path()
            && t.query_pairs().any(|(_, v)| self.urls.contains(&same(&v)))
    }
}

/// A URL as compared: no fragment, no trailing slash, host in lower case.
fn same(url: &str) -> String {
    let mut u = url.trim().to_string();
    if let Ok(parsed) = Url::parse(&u) {
        let mut parsed = parsed;
        parsed.set_fragment(None);
        u = parsed.to_string();
    }
    u.trim_end_matches('/').to_string()
}
