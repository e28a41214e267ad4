//! What can go wrong with the history database or its evidence folder. Every message names
//! the file involved and what to do about it, because the reader is an analyst at a terminal
//! or a cron job's log, not a programmer with a debugger.

use std::io;
use std::path::{Path, PathBuf};

/// An error of the store. A probe that failed is never one of these: it is an observation.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "cannot create the folder {} for the history database: {source}; check that the path is writable or pass another database path",
        .path.display()
    )]
    CreateDir {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    #[error(
        "cannot create the history database {}: {source}; check that its folder is writable and has free space",
        .path.display()
    )]
    Create {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    #[error(
        "cannot open the history database {}: {source}; check that the file is a linkgate history and its folder is writable",
        .path.display()
    )]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },

    #[error(
        "the history database {} is an empty file (0 bytes), not a linkgate history: a full disk or a failed copy may have emptied it; restore it from a backup, or delete it to start a new history",
        .path.display()
    )]
    EmptyFile { path: PathBuf },

    #[error(
        "{} is not an SQLite database, so not a linkgate history (it is damaged, or another kind of file); pass the path of your history, restore it from a backup, or move the file away to start a new history",
        .path.display()
    )]
    NotADatabase { path: PathBuf },

    #[error(
        "{} is an SQLite database but not a linkgate history; pass another database path",
        .path.display()
    )]
    NotLinkgate { path: PathBuf },

    #[error(
        "the history database {} has schema version {found}, newer than this linkgate understands (up to {supported}); upgrade linkgate or pass another database path",
        .path.display()
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },

    #[error(
        "the history database {} has schema version {found}, older than this linkgate's ({supported}), and cannot be upgraded where it is (it is read-only); copy it somewhere writable, or read it with the linkgate that wrote it",
        .path.display()
    )]
    TooOldToRead {
        path: PathBuf,
        found: i64,
        supported: i64,
    },

    #[error(
        "the history database {} cannot use write-ahead logging (its journal mode stays `{mode}`), which lets two processes share it safely; keep it on a local disk",
        .path.display()
    )]
    NoWal { path: PathBuf, mode: String },

    #[error(
        "the history database {} is locked by another process for longer than the busy timeout; wait for the other linkgate run to finish (or stop it) and try again",
        .path.display()
    )]
    Busy { path: PathBuf },

    #[error(
        "history database {}: {action} failed: {source}; if the file is damaged, `sqlite3 {} 'PRAGMA integrity_check'` says how, and a backup restores it",
        .path.display(), .path.display()
    )]
    Sqlite {
        path: PathBuf,
        action: &'static str,
        #[source]
        source: rusqlite::Error,
    },

    #[error(
        "history database {}: {what} holds `{value}`, which this linkgate cannot read; the file was written by another version or edited by hand: upgrade linkgate or restore the file",
        .path.display()
    )]
    BadValue {
        path: PathBuf,
        what: &'static str,
        value: String,
    },

    #[error(
        "history database {}: there is no run `{run_id}`; store the run with begin_run before its records, or list the runs to find its id",
        .path.display()
    )]
    UnknownRun { path: PathBuf, run_id: String },

    #[error(
        "history database {}: run `{run_id}` has no record with key `{key}` (audit|context|link); list the run's records to find the key",
        .path.display()
    )]
    UnknownRecord {
        path: PathBuf,
        run_id: String,
        key: String,
    },

    #[error(
        "evidence file {}: {source}; check that the evidence folder beside the database is writable and the disk is not full",
        .path.display()
    )]
    Evidence {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    #[error(
        "evidence {sha256} is not in {}; the evidence folder must stay beside the database: restore it from a backup",
        .dir.display()
    )]
    ArtifactMissing { dir: PathBuf, sha256: String },

    #[error(
        "an artifact named {sha256} holds bytes that hash to {actual}; build artifacts with Artifact::new so the name is the SHA-256 of the bytes"
    )]
    ArtifactMismatch { sha256: String, actual: String },

    #[error(
        "evidence file {} no longer matches its name (its content hashes to {actual}): it was changed or damaged after it was written; restore it from a backup",
        .path.display()
    )]
    Tampered { path: PathBuf, actual: String },

    #[error("`{sha256}` is not a SHA-256 (64 hex digits); pass a hash recorded in an observation")]
    BadSha { sha256: String },

    #[error(
        "run group `{run_id}` in {} was started with {found} shards, and this shard says {given}: start every shard of a group with the same N in --shard I/N, or choose another --run-group",
        .path.display()
    )]
    GroupMismatch {
        path: PathBuf,
        run_id: String,
        found: u32,
        given: u32,
    },

    #[error(
        "run group `{run_id}` in {} measures from vantage `{found}`, and this shard says `{given}`: a run has one vantage, so start every shard of a group with the same --vantage, or give each vantage its own --run-group",
        .path.display()
    )]
    GroupVantage {
        path: PathBuf,
        run_id: String,
        found: String,
        given: String,
    },

    #[error("cannot connect to the PostgreSQL history {at}: {detail}; {hint}")]
    PostgresConnect {
        at: String,
        detail: String,
        hint: &'static str,
    },

    #[error(
        "PostgreSQL history {at}: {action} failed: {detail}; check that the server is up and the user may write linkgate's tables"
    )]
    Postgres {
        at: String,
        action: &'static str,
        detail: String,
    },

    #[error(
        "cannot encode {what} for the history database: {reason}; this is a bug in linkgate, please report it with the run's log"
    )]
    Encoding { what: &'static str, reason: String },
}

