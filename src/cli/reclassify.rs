//! `linkgate reclassify [RUN_ID…]`: recomputes stored verdicts with the current signatures,
//! records which signature set produced them, prints what changed, and writes the run's CSV
//! (and report) again, sealing the change as an amendment to the run's manifest.

use std::path::PathBuf;

use clap::Args;

use linkgate::model::{RunStatus, Verdict};
use linkgate::reclassify::{reclassify, signature_set};

use super::history::HistoryArgs;
use super::{Exit, Global, InvalidArgs, load_catalog};

#[derive(Debug, Args)]
pub struct ReclassifyArgs {
    /// Runs to reclassify [default: every run]
    #[arg(value_name = "RUN_ID")]
    runs: Vec<String>,
    /// Scenario files or folders with the signatures to use (repeatable) [default: ./scenarios, else
    /// the bundled pack]
    #[arg(long = "scenarios", short = 's', value_name = "PATH")]
    scenarios: Vec<PathBuf>,
    #[command(flatten)]
    history: HistoryArgs,
    /// Say what would change, change nothing
    #[arg(long)]
    dry_run: bool,
}

pub fn run(args: ReclassifyArgs, global: &Global) -> anyhow::Result<Exit> {
    let catalog = load_catalog(&args.scenarios)?;
    let set = signature_set(&catalog.files);
    let mut store = args.history.open(true)?;
    let runs = store.runs()?;
    let chosen: Vec<_> = match args.runs.is_empty() {
        true => runs.iter().collect(),
        false => args
            .runs
            .iter()
            .map(|id| {
                runs.iter()
                    .find(|r| &r.id == id)
                    .ok_or_else(|| InvalidArgs(format!("no run `{id}` in the history database")))
            })
            .collect::<Result<_, _>>()?,
    };
    let mut changed_total = 0;
    for run in chosen {
        if run.status == RunStatus::Running {
            tracing::warn!(run = %run.id, "the run is still running (or was killed); skipping it");
            continue;
        }
        let records = store.records(&run.id)?;
        let result = reclassify(&records, &catalog);
        let changed: Vec<_> = result.changed().collect();
        changed_total += changed.len();
        println!(
            "run {}: {} of {} verdicts changed (signature set {})",
            run.id,
            changed.len(),
            records.len(),
            &set[..12]
        );
        for change in &changed {
            if let Some(before) = &change.before {
                println!(
                    "  {}: {} -> {}",
                    change.key,
                    describe(before),
                    describe(&change.verdict)
                );
            }
        }
        if !global.quiet {
            for kept in &result.kept {
                println!("  kept {}: {}", kept.key, kept.reason);
            }
        }
        if args.dry_run {
            continue;
        }
        for r in &result.recomputed {
            store.update_verdict(&run.id, &r.key, &r.verdict, r.control_verdict, &set)?;
        }
        let now = chrono::Utc::now();
        if let Some(amendment) =
            super::seal::amend_run(&catalog, &args.history.out, &store, run, &set, now)?
        {
            println!("  sealed: {}", amendment.display());
        }
    }
    if args.dry_run {
        println!("dry run: {changed_total} verdicts would change; nothing was written");
    }
    Ok(Exit::Ok)
}

/// `blocked/stop_page (wechat.stop)`
fn describe(verdict: &Verdict) -> String {
    format!(
        "{}/{} ({})",
        verdict.kind,
        verdict.mechanism,
        verdict.signature.as_deref().unwrap_or("-")
    )
}
