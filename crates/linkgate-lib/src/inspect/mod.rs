//! Classifying a saved page, as `linkgate classify` does: the way a signature author checks a
//! capture, with no more than the page and its URL. Without a context or host, the host is
//! inferred from the URL (a context's gateway, or a host-specific signature whose URL
//! conditions hold on it) and the answer says how. With a target platform, the landing
//! pattern of every link of that platform can prove `opened`. The page's scripts run as the
//! http engine runs them: a page that navigates on its own is not where a probe ends, and
//! the answer says where it goes instead.

mod explain;

pub use explain::InspectionReport;

use crate::triage::{Features, compare};
use url::Url;

use crate::catalog::Catalog;
use crate::classify::{Classification, DEFAULT_USER_AGENT, Place, Situation, classify};
use crate::model::{Actor, Gateway, Hop, HopVia, Link, Observation, Verdict};
use crate::script::{self, Limits, Mode, Navigation, PageSource};

/// The mechanism of a page that navigates on its own.
pub const PAGE_NAVIGATES: &str = "page_navigates";

/// What is known of a saved page.
#[derive(Debug, Clone, Default)]
pub struct SavedPage<'a> {
    pub bytes: &'a [u8],
    /// The URL it was captured at.
    pub url: &'a str,
    pub status: u16,
    /// A charset label that overrides detection.
    pub charset: Option<&'a str>,
    pub context: Option<&'a str>,
    pub host: Option<&'a str>,
    pub link: Option<&'a str>,
    pub target: Option<&'a str>,
    /// The control's page captured with it, to compare with.
    pub control: Option<&'a [u8]>,
}

/// A flag that names nothing in the scenarios, or a URL that is not one.
#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    #[error(
        "--url `{url}` is not a URL ({reason}); give the absolute URL the page was captured at"
    )]
    BadUrl { url: String, reason: String },
    #[error("unknown charset `{0}`; use a label such as utf-8, gbk, gb18030 or big5")]
    Charset(String),
    #[error("no context `{0}` in the scenarios (see `linkgate plan`)")]
    Context(String),
    #[error("no platform `{0}` in the scenarios (see scenarios/platforms.toml)")]
    Platform(String),
    #[error("no link `{0}` in the scenarios (see `linkgate plan`)")]
    Link(String),
    #[error(
        "no link of platform `{0}` in the scenarios, so no landing pattern can prove `opened`; \
         check the platform id (see `linkgate plan --target {0}`)"
    )]
    NoLinks(String),
}

/// The host, and how it was known.
#[derive(Debug, Clone)]
pub struct HostGuess<'c> {
    pub platform: Option<&'c str>,
    pub gateway: Option<&'c Gateway>,
    /// `context …`, `--host`, `inferred from the URL: …`, or why there is none.
    pub from: String,
}

/// What `inspect` found.
#[derive(Debug, Clone)]
pub struct Inspection<'c> {
    pub classification: Classification,
    pub host: HostGuess<'c>,
    /// The page's own navigation to an http(s) URL, if it makes one.
    pub navigation: Option<Navigation>,
    pub observation: Observation,
    /// `UTF-8 (meta)`, …
    pub charset: String,
}

/// Classifies `page` with `catalog`.
pub fn inspect<'c>(
    catalog: &'c Catalog,
    page: &SavedPage<'_>,
) -> Result<Inspection<'c>, InspectError> {
    if let Some(label) = page.charset
        && crate::charset::lookup(label).is_none()
    {
        return Err(InspectError::Charset(label.to_string()));
    }
    let url = Url::parse(page.url.trim()).map_err(|e| InspectError::BadUrl {
        url: page.url.to_string(),
        reason: e.to_string(),
    })?;
    let decoded = crate::charset::decode(page.bytes, None, page.charset);
    let mut observation = observation(page, decoded.text, decoded.charset);
    let host = host(catalog, page)?;
    let landing = landing(catalog, page)?;
    let user_agent = page
        .context
        .and_then(|id| catalog.context(id))
        .map_or(DEFAULT_USER_AGENT, |c| c.user_agent.as_str());
    let situation = Situation {
        host: host.platform,
        gateway: host.gateway,
        target: target(catalog, page),
        landing: &landing,
        user_agent: Some(user_agent),
    };
    let run = script::run(
        PageSource {
            html: &observation.body,
            url: &url,
            user_agent,
        },
        Mode::Load,
        &Limits::default(),
    );
    let refresh = script::refresh_navigation(&run, &url);
    let navigation = match (run.navigation.clone(), refresh) {
        (Some(js), Some(meta)) if meta.at_ms < js.at_ms => Some(meta),
        (Some(js), _) => Some(js),
        (None, meta) if run.undecided.is_none() => meta,
        (None, _) => None,
    }
    .filter(|n| n.url.starts_with("http://") || n.url.starts_with("https://"));
    if navigation.is_none() {
        observation.script_undecided = run.undecided;
    }
    let mut classification = classify(&observation, &situation, &catalog.signatures);
    if let Some(nav) = &navigation {
        classification.verdict = navigates(nav, &classification.verdict);
    }
    if let Some(control) = page.control {
        let control = crate::charset::decode(control, None, None).text;
        let (features, control) = (Features::of(&observation.body), Features::of(&control));
        observation.control_similarity = Some(compare(&features, &control));
    }
    Ok(Inspection {
        classification,
        host,
        navigation,
        observation,
        charset: format!("{} ({})", decoded.charset, decoded.source),
    })
}

