//! The SQLite history's own behaviour through the public API: the file, its write-ahead log,
//! its evidence folder, two processes sharing it, and the files it refuses. What every history
//! does alike (records come back equal, resumes, run groups) is in `store_conformance.rs`,
//! run against SQLite and PostgreSQL both.

mod support;

use linkgate::model::{Artifact, ArtifactKind};
use linkgate::store::{SCHEMA_VERSION, Store, StoreError};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;
use support::stored::{full_record, run};

fn db_in(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("reports").join("linkgate.db")
}

fn raw(db: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(db).unwrap()
}

/// The database at `db` has this linkgate's schema version and is in write-ahead logging.
fn assert_migrated_to_wal(db: &Path) {
    let conn = raw(db);
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!((version, mode.as_str()), (SCHEMA_VERSION, "wal"));
}

#[test]
fn migration_from_empty_creates_folder_schema_and_wal() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    let store = Store::open(&db).unwrap();
    assert_eq!(store.location().file(), Some(db.as_path()));
    assert_eq!(
        store.evidence_dir(),
        Some(dir.path().join("reports").join("evidence"))
    );
    assert_migrated_to_wal(&db);
    let conn = raw(&db);
    let mut tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables.sort();
    assert_eq!(
        tables,
        [
            "attempts",
            "hops",
            "observations",
            "run_files",
            "run_shards",
            "runs",
            "verdicts"
        ]
    );
}

#[test]
fn artifacts_are_written_once_and_read_back() {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(db_in(&dir)).unwrap();
    store.begin_run(&run("r1", 0)).unwrap();
    let body = Artifact::new(
        ArtifactKind::Body,
        "<title>淘宝</title>".repeat(100).into_bytes(),
    );
    let shot = Artifact::new(ArtifactKind::Screenshot, b"\x89PNG\r\n\x1a\nfake".to_vec());
    store
        .record(&full_record("r1", "a"), &[body.clone(), shot.clone()])
        .unwrap();

    let evidence = store.evidence_dir().unwrap();
    let body_file = evidence.join(format!("{}.html.gz", body.sha256));
    let shot_file = evidence.join(format!("{}.png", shot.sha256));
    assert!(store.has_evidence(&body.sha256));
    let inode = std::fs::metadata(&body_file).unwrap().ino();
    assert!(std::fs::metadata(&body_file).unwrap().len() < body.bytes.len() as u64);
    assert_eq!(std::fs::read(&shot_file).unwrap(), shot.bytes);
    assert_eq!(store.read_artifact(&body.sha256).unwrap(), body.bytes);
    assert_eq!(store.read_artifact(&shot.sha256).unwrap(), shot.bytes);

    // The same page seen again is not rewritten: same file, same inode.
    store
        .record(&full_record("r1", "b"), std::slice::from_ref(&body))
        .unwrap();
    assert_eq!(std::fs::metadata(&body_file).unwrap().ino(), inode);
    assert_eq!(std::fs::read_dir(&evidence).unwrap().count(), 2);

    let missing = "f".repeat(64);
    let err = store.read_artifact(&missing).unwrap_err();
    assert!(matches!(err, StoreError::ArtifactMissing { .. }), "{err}");
}

#[test]
fn a_second_writer_waits_for_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    let mut store = Store::open(&db).unwrap();
    store.begin_run(&run("r1", 0)).unwrap();
    let (locked_tx, locked_rx) = mpsc::channel();
    let other_db = db.clone();
    let other = thread::spawn(move || {
        let mut other = Store::open(&other_db).unwrap();
        let conn = raw(&other_db);
        conn.execute_batch("BEGIN IMMEDIATE").unwrap();
        conn.execute("UPDATE runs SET vantage = 'held' WHERE id = 'r1'", [])
            .unwrap();
        locked_tx.send(()).unwrap();
        thread::sleep(std::time::Duration::from_millis(300));
        conn.execute_batch("COMMIT").unwrap();
        other.record(&full_record("r1", "from.other"), &[]).unwrap();
    });
    locked_rx.recv().unwrap();
    let started = std::time::Instant::now();
    store.record(&full_record("r1", "from.main"), &[]).unwrap();
    assert!(started.elapsed() >= std::time::Duration::from_millis(200));
    other.join().unwrap();

    let mut links: Vec<String> = store
        .records("r1")
        .unwrap()
        .into_iter()
        .map(|r| r.link_id)
        .collect();
    links.sort();
    assert_eq!(links, ["from.main", "from.other"]);
    assert_eq!(store.run("r1").unwrap().unwrap().vantage, "held");
}

