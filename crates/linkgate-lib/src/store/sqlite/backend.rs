//! The SQLite history as a [`Backend`]: each operation is the inherent method of the same
//! name (in `runs.rs`, `groups.rs`, `write.rs`, `read.rs`); evidence is read from the folder
//! beside the file.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use chrono::{DateTime, Utc};

use super::Sqlite;
use crate::model::{Run, RunStatus, StoredVerdict, VerdictKind};
use crate::plan::Shard;
use crate::store::backend::forward_to_inherent;
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
    forward_to_inherent!(Sqlite);
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
