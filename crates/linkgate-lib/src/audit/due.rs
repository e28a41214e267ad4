//! Which audits are due, and running them: shared by `run --due` (one look, for a crontab
//! line) and the daemon (a look at every tick). Each scheduled audit's last automated run
//! comes from the history and the schedule gives its verdict at the clock's now. A run
//! imported by hand is not a measurement of the schedule, so it does not count as the last run.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;

use super::AuditError;
use super::session::{Measured, ProgressFor, Session};
use crate::lock::LockError;
use crate::model::{Audit, EngineKind, Run, RunStatus};
use crate::schedule::{Due, Schedule, ScheduleLine, status};
use crate::store::Store;

/// An audit's schedule and where it stands.
pub struct AuditDue<'c> {
    pub audit: &'c Audit,
    pub schedule: Schedule,
    pub last_start: Option<DateTime<Utc>>,
    pub due: Due,
}

/// Remembers which runs were imported by hand, so each is read once per process.
#[derive(Default)]
pub struct History {
    manual: HashMap<String, bool>,
}

impl History {
    /// The start of `audit`'s newest completed run that was measured, not imported.
    pub fn last_start(
        &mut self,
        store: &Store,
        runs: &[Run],
        audit: &str,
    ) -> Result<Option<DateTime<Utc>>, AuditError> {
        let mut candidates: Vec<&Run> = runs
            .iter()
            .filter(|r| r.status == RunStatus::Completed && r.audits.iter().any(|a| a == audit))
            .collect();
        candidates.sort_by_key(|r| std::cmp::Reverse(r.started_at));
        for run in candidates {
            let manual = match self.manual.get(&run.id) {
                Some(manual) => *manual,
                None => {
                    let records = store.records_without_bodies(&run.id)?;
                    let manual = !records.is_empty()
                        && records
                            .iter()
                            .all(|r| r.observation.engine == EngineKind::Manual);
                    self.manual.insert(run.id.clone(), manual);
                    manual
                }
            };
            if !manual {
                return Ok(Some(run.started_at));
            }
        }
        Ok(None)
    }

    /// Every scheduled audit of `audits` with its state at `now`; without a history (`None`),
    /// no audit has run yet. An audit whose schedule cannot be read (caught at load, so only if
    /// the catalog bypassed it) is skipped with a warning.
    pub fn check<'c>(
        &mut self,
        store: Option<&Store>,
        audits: &[&'c Audit],
        now: DateTime<Utc>,
    ) -> Result<Vec<AuditDue<'c>>, AuditError> {
        let runs = match store {
            Some(store) => store.runs()?,
            None => Vec::new(),
        };
        let mut out = Vec::new();
        for audit in audits {
            let schedule = match Schedule::of(audit) {
                Some(Ok(schedule)) => schedule,
                Some(Err(err)) => {
                    tracing::warn!(audit = %audit.id, "skipping the audit: {err}");
                    continue;
                }
                None => continue,
            };
            let last_start = match store {
                Some(store) => self.last_start(store, &runs, &audit.id)?,
                None => None,
            };
            out.push(AuditDue {
                audit,
                due: status(&schedule, last_start, now),
                schedule,
                last_start,
            });
        }
        Ok(out)
    }

    /// Every audit's line for `linkgate schedule`, scheduled or not, in the catalog's order.
    pub fn lines(
        &mut self,
        store: Option<&Store>,
        audits: &[&Audit],
        now: DateTime<Utc>,
    ) -> Result<Vec<ScheduleLine>, AuditError> {
        let checked = self.check(store, audits, now)?;
        Ok(audits
            .iter()
            .map(
                |audit| match checked.iter().find(|c| c.audit.id == audit.id) {
                    None => ScheduleLine::by_hand(audit),
                    Some(c) => ScheduleLine::scheduled(audit, &c.schedule, c.last_start, &c.due),
                },
            )
            .collect())
    }
}

/// What became of one due audit.
pub enum DueRun {
    /// It ran: the run, or why it failed.
    Ran(Box<Result<Measured, AuditError>>),
    /// Another process holds its lock (it is running it); skipped this time.
    Held(LockError),
    /// Its lock could not be taken for another reason.
    LockFailed(LockError),
}

/// Runs what is due, look after look. Remembers the runs it began, so a run that failed
/// settles its slot too: the next try is at the next slot, not at the next look.
#[derive(Default)]
pub struct DueRunner {
    history: History,
    attempts: HashMap<String, DateTime<Utc>>,
}

impl DueRunner {
    /// Runs every audit of `session` that is due now, one after the other, telling `each`
    /// about every one (`each` may stop the look by returning an error). Returns the earliest
    /// next slot of the audits that were not due.
    pub async fn run_due(
        &mut self,
        session: &Session,
        command: &str,
        stop: &CancellationToken,
        progress: ProgressFor<'_>,
        each: &mut dyn FnMut(&str, DueRun) -> Result<(), AuditError>,
    ) -> Result<Option<DateTime<Utc>>, AuditError> {
        let store = session.open_store()?;
        let audits = session.audits();
        let now = session.clock.now();
        let checked = self.history.check(Some(&store), &audits, now)?;
        drop(store);
        if let Some(name) = &session.settings.audit
            && checked.is_empty()
        {
            tracing::warn!(audit = %name, "the audit has no schedule, so it is never due");
        }
        let mut next: Option<DateTime<Utc>> = None;
        for entry in checked {
            let id = entry.audit.id.clone();
            let last = entry.last_start.max(self.attempts.get(&id).copied());
            if let Due::NotUntil(slot) = status(&entry.schedule, last, now) {
                let shown = slot.map_or("never".to_string(), |t| entry.schedule.local(t));
                tracing::debug!(audit = %id, next = %shown, "not due");
                next = match (next, slot) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                continue;
            }
            if stop.is_cancelled() {
                break;
            }
            self.attempts.insert(id.clone(), session.clock.now());
            let _lock = match session.lock(&id, command) {
                Ok(lock) => lock,
                Err(held @ LockError::Held { .. }) => {
                    each(&id, DueRun::Held(held))?;
                    continue;
                }
                Err(other) => {
                    each(&id, DueRun::LockFailed(other))?;
                    continue;
                }
            };
            let group = slot_group(session, &entry.schedule, &id, now);
            let ran = session
                .measure_in(Some(&id), None, group.as_deref(), stop, progress)
                .await;
            each(&id, DueRun::Ran(Box::new(ran)))?;
            next = Some(session.clock.now());
        }
        Ok(next)
    }
}

/// The run group of a due slot: shards started with `--due` (and no `--run-group`) in the
/// same scheduled slot join one run named after the audit and the slot, so N machines on one
/// crontab line, or N pods of one CronJob, measure one run without agreeing on anything else.
fn slot_group(
    session: &Session,
    schedule: &Schedule,
    audit: &str,
    now: DateTime<Utc>,
) -> Option<String> {
    if let Some(group) = &session.settings.run_group {
        return Some(group.clone());
    }
    session.settings.plan.shard?;
    let slot = schedule.last_at_or_before(now)?;
    Some(format!("{audit}-{}", slot.format("%Y%m%dT%H%MZ")))
}
