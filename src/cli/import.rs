//! `linkgate import FILE.csv`: observations made by hand on a real phone become a run with
//! engine `manual`, sealed like any other, so scenes that cannot be automated appear in the
//! report. Every row is checked first; one bad row and nothing is written (exit 3).

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;

use linkgate::import::{ImportError, parse, records};
use linkgate::model::{Run, RunStatus};
use linkgate::run::new_run_id;

use super::history::HistoryArgs;
use super::{Exit, Global, InvalidArgs, load_catalog};

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The CSV: context, link, verdict, mechanism, observed_at, screenshot, analyst, note
    #[arg(value_name = "FILE.csv")]
    file: PathBuf,
    /// Scenario files or folders (repeatable) [default: ./scenarios, else
    /// the bundled pack]
    #[arg(long = "scenarios", short = 's', value_name = "PATH")]
    scenarios: Vec<PathBuf>,
    /// The audit the observations belong to [default: the only audit in the scenarios]
    #[arg(long, value_name = "NAME")]
    audit: Option<String>,
    /// Where the observations were made from, recorded with the run
    #[arg(long, value_name = "NAME", default_value = "manual")]
    vantage: String,
    #[command(flatten)]
    history: HistoryArgs,
}

pub fn run(args: ImportArgs, global: &Global) -> anyhow::Result<Exit> {
    let catalog = load_catalog(&args.scenarios)?;
    let audit = match (&args.audit, catalog.audits.as_slice()) {
        (Some(name), _) => catalog
            .audit(name)
            .ok_or_else(|| InvalidArgs(format!("no audit `{name}` in the scenarios")))?,
        (None, [only]) => only,
        (None, _) => {
            return Err(InvalidArgs(
                "the scenarios hold several audits (or none): name one with --audit".into(),
            )
            .into());
        }
    };
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let base = args.file.parent().unwrap_or(Path::new("."));
    let now = chrono::Utc::now();
    let rows = parse(&args.file, &bytes, base, &catalog, audit, now, &|p| {
        std::fs::read(p)
    })
    .map_err(invalid)?;

    let mut store = args.history.open(false)?;
    let mut run = Run {
        id: new_run_id(now),
        started_at: now,
        ended_at: None,
        status: RunStatus::Running,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        vantage: args.vantage.clone(),
        audits: vec![audit.id.clone()],
        scenario_files: catalog.files.clone(),
        simulated: false,
    };
    store.begin_run(&run)?;
    let written = records(&run.id, audit, &catalog, &rows)
        .iter()
        .try_for_each(|(record, artifacts)| store.record(record, artifacts));
    let status = match &written {
        Ok(()) => RunStatus::Completed,
        Err(_) => RunStatus::Failed,
    };
    let ended = chrono::Utc::now();
    store.finish_run(&run.id, status, ended)?;
    written?;
    run.status = status;
    run.ended_at = Some(ended);
    let run = store.run(&run.id)?.unwrap_or(run);
    let stored = store.records_without_bodies(&run.id)?;
    let sealed = super::seal::finish_run(&catalog, &args.history.out, &store, &run, ended)?;
    tracing::info!(run = %run.id, records = stored.len(), "manual observations imported");
    if !global.quiet {
        println!(
            "imported {} manual observation{} as run {} (audit {})",
            stored.len(),
            if stored.len() == 1 { "" } else { "s" },
            run.id,
            audit.id
        );
    }
    println!("csv:      {}", sealed.csv.display());
    if let Some(manifest) = &sealed.manifest {
        println!("manifest: {}", manifest.display());
    }
    Ok(Exit::Ok)
}

/// A bad sheet is invalid input (exit 3), with every problem in the message.
fn invalid(err: ImportError) -> anyhow::Error {
    InvalidArgs(err.to_string()).into()
}
