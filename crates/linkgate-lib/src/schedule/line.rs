//! One audit's line in `linkgate schedule`: what cron or the daemon will do with it, as
//! words an operator reads (times in the audit's own time zone) and JSON a script reads.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Due, Schedule};
use crate::model::Audit;

/// An audit's schedule, last run and next run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScheduleLine {
    pub audit: String,
    /// The cron expression; `None` for an audit run by hand.
    pub schedule: Option<String>,
    pub timezone: String,
    pub last_run: Option<String>,
    pub next_run: Option<String>,
    pub due: bool,
}

impl ScheduleLine {
    /// The line of an audit without a schedule.
    pub fn by_hand(audit: &Audit) -> ScheduleLine {
        ScheduleLine {
            audit: audit.id.clone(),
            schedule: None,
            timezone: audit.timezone.clone(),
            last_run: None,
            next_run: None,
            due: false,
        }
    }

    /// The line of a scheduled audit, last started at `last_start`.
    pub fn scheduled(
        audit: &Audit,
        schedule: &Schedule,
        last_start: Option<DateTime<Utc>>,
        due: &Due,
    ) -> ScheduleLine {
        ScheduleLine {
            audit: audit.id.clone(),
            schedule: Some(schedule.expression.clone()),
            timezone: audit.timezone.clone(),
            last_run: last_start.map(|t| schedule.local(t)),
            next_run: match due {
                Due::NeverRun => Some("now (never run)".into()),
                Due::Since { first, .. } => {
                    Some(format!("now (due since {})", schedule.local(*first)))
                }
                Due::NotUntil(next) => next.map(|t| schedule.local(t)),
            },
            due: due.is_due(),
        }
    }
}
