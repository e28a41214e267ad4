//! The history database's schema and how an older file is brought up to date. The version
//! lives in `PRAGMA user_version`, so a database written by a newer linkgate is refused rather
//! than misread, and `PRAGMA application_id` marks the file as linkgate's so that another
//! program's SQLite file is never "migrated" into ours.

use rusqlite::{Connection, TransactionBehavior};
use std::path::Path;

use crate::store::StoreError;
use crate::store::error::sqlite;

/// `LKGT` in ASCII: tells a linkgate history from any other SQLite file.
pub(super) const APPLICATION_ID: i64 = 0x4C4B_4754;

/// `MIGRATIONS[i]` takes a database from version `i` to version `i + 1`.
const MIGRATIONS: &[&str] = &[V1, V2, V3, V4, V5, V6, V7];

/// The schema version this linkgate writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Version 1. Times are RFC 3339 UTC text with nine fraction digits, so they sort as text and
/// read back to the same nanosecond. `observations` holds the probe's catalog facts and the
/// observation; `body_gz` is the decoded page text, gzip-compressed (the raw bytes are in the
/// evidence folder). `verdicts.signature_set` is NULL while the verdict is the one made at
/// measurement time, and names the signature set when `reclassify` replaced it.
const V1: &str = "
CREATE TABLE runs (
    id            TEXT PRIMARY KEY,
    started_at    TEXT NOT NULL,
    ended_at      TEXT,
    status        TEXT NOT NULL,
    tool_version  TEXT NOT NULL,
    vantage       TEXT NOT NULL,
    simulated     INTEGER NOT NULL,
    audits        TEXT NOT NULL
);
CREATE TABLE run_files (
    run_id  TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    n       INTEGER NOT NULL,
    path    TEXT NOT NULL,
    sha256  TEXT NOT NULL,
    PRIMARY KEY (run_id, n)
);
CREATE TABLE observations (
    id                 INTEGER PRIMARY KEY,
    run_id             TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    key                TEXT NOT NULL,
    audit              TEXT NOT NULL,
    context            TEXT NOT NULL,
    host_platform      TEXT,
    scene              TEXT,
    client             TEXT NOT NULL,
    link_id            TEXT NOT NULL,
    link_platform      TEXT NOT NULL,
    link_category      TEXT NOT NULL,
    url                TEXT NOT NULL,
    role               TEXT NOT NULL,
    observed_at        TEXT NOT NULL,
    engine             TEXT NOT NULL,
    entry_url          TEXT NOT NULL,
    final_url          TEXT NOT NULL,
    status             INTEGER,
    charset            TEXT,
    truncated          INTEGER NOT NULL,
    body_sha256        TEXT,
    screenshot_sha256  TEXT,
    body_gz            BLOB,
    rendered_text      TEXT,
    dialogs            TEXT NOT NULL,
    evidence           TEXT NOT NULL,
    headers            TEXT NOT NULL,
    failure_kind       TEXT,
    failure_message    TEXT,
    duration_ms        INTEGER NOT NULL,
    started_at         TEXT
);
CREATE UNIQUE INDEX observations_run_key ON observations (run_id, key);
CREATE INDEX observations_pair ON observations (audit, context, link_id);
CREATE TABLE hops (
    observation_id  INTEGER NOT NULL REFERENCES observations(id) ON DELETE CASCADE,
    n               INTEGER NOT NULL,
    url             TEXT NOT NULL,
    status          INTEGER,
    location        TEXT,
    via             TEXT NOT NULL,
    elapsed_ms      INTEGER NOT NULL,
    PRIMARY KEY (observation_id, n)
);
CREATE TABLE attempts (
    observation_id   INTEGER NOT NULL REFERENCES observations(id) ON DELETE CASCADE,
    n                INTEGER NOT NULL,
    number           INTEGER NOT NULL,
    started_at       TEXT NOT NULL,
    duration_ms      INTEGER NOT NULL,
    status           INTEGER,
    failure_kind     TEXT,
    failure_message  TEXT,
    wait_ms          INTEGER,
    PRIMARY KEY (observation_id, n)
);
CREATE TABLE verdicts (
    observation_id   INTEGER PRIMARY KEY REFERENCES observations(id) ON DELETE CASCADE,
    kind             TEXT NOT NULL,
    mechanism        TEXT NOT NULL,
    actor            TEXT NOT NULL,
    signature        TEXT,
    reason           TEXT NOT NULL,
    control_verdict  TEXT,
    signature_set    TEXT
);
";

/// Version 2. `observations.title` is the final page's title, found when the record is
/// written ('' for a page without one), so listings and the CSV read it without
/// decompressing every page. NULL in rows written before version 2: readers then find it in
/// the body.
const V2: &str = "ALTER TABLE observations ADD COLUMN title TEXT;";

