//! Command-line flags and their translation into library values. As in ripgrep, raw flags
//! are parsed first and turned into real objects here, in one place, so that no library code
//! ever sees a flag.

mod classify;
mod clock;
mod daemon;
mod demo;
#[cfg(test)]
mod deploy;
mod evidence;
mod exit;
mod history;
mod import;
mod init;
mod logging;
mod pack;
mod plan;
mod progress;
mod prune;
mod reclassify;
mod report;
mod run;
mod schedule;
mod select;
mod sim;
mod triage;
mod validate;
mod verify;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

pub use exit::{Exit, InvalidArgs, describe};
pub use logging::Global;

/// Audit whether platforms block each other's links inside their apps (MIIT, 2021).
#[derive(Debug, Parser)]
#[command(name = "linkgate", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check scenario files and report every problem at once.
    Validate(validate::ValidateArgs),
    /// Expand audits into probes (contexts × links, plus controls) without touching the network.
    Plan(plan::PlanArgs),
    /// Classify a saved page with the scenario signatures and say why.
    Classify(classify::ClassifyArgs),
    /// Run audits: measure every probe, classify, store the history, write the CSV.
    Run(Box<run::RunArgs>),
    /// Run due audits on their schedules until stopped (SIGTERM), rendering after each run.
    Daemon(Box<daemon::DaemonArgs>),
    /// List each audit's schedule, time zone, last run and next run.
    Schedule(schedule::ScheduleArgs),
    /// Check runs' evidence files, manifests and the manifest chain; exit 1 on any mismatch.
    Verify(verify::VerifyArgs),
    /// Recompute stored verdicts with the current signatures and say what changed.
    Reclassify(reclassify::ReclassifyArgs),
    /// Record observations made by hand on a real phone (a CSV) as a `manual` run.
    Import(import::ImportArgs),
    /// Remove old run folders and the evidence no kept run refers to.
    Prune(prune::PruneArgs),
    /// Run the bundled audit through the platform simulator at dates around the deadline.
    Demo(demo::DemoArgs),
    /// Run the platform simulator alone, as a proxy for `run --proxy … --ca-cert …`.
    Sim(sim::SimArgs),
    /// Render the HTML report, summary.csv and summary.json of an audit from the history.
    Report(report::ReportArgs),
    /// Write the bundled scenario pack out as files to edit (into ./scenarios by default).
    Init(init::InitArgs),
    /// Group the pages no signature recognises into families, each with a drafted signature.
    Triage(triage::TriageArgs),
    /// Make the key that signs manifests.
    #[command(subcommand)]
    Key(evidence::KeyCommand),
    /// Ask a time-stamping authority for a sealed run's missing timestamps.
    Timestamp(evidence::TimestampArgs),
}

#[derive(Debug, Args, Clone)]
pub struct ScenarioPaths {
    /// Scenario files or folders, loaded recursively [default: ./scenarios, else the bundled pack]
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

impl Cli {
    /// Parses the process arguments. Help and version print and exit 0; a usage error prints
    /// and is exit code 3 (invalid arguments), not clap's default 2, which means `--fail-on`.
    pub fn parse_args() -> Result<Cli, Exit> {
        Cli::try_parse().map_err(|err| {
            let _ = err.print();
            if err.use_stderr() {
                Exit::Invalid
            } else {
                Exit::Ok
            }
        })
    }
}

/// Runs the parsed command.
pub fn run(cli: Cli) -> anyhow::Result<Exit> {
    let global = cli.global;
    logging::init(&global);
    match cli.command {
        Command::Validate(args) => validate::run(args),
        Command::Plan(args) => plan::run(args),
        Command::Classify(args) => classify::run(args),
        Command::Run(args) => run::run(*args, &global),
        Command::Daemon(args) => daemon::run(*args, &global),
        Command::Schedule(args) => schedule::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Reclassify(args) => reclassify::run(args, &global),
        Command::Import(args) => import::run(args, &global),
        Command::Prune(args) => prune::run(args),
        Command::Demo(args) => demo::run(args, &global),
        Command::Sim(args) => sim::run(args),
        Command::Report(args) => report::run(args),
        Command::Init(args) => init::run(args),
        Command::Triage(args) => triage::run(args),
        Command::Key(command) => evidence::key(command),
        Command::Timestamp(args) => evidence::timestamp(args),
    }
}

/// The catalog of the paths given, else of `./scenarios`, else of the bundled pack.
use pack::load as load_catalog;
