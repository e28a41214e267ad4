//! Which audits are due, for `run --due`, the daemon and `schedule`: each scheduled audit's
//! last automated run from the history, and the schedule's verdict at the clock's now. A run
//! imported by hand is not a measurement of the schedule, so it does not count as the last run.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use linkgate::model::{Audit, EngineKind, Run, RunStatus};
use linkgate::schedule::{Due, Schedule, status};
use linkgate::store::Store;

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
    ) -> anyhow::Result<Option<DateTime<Utc>>> {
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
    ) -> anyhow::Result<Vec<AuditDue<'c>>> {
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
}
