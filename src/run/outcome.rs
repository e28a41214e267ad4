//! What a run ends with: its final facts and the counts a summary prints (per verdict, per
//! host), computed from the stored records so a resumed run counts everything it holds.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{ProbeRole, Record, Run, VerdictKind};

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
        match kind {
            VerdictKind::Opened => self.opened += 1,
            VerdictKind::Interstitial => self.interstitial += 1,
            VerdictKind::Blocked => self.blocked += 1,
            VerdictKind::Inconclusive => self.inconclusive += 1,
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
    /// Records measured by this invocation (a resumed run holds more).
    pub measured_now: usize,
}

impl Outcome {
    pub fn new(run: Run, records: &[Record], measured_now: usize) -> Outcome {
        let mut all = VerdictCounts::default();
        let mut per_host: BTreeMap<String, VerdictCounts> = BTreeMap::new();
        for record in records {
            all.add(record.verdict.kind);
            let host = match record.role {
                ProbeRole::Control => "control".to_string(),
                _ => record.host_platform.clone().unwrap_or_default(),
            };
            per_host.entry(host).or_default().add(record.verdict.kind);
        }
        Outcome {
            run,
            all,
            per_host,
            measured_now,
        }
    }

    /// Whether any non-control record has one of these verdicts (`--fail-on`).
    pub fn any(records: &[Record], kinds: &[VerdictKind]) -> bool {
        records
            .iter()
            .any(|r| r.role != ProbeRole::Control && kinds.contains(&r.verdict.kind))
    }
}