#[test]
fn a_writer_kept_out_past_the_busy_timeout_gets_busy_naming_the_db() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    let mut store = Store::open(&db).unwrap();
    store.begin_run(&run("r1", 0)).unwrap();
    store
        .set_busy_timeout(std::time::Duration::from_millis(100))
        .unwrap();
    let conn = raw(&db);
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    let err = store.record(&full_record("r1", "x"), &[]).unwrap_err();
    conn.execute_batch("ROLLBACK").unwrap();
    assert!(matches!(err, StoreError::Busy { .. }), "{err}");
    assert!(err.to_string().contains(&db.display().to_string()), "{err}");
    // Reading goes on while another process writes, and nothing was half-stored.
    assert_eq!(store.records("r1").unwrap(), vec![]);
    store.record(&full_record("r1", "x"), &[]).unwrap();
}

#[test]
fn a_database_from_a_newer_linkgate_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    drop(Store::open(&db).unwrap());
    raw(&db)
        .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    let err = Store::open(&db).err().unwrap();
    assert!(
        matches!(err, StoreError::TooNew { found, .. } if found == SCHEMA_VERSION + 1),
        "{err}"
    );
    assert!(err.to_string().contains("upgrade linkgate"), "{err}");
}

#[test]
fn another_programs_file_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("other.db");
    raw(&db)
        .execute_batch("CREATE TABLE notes (text TEXT)")
        .unwrap();
    let err = Store::open(&db).err().unwrap();
    assert!(matches!(err, StoreError::NotLinkgate { .. }), "{err}");
    let version: i64 = raw(&db)
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 0);

    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "not a database at all, just some text ".repeat(100)).unwrap();
    let err = Store::open(&text).err().unwrap();
    assert!(matches!(err, StoreError::NotADatabase { .. }), "{err}");
    assert!(
        err.to_string().contains("is not an SQLite database"),
        "{err}"
    );
}

/// Regression: a 0-byte file was silently taken for a new, empty history.
#[test]
fn an_empty_file_is_refused_not_taken_for_a_new_history() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("linkgate.db");
    std::fs::write(&db, b"").unwrap();
    for err in [
        Store::open(&db).err().unwrap(),
        Store::open_to_read(&db).err().unwrap(),
    ] {
        assert!(matches!(err, StoreError::EmptyFile { .. }), "{err}");
        assert!(err.to_string().contains("0 bytes"), "{err}");
    }
    assert_eq!(
        std::fs::metadata(&db).unwrap().len(),
        0,
        "the file stays as it was"
    );
}

/// Regression: a run killed while it created its history left a 0-byte `linkgate.db`, which
/// every later run then refused as damaged. A new history is written beside its place and
/// linked in whole, so nothing half-made is ever at the history's path.
#[test]
fn a_new_history_appears_whole_and_leaves_no_draft() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("linkgate.db");
    // What a process killed while creating would have left beside it.
    std::fs::write(dir.path().join(".linkgate.db.new-1-0"), b"").unwrap();
    drop(Store::open(&db).unwrap());
    assert_migrated_to_wal(&db);
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".linkgate.db.new-") && n != ".linkgate.db.new-1-0")
        .collect();
    assert!(names.is_empty(), "drafts left behind: {names:?}");
}

#[test]
fn a_store_can_move_to_a_writer_thread() {
    fn is_send<T: Send>() {}
    is_send::<Store>();
}

/// Regression: two processes opening the same brand-new database at once made one of them
/// fail with `Busy`, because switching to write-ahead logging takes a lock that SQLite's
/// busy timeout does not wait for. Threads with their own `Store` take the same file locks
/// as processes do.
#[test]
fn stores_opening_a_new_database_at_once_all_succeed() {
    const OPENERS: usize = 16;
    let dir = tempfile::tempdir().unwrap();
    for attempt in 0..20 {
        let db = dir.path().join(format!("h{attempt}")).join("linkgate.db");
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(OPENERS));
        let openers: Vec<_> = (0..OPENERS)
            .map(|n| {
                let (db, barrier) = (db.clone(), barrier.clone());
                thread::spawn(move || {
                    barrier.wait();
                    let mut store = Store::open(&db)
                        .unwrap_or_else(|e| panic!("opener {n} of attempt {attempt}: {e}"));
                    store.begin_run(&run(&format!("r{n}"), n as i64)).unwrap();
                })
            })
            .collect();
        for opener in openers {
            opener.join().unwrap();
        }
        assert_migrated_to_wal(&db);
        assert_eq!(Store::open(&db).unwrap().runs().unwrap().len(), OPENERS);
    }
}
