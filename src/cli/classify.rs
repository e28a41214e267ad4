//! `linkgate classify`: classify a saved page with the scenario signatures and explain the
//! verdict. Signature authors use it to check a newly captured page before committing it.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;
use serde::Serialize;

use linkgate::catalog::Catalog;
use linkgate::classify::{Classification, Situation, classify};
use linkgate::model::{Hop, HopVia, Observation};

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
    /// The target platform, when no link id fits
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
    let decoded = linkgate::charset::decode(&bytes, None, args.charset.as_deref());
    let observation = observation(&args, decoded.text, decoded.charset);
    let situation = situation(&catalog, &args)?;
    let result = classify(&observation, &situation, &catalog.signatures);
    let charset = format!("{} ({})", decoded.charset, decoded.source);
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report(&result, &charset))?
        );
    } else {
        print!("{}", explain(&result, &charset));
    }
    Ok(Exit::Ok)
}

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

fn situation<'c>(
    catalog: &'c Catalog,
    args: &'c ClassifyArgs,
) -> Result<Situation<'c>, InvalidArgs> {
    let mut situation = Situation {
        host: args.host.as_deref(),
        target: args.target.as_deref(),
        ..Situation::default()
    };
    if let Some(id) = &args.context {
        let context = catalog.context(id).ok_or_else(|| {
            InvalidArgs(format!(
                "no context `{id}` in the scenarios (see `linkgate plan`)"
            ))
        })?;
        situation.host = context.host.as_deref();
        situation.gateway = context.gateway.as_ref();
    }
    if let Some(id) = &args.link {
        let link = catalog.link(id).ok_or_else(|| {
            InvalidArgs(format!(
                "no link `{id}` in the scenarios (see `linkgate plan`)"
            ))
        })?;
        situation.target = Some(&link.platform);
        situation.landing = Some((&link.id, &link.landing));
    }
    Ok(situation)
}

fn report<'a>(result: &'a Classification, charset: &'a str) -> Report<'a> {
    let v = &result.verdict;
    Report {
        verdict: v.kind.as_str(),
        mechanism: &v.mechanism,
        actor: v.actor.as_str(),
        signature: v.signature.as_deref(),
        reason: &v.reason,
        matches: &result.matches,
        charset,
    }
}

fn explain(result: &Classification, charset: &str) -> String {
    let v = &result.verdict;
    let mut out = format!(
        "verdict:   {}\nmechanism: {}\nactor:     {}\nsignature: {}\nbecause:   {}\ncharset:   {charset}\n",
        v.kind,
        v.mechanism,
        v.actor,
        v.signature.as_deref().unwrap_or("-"),
        v.reason,
    );
    for other in result.matches.iter().skip(1) {
        out.push_str(&format!(
            "also matched (lower precedence): {}: {}\n",
            other.signature,
            other.evidence.join("; ")
        ));
    }
    out
}