/// A page that navigates on its own is left before anyone reads it: not a final page.
fn navigates(nav: &Navigation, would_be: &Verdict) -> Verdict {
    let when = match nav.at_ms {
        0 => "while it loads".to_string(),
        ms => format!("after {ms} ms"),
    };
    Verdict::inconclusive(
        PAGE_NAVIGATES,
        Actor::None,
        format!(
            "the page navigates on its own ({}, {when}) to {}: a probe goes on there, so this is \
             not where it ends; classify the page it leads to (were it to stay: {} / {})",
            nav.how, nav.url, would_be.kind, would_be.mechanism
        ),
    )
}

fn observation(page: &SavedPage<'_>, body: String, charset: &str) -> Observation {
    Observation {
        entry_url: page.url.to_string(),
        hops: vec![Hop {
            url: page.url.to_string(),
            status: Some(page.status),
            location: None,
            via: HopVia::Start,
            elapsed_ms: 0,
        }],
        final_url: page.url.to_string(),
        status: Some(page.status),
        body,
        charset: Some(charset.to_string()),
        ..Observation::default()
    }
}

/// The host from the context or host given, or else from the URL: a context whose gateway
/// owns it, or a host-specific signature whose URL conditions all hold on it.
pub fn host<'c>(catalog: &'c Catalog, page: &SavedPage<'_>) -> Result<HostGuess<'c>, InspectError> {
    if let Some(id) = page.context {
        let context = catalog
            .context(id)
            .ok_or_else(|| InspectError::Context(id.to_string()))?;
        return Ok(HostGuess {
            platform: context.host.as_deref(),
            gateway: context.gateway.as_ref(),
            from: format!("context {id}"),
        });
    }
    if let Some(host) = page.host {
        let platform = catalog
            .platforms
            .iter()
            .find(|p| p.id == host)
            .ok_or_else(|| InspectError::Platform(host.to_string()))?;
        return Ok(HostGuess {
            platform: Some(&platform.id),
            gateway: None,
            from: "--host".to_string(),
        });
    }
    let url = page.url.trim();
    if let Some(context) = catalog
        .contexts
        .iter()
        .find(|c| c.gateway.as_ref().is_some_and(|g| g.owns(url)))
    {
        return Ok(HostGuess {
            platform: context.host.as_deref(),
            gateway: context.gateway.as_ref(),
            from: format!(
                "inferred from the URL: the gateway of context {} ({})",
                context.id,
                context.gateway.as_ref().map_or("", |g| g.prefix())
            ),
        });
    }
    let by_signature = catalog.signatures.iter().find(|s| {
        let urls: Vec<_> = s
            .conditions
            .iter()
            .filter(|c| matches!(c.place, Place::FinalUrl | Place::HopUrl))
            .collect();
        !s.hosts.0.is_empty()
            && !urls.is_empty()
            && urls
                .iter()
                .all(|c| c.matcher.as_ref().is_some_and(|m| m.is_match(url)))
    });
    Ok(match by_signature {
        Some(s) => HostGuess {
            platform: s.hosts.0.first().map(String::as_str),
            gateway: None,
            from: format!(
                "inferred from the URL: signature {}'s URL condition (hosts: {})",
                s.id,
                s.hosts.0.join(", ")
            ),
        },
        None => HostGuess {
            platform: None,
            gateway: None,
            from: "none: the URL is no known gateway's page (give --context or --host)".to_string(),
        },
    })
}

/// The links whose landing patterns may prove `opened`: the link, or every link of the
/// target platform.
fn landing<'c>(catalog: &'c Catalog, page: &SavedPage<'_>) -> Result<Vec<&'c Link>, InspectError> {
    if let Some(id) = page.link {
        let link = catalog
            .link(id)
            .ok_or_else(|| InspectError::Link(id.to_string()))?;
        return Ok(vec![link]);
    }
    if let Some(target) = page.target {
        let links: Vec<&Link> = catalog
            .links
            .iter()
            .filter(|l| l.platform == target)
            .collect();
        if links.is_empty() {
            return Err(InspectError::NoLinks(target.to_string()));
        }
        return Ok(links);
    }
    Ok(Vec::new())
}

fn target<'c>(catalog: &'c Catalog, page: &SavedPage<'c>) -> Option<&'c str> {
    match page.link {
        Some(id) => catalog.link(id).map(|l| l.platform.as_str()),
        None => page.target,
    }
}
