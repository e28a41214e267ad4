//! `linkgate demo`: a real report, offline (see `linkgate::audit::demo`): flags in, the
//! simulated runs' summaries and files out.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use chrono::NaiveDate;
use clap::Args;
use tokio_util::sync::CancellationToken;

use linkgate::audit::RunProgress;
use linkgate::audit::demo::{self, DemoDisplay, DemoSettings, run_demo};
use linkgate::model::EngineKind;
use linkgate::render::console;
use linkgate::run::Outcome;

use super::progress::Progress;
use super::{Exit, Global, ScenarioPaths, load_catalog};

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    scenarios: ScenarioPaths,
    /// Where the demo's history and files go
    #[arg(long, value_name = "DIR", default_value = demo::DEMO_OUT)]
    out: PathBuf,
    /// The audit to run
    #[arg(long, value_name = "NAME", default_value = demo::DEMO_AUDIT)]
    audit: String,
    /// Simulated dates to run at (repeatable) [default: 2021-09-10, 2021-09-17, 2021-10-15, 2022-03-15]
    #[arg(long = "date", value_name = "YYYY-MM-DD")]
    dates: Vec<NaiveDate>,
    /// Probes in flight at once (the simulator is local: no politeness needed)
    #[arg(long, value_name = "N", default_value_t = demo::DEMO_CONCURRENCY)]
    concurrency: usize,
}

pub fn run(args: DemoArgs, global: &Global) -> anyhow::Result<Exit> {
    let quiet = global.quiet;
    let catalog = Arc::new(load_catalog(&args.scenarios.paths)?);
    let settings = DemoSettings {
        out: args.out.clone(),
        audit: args.audit.clone(),
        dates: args.dates.clone(),
        concurrency: args.concurrency,
    };
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let demo = runtime.block_on(async {
        let cancel = CancellationToken::new();
        linkgate::audit::signals::stop_on_signal(cancel.clone(), quiet);
        run_demo(catalog, &settings, &cancel, &Shown { quiet }).await
    })?;
    print!("{}", demo.files_text());
    Ok(if demo.complete {
        Exit::Ok
    } else {
        Exit::Failure
    })
}

/// What the demo shows as it goes, unless `--quiet`.
struct Shown {
    quiet: bool,
}

impl DemoDisplay for Shown {
    fn started(&self, addr: std::net::SocketAddr) {
        if !self.quiet {
            println!(
                "simulator on {addr} — everything below is SIMULATED, not measured on real apps"
            );
        }
    }

    fn progress(&self, total: usize) -> Box<dyn RunProgress> {
        Progress::boxed(&BTreeMap::from([(EngineKind::Http, total)]), self.quiet)
    }

    fn ran(&self, outcome: &Outcome, elapsed: Duration) {
        if !self.quiet {
            print!("{}", console::text(outcome, elapsed));
        }
    }
}
