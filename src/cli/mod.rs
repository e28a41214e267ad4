//! Command-line flags and their translation into library values. As in ripgrep, raw flags
//! are parsed first and turned into real objects here, in one place, so that no library code
//! ever sees a flag.

mod classify;
mod demo;
mod exit;
mod files;
mod plan;
mod progress;
mod report;
mod run;
mod select;
mod signals;
mod sim;
mod summary;
mod validate;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

pub use exit::{Exit, InvalidArgs};

/// Audit whether platforms block each other's links inside their apps (MIIT, 2021).
#[derive(Debug, Parser)]
#[command(name = "linkgate", version, about, long_about = None)]
pub struct Cli {
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
    /// Run the bundled audit through the platform simulator at dates around the deadline.
    Demo(demo::DemoArgs),
    /// Run the platform simulator alone, as a proxy for `run --proxy … --ca-cert …`.
    Sim(sim::SimArgs),
    /// Render the HTML report, summary.csv and summary.json of an audit from the history.
    Report(report::ReportArgs),
}

/// Scenario files or folders (default: `scenarios`).
#[derive(Debug, Args, Clone)]
pub struct ScenarioPaths {
    /// Scenario files or folders, loaded recursively [default: scenarios]
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

impl ScenarioPaths {
    pub fn or_default(&self) -> Vec<PathBuf> {
        if self.paths.is_empty() {
            vec![PathBuf::from("scenarios")]
        } else {
            self.paths.clone()
        }
    }
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
    match cli.command {
        Command::Validate(args) => validate::run(args),
        Command::Plan(args) => plan::run(args),
        Command::Classify(args) => classify::run(args),
        Command::Run(args) => run::run(*args),
        Command::Demo(args) => demo::run(args),
        Command::Sim(args) => sim::run(args),
        Command::Report(args) => report::run(args),
    }
}

/// Loads the catalog, with the paths in the error.
pub fn load_catalog(paths: &[PathBuf]) -> anyhow::Result<linkgate::catalog::Catalog> {
    Ok(linkgate::catalog::Catalog::load(paths)?)
}