/// Version 3: when a run's seal (its manifest) was written. A run that completed but died
/// while its files were written (the report, say) has none, and `verify` tells it from a run
/// whose manifest was deleted. Runs completed before this version are taken as sealed, as
/// they were then.
const V3: &str = "
ALTER TABLE runs ADD COLUMN sealed_at TEXT;
UPDATE runs SET sealed_at = ended_at WHERE status = 'completed';
";

/// Version 4. What the final page offers and whether its own navigation was decided:
/// `continue_url` (where its continue control leads) and `continue_control` (that control,
/// described), and `script_undecided` (why its scripts could not be decided). NULL in rows
/// written before version 4.
const V4: &str = "
ALTER TABLE observations ADD COLUMN continue_url TEXT;
ALTER TABLE observations ADD COLUMN continue_control TEXT;
ALTER TABLE observations ADD COLUMN script_undecided TEXT;
";

/// Version 5. `runs.stop_reason` says why a run stopped itself before measuring what it
/// planned (every control failed at the network level: the machine cannot reach the
/// platforms); NULL for every other run.
const V5: &str = "ALTER TABLE runs ADD COLUMN stop_reason TEXT;";

/// Version 6. `observations.control_similarity`: how a probe's final page compares with its
/// control's (JSON: `same_title`, `length_percent`, `text_percent`), for probes not opened;
/// NULL otherwise and in rows written before version 6.
const V6: &str = "ALTER TABLE observations ADD COLUMN control_similarity TEXT;";

/// Version 7. `run_shards`: the shards of a run group (`--run-group`), one row per shard
/// with its own status, so N processes write one run and the last to complete seals it.
/// Runs of one process have no rows here.
pub(crate) const V7: &str = "
CREATE TABLE run_shards (
    run_id      TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    shard       INTEGER NOT NULL,
    shards      INTEGER NOT NULL,
    status      TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    ended_at    TEXT,
    PRIMARY KEY (run_id, shard)
);
";

/// What the file says about itself.
struct State {
    version: i64,
    application_id: i64,
    objects: i64,
}

/// Reads the three facts in one statement, so they come from one snapshot: read one by one,
/// another process's migration could commit in between, and a file seen with tables but
/// without linkgate's mark would be refused as another program's.
fn state(conn: &Connection, path: &Path) -> Result<State, StoreError> {
    conn.query_row(
        "SELECT (SELECT user_version FROM pragma_user_version),
                (SELECT application_id FROM pragma_application_id),
                (SELECT count(*) FROM sqlite_master)",
        [],
        |row| {
            Ok(State {
                version: row.get(0)?,
                application_id: row.get(1)?,
                objects: row.get(2)?,
            })
        },
    )
    .map_err(|e| sqlite(path, "reading the schema version", e))
}

/// Refuses another program's file and a schema newer than this linkgate.
fn check(state: &State, path: &Path) -> Result<(), StoreError> {
    let empty = state.application_id == 0 && state.objects == 0;
    if state.application_id != APPLICATION_ID && !empty {
        return Err(StoreError::NotLinkgate {
            path: path.to_path_buf(),
        });
    }
    if state.version > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found: state.version,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(())
}

/// Checks, without writing, that the database is a linkgate history of this linkgate's
/// schema version (for a read-only open, which cannot migrate).
pub(super) fn check_current(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let now = state(conn, path)?;
    check(&now, path)?;
    if now.application_id != APPLICATION_ID || now.version < SCHEMA_VERSION {
        return Err(StoreError::TooOldToRead {
            path: path.to_path_buf(),
            found: now.version,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(())
}

/// Brings the database at `path` to [`SCHEMA_VERSION`]. An up-to-date file is only read, so
/// opening a history that another process is writing does not wait for its lock; a migration
/// runs in one IMMEDIATE transaction and looks again inside it, so two processes opening a
/// new file at once cannot both create the tables.
pub(super) fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let before = state(conn, path)?;
    check(&before, path)?;
    if before.application_id == APPLICATION_ID && before.version == SCHEMA_VERSION {
        return Ok(());
    }
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|e| sqlite(path, "locking the database to migrate its schema", e))?;
    let now = state(&tx, path)?;
    check(&now, path)?;
    let start = usize::try_from(now.version).map_err(|_| StoreError::NotLinkgate {
        path: path.to_path_buf(),
    })?;
    for (from, script) in MIGRATIONS.iter().enumerate().skip(start) {
        tx.execute_batch(script)
            .map_err(|e| sqlite(path, "migrating the schema", e))?;
        tx.pragma_update(None, "user_version", from as i64 + 1)
            .map_err(|e| sqlite(path, "recording the schema version", e))?;
    }
    tx.pragma_update(None, "application_id", APPLICATION_ID)
        .map_err(|e| sqlite(path, "marking the database as linkgate's", e))?;
    tx.commit()
        .map_err(|e| sqlite(path, "committing the schema migration", e))
}
