//! The history in one SQLite file: every run, probe, observation, attempt and verdict
//! linkgate has made, in one file (`reports/linkgate.db` by default), with the raw evidence in an
//! `evidence/` folder beside it. Each record is committed as its probe finishes, so an
//! interrupted run loses nothing and `--resume` can measure only what is missing; verdicts are
//! kept apart from observations so `reclassify` can replace them when signatures improve.
//! The decoded page text is kept in the database (gzip) rather than re-decoded from the
//! evidence file: the browser engine's text is the rendered DOM, not the raw bytes, and
//! reclassifying must not depend on the evidence folder still being beside the database.
//!
//! Durability: the database is in write-ahead-log mode with `synchronous = NORMAL`, and
//! evidence files are not synced one by one. A record committed is kept if linkgate crashes,
//! is killed or interrupted, which is what `--resume` needs; an operating-system crash or a
//! power cut can lose the records committed in the last moments (never the database's
//! consistency), and with them the newest evidence files. `synchronous = FULL` and a sync per
//! evidence file would close that window at three disk flushes per record (about 6 ms each
//! here), which made storing the slowest stage of a run.
//!
//! Two processes may share one file: SQLite's write-ahead log lets readers go on while one
//! writer writes, and a second writer waits up to the busy timeout before giving up with
//! [`StoreError::Busy`]. Opening a new file from several processes at once is safe too: the
//! switch to write-ahead logging and the schema migration each wait for the other opener.
//! A `Store` is one connection: one per thread.

mod backend;
mod groups;
mod read;
mod runs;
mod schema;
mod write;

pub use schema::SCHEMA_VERSION;

use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::error::{is_busy, is_not_a_database, sqlite};
use super::{BUSY_TIMEOUT, Location, StoreError, evidence_dir_of};

/// An SQLite history.
pub(crate) struct Sqlite {
    conn: Connection,
    path: PathBuf,
    location: Location,
}

impl Sqlite {
    /// Opens (creating it and its folder if needed) the database at `db`, switches it to
    /// write-ahead logging and migrates its schema to [`SCHEMA_VERSION`].
    pub fn open(db: &Path) -> Result<Sqlite, StoreError> {
        if let Some(parent) = db.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::CreateDir {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        if !db.exists() {
            create_whole(db)?;
        }
        refuse_empty_file(db)?;
        Sqlite::open_existing(db)
    }

    /// Opens the database file at `db`, which exists (see [`Sqlite::open`]).
    fn open_existing(db: &Path) -> Result<Sqlite, StoreError> {
        let path = db.to_path_buf();
        let open_error = |source| StoreError::Open {
            path: path.clone(),
            source,
        };
        let mut conn = Connection::open(db).map_err(open_error)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_error)?;
        // The first statement is where SQLite notices a file that is not a database.
        let mode = switch_to_wal(&conn).map_err(|e| {
            if is_busy(&e) {
                StoreError::Busy { path: path.clone() }
            } else if is_not_a_database(&e) {
                StoreError::NotADatabase { path: path.clone() }
            } else {
                open_error(e)
            }
        })?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::NoWal { path, mode });
        }
        // NORMAL syncs the log only at checkpoints: a commit survives the process dying (see
        // the module documentation for the trade-off against FULL).
        for (pragma, value) in [("foreign_keys", "ON"), ("synchronous", "NORMAL")] {
            conn.pragma_update(None, pragma, value)
                .map_err(|e| sqlite(&path, "setting up the connection", e))?;
        }
        schema::migrate(&mut conn, &path)?;
        Ok(Sqlite {
            location: Location::Sqlite(path.clone()),
            conn,
            path,
        })
    }

    /// Opens the database at `db` to read it: as [`Sqlite::open`] where it can be written, else
    /// read-only, so a history on read-only media (an archive disc, a write-protected copy
    /// handed to a regulator) can still be verified and reported on. Nothing is created.
    pub fn open_to_read(db: &Path) -> Result<Sqlite, StoreError> {
        refuse_empty_file(db)?;
        let writable = Sqlite::open(db);
        match writable {
            Ok(store) => Ok(store),
            Err(
                err @ (StoreError::EmptyFile { .. }
                | StoreError::NotADatabase { .. }
                | StoreError::NotLinkgate { .. }
                | StoreError::TooNew { .. }),
            ) => Err(err),
            Err(err) => Sqlite::open_read_only(db).map_err(|_| err),
        }
    }

    /// Opens an up-to-date history read-only. Where the database's folder cannot be written,
    /// SQLite cannot make the shared-memory file write-ahead logging reads through, and the
    /// file is opened as immutable: nothing can be writing to it there either.
    fn open_read_only(db: &Path) -> Result<Sqlite, StoreError> {
        use rusqlite::OpenFlags;
        let path = db.to_path_buf();
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let open = |name: &str| -> Result<Sqlite, StoreError> {
            let conn =
                Connection::open_with_flags(name, flags).map_err(|source| StoreError::Open {
                    path: path.clone(),
                    source,
                })?;
            schema::check_current(&conn, &path)?;
            Ok(Sqlite {
                conn,
                path: path.clone(),
                location: Location::Sqlite(path.clone()),
            })
        };
        let absolute = std::path::absolute(db).map_err(|source| StoreError::Evidence {
            path: path.clone(),
            source,
        })?;
        let uri = url::Url::from_file_path(&absolute)
            .map_err(|()| StoreError::NotLinkgate { path: path.clone() })?;
        open(uri.as_str()).or_else(|_| open(&format!("{uri}?immutable=1")))
    }

    /// The folder evidence files are kept in: `evidence/` beside the database.
    pub fn evidence_dir(&self) -> PathBuf {
        evidence_dir_of(&self.path)
    }

    /// Changes how long a write waits for another process's lock (default [`BUSY_TIMEOUT`]).
    pub fn set_busy_timeout(&mut self, timeout: Duration) -> Result<(), StoreError> {
        self.conn
            .busy_timeout(timeout)
            .map_err(|e| sqlite(&self.path, "setting the busy timeout", e))
    }
}

