//! The history: every run, probe, observation, attempt and verdict linkgate has made. Each
//! record is committed as its probe finishes, so an interrupted run loses nothing and
//! `--resume` can measure only what is missing; verdicts are kept apart from observations so
//! `reclassify` can replace them when signatures improve. The decoded page text is kept in the
//! database (gzip) rather than re-decoded from the evidence: the browser engine's text is the
//! rendered DOM, not the raw bytes, and reclassifying must not depend on the evidence.
//!
//! Two histories implement one [`Backend`]: an SQLite file (the default; evidence in a folder
//! beside it, see `sqlite/`) and a PostgreSQL database (`--db postgres://…`; evidence in the
//! database, so many vantages and shards write one history, see `postgres/`). A `Store` is
//! one connection: one per thread.

mod backend;
mod cells;
mod codec;
mod decode;
mod error;
mod evidence;
mod groups;
mod location;
mod postgres;
mod prepared;
mod sqlite;

pub use backend::{
    Backend, BodyRead, GroupState, MechanismCount, StoredEvidence, StoredRecord, VerdictCount,
};
pub use error::StoreError;
pub use location::Location;
pub use postgres::AdvisoryLock;
pub use prepared::PreparedRecord;
pub use sqlite::SCHEMA_VERSION;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::model::{Artifact, Record, Run, RunStatus, StoredVerdict, VerdictKind};
use crate::plan::Shard;

/// The default database path, relative to the working folder.
pub const DEFAULT_DB: &str = "reports/linkgate.db";

/// The name of the evidence folder beside an SQLite history.
pub const EVIDENCE_DIR: &str = "evidence";

/// How long a writer waits for another process's write to finish. Records are written in
/// short transactions, so a wait this long means the other process is stuck, not busy.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// An open history (see the module documentation).
pub struct Store {
    backend: Box<dyn Backend>,
}

impl Store {
    /// Opens the history at `at`, creating it if needed (an SQLite file and its folder, or
    /// linkgate's tables in a PostgreSQL database) and migrating its schema.
    pub fn open(at: impl Into<Location>) -> Result<Store, StoreError> {
        let backend: Box<dyn Backend> = match at.into() {
            Location::Sqlite(path) => Box::new(sqlite::Sqlite::open(&path)?),
            Location::Postgres(url) => Box::new(postgres::Postgres::open(&url)?),
        };
        Ok(Store { backend })
    }

    /// Opens the history at `at` to read it: as [`Store::open`] where it can be written, else
    /// (an SQLite file on read-only media) read-only. An SQLite file is never created.
    pub fn open_to_read(at: impl Into<Location>) -> Result<Store, StoreError> {
        let backend: Box<dyn Backend> = match at.into() {
            Location::Sqlite(path) => Box::new(sqlite::Sqlite::open_to_read(&path)?),
            Location::Postgres(url) => Box::new(postgres::Postgres::open(&url)?),
        };
        Ok(Store { backend })
    }

    /// Where this history is.
    pub fn location(&self) -> &Location {
        self.backend.location()
    }

    /// The folder evidence files are kept in (`evidence/` beside an SQLite file); `None` for
    /// a history that keeps its evidence in the database.
    pub fn evidence_dir(&self) -> Option<PathBuf> {
        self.backend.evidence_dir()
    }

    /// The folder of the locks that keep two processes from running one audit or sealing into
    /// one place of the chain: beside an SQLite history, else in the output folder `out`.
    pub fn lock_dir(&self, out: &Path) -> PathBuf {
        match self.location() {
            Location::Sqlite(path) => crate::lock::FileLock::dir_for(path),
            Location::Postgres(_) => out.join("locks"),
        }
    }

    /// Changes how long an SQLite write waits for another process's lock (default
    /// [`BUSY_TIMEOUT`]); PostgreSQL waits on its own row locks.
    pub fn set_busy_timeout(&mut self, timeout: Duration) -> Result<(), StoreError> {
        self.backend.set_busy_timeout(timeout)
    }

    /// Stores a run's facts before its first record. Beginning a run id that is already
    /// stored (a resumed run) replaces its facts and scenario files with these and keeps its
    /// records.
    pub fn begin_run(&mut self, run: &Run) -> Result<(), StoreError> {
        self.backend.begin_run(run)
    }

    /// Joins shard `shard` to the group run `run.id`, storing the run if no shard has yet.
    /// Answers whether the run was already stored (by another shard, or this one before).
    pub fn join_group(&mut self, run: &Run, shard: Shard) -> Result<bool, StoreError> {
        self.backend.join_group(run, shard)
    }

