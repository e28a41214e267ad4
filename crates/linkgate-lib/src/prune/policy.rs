//! Which runs to prune: a pure choice over the runs still present, the policy and the time.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};

use crate::model::{Run, RunStatus};

/// What to keep. A run is pruned only when every limit that is set lets it go.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Keep {
    /// Keep the newest N runs.
    pub newest: Option<usize>,
    /// Keep runs that started less than this long ago.
    pub younger_than: Option<Duration>,
}

/// The ids of the runs to prune among `present` (runs whose folder has not been pruned yet).
/// A run still running is never pruned, nor any run in `protected` (what `latest` points at).
pub fn select(
    present: &[Run],
    keep: &Keep,
    now: DateTime<Utc>,
    protected: &BTreeSet<String>,
) -> Vec<String> {
    if keep.newest.is_none() && keep.younger_than.is_none() {
        return Vec::new();
    }
    let mut newest_first: Vec<&Run> = present.iter().collect();
    newest_first.sort_by(|a, b| (b.started_at, &b.id).cmp(&(a.started_at, &a.id)));
    let mut chosen: Vec<String> = newest_first
        .iter()
        .enumerate()
        .filter(|(rank, run)| {
            let beyond_newest = keep.newest.is_none_or(|n| *rank >= n);
            let old_enough = keep
                .younger_than
                .is_none_or(|age| now.signed_duration_since(run.started_at) > age);
            beyond_newest
                && old_enough
                && run.status != RunStatus::Running
                && !protected.contains(&run.id)
        })
        .map(|(_, run)| run.id.clone())
        .collect();
    chosen.reverse();
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(id: &str, started: &str, status: RunStatus) -> Run {
        Run {
            id: id.into(),
            started_at: started.parse().unwrap(),
            ended_at: None,
            status,
            tool_version: "0.1.0".into(),
            vantage: "local".into(),
            audits: vec!["a".into()],
            scenario_files: Vec::new(),
            simulated: false,
        }
    }

    fn runs() -> Vec<Run> {
        vec![
            run("r1", "2026-01-01T00:00:00Z", RunStatus::Completed),
            run("r2", "2026-02-01T00:00:00Z", RunStatus::Running),
            run("r3", "2026-03-01T00:00:00Z", RunStatus::Interrupted),
            run("r4", "2026-04-01T00:00:00Z", RunStatus::Completed),
            run("r5", "2026-05-01T00:00:00Z", RunStatus::Completed),
        ]
    }

    fn now() -> DateTime<Utc> {
        "2026-05-02T00:00:00Z".parse().unwrap()
    }

    #[test]
    fn keep_newest_prunes_the_rest_but_never_a_running_run() {
        let keep = Keep {
            newest: Some(2),
            younger_than: None,
        };
        assert_eq!(
            select(&runs(), &keep, now(), &BTreeSet::new()),
            vec!["r1", "r3"]
        );
    }

    #[test]
    fn older_than_and_keep_must_both_let_a_run_go() {
        let keep = Keep {
            newest: Some(1),
            younger_than: Some(Duration::days(45)),
        };
        // r4 is beyond the newest one but only a month old.
        assert_eq!(
            select(&runs(), &keep, now(), &BTreeSet::new()),
            vec!["r1", "r3"]
        );
    }

    #[test]
    fn the_run_latest_points_at_is_kept() {
        let keep = Keep {
            newest: None,
            younger_than: Some(Duration::days(1)),
        };
        let protected = BTreeSet::from(["r4".to_string()]);
        assert_eq!(select(&runs(), &keep, now(), &protected), vec!["r1", "r3"]);
        assert!(select(&runs(), &Keep::default(), now(), &protected).is_empty());
    }
}