/// A value read from the database that this version cannot turn back into the model: carried
/// through rusqlite's row closures and unwrapped into [`StoreError::BadValue`] by [`sqlite`].
#[derive(Debug, thiserror::Error)]
#[error("{what} holds `{value}`")]
pub(super) struct Unreadable {
    pub what: &'static str,
    pub value: String,
}

/// Names a rusqlite error: a lock held past the busy timeout is [`StoreError::Busy`], an
/// unreadable stored value is [`StoreError::BadValue`], anything else says what was being done.
pub(super) fn sqlite(path: &Path, action: &'static str, error: rusqlite::Error) -> StoreError {
    let path = path.to_path_buf();
    match error {
        error if is_busy(&error) => StoreError::Busy { path },
        rusqlite::Error::FromSqlConversionFailure(index, kind, inner) => {
            match inner.downcast::<Unreadable>() {
                Ok(bad) => StoreError::BadValue {
                    path,
                    what: bad.what,
                    value: bad.value,
                },
                Err(inner) => StoreError::Sqlite {
                    path,
                    action,
                    source: rusqlite::Error::FromSqlConversionFailure(index, kind, inner),
                },
            }
        }
        source => StoreError::Sqlite {
            path,
            action,
            source,
        },
    }
}

/// Whether SQLite gave up waiting for another connection's lock.
pub(super) fn is_not_a_database(error: &rusqlite::Error) -> bool {
    matches!(error, rusqlite::Error::SqliteFailure(failure, _)
        if failure.code == rusqlite::ErrorCode::NotADatabase)
}

pub(super) fn is_busy(error: &rusqlite::Error) -> bool {
    use rusqlite::ErrorCode::{DatabaseBusy, DatabaseLocked};
    matches!(error, rusqlite::Error::SqliteFailure(failure, _)
        if matches!(failure.code, DatabaseBusy | DatabaseLocked))
}

/// Names a PostgreSQL error with what was being done; the server's own message (and its
/// detail) is the useful part, so it is kept whole.
pub(super) fn postgres(at: &str, action: &'static str, error: tokio_postgres::Error) -> StoreError {
    StoreError::Postgres {
        at: at.to_string(),
        action,
        detail: postgres_detail(&error),
    }
}

pub(super) fn postgres_detail(error: &tokio_postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => match db.detail() {
            Some(detail) => format!("{} ({detail})", db.message()),
            None => db.message().to_string(),
        },
        None => {
            let mut text = error.to_string();
            let mut source = std::error::Error::source(error);
            while let Some(inner) = source {
                text.push_str(&format!(": {inner}"));
                source = inner.source();
            }
            text
        }
    }
}
