//! The PostgreSQL history as a [`Backend`]: each operation is the inherent method of the same
//! name (in `runs.rs`, `write.rs`, `read.rs`); evidence is in the database.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use chrono::{DateTime, Utc};

use super::Postgres;
use crate::model::{Run, RunStatus, StoredVerdict, VerdictKind};
use crate::plan::Shard;
use crate::store::{
    Backend, BodyRead, GroupState, Location, MechanismCount, PreparedRecord, StoreError,
    StoredEvidence, StoredRecord, VerdictCount,
};

impl Backend for Postgres {
    fn location(&self) -> &Location {
        &self.location
    }
    fn evidence_dir(&self) -> Option<PathBuf> {
        None
    }
    fn begin_run(&mut self, run: &Run) -> Result<(), StoreError> {
        Postgres::begin_run(self, run)
    }
    fn join_group(&mut self, run: &Run, shard: Shard) -> Result<bool, StoreError> {
        Postgres::join_group(self, run, shard)
    }
    fn finish_run(
        &mut self,
        id: &str,
        status: RunStatus,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        Postgres::finish_run(self, id, status, at)
    }
    fn finish_shard(
        &mut self,
        id: &str,
        shard: Shard,
        status: RunStatus,
        at: DateTime<Utc>,
    ) -> Result<GroupState, StoreError> {
        Postgres::finish_shard(self, id, shard, status, at)
    }
    fn mark_sealed(&self, id: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        Postgres::mark_sealed(self, id, at)
    }
    fn stop_run(&mut self, id: &str, reason: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        Postgres::stop_run(self, id, reason, at)
    }
    fn was_sealed(&self, id: &str) -> Result<bool, StoreError> {
        Postgres::was_sealed(self, id)
    }
    fn stop_reason(&self, id: &str) -> Result<Option<String>, StoreError> {
        Postgres::stop_reason(self, id)
    }
    fn run(&self, id: &str) -> Result<Option<Run>, StoreError> {
        Postgres::run(self, id)
    }
    fn runs(&self) -> Result<Vec<Run>, StoreError> {
        Postgres::runs(self)
    }
    fn shards(&self, id: &str) -> Result<Vec<(Shard, RunStatus)>, StoreError> {
        Postgres::shards(self, id)
    }
    fn record_batch(&mut self, batch: &[PreparedRecord]) -> Result<(), StoreError> {
        Postgres::record_batch(self, batch)
    }
    fn update_verdict(
        &mut self,
        id: &str,
        key: &str,
        verdict: &StoredVerdict,
        control_verdict: Option<VerdictKind>,
        signature_set: &str,
    ) -> Result<(), StoreError> {
        Postgres::update_verdict(self, id, key, verdict, control_verdict, signature_set)
    }
    fn body(&self, id: &str, key: &str) -> Result<String, StoreError> {
        Postgres::body(self, id, key)
    }
    fn for_each_record(
        &self,
        id: &str,
        body: BodyRead,
        each: &mut dyn FnMut(StoredRecord) -> bool,
    ) -> Result<(), StoreError> {
        Postgres::for_each_record(self, id, body, each)
    }
    fn verdict_counts(&self, id: &str) -> Result<Vec<VerdictCount>, StoreError> {
        Postgres::verdict_counts(self, id)
    }
    fn mechanism_counts(&self, id: &str) -> Result<Vec<MechanismCount>, StoreError> {
        Postgres::mechanism_counts(self, id)
    }
    fn control_verdicts(
        &self,
        id: &str,
    ) -> Result<HashMap<(String, String), StoredVerdict>, StoreError> {
        Postgres::control_verdicts(self, id)
    }
    fn measured_keys(&self, id: &str) -> Result<HashSet<String>, StoreError> {
        Postgres::measured_keys(self, id)
    }
    fn stored_evidence(&self, sha256: &str) -> Result<Option<StoredEvidence>, StoreError> {
        Postgres::stored_evidence(self, sha256)
    }
    fn has_evidence(&self, sha256: &str) -> bool {
        Postgres::has_evidence(self, sha256)
    }
}
