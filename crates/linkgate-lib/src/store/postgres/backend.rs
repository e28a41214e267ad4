//! The PostgreSQL history as a [`Backend`]: each operation is the inherent method of the same
//! name (in `runs.rs`, `write.rs`, `read.rs`); evidence is in the database.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use chrono::{DateTime, Utc};

use super::Postgres;
use crate::model::{Run, RunStatus, StoredVerdict, VerdictKind};
use crate::plan::Shard;
use crate::store::backend::forward_to_inherent;
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
    forward_to_inherent!(Postgres);
    fn stored_evidence(&self, sha256: &str) -> Result<Option<StoredEvidence>, StoreError> {
        Postgres::stored_evidence(self, sha256)
    }
    fn has_evidence(&self, sha256: &str) -> bool {
        Postgres::has_evidence(self, sha256)
    }
}
