//! `linkgate classify`: classify a saved page with the scenario signatures and explain the
//! verdict. Signature authors use it to check a newly captured page before committing it, so
//! it needs no more than the page and its URL: without `--context` or `--host` the host is
//! inferred from the URL (a context's gateway, or a signature's URL condition) and said. The
//! page's scripts run as the http engine runs them: a page that navigates on its own is not
//! where a probe ends, and the output says where it goes instead.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;
use serde::Serialize;

use linkgate::catalog::Catalog;
use linkgate::classify::{Classification, DEFAULT_USER_AGENT, Place, Situation, classify};
use linkgate::model::{Actor, Gateway, Hop, HopVia, Link, Observation, Verdict};
use linkgate::script::{self, Limits, Mode, Navigation, PageSource};

use super::{Exit, InvalidArgs, load_catalog};

#[derive(Debug, Args)]
pub struct ClassifyArgs {
    /// The saved page (HTML, any of UTF-8, GBK, GB18030, Big5)
    #[arg(value_name = "PAGE")]
    page: PathBuf,
    /// The URL the page was captured at (the final URL)
    #[arg(long, value_name = "FINAL_URL")]
    url: String,
    /// The page's HTTP status
    #[arg(long, default_value_t = 200)]
    status: u16,
    /// The link that was opened: gives the target platform and the landing pattern
    #[arg(long, value_name = "ID", conflicts_with = "target")]
    link: Option<String>,
    /// The target platform, when no link id fits: every link of it gives its landing pattern
    #[arg(long, value_name = "PLATFORM")]
    target: Option<String>,
    /// The context it was opened in: gives the host platform and its gateway
    #[arg(long, value_name = "ID", conflicts_with = "host")]
    context: Option<String>,
    /// The host platform, when no context id fits
    #[arg(long, value_name = "PLATFORM")]
    host: Option<String>,
    /// Decode the page with this charset instead of detecting it
    #[arg(long, value_name = "CHARSET")]
    charset: Option<String>,
    /// Scenario files or folders (repeatable) [default: scenarios]
    #[arg(long = "scenarios", short = 's', value_name = "PATH")]
    scenarios: Vec<PathBuf>,
    /// Print one JSON object
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct Report<'a> {
    verdict: &'a str,
    mechanism: &'a str,
    actor: &'a str,
    signature: Option<&'a str>,
    reason: &'a str,
    matches: &'a [linkgate::classify::SignatureMatch],
    charset: &'a str,
    host: Option<&'a str>,
    host_from: &'a str,
    navigates_to: Option<&'a str>,
    continue_url: Option<&'a str>,
    continue_control: Option<String>,
    script_undecided: Option<&'a str>,
}

/// The host, and how it was known.
struct Host<'c> {
    platform: Option<&'c str>,
    gateway: Option<&'c Gateway>,
    from: String,
}

pub fn run(args: ClassifyArgs) -> anyhow::Result<Exit> {
    let paths = if args.scenarios.is_empty() {
        vec![PathBuf::from("scenarios")]
    } else {
        args.scenarios.clone()
    };
    let catalog = load_catalog(&paths)?;
    if let Some(label) = &args.charset
        && linkgate::charset::lookup(label).is_none()
    {
        return Err(InvalidArgs(format!(
            "unknown charset `{label}`; use a label such as utf-8, gbk, gb18030 or big5"
        ))
        .into());
    }
    let url = url::Url::parse(args.url.trim()).map_err(|e| {
        InvalidArgs(format!(
            "--url `{}` is not a URL ({e}); give the absolute URL the page was captured at",
            args.url
        ))
    })?;
    let bytes = std::fs::read(&args.page)
        .with_context(|| format!("cannot read page {}", args.page.display()))?;
    let decoded = linkgate::charset::decode(&bytes, None, args.charset.as_deref());
    let mut observation = observation(&args, decoded.text, decoded.charset);
    let host = host(&catalog, &args)?;
    let landing = landing(&catalog, &args)?;
    let user_agent = args
        .context
        .as_deref()
        .and_then(|id| catalog.context(id))
        .map_or(DEFAULT_USER_AGENT, |c| c.user_agent.as_str());
    let situation = Situation {
        host: host.platform,
        gateway: host.gateway,
        target: target(&catalog, &args),
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
    let navigation = run
        .navigation
        .filter(|n| n.url.starts_with("http://") || n.url.starts_with("https://"));
    observation.script_undecided = match &navigation {
        Some(_) => None,
        None => run.undecided,
    };
    let mut result = classify(&observation, &situation, &catalog.signatures);
    if let Some(nav) = &navigation {
        result.verdict = navigates(nav, &result.verdict);
    }
    let charset = format!("{} ({})", decoded.charset, decoded.source);
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report(
                &result,
                &charset,
                &host,
                navigation.as_ref(),
                &observation
            ))?
        );
    } else {
        print!(
            "{}",
            explain(&result, &charset, &host, navigation.as_ref(), &observation)
        );
    }
    Ok(Exit::Ok)
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

/// The mechanism `classify` gives a page that navigates on its own.
const PAGE_NAVIGATES: &str = "page_navigates";

