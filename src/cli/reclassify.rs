//! `linkgate reclassify [RUN_ID…]`: recomputes stored verdicts with the current signatures,
//! records which signature set produced them, prints what changed, and writes the run's CSV
//! (and report) again, sealing the change as an amendment to the run's manifest.

use std::path::PathBuf;

use clap::Args;

use linkgate::audit::history::{chosen_runs, reclassify_run};
use linkgate::model::RunStatus;
use linkgate::reclassify::signature_set;

use super::evidence::AttestArgs;
use super::history::HistoryArgs;
use super::{Exit, Global, load_catalog};

#[derive(Debug, Args)]
pub struct ReclassifyArgs {
    /// Runs to reclassify [default: every run]
    #[arg(value_name = "RUN_ID")]
    runs: Vec<String>,
    /// Scenario files or folders with the signatures to use (repeatable) [default: ./scenarios, else the bundled pack]
    #[arg(long = "scenarios", short = 's', value_name = "PATH")]
    scenarios: Vec<PathBuf>,
    #[command(flatten)]
    history: HistoryArgs,
    /// Say what would change, change nothing
    #[arg(long)]
    dry_run: bool,
    #[command(flatten)]
    attest: AttestArgs,
}

pub fn run(args: ReclassifyArgs, global: &Global) -> anyhow::Result<Exit> {
    let catalog = load_catalog(&args.scenarios)?;
    let set = signature_set(&catalog.files);
    let mut store = args.history.open(true)?;
    let attest = args.attest.attest()?;
    let mut changed = 0;
    for run in chosen_runs(&store, &args.runs)? {
        if run.status == RunStatus::Running {
            tracing::warn!(run = %run.id, "the run is still running (or was killed); skipping it");
            continue;
        }
        let (out, dry) = (&args.history.out, args.dry_run);
        let done = reclassify_run(&mut store, &catalog, &run, out, dry, &attest)?;
        changed += done.result.changed().count();
        print!("{}", done.text(&set, !global.quiet));
    }
    if args.dry_run {
        println!("dry run: {changed} verdicts would change; nothing was written");
    }
    Ok(Exit::Ok)
}
