//! `linkgate plan`: what a run would measure, as a table or JSON, without any network.

use clap::Args;

use linkgate::plan::{PlanRow, plan};
use linkgate::render::table;

use super::select::SelectArgs;
use super::{Exit, ScenarioPaths, load_catalog};

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    scenarios: ScenarioPaths,
    /// Only this audit
    #[arg(long, value_name = "NAME")]
    audit: Option<String>,
    #[command(flatten)]
    select: SelectArgs,
    /// Print the probes as a JSON array
    #[arg(long)]
    json: bool,
}

pub fn run(args: PlanArgs) -> anyhow::Result<Exit> {
    let catalog = load_catalog(&args.scenarios.paths)?;
    let options = args.select.options(args.audit)?;
    args.select.check(&catalog, &options)?;
    let probes = plan(&catalog, &options)?;
    let rows: Vec<PlanRow> = probes
        .iter()
        .filter_map(|p| PlanRow::new(&catalog, p))
        .collect();
    let text = match args.json {
        true => format!("{}\n", serde_json::to_string_pretty(&rows)?),
        false => table::plan(&rows),
    };
    write_stdout(&text)?;
    Ok(Exit::Ok)
}

/// Writes to stdout; a reader that stops early (`linkgate plan | head`) is not an error.
fn write_stdout(text: &str) -> std::io::Result<()> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
