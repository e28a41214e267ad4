//! `linkgate daemon`: runs due audits on their schedules until stopped. It reads the scenario
//! files again before each check (an edit takes effect without a restart; a broken edit is
//! logged and the last good files stay in use), runs each due audit once under its lock,
//! renders and seals each run, survives a failing run (logs it, waits for the next slot), and
//! on SIGTERM interrupts the run in flight as `run` does and exits 0.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::Args;
use tokio_util::sync::CancellationToken;

use linkgate::schedule::{Due, LockError};

use super::run::{RunArgs, Session};
use super::{Exit, Global, InvalidArgs};

#[derive(Debug, Args)]
pub struct DaemonArgs {
    /// Every flag of `linkgate run` except --resume and --due
    #[command(flatten)]
    run: RunArgs,
    /// Longest wait between two looks at the schedules
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = humantime::parse_duration)]
    tick: Duration,
}

pub fn run(args: DaemonArgs, global: &Global) -> anyhow::Result<Exit> {
    if args.run.resume.is_some() || args.run.due {
        return Err(InvalidArgs(
            "the daemon always runs what is due: leave out --resume and --due".into(),
        )
        .into());
    }
    let clock = args.run.clock.clock();
    let mut session = Session::new(&args.run, global, clock, false)?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let stop = CancellationToken::new();
        super::signals::stop_on_signal(stop.clone(), true);
        let stopping = stop.clone();
        tokio::spawn(async move {
            stopping.cancelled().await;
            tracing::info!(
                "stopping: no new run starts; a run in flight is interrupted and can be resumed"
            );
        });
        let scheduled = session
            .audits()
            .iter()
            .filter(|a| a.schedule.is_some())
            .count();
        tracing::info!(
            scheduled_audits = scheduled,
            history = %session.db.display(),
            "daemon started"
        );
        if scheduled == 0 {
            tracing::warn!("no audit has a schedule: add `schedule = \"0 3 * * *\"` to an audit");
        }
        let mut attempts: HashMap<String, DateTime<Utc>> = HashMap::new();
        let mut history = super::due::History::default();
        let mut last_error = None;
        while !stop.is_cancelled() {
            match Session::new(&args.run, global, clock, false) {
                Ok(fresh) => {
                    session = fresh;
                    last_error = None;
                }
                Err(err) => {
                    // Said once per distinct problem, not at every tick.
                    let text = super::describe(&err);
                    if last_error.as_ref() != Some(&text) {
                        tracing::warn!(
                            "the scenario files cannot be loaded; the last good ones stay in \
                             use: {text}"
                        );
                        last_error = Some(text);
                    }
                }
            }
            let next = check_once(&session, &mut history, &mut attempts, &stop).await;
            let wait = next.map_or(args.tick, |t| clock.real_wait(t).min(args.tick));
            tokio::select! {
                () = tokio::time::sleep(wait.max(Duration::from_millis(10))) => {}
                () = stop.cancelled() => {}
            }
        }
        tracing::info!("daemon stopped");
        Ok(Exit::Ok)
    })
}

/// Runs every audit that is due now, one after the other; returns the earliest next slot.
async fn check_once(
    session: &Session<'_>,
    history: &mut super::due::History,
    attempts: &mut HashMap<String, DateTime<Utc>>,
    stop: &CancellationToken,
) -> Option<DateTime<Utc>> {
    let store = match linkgate::store::Store::open(&session.db) {
        Ok(store) => store,
        Err(err) => {
            tracing::error!("cannot open the history database: {err}; trying again later");
            return None;
        }
    };
    let audits = session.audits();
    let now = session.clock.now();
    let checked = match history.check(Some(&store), &audits, now) {
        Ok(checked) => checked,
        Err(err) => {
            tracing::error!(
                "cannot read the history: {}; trying again later",
                super::describe(&err)
            );
            return None;
        }
    };
    drop(store);
    let mut next: Option<DateTime<Utc>> = None;
    for entry in checked {
        let id = entry.audit.id.clone();
        // A run this daemon began (even one that failed) settles its slot: the next try is at
        // the next slot, not at the next tick.
        let last = entry.last_start.max(attempts.get(&id).copied());
        let due = linkgate::schedule::status(&entry.schedule, last, now);
        if let Due::NotUntil(slot) = due {
            next = match (next, slot) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            continue;
        }
        if stop.is_cancelled() {
            break;
        }
        attempts.insert(id.clone(), session.clock.now());
        let _lock = match session.lock(&id, "linkgate daemon") {
            Ok(lock) => lock,
            Err(held @ LockError::Held { .. }) => {
                tracing::warn!(audit = %id, "{held}; skipping this slot");
                continue;
            }
            Err(err) => {
                tracing::error!(audit = %id, "{err}; skipping this slot");
                continue;
            }
        };
        if let Err(err) = session.measure(Some(&id), None, stop).await {
            tracing::error!(audit = %id, "the run failed: {}; waiting for the next slot", super::describe(&err));
        }
        next = Some(session.clock.now());
    }
    next
}