    /// Marks a run as ended with `status`.
    pub fn finish_run(
        &mut self,
        run_id: &str,
        status: RunStatus,
        ended_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.backend.finish_run(run_id, status, ended_at)
    }

    /// Ends one shard of a group run; the run completes when its last shard does.
    pub fn finish_shard(
        &mut self,
        run_id: &str,
        shard: Shard,
        status: RunStatus,
        ended_at: DateTime<Utc>,
    ) -> Result<GroupState, StoreError> {
        self.backend.finish_shard(run_id, shard, status, ended_at)
    }

    /// Records that the run's seal was written at `at`.
    pub fn mark_sealed(&self, run_id: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.backend.mark_sealed(run_id, at)
    }

    /// Marks a run as failed because it stopped itself early, and why (see
    /// [`Store::stop_reason`]).
    pub fn stop_run(
        &mut self,
        run_id: &str,
        reason: &str,
        ended_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.backend.stop_run(run_id, reason, ended_at)
    }

    /// Whether the run's seal was ever written (see [`Store::mark_sealed`]).
    pub fn was_sealed(&self, run_id: &str) -> Result<bool, StoreError> {
        self.backend.was_sealed(run_id)
    }

    /// Why a run stopped itself before measuring what it planned; `None` for a run that did
    /// not (or is not stored).
    pub fn stop_reason(&self, run_id: &str) -> Result<Option<String>, StoreError> {
        self.backend.stop_reason(run_id)
    }

    /// The run with this id, if stored.
    pub fn run(&self, run_id: &str) -> Result<Option<Run>, StoreError> {
        self.backend.run(run_id)
    }

    /// Every stored run, oldest first.
    pub fn runs(&self) -> Result<Vec<Run>, StoreError> {
        self.backend.runs()
    }

    /// The shards of a group run and their states; empty for a run of one process.
    pub fn shards(&self, run_id: &str) -> Result<Vec<(Shard, RunStatus)>, StoreError> {
        self.backend.shards(run_id)
    }

    /// Stores one observation + verdict (+ its hops and attempts) in ONE transaction, after
    /// storing its artifacts. Replaces an earlier record with the same (run_id, key): that is
    /// how a resumed run re-measures interrupted probes. The run must have been begun.
    pub fn record(&mut self, record: &Record, artifacts: &[Artifact]) -> Result<(), StoreError> {
        let prepared = PreparedRecord::new(record.clone(), artifacts)?;
        self.record_batch(std::slice::from_ref(&prepared))
    }

    /// Stores prepared records in ONE transaction, after storing all their artifacts: a run's
    /// writer commits whatever records are waiting at once, so a busy run commits in batches
    /// and a quiet one record by record. All of them are stored, or none (the error says why).
    pub fn record_batch(&mut self, batch: &[PreparedRecord]) -> Result<(), StoreError> {
        self.backend.record_batch(batch)
    }

    /// Replaces the verdict of a stored record (for `reclassify`), noting `signature_set`: an
    /// id of the signature set that produced it (e.g. a hash of the signature files), so the
    /// history says which verdicts were recomputed and with what.
    pub fn update_verdict(
        &mut self,
        run_id: &str,
        key: &str,
        verdict: &StoredVerdict,
        control_verdict: Option<VerdictKind>,
        signature_set: &str,
    ) -> Result<(), StoreError> {
        self.backend
            .update_verdict(run_id, key, verdict, control_verdict, signature_set)
    }

    /// The records of a run, in the order they were stored (a replaced record counts as
    /// stored when it was replaced). Holds every page in memory: for a whole run, prefer
    /// [`Store::for_each_record`].
    pub fn records(&self, run_id: &str) -> Result<Vec<Record>, StoreError> {
        self.collect_records(run_id, BodyRead::Full)
    }

    /// The records of a run as [`Store::records`] gives them, but with `observation.body`
    /// empty: for readers that need verdicts, keys and evidence hashes and not the page (a
    /// report's past runs, sealing, verifying, pruning), which would otherwise decompress
    /// every page of the history.
    pub fn records_without_bodies(&self, run_id: &str) -> Result<Vec<Record>, StoreError> {
        self.collect_records(run_id, BodyRead::Skip)
    }

    fn collect_records(&self, run_id: &str, body: BodyRead) -> Result<Vec<Record>, StoreError> {
        let mut records = Vec::new();
        self.for_each_record(run_id, body, |stored| {
            records.push(stored.record);
            Ok::<(), StoreError>(())
        })?;
        Ok(records)
    }

