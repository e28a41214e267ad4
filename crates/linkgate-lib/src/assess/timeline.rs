//! The facts of one pair (or one matrix cell) over time, from its compliance in each run:
//! when it was first seen compliant, when last seen non-compliant, how far past each deadline
//! that was, and every regression. Runs are ordered by their measurement time
//! (`Record.observed_at`), never the wall clock, so a simulated history reads as it was
//! simulated.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::policy::Compliance;
use crate::model::Deadline;

/// A pair's compliance in one run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Point<'a> {
    pub run_id: &'a str,
    pub at: DateTime<Utc>,
    pub compliance: Compliance,
}

/// A run in which something was seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Seen {
    pub run_id: String,
    pub at: DateTime<Utc>,
}

impl Seen {
    fn of(point: &Point<'_>) -> Seen {
        Seen {
            run_id: point.run_id.to_string(),
            at: point.at,
        }
    }

    pub fn date(&self) -> NaiveDate {
        self.at.date_naive()
    }
}

/// Compliant, then non-compliant (runs with an unknown outcome in between are skipped: they
/// say nothing either way).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Regression {
    /// The last run seen compliant before the regression.
    pub compliant: Seen,
    /// The first run seen non-compliant after it.
    pub non_compliant: Seen,
}

/// How far past one deadline the pair was still seen non-compliant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PastDeadline {
    pub deadline: NaiveDate,
    /// Days from the deadline to the last run that saw the pair non-compliant (0: on the
    /// deadline day itself); `None` when no run on or after the deadline did.
    pub days: Option<i64>,
}

/// What a pair's history says.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Timeline {
    pub first_compliant: Option<Seen>,
    pub last_non_compliant: Option<Seen>,
    pub regressions: Vec<Regression>,
    pub past_deadlines: Vec<PastDeadline>,
}

impl Timeline {
    /// The facts of `points`, which must be in time order.
    pub fn of(points: &[Point<'_>], deadlines: &[Deadline]) -> Timeline {
        let first_compliant = points
            .iter()
            .find(|p| p.compliance == Compliance::Compliant)
            .map(Seen::of);
        let last_non_compliant = points
            .iter()
            .rev()
            .find(|p| p.compliance == Compliance::NonCompliant)
            .map(Seen::of);
        let past_deadlines = deadlines
            .iter()
            .map(|d| PastDeadline {
                deadline: d.date,
                days: last_non_compliant
                    .as_ref()
                    .map(|seen| (seen.date() - d.date).num_days())
                    .filter(|days| *days >= 0),
            })
            .collect();
        Timeline {
            first_compliant,
            last_non_compliant,
            regressions: regressions(points),
            past_deadlines,
        }
    }

    /// Days past the first deadline (the one a report leads with).
    pub fn days_past_first_deadline(&self) -> Option<i64> {
        self.past_deadlines.first().and_then(|p| p.days)
    }
}

fn regressions(points: &[Point<'_>]) -> Vec<Regression> {
    let mut found = Vec::new();
    let mut last_compliant: Option<&Point<'_>> = None;
    for point in points {
        match point.compliance {
            Compliance::Compliant => last_compliant = Some(point),
            Compliance::NonCompliant => {
                if let Some(before) = last_compliant.take() {
                    found.push(Regression {
                        compliant: Seen::of(before),
                        non_compliant: Seen::of(point),
                    });
                }
            }
            Compliance::Unknown => {}
        }
    }
    found
}
