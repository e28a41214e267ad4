//! What a run ends with: its final facts and the counts a summary prints (per verdict, per
//! host), counted from the stored records so a resumed run counts everything it holds.

use crate::engine::frontier::Traffic;
use std::collections::BTreeMap;

use serde::Serialize;

use super::WriterStats;
use super::preflight::Unreachable;
use crate::assess::ControlFailures;
use crate::model::{Run, RunStatus, VerdictKind};
use crate::store::VerdictCount;

/// Number of records per verdict.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct VerdictCounts {
    pub opened: usize,
    pub interstitial: usize,
    pub blocked: usize,
    pub inconclusive: usize,
}

impl VerdictCounts {
    pub fn add(&mut self, kind: VerdictKind) {
        self.add_n(kind, 1);
    }

    /// Adds `n` records of one verdict.
    pub fn add_n(&mut self, kind: VerdictKind, n: usize) {
        match kind {
            VerdictKind::Opened => self.opened += n,
            VerdictKind::Interstitial => self.interstitial += n,
            VerdictKind::Blocked => self.blocked += n,
            VerdictKind::Inconclusive => self.inconclusive += n,
        }
    }

    pub fn get(&self, kind: VerdictKind) -> usize {
        match kind {
            VerdictKind::Opened => self.opened,
            VerdictKind::Interstitial => self.interstitial,
            VerdictKind::Blocked => self.blocked,
            VerdictKind::Inconclusive => self.inconclusive,
        }
    }

    pub fn total(&self) -> usize {
        self.opened + self.interstitial + self.blocked + self.inconclusive
    }
}

/// The end of a run.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub run: Run,
    /// Over every record, controls included.
    pub all: VerdictCounts,
    /// Per host platform (`control` for the neutral context).
    pub per_host: BTreeMap<String, VerdictCounts>,
    /// Over every record but the controls: what `--fail-on` looks at.
    pub probes: VerdictCounts,
    /// Records measured by this invocation (a resumed run holds more).
    pub measured_now: usize,
    /// What the history writer did in this invocation.
    pub history: WriterStats,
    /// Why the preflight stopped the run before measuring its probes, if it did.
    pub stopped: Option<Unreachable>,
    /// Rival pairs left inconclusive because their controls failed too, and why those did.
    pub unjudged: ControlFailures,
    /// Where this invocation's requests waited: for their host's turn, for a slot, on the
    /// network (`None` when it was not measured). Said on the console, not in files.
    #[serde(skip)]
    pub traffic: Option<Traffic>,
    /// The shard this process measured of a group run (`--run-group`), and where the group
    /// stood when it ended; `None` for a run of one process.
    #[serde(skip)]
    pub shard: Option<ShardEnd>,
}

/// How one shard of a group run ended, and where the group stood then.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardEnd {
    pub shard: crate::plan::Shard,
    /// This shard's own ending: `completed` when it measured all of its part.
    pub status: RunStatus,
    pub group: crate::store::GroupState,
}

impl Outcome {
    /// Whether this invocation measured everything it was asked to: the run completed, or,
    /// for a shard of a group run, the shard did (the group completes with its last shard).
    pub fn completed(&self) -> bool {
        match &self.shard {
            Some(end) => end.status == RunStatus::Completed,
            None => self.run.status == RunStatus::Completed,
        }
    }

    /// The outcome of `run` from its stored verdict counts ([`Store::verdict_counts`]).
    ///
    /// [`Store::verdict_counts`]: crate::store::Store::verdict_counts
    pub fn new(
        run: Run,
        counts: &[VerdictCount],
        measured_now: usize,
        history: WriterStats,
    ) -> Outcome {
        let mut all = VerdictCounts::default();
        let mut probes = VerdictCounts::default();
        let mut per_host: BTreeMap<String, VerdictCounts> = BTreeMap::new();
        for count in counts {
            all.add_n(count.verdict, count.count);
            let host = match count.control {
                true => "control".to_string(),
                false => {
                    probes.add_n(count.verdict, count.count);
                    count.host.clone().unwrap_or_default()
                }
            };
            per_host
                .entry(host)
                .or_default()
                .add_n(count.verdict, count.count);
        }
        Outcome {
            run,
            all,
            per_host,
            probes,
            measured_now,
            history,
            stopped: None,
            unjudged: ControlFailures::default(),
            traffic: None,
            shard: None,
        }
    }

    /// Whether any non-control record has one of these verdicts (`--fail-on`).
    pub fn any(&self, kinds: &[VerdictKind]) -> bool {
        kinds.iter().any(|kind| self.probes.get(*kind) > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(control: bool, host: Option<&str>, verdict: VerdictKind, n: usize) -> VerdictCount {
        VerdictCount {
            control,
            host: host.map(str::to_string),
            verdict,
            count: n,
        }
    }

    #[test]
    fn counts_group_by_host_and_fail_on_ignores_controls() {
        let run = Run {
            id: "r1".into(),
            started_at: chrono::DateTime::UNIX_EPOCH,
            ended_at: None,
            status: crate::model::RunStatus::Completed,
            tool_version: "0".into(),
            vantage: "local".into(),
            audits: vec![],
            scenario_files: vec![],
            simulated: false,
        };
        let counts = [
            count(true, None, VerdictKind::Blocked, 2),
            count(false, Some("wechat"), VerdictKind::Opened, 3),
            count(false, Some("wechat"), VerdictKind::Interstitial, 1),
            count(false, Some("qq"), VerdictKind::Opened, 4),
        ];
        let outcome = Outcome::new(run, &counts, 10, WriterStats::default());
        assert_eq!(outcome.all.total(), 10);
        assert_eq!(outcome.per_host["control"].blocked, 2);
        assert_eq!(outcome.per_host["wechat"].total(), 4);
        assert_eq!(outcome.probes.opened, 7);
        assert!(outcome.any(&[VerdictKind::Interstitial]));
        assert!(
            !outcome.any(&[VerdictKind::Blocked]),
            "a blocked control is not a finding"
        );
    }
}
