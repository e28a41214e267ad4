//! Unattended operation: one look at the schedules (`run --due`, for a crontab line) and the
//! daemon's loop of looks. Both run each due audit once under its lock and log what they
//! skip; they differ only in what a problem means: `run --due` reports it in its exit code
//! and stops, the daemon logs it and waits for the next slot, because nothing may stop it.

use std::error::Error;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;

use super::AuditError;
use super::due::{DueRun, DueRunner};
use super::session::{Measured, NoProgress, ProgressFor, RunProgress, Session};

/// Who looks at the schedules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Looker {
    /// `linkgate run --due`: one look; a lock that cannot be taken ends it with an error.
    Once,
    /// `linkgate daemon`: look after look; every problem is logged and waits for the next slot.
    Daemon,
}

impl Looker {
    fn command(self) -> &'static str {
        match self {
            Looker::Once => "linkgate run --due",
            Looker::Daemon => "linkgate daemon",
        }
    }
}

/// What one look did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Look {
    /// The earliest next slot of the audits that were not due.
    pub next: Option<DateTime<Utc>>,
    /// Runs that failed (logged).
    pub failed: usize,
}

impl DueRunner {
    /// Runs every due audit of `session` once; `on_run` sees each run measured.
    pub async fn look(
        &mut self,
        looker: Looker,
        session: &Session,
        stop: &CancellationToken,
        progress: ProgressFor<'_>,
        on_run: &mut dyn FnMut(&Measured),
    ) -> Result<Look, AuditError> {
        let mut failed = 0;
        let mut each = |audit: &str, ran: DueRun| -> Result<(), AuditError> {
            match (ran, looker) {
                (DueRun::Held(held), Looker::Once) => {
                    tracing::warn!(audit = %audit, "{held}; skipping it this time")
                }
                (DueRun::Held(held), Looker::Daemon) => {
                    tracing::warn!(audit = %audit, "{held}; skipping this slot")
                }
                (DueRun::LockFailed(err), Looker::Once) => return Err(err.into()),
                (DueRun::LockFailed(err), Looker::Daemon) => {
                    tracing::error!(audit = %audit, "{err}; skipping this slot")
                }
                (DueRun::Ran(ran), _) => match *ran {
                    Ok(measured) => on_run(&measured),
                    Err(err) => {
                        failed += 1;
                        let then = match looker {
                            Looker::Once => "",
                            Looker::Daemon => "; waiting for the next slot",
                        };
                        tracing::error!(audit = %audit, "the run failed: {}{then}", describe(&err));
                    }
                },
            }
            Ok(())
        };
        let next = self
            .run_due(session, looker.command(), stop, progress, &mut each)
            .await?;
        Ok(Look { next, failed })
    }
}

/// The daemon: looks at the schedules until `stop`, at least every `tick`, with the session
/// `reload` gives before each look (an edit of the scenario files takes effect without a
/// restart; a broken edit is logged once and the last good session stays in use). `on_run`
/// sees each run measured.
pub async fn serve(
    mut session: Session,
    reload: &mut dyn FnMut() -> Result<Session, String>,
    tick: Duration,
    stop: &CancellationToken,
    on_run: &mut dyn FnMut(&Session, &Measured),
) {
    announce(&session);
    let stopping = stop.clone();
    tokio::spawn(async move {
        stopping.cancelled().await;
        tracing::info!(
            "stopping: no new run starts; a run in flight is interrupted and can be resumed"
        );
    });
    let clock = session.clock;
    let mut due = DueRunner::default();
    let mut last_error = None;
    while !stop.is_cancelled() {
        match reload() {
            Ok(fresh) => {
                session = fresh;
                session.clock = clock;
                last_error = None;
            }
            Err(text) if last_error.as_ref() != Some(&text) => {
                tracing::warn!(
                    "the scenario files cannot be loaded; the last good ones stay in use: {text}"
                );
                last_error = Some(text);
            }
            Err(_) => {}
        }
        let quiet = |_: &_| Box::new(NoProgress) as Box<dyn RunProgress>;
        let mut each = |measured: &Measured| on_run(&session, measured);
        let next = match due
            .look(Looker::Daemon, &session, stop, &quiet, &mut each)
            .await
        {
            Ok(look) => look.next,
            Err(err) => {
                tracing::error!(
                    "cannot read the history: {}; trying again later",
                    describe(&err)
                );
                None
            }
        };
        let wait = next.map_or(tick, |t| clock.real_wait(t).min(tick));
        tokio::select! {
            () = tokio::time::sleep(wait.max(Duration::from_millis(10))) => {}
            () = stop.cancelled() => {}
        }
    }
    tracing::info!("daemon stopped");
}

fn announce(session: &Session) {
    let scheduled = session
        .audits()
        .iter()
        .filter(|a| a.schedule.is_some())
        .count();
    tracing::info!(
        scheduled_audits = scheduled,
        history = %session.settings.db,
        "daemon started"
    );
    if scheduled == 0 {
        tracing::warn!("no audit has a schedule: add `schedule = \"0 3 * * *\"` to an audit");
    }
}

/// An error and its causes as one line. Library errors already name their file and quote their
/// source, so a cause that the message before it starts with, or that an earlier message
/// already says, is left out: "cannot open X: cannot open X: file is not a database: …: file
/// is not a database" said everything twice.
pub fn describe(err: &(dyn Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cause = Some(err);
    while let Some(err) = cause {
        let text = err.to_string();
        cause = err.source();
        if parts
            .last()
            .is_some_and(|last| text.starts_with(last.as_str()))
        {
            parts.pop();
        }
        let gist = text.rsplit(": ").next().unwrap_or(&text);
        if parts.iter().any(|p| p.contains(gist)) {
            continue;
        }
        parts.push(text);
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: database errors repeated their first clause and their cause.
    #[test]
    fn a_chain_says_each_thing_once() {
        #[derive(Debug, thiserror::Error)]
        #[error("file is not a database")]
        struct Sqlite(#[source] Code);
        #[derive(Debug, thiserror::Error)]
        #[error("Error code 26: file is not a database")]
        struct Code;
        #[derive(Debug, thiserror::Error)]
        #[error("cannot open the history database h.db: {0}; check the file")]
        struct Open(#[source] Sqlite);
        #[derive(Debug, thiserror::Error)]
        #[error("cannot open the history database h.db")]
        struct Context(#[source] Open);
        #[derive(Debug, thiserror::Error)]
        #[error("reading the run")]
        struct Reading(#[source] Code);
        assert_eq!(
            describe(&Context(Open(Sqlite(Code)))),
            "cannot open the history database h.db: file is not a database; check the file"
        );
        assert_eq!(
            describe(&Reading(Code)),
            "reading the run: Error code 26: file is not a database"
        );
    }
}
