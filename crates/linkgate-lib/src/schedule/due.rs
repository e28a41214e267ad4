//! When an audit is due. A slot `t` of its schedule is due when the audit's last run started
//! before it and it is not in the future: `last_start < t ≤ now`. An audit that never ran is
//! due at once. However many slots were missed while the machine was down, the answer is one
//! run, not one per slot: a catch-up measures today's state once.

use chrono::{DateTime, Utc};

use super::Schedule;
use crate::model::{Run, RunStatus};

/// Whether an audit has come due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// It has never completed a run: due now.
    NeverRun,
    /// Slots came due since its last run: `first` is the earliest of them, `latest` the most
    /// recent (the same slot unless runs were missed).
    Since {
        first: DateTime<Utc>,
        latest: DateTime<Utc>,
    },
    /// Not due; the next slot, if the schedule has one.
    NotUntil(Option<DateTime<Utc>>),
}

impl Due {
    pub fn is_due(&self) -> bool {
        !matches!(self, Due::NotUntil(_))
    }
}

/// Whether `schedule` has come due at `now` for an audit whose last run started at
/// `last_start`.
pub fn status(schedule: &Schedule, last_start: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Due {
    let Some(last) = last_start else {
        return Due::NeverRun;
    };
    match schedule.next_after(last) {
        Some(first) if first <= now => Due::Since {
            first,
            latest: schedule.last_at_or_before(now).unwrap_or(first),
        },
        Some(_) => Due::NotUntil(schedule.next_after(now.max(last))),
        None => Due::NotUntil(None),
    }
}

/// When the audit's last run started: the newest run that includes it and completed. An
/// interrupted or failed run does not count, so the next check measures the audit again
/// rather than leaving the slot without a complete measurement.
pub fn last_start<'r>(
    audit: &str,
    runs: impl IntoIterator<Item = &'r Run>,
) -> Option<DateTime<Utc>> {
    runs.into_iter()
        .filter(|run| run.status == RunStatus::Completed && run.audits.iter().any(|a| a == audit))
        .map(|run| run.started_at)
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn run(audit: &str, started: &str, status: RunStatus) -> Run {
        Run {
            id: format!("{started}-{audit}"),
            started_at: utc(started),
            ended_at: None,
            status,
            tool_version: "0.1.0".into(),
            vantage: "local".into(),
            audits: vec![audit.to_string()],
            scenario_files: Vec::new(),
            simulated: false,
        }
    }

    #[test]
    fn never_run_is_due_at_once() {
        let daily = Schedule::parse("0 3 * * *", "Asia/Shanghai").unwrap();
        assert_eq!(
            status(&daily, None, utc("2026-11-24T12:00:00Z")),
            Due::NeverRun
        );
    }

    #[test]
    fn a_slot_after_the_last_start_and_not_in_the_future_is_due() {
        let daily = Schedule::parse("0 3 * * *", "Asia/Shanghai").unwrap();
        // The slot is 03:00 Shanghai = 19:00 UTC.
        let last = Some(utc("2026-11-23T19:00:05Z"));
        assert_eq!(
            status(&daily, last, utc("2026-11-24T18:59:59Z")),
            Due::NotUntil(Some(utc("2026-11-24T19:00:00Z")))
        );
        let slot = utc("2026-11-24T19:00:00Z");
        assert_eq!(
            status(&daily, last, slot),
            Due::Since {
                first: slot,
                latest: slot
            }
        );
    }

    #[test]
    fn the_same_schedule_in_another_zone_comes_due_at_another_instant() {
        let now = utc("2026-11-24T20:00:00Z");
        let last = Some(utc("2026-11-24T10:00:00Z"));
        // 03:00 Shanghai (19:00 UTC) has passed; 03:00 New York (08:00 UTC tomorrow) has not.
        let shanghai = Schedule::parse("0 3 * * *", "Asia/Shanghai").unwrap();
        let new_york = Schedule::parse("0 3 * * *", "America/New_York").unwrap();
        assert!(status(&shanghai, last, now).is_due());
        assert_eq!(
            status(&new_york, last, now),
            Due::NotUntil(Some(utc("2026-11-25T08:00:00Z")))
        );
    }

    #[test]
    fn downtime_gives_one_catch_up_run_not_one_per_missed_slot() {
        let every_quarter = Schedule::parse("*/15 * * * *", "Asia/Shanghai").unwrap();
        let last = utc("2026-11-24T00:00:00Z");
        // Down for five hours: twenty slots missed, one run is due, for the latest slot.
        let back_up = utc("2026-11-24T05:07:00Z");
        let due = status(&every_quarter, Some(last), back_up);
        assert_eq!(
            due,
            Due::Since {
                first: utc("2026-11-24T00:15:00Z"),
                latest: utc("2026-11-24T05:00:00Z")
            }
        );
        // That catch-up run starts at 05:07; at 05:10 nothing more is due.
        assert_eq!(
            status(&every_quarter, Some(back_up), utc("2026-11-24T05:10:00Z")),
            Due::NotUntil(Some(utc("2026-11-24T05:15:00Z")))
        );
    }

    #[test]
    fn last_start_counts_only_completed_runs_of_the_audit() {
        let runs = [
            run("miit-2021", "2026-11-22T19:00:00Z", RunStatus::Completed),
            run("miit-2021", "2026-11-23T19:00:00Z", RunStatus::Interrupted),
            run("other", "2026-11-24T19:00:00Z", RunStatus::Completed),
        ];
        assert_eq!(
            last_start("miit-2021", &runs),
            Some(utc("2026-11-22T19:00:00Z"))
        );
        assert_eq!(last_start("nothing", &runs), None);
    }
}