fn observation(args: &ClassifyArgs, body: String, charset: &str) -> Observation {
    Observation {
        entry_url: args.url.clone(),
        hops: vec![Hop {
            url: args.url.clone(),
            status: Some(args.status),
            location: None,
            via: HopVia::Start,
            elapsed_ms: 0,
        }],
        final_url: args.url.clone(),
        status: Some(args.status),
        body,
        charset: Some(charset.to_string()),
        ..Observation::default()
    }
}

/// The host from `--context` or `--host`, or else from the URL: a context whose gateway owns
/// it, or a host-specific signature whose URL conditions all hold on it.
fn host<'c>(catalog: &'c Catalog, args: &'c ClassifyArgs) -> Result<Host<'c>, InvalidArgs> {
    if let Some(id) = &args.context {
        let context = catalog.context(id).ok_or_else(|| {
            InvalidArgs(format!(
                "no context `{id}` in the scenarios (see `linkgate plan`)"
            ))
        })?;
        return Ok(Host {
            platform: context.host.as_deref(),
            gateway: context.gateway.as_ref(),
            from: format!("context {id}"),
        });
    }
    if let Some(host) = &args.host {
        if !catalog.platforms.iter().any(|p| &p.id == host) {
            return Err(InvalidArgs(format!(
                "no platform `{host}` in the scenarios (see scenarios/platforms.toml)"
            )));
        }
        return Ok(Host {
            platform: Some(host),
            gateway: None,
            from: "--host".to_string(),
        });
    }
    let url = args.url.trim();
    if let Some(context) = catalog
        .contexts
        .iter()
        .find(|c| c.gateway.as_ref().is_some_and(|g| g.owns(url)))
    {
        return Ok(Host {
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
        Some(s) => Host {
            platform: s.hosts.0.first().map(String::as_str),
            gateway: None,
            from: format!(
                "inferred from the URL: signature {}'s URL condition (hosts: {})",
                s.id,
                s.hosts.0.join(", ")
            ),
        },
        None => Host {
            platform: None,
            gateway: None,
            from: "none: the URL is no known gateway's page (give --context or --host)"
                .to_string(),
        },
    })
}

/// The links whose landing patterns may prove `opened`: `--link`, or every link of
/// `--target`.
fn landing<'c>(catalog: &'c Catalog, args: &ClassifyArgs) -> Result<Vec<&'c Link>, InvalidArgs> {
    if let Some(id) = &args.link {
        let link = catalog.link(id).ok_or_else(|| {
            InvalidArgs(format!(
                "no link `{id}` in the scenarios (see `linkgate plan`)"
            ))
        })?;
        return Ok(vec![link]);
    }
    if let Some(target) = &args.target {
        let links: Vec<&Link> = catalog
            .links
            .iter()
            .filter(|l| &l.platform == target)
            .collect();
        if links.is_empty() {
            return Err(InvalidArgs(format!(
                "no link of platform `{target}` in the scenarios, so no landing pattern can \
                 prove `opened`; check the platform id (see `linkgate plan --target {target}`)"
            )));
        }
        return Ok(links);
    }
    Ok(Vec::new())
}

fn target<'c>(catalog: &'c Catalog, args: &'c ClassifyArgs) -> Option<&'c str> {
    match &args.link {
        Some(id) => catalog.link(id).map(|l| l.platform.as_str()),
        None => args.target.as_deref(),
    }
}

fn report<'a>(
    result: &'a Classification,
    charset: &'a str,
    host: &'a Host<'_>,
    navigation: Option<&'a Navigation>,
    observation: &'a Observation,
) -> Report<'a> {
    let v = &result.verdict;
    Report {
        verdict: v.kind.as_str(),
        mechanism: &v.mechanism,
        actor: v.actor.as_str(),
        signature: v.signature.as_deref(),
        reason: &v.reason,
        matches: &result.matches,
        charset,
        host: host.platform,
        host_from: &host.from,
        navigates_to: navigation.map(|n| n.url.as_str()),
        continue_url: result.way_on.as_ref().and_then(|c| c.target.as_deref()),
        continue_control: result.way_on.as_ref().map(|c| c.describe()),
        script_undecided: observation.script_undecided.as_deref(),
    }
}

fn explain(
    result: &Classification,
    charset: &str,
    host: &Host<'_>,
    navigation: Option<&Navigation>,
    observation: &Observation,
) -> String {
    let v = &result.verdict;
    let mut out = format!(
        "verdict:   {}\nmechanism: {}\nactor:     {}\nsignature: {}\nbecause:   {}\nhost:      {} ({})\ncharset:   {charset}\n",
        v.kind,
        v.mechanism,
        v.actor,
        v.signature.as_deref().unwrap_or("-"),
        v.reason,
        host.platform.unwrap_or("-"),
        host.from,
    );
    if let Some(nav) = navigation {
        out.push_str(&format!("navigates: {} ({}, at {} ms)\n", nav.url, nav.how, nav.at_ms));
    }
    if let Some(c) = &result.way_on {
        out.push_str(&format!("continue:  {}\n", c.describe()));
    }
    if let Some(why) = &observation.script_undecided {
        out.push_str(&format!("scripts:   undecided: {why}\n"));
    }
    for other in result.matches.iter().skip(1) {
        out.push_str(&format!(
            "also matched (lower precedence): {}: {}\n",
            other.signature,
            other.evidence.join("; ")
        ));
    }
    out
}
