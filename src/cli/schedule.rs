//! `linkgate schedule`: each audit's schedule, time zone, last run and next run, so an operator
//! can see at a glance what cron or the daemon will do, and whether anything is overdue.

use clap::Args;
use serde::Serialize;

use linkgate::schedule::Due;

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

/// One audit's line.
#[derive(Debug, Serialize)]
struct Line {
    audit: String,
    schedule: Option<String>,
    timezone: String,
    last_run: Option<String>,
    next_run: Option<String>,
    due: bool,
}

pub fn run(args: ScheduleArgs) -> anyhow::Result<Exit> {
    let catalog = load_catalog(&args.scenarios.paths)?;
    // Listing must not create an empty history where there is none yet.
    let store = match args.history.db().exists() {
        true => Some(args.history.open(true)?),
        false => None,
    };
    let now = args.clock.clock().now();
    let audits: Vec<_> = catalog.audits.iter().collect();
    let checked = super::due::History::default().check(store.as_ref(), &audits, now)?;
    let lines: Vec<Line> = catalog
        .audits
        .iter()
        .map(
            |audit| match checked.iter().find(|c| c.audit.id == audit.id) {
                None => Line {
                    audit: audit.id.clone(),
                    schedule: None,
                    timezone: audit.timezone.clone(),
                    last_run: None,
                    next_run: None,
                    due: false,
                },
                Some(c) => Line {
                    audit: audit.id.clone(),
                    schedule: Some(c.schedule.expression.clone()),
                    timezone: audit.timezone.clone(),
                    last_run: c.last_start.map(|t| c.schedule.local(t)),
                    next_run: match c.due {
                        Due::NeverRun => Some("now (never run)".into()),
                        Due::Since { first, .. } => {
                            Some(format!("now (due since {})", c.schedule.local(first)))
                        }
                        Due::NotUntil(next) => next.map(|t| c.schedule.local(t)),
                    },
                    due: c.due.is_due(),
                },
            },
        )
        .collect();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&lines)?);
    } else {
        print!("{}", table(&lines));
    }
    Ok(Exit::Ok)
}

fn table(lines: &[Line]) -> String {
    let header = ["AUDIT", "SCHEDULE", "TIME ZONE", "LAST RUN", "NEXT RUN"];
    let dash = || "-".to_string();
    let rows: Vec<[String; 5]> = lines
        .iter()
        .map(|l| {
            [
                l.audit.clone(),
                l.schedule.clone().unwrap_or_else(|| "(by hand)".into()),
                l.timezone.clone(),
                l.last_run.clone().unwrap_or_else(dash),
                l.next_run.clone().unwrap_or_else(dash),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for cells in std::iter::once(header.map(str::to_string)).chain(rows) {
        let line: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}
