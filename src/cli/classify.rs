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

use linkgate::classify::Classification;
use linkgate::inspect::{HostGuess, Inspection, SavedPage, inspect};
use linkgate::model::Observation;
use linkgate::script::Navigation;

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
    /// Scenario files or folders (repeatable) [default: ./scenarios, else
    /// the bundled pack]
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

pub fn run(args: ClassifyArgs) -> anyhow::Result<Exit> {
    let catalog = load_catalog(&args.scenarios)?;
    if let Some(label) = &args.charset
        && linkgate::charset::lookup(label).is_none()
    {
        return Err(InvalidArgs(format!(
            "unknown charset `{label}`; use a label such as utf-8, gbk, gb18030 or big5"
        ))
        .into());
    }
    let bytes = std::fs::read(&args.page)
        .with_context(|| format!("cannot read page {}", args.page.display()))?;
    let page = SavedPage {
        bytes: &bytes,
        url: &args.url,
        status: args.status,
        charset: args.charset.as_deref(),
        context: args.context.as_deref(),
        host: args.host.as_deref(),
        link: args.link.as_deref(),
        target: args.target.as_deref(),
    };
    let found = inspect(&catalog, &page).map_err(|e| InvalidArgs(e.to_string()))?;
    let Inspection {
        classification,
        host,
        navigation,
        observation,
        charset,
    } = &found;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report(
                classification,
                charset,
                host,
                navigation.as_ref(),
                observation
            ))?
        );
    } else {
        print!(
            "{}",
            explain(
                classification,
                charset,
                host,
                navigation.as_ref(),
                observation
            )
        );
    }
    Ok(Exit::Ok)
}

fn report<'a>(
    result: &'a Classification,
    charset: &'a str,
    host: &'a HostGuess<'_>,
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
    host: &HostGuess<'_>,
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
        out.push_str(&format!(
            "navigates: {} ({}, at {} ms)\n",
            nav.url, nav.how, nav.at_ms
        ));
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
