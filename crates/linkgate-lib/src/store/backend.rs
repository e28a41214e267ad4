//! The storage trait: every operation a history offers, which the SQLite file and the
//! PostgreSQL database both implement, so the stages above (`run`, `report`, `verify`,
//! `reclassify`, `import`, `prune`, the due loop) work on either through [`super::Store`]
//! without knowing which. The row types the operations answer with live here too.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use chrono::{DateTime, Utc};

use super::{Location, PreparedRecord, StoreError};
use crate::model::{ProbeRole, Record, Run, RunStatus, StoredVerdict, VerdictKind};
use crate::plan::Shard;

/// How much of each page a read decompresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyRead {
    /// The whole decoded page, as stored.
    Full,
    /// None: `observation.body` is left empty. For listings and the CSV, which need only the
    /// title ([`StoredRecord::title`]) and would otherwise decompress every page.
    Skip,
}

/// A record read back, with its page's title.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRecord {
    pub record: Record,
    /// The final page's `<title>`, whitespace collapsed; `None` when it has none.
    pub title: Option<String>,
}

/// How many records of a run have one verdict, per host (for summaries without reading
/// every record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerdictCount {
    /// Records of the neutral control context.
    pub control: bool,
    /// The host platform (`None` for controls).
    pub host: Option<String>,
    pub verdict: VerdictKind,
    pub count: usize,
}

/// How many records of a run have one role, verdict and mechanism (why pairs could not be
/// judged, without reading every record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MechanismCount {
    pub role: ProbeRole,
    pub verdict: VerdictKind,
    pub mechanism: String,
    pub count: usize,
}

/// An evidence item as the history keeps it: its file name (`SHA.html.gz` or `SHA.png`) and
/// its bytes as stored (a page gzip-compressed, a screenshot as is).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvidence {
    pub name: String,
    pub stored: Vec<u8>,
}

/// Where a run of a group stands once one shard has ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupState {
    /// The group's run status: `running` while any shard is missing or measuring,
    /// `completed` once every shard has completed.
    pub status: RunStatus,
    /// Shards of the group that have completed.
    pub completed: usize,
    /// Whether this shard's ending completed the group: its process seals the run.
    pub completes_group: bool,
}

/// What a history can do (see the module documentation). Methods answer a probe's failure as
/// data inside the records; an `Err` is the history itself failing.
pub trait Backend: Send {
    /// Where the history is.
    fn location(&self) -> &Location;
    /// The evidence folder, for a history that keeps evidence in files; `None` when the
    /// evidence is in the database.
    fn evidence_dir(&self) -> Option<PathBuf>;
    /// How long a write waits for another process's lock, where the history has such a wait.
    fn set_busy_timeout(&mut self, _timeout: std::time::Duration) -> Result<(), StoreError> {
        Ok(())
    }