    /// The page of the record stored under `key` in `run_id` (empty when there is none), for
    /// a reader that went through a run without bodies and wants a few of them.
    pub fn body(&self, run_id: &str, key: &str) -> Result<String, StoreError> {
        self.backend.body(run_id, key)
    }

    /// Calls `each` with every record of a run, in the order they were stored, reading one
    /// record at a time: memory stays the same however large the run. Stops at the first
    /// error, the store's or `each`'s.
    pub fn for_each_record<E: From<StoreError>>(
        &self,
        run_id: &str,
        body: BodyRead,
        mut each: impl FnMut(StoredRecord) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut failed = None;
        let read = self
            .backend
            .for_each_record(run_id, body, &mut |stored| match each(stored) {
                Ok(()) => true,
                Err(err) => {
                    failed = Some(err);
                    false
                }
            });
        match failed {
            Some(err) => Err(err),
            None => read.map_err(E::from),
        }
    }

    /// How many records of a run have each verdict, per host.
    pub fn verdict_counts(&self, run_id: &str) -> Result<Vec<VerdictCount>, StoreError> {
        self.backend.verdict_counts(run_id)
    }

    /// The records of a run counted by role, verdict and mechanism.
    pub fn mechanism_counts(&self, run_id: &str) -> Result<Vec<MechanismCount>, StoreError> {
        self.backend.mechanism_counts(run_id)
    }

    /// The verdicts of a run's measured controls (interrupted ones are measured again), by
    /// (audit, link id): what a resumed run pairs its remaining probes with.
    pub fn control_verdicts(
        &self,
        run_id: &str,
    ) -> Result<HashMap<(String, String), StoredVerdict>, StoreError> {
        self.backend.control_verdicts(run_id)
    }

    /// Keys ([`Record::key`]) already measured in this run, leaving out records whose
    /// observation failed with `interrupted`: those are measured again on resume.
    pub fn measured_keys(&self, run_id: &str) -> Result<HashSet<String>, StoreError> {
        self.backend.measured_keys(run_id)
    }

    /// The uncompressed bytes of the evidence named `sha256`, checked against its name
    /// (changed evidence is [`StoreError::Tampered`]).
    pub fn read_artifact(&self, sha256: &str) -> Result<Vec<u8>, StoreError> {
        evidence::check_sha(sha256)?;
        let sha256 = sha256.to_ascii_lowercase();
        match self.backend.stored_evidence(&sha256)? {
            Some(found) => {
                let place = self.evidence_place(&found.name);
                evidence::unpack(&sha256, &found.name, &place, found.stored)
            }
            None => Err(StoreError::ArtifactMissing {
                dir: self.evidence_place(""),
                sha256,
            }),
        }
    }

    /// The evidence named `sha256` as stored (its file name and bytes), if the history has it.
    pub fn stored_evidence(&self, sha256: &str) -> Result<Option<StoredEvidence>, StoreError> {
        if evidence::check_sha(sha256).is_err() {
            return Ok(None);
        }
        self.backend.stored_evidence(&sha256.to_ascii_lowercase())
    }

    /// Whether the history has the evidence named `sha256`.
    pub fn has_evidence(&self, sha256: &str) -> bool {
        evidence::check_sha(sha256).is_ok()
            && self.backend.has_evidence(&sha256.to_ascii_lowercase())
    }

    /// Writes the evidence named by `hashes` that the history has into `dir` as files (for a
    /// report read from a database, whose links need files); files already there are kept.
    pub fn export_evidence<'a>(
        &self,
        hashes: impl IntoIterator<Item = &'a String>,
        dir: &Path,
    ) -> Result<usize, StoreError> {
        let mut written = 0;
        for sha256 in hashes {
            // Already written by an earlier report: not fetched from the database again.
            if evidence::locate(dir, sha256).is_some() {
                continue;
            }
            if let Some(found) = self.stored_evidence(sha256)?
                && evidence::write_named(dir, &found.name, &found.stored)?
            {
                written += 1;
            }
        }
        Ok(written)
    }

    /// Where evidence named `name` is, for messages: the file, or the database.
    fn evidence_place(&self, name: &str) -> PathBuf {
        match self.evidence_dir() {
            Some(dir) => dir.join(name),
            None => PathBuf::from(format!("{} (evidence {name})", self.location())),
        }
    }
}

/// The folder the evidence of the SQLite history at `db` is kept in: `evidence/` beside it.
pub fn evidence_dir_of(db: &Path) -> PathBuf {
    match db.parent() {
        Some(parent) => parent.join(EVIDENCE_DIR),
        None => PathBuf::from(EVIDENCE_DIR),
    }
}
