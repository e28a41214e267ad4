//! `linkgate schedule`: each audit's schedule, time zone, last run and next run, so an operator
//! can see at a glance what cron or the daemon will do, and whether anything is overdue.

use clap::Args;

use linkgate::render::table;

use super::clock::ClockArgs;
use super::history::HistoryArgs;
use super::{Exit, ScenarioPaths, load_catalog};

#[derive(Debug, Args)]
pub struct ScheduleArgs {
    #[command(flatten)]
    scenarios: ScenarioPaths,
    #[command(flatten)]
    history: HistoryArgs,
    /// Print one JSON array
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    clock: ClockArgs,
}

pub fn run(args: ScheduleArgs) -> anyhow::Result<Exit> {
    let catalog = load_catalog(&args.scenarios.paths)?;
    // Listing must not create an empty history where there is none yet.
    let store = match args.history.db().may_exist() {
        true => Some(args.history.open(true)?),
        false => None,
    };
    let audits: Vec<_> = catalog.audits.iter().collect();
    let now = args.clock.clock().now();
    let lines = linkgate::audit::History::default().lines(store.as_ref(), &audits, now)?;
    match args.json {
        true => println!("{}", serde_json::to_string_pretty(&lines)?),
        false => print!("{}", table::schedules(&lines)),
    }
    Ok(Exit::Ok)
}