    fn begin_run(&mut self, run: &Run) -> Result<(), StoreError>;
    /// Joins shard `shard` to the run `run.id` of a group: stores the run if no other shard
    /// has, and marks this shard as measuring. Answers whether the run was already stored.
    fn join_group(&mut self, run: &Run, shard: Shard) -> Result<bool, StoreError>;
    fn finish_run(
        &mut self,
        run_id: &str,
        status: RunStatus,
        ended_at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Ends one shard of a group with `status`; the run completes when its last shard does.
    fn finish_shard(
        &mut self,
        run_id: &str,
        shard: Shard,
        status: RunStatus,
        ended_at: DateTime<Utc>,
    ) -> Result<GroupState, StoreError>;
    fn mark_sealed(&self, run_id: &str, at: DateTime<Utc>) -> Result<(), StoreError>;
    fn stop_run(
        &mut self,
        run_id: &str,
        reason: &str,
        ended_at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    fn was_sealed(&self, run_id: &str) -> Result<bool, StoreError>;
    fn stop_reason(&self, run_id: &str) -> Result<Option<String>, StoreError>;
    fn run(&self, run_id: &str) -> Result<Option<Run>, StoreError>;
    fn runs(&self) -> Result<Vec<Run>, StoreError>;
    /// The shards of a group run: (shard, status), by shard; empty for a run of one process.
    fn shards(&self, run_id: &str) -> Result<Vec<(Shard, RunStatus)>, StoreError>;

    fn record_batch(&mut self, batch: &[PreparedRecord]) -> Result<(), StoreError>;
    fn update_verdict(
        &mut self,
        run_id: &str,
        key: &str,
        verdict: &StoredVerdict,
        control_verdict: Option<VerdictKind>,
        signature_set: &str,
    ) -> Result<(), StoreError>;

    fn body(&self, run_id: &str, key: &str) -> Result<String, StoreError>;
    /// Calls `each` with every record of the run in stored order until it answers `false`.
    fn for_each_record(
        &self,
        run_id: &str,
        body: BodyRead,
        each: &mut dyn FnMut(StoredRecord) -> bool,
    ) -> Result<(), StoreError>;
    fn verdict_counts(&self, run_id: &str) -> Result<Vec<VerdictCount>, StoreError>;
    fn mechanism_counts(&self, run_id: &str) -> Result<Vec<MechanismCount>, StoreError>;
    fn control_verdicts(
        &self,
        run_id: &str,
    ) -> Result<HashMap<(String, String), StoredVerdict>, StoreError>;
    fn measured_keys(&self, run_id: &str) -> Result<HashSet<String>, StoreError>;

    /// The evidence named `sha256` as stored, if the history has it.
    fn stored_evidence(&self, sha256: &str) -> Result<Option<StoredEvidence>, StoreError>;
    /// Whether the history has the evidence named `sha256`.
    fn has_evidence(&self, sha256: &str) -> bool;
}

/// The operations each history implements as inherent methods of the same name (in its
/// `runs.rs`, `write.rs`, `read.rs`, …), forwarded from its `impl Backend`: written once for
/// both, so the two forwardings cannot drift apart. The types are the caller's imports.
macro_rules! forward_to_inherent {
    ($history:ident) => {
        fn begin_run(&mut self, run: &Run) -> Result<(), StoreError> {
            $history::begin_run(self, run)
        }
        fn join_group(&mut self, run: &Run, shard: Shard) -> Result<bool, StoreError> {
            $history::join_group(self, run, shard)
        }
        fn finish_run(
            &mut self,
            id: &str,
            status: RunStatus,
            at: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            $history::finish_run(self, id, status, at)
        }
        fn finish_shard(
            &mut self,
            id: &str,
            shard: Shard,
            status: RunStatus,
            at: DateTime<Utc>,
        ) -> Result<GroupState, StoreError> {
            $history::finish_shard(self, id, shard, status, at)
        }
        fn mark_sealed(&self, id: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
            $history::mark_sealed(self, id, at)
        }
        fn stop_run(
            &mut self,
            id: &str,
            reason: &str,
            at: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            $history::stop_run(self, id, reason, at)
        }
        fn was_sealed(&self, id: &str) -> Result<bool, StoreError> {
            $history::was_sealed(self, id)
        }
        fn stop_reason(&self, id: &str) -> Result<Option<String>, StoreError> {
            $history::stop_reason(self, id)
        }
        fn run(&self, id: &str) -> Result<Option<Run>, StoreError> {
            $history::run(self, id)
        }
        fn runs(&self) -> Result<Vec<Run>, StoreError> {
            $history::runs(self)
        }
        fn shards(&self, id: &str) -> Result<Vec<(Shard, RunStatus)>, StoreError> {
            $history::shards(self, id)
        }
        fn record_batch(&mut self, batch: &[PreparedRecord]) -> Result<(), StoreError> {
            $history::record_batch(self, batch)
        }
        fn update_verdict(
            &mut self,
            id: &str,
            key: &str,
            verdict: &StoredVerdict,
            control_verdict: Option<VerdictKind>,
            signature_set: &str,
        ) -> Result<(), StoreError> {
            $history::update_verdict(self, id, key, verdict, control_verdict, signature_set)
        }
        fn body(&self, id: &str, key: &str) -> Result<String, StoreError> {
            $history::body(self, id, key)
        }
        fn for_each_record(
            &self,
            id: &str,
            body: BodyRead,
            each: &mut dyn FnMut(StoredRecord) -> bool,
        ) -> Result<(), StoreError> {
            $history::for_each_record(self, id, body, each)
        }
        fn verdict_counts(&self, id: &str) -> Result<Vec<VerdictCount>, StoreError> {
            $history::verdict_counts(self, id)
        }
        fn mechanism_counts(&self, id: &str) -> Result<Vec<MechanismCount>, StoreError> {
            $history::mechanism_counts(self, id)
        }
        fn control_verdicts(
            &self,
            id: &str,
        ) -> Result<HashMap<(String, String), StoredVerdict>, StoreError> {
            $history::control_verdicts(self, id)
        }
        fn measured_keys(&self, id: &str) -> Result<HashSet<String>, StoreError> {
            $history::measured_keys(self, id)
        }
    };
}
pub(super) use forward_to_inherent;
