//! The SQLite history as a [`Backend`]: each operation is the inherent method of the same
//! name (in `runs.rs`, `groups.rs`, `write.rs`, `read.rs`); evidence is read from the folder
//! beside the file.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use chrono::{DateTime, Utc};

use super::Sqlite;
use crate::model::{Run, RunStatus, StoredVerdict, VerdictKind};
use crate::plan::Shard;
use crate::store::evidence;
use crate::store::{
    Backend, BodyRead, GroupState, Location, MechanismCount, PreparedRecord, StoreError,
    StoredEvidence, StoredRecord, VerdictCount,
};

impl Backend for Sqlite {
    fn location(&self) -> &Location {
        &self.location
    }
    fn evidence_dir(&self) -> Option<PathBuf> {
        Some(Sqlite::evidence_dir(self))
    }
    fn set_busy_timeout(&mut self, timeout: std::time::Duration) -> Result<(), StoreError> {
        Sqlite::set_busy_timeout(self, timeout)
    }
    fn begin_run(&mut self, run: &Run) -> Result<(), StoreError> {
        Sqlite::begin_run(self, run)
    }
    fn join_group(&mut self, run: &Run, shard: Shard) -> Result<bool, StoreError> {
        Sqlite::join_group(self, run, shard)
    }
    fn finish_run(
        &mut self,
        id: &str,
        status: RunStatus,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        Sqlite::finish_run(self, id, status, at)
    }
    fn finish_shard(
        &mut self,
        id: &str,
        shard: Shard,
        status: RunStatus,
        at: DateTime<Utc>,
    ) -> Result<GroupState, StoreError> {
        Sqlite::finish_shard(self, id, shard, status, at)
    }
    fn mark_sealed(&self, id: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        Sqlite::mark_sealed(self, id, at)
    }
    fn stop_run(&mut self, id: &str, reason: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        Sqlite::stop_run(self, id, reason, at)
    }
    fn was_sealed(&self, id: &str) -> Result<bool, StoreError> {
        Sqlite::was_sealed(self, id)
    }
    fn stop_reason(&self, id: &str) -> Result<Option<String>, StoreError> {
        Sqlite::stop_reason(self, id)
    }
    fn run(&self, id: &str) -> Result<Option<Run>, StoreError> {
        Sqlite::run(self, id)
    }
    fn runs(&self) -> Result<Vec<Run>, StoreError> {
        Sqlite::runs(self)
    }
    fn shards(&self, id: &str) -> Result<Vec<(Shard, RunStatus)>, StoreError> {
        Sqlite::shards(self, id)
    }
    fn record_batch(&mut self, batch: &[PreparedRecord]) -> Result<(), StoreError> {
        Sqlite::record_batch(self, batch)
    }
    fn update_verdict(
        &mut self,
        id: &str,
        key: &str,
        verdict: &StoredVerdict,
        control_verdict: Option<VerdictKind>,
        signature_set: &str,
    ) -> Result<(), StoreError> {
        Sqlite::update_verdict(self, id, key, verdict, control_verdict, signature_set)
    }
    fn body(&self, id: &str, key: &str) -> Result<String, StoreError> {
        Sqlite::body(self, id, key)
    }
    fn for_each_record(
        &self,
        id: &str,
        body: BodyRead,
        each: &mut dyn FnMut(StoredRecord) -> bool,
    ) -> Result<(), StoreError> {
        Sqlite::for_each_record(self, id, body, each)
    }
    fn verdict_counts(&self, id: &str) -> Result<Vec<VerdictCount>, StoreError> {
        Sqlite::verdict_counts(self, id)
    }
    fn mechanism_counts(&self, id: &str) -> Result<Vec<MechanismCount>, StoreError> {
        Sqlite::mechanism_counts(self, id)
    }
    fn control_verdicts(
        &self,
        id: &str,
    ) -> Result<HashMap<(String, String), StoredVerdict>, StoreError> {
        Sqlite::control_verdicts(self, id)
    }
    fn measured_keys(&self, id: &str) -> Result<HashSet<String>, StoreError> {
        Sqlite::measured_keys(self, id)
    }
    fn stored_evidence(&self, sha256: &str) -> Result<Option<StoredEvidence>, StoreError> {
        let Some(path) = evidence::locate(&Sqlite::evidence_dir(self), sha256) else {
            return Ok(None);
        };
        let stored = std::fs::read(&path).map_err(|source| StoreError::Evidence {
            path: path.clone(),
            source,
        })?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(Some(StoredEvidence { name, stored }))
    }
    fn has_evidence(&self, sha256: &str) -> bool {
        evidence::locate(&Sqlite::evidence_dir(self), sha256).is_some()
    }
}