/// SQLite takes a 0-byte file for a new, empty database: a history truncated by a full disk
/// or a failed copy would silently become a new history. A file that another process has just
/// created is 0 bytes too, for the moment it takes that process to write its header, so a
/// 0-byte file is given that moment before it is refused.
fn refuse_empty_file(db: &Path) -> Result<(), StoreError> {
    let empty = || std::fs::metadata(db).is_ok_and(|m| m.is_file() && m.len() == 0);
    let started = Instant::now();
    while empty() {
        if started.elapsed() > EMPTY_FILE_GRACE {
            return Err(StoreError::EmptyFile {
                path: db.to_path_buf(),
            });
        }
        std::thread::sleep(WAL_RETRY_PAUSE);
    }
    Ok(())
}

/// Creates a new history at `db` whole or not at all: the schema is written to a file beside
/// it, which is then linked into place. A process killed while creating a history (or a full
/// disk) so leaves no empty or half-made `linkgate.db`, and a 0-byte history always means a
/// damaged one, which is refused. Another process that created the file first wins; its
/// history is opened instead.
fn create_whole(db: &Path) -> Result<(), StoreError> {
    let name = db
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "linkgate.db".to_string());
    static DRAFTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = DRAFTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let draft = db.with_file_name(format!(".{name}.new-{}-{n}", std::process::id()));
    let _ = std::fs::remove_file(&draft);
    let made = Sqlite::open_existing(&draft).map(drop).and_then(|()| {
        match std::fs::hard_link(&draft, db) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
            Err(source) => Err(StoreError::Create {
                path: db.to_path_buf(),
                source,
            }),
        }
    });
    for suffix in ["", "-wal", "-shm"] {
        let mut leftover = draft.clone().into_os_string();
        leftover.push(suffix);
        let _ = std::fs::remove_file(leftover);
    }
    made
}

/// How long a 0-byte database file may stay empty before it is refused.
const EMPTY_FILE_GRACE: Duration = Duration::from_millis(500);

/// How long to sleep between tries of the journal-mode switch: short, because the lock it
/// waits for is held only while another connection makes the same switch.
const WAL_RETRY_PAUSE: Duration = Duration::from_millis(5);

/// Switches the connection to write-ahead logging and answers the journal mode it ended in.
/// The switch needs the file to itself for a moment, and SQLite answers busy at once rather
/// than calling the busy handler, so two processes opening a new database together would
/// make one fail: this tries again until [`BUSY_TIMEOUT`] has passed.
fn switch_to_wal(conn: &Connection) -> Result<String, rusqlite::Error> {
    let started = Instant::now();
    loop {
        match conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0)) {
            Err(e) if is_busy(&e) && started.elapsed() < BUSY_TIMEOUT => {
                std::thread::sleep(WAL_RETRY_PAUSE)
            }
            answer => return answer,
        }
    }
}
