//! `linkgate import FILE.csv`: observations made by hand on a real phone become a run with
//! engine `manual`, sealed like any other, so scenes that cannot be automated appear in the
//! report. Every row is checked first; one bad row and nothing is written (exit 3).

use std::path::PathBuf;

use clap::Args;

use linkgate::audit::history::{ManualRun, import_manual, read_sheet};

use super::evidence::AttestArgs;
use super::history::HistoryArgs;
use super::{Exit, Global, load_catalog};

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The CSV: context, link, verdict, mechanism, observed_at, screenshot, analyst, note
    #[arg(value_name = "FILE.csv")]
    file: PathBuf,
    /// Scenario files or folders (repeatable) [default: ./scenarios, else the bundled pack]
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
    #[command(flatten)]
    attest: AttestArgs,
}

pub fn run(args: ImportArgs, global: &Global) -> anyhow::Result<Exit> {
    let catalog = load_catalog(&args.scenarios)?;
    let now = chrono::Utc::now();
    let (audit, rows) = read_sheet(&catalog, args.audit.as_deref(), &args.file, now)?;
    let mut store = args.history.open(false)?;
    let manual = ManualRun {
        audit,
        rows: &rows,
        vantage: &args.vantage,
        now,
    };
    let attest = args.attest.attest()?;
    let imported = import_manual(&mut store, &catalog, manual, &args.history.out, &attest)?;
    let (run, sealed, count) = (&imported.run, &imported.sealed, imported.records);
    if !global.quiet {
        println!(
            "imported {} manual observation{} as run {} (audit {})",
            count,
            if count == 1 { "" } else { "s" },
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
