//! `linkgate classify`: classify a saved page with the scenario signatures and explain the
//! verdict. Signature authors use it to check a newly captured page before committing it, so
//! it needs no more than the page and its URL: without `--context` or `--host` the host is
//! inferred from the URL (a context's gateway, or a signature's URL condition) and said. The
//! page's scripts run as the http engine runs them: a page that navigates on its own is not
//! where a probe ends, and the output says where it goes instead.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;

use linkgate::inspect::{SavedPage, inspect};

use super::{Exit, load_catalog};

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
    /// Scenario files or folders (repeatable) [default: ./scenarios, else the bundled pack]
    #[arg(long = "scenarios", short = 's', value_name = "PATH")]
    scenarios: Vec<PathBuf>,
    /// The control's page (the same link in the plain browser), to compare the page with
    #[arg(long, value_name = "PAGE")]
    control: Option<PathBuf>,
    /// Print one JSON object
    #[arg(long)]
    json: bool,
}

pub fn run(args: ClassifyArgs) -> anyhow::Result<Exit> {
    let catalog = load_catalog(&args.scenarios)?;
    let bytes = std::fs::read(&args.page)
        .with_context(|| format!("cannot read page {}", args.page.display()))?;
    let control = (args.control.as_ref())
        .map(|p| std::fs::read(p).with_context(|| format!("cannot read page {}", p.display())))
        .transpose()?;
    let page = SavedPage {
        bytes: &bytes,
        url: &args.url,
        status: args.status,
        charset: args.charset.as_deref(),
        context: args.context.as_deref(),
        host: args.host.as_deref(),
        link: args.link.as_deref(),
        target: args.target.as_deref(),
        control: control.as_deref(),
    };
    let found = inspect(&catalog, &page)?;
    match args.json {
        true => println!("{}", serde_json::to_string_pretty(&found.report())?),
        false => print!("{}", found.explain()),
    }
    Ok(Exit::Ok)
}
