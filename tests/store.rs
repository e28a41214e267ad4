//! The history database through its public API: records come back equal, resumes see what
//! is missing, evidence is kept once, and two writers share a file without losing anything.

use chrono::{DateTime, Duration, TimeZone, Utc};
use linkgate::model::{
    Actor, Artifact, ArtifactKind, Attempt, Category, Client, EngineKind, Failure, FailureKind,
    Hop, HopVia, Observation, ProbeRole, Record, Run, RunStatus, ScenarioFile, Scene,
    StoredVerdict, VerdictKind,
};
use linkgate::store::{SCHEMA_VERSION, Store, StoreError};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;

fn at(seconds: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2021, 9, 17, 8, 0, 0).unwrap() + Duration::seconds(seconds)
}

fn db_in(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("reports").join("linkgate.db")
}

fn run(id: &str, started: i64) -> Run {
    Run {
        id: id.to_string(),
        started_at: at(started),
        ended_at: None,
        status: RunStatus::Running,
        tool_version: "0.1.0".into(),
        vantage: "beijing-unicom".into(),
        audits: vec!["miit-2021".into(), "scenes".into()],
        scenario_files: vec![
            ScenarioFile {
                path: "scenarios/contexts.toml".into(),
                sha256: "a".repeat(64),
            },
            ScenarioFile {
                path: "scenarios/links.toml".into(),
                sha256: "b".repeat(64),
            },
        ],
        simulated: false,
    }
}

/// A record with every field set, including times with nanoseconds and a Chinese body.
fn full_record(run_id: &str, link: &str) -> Record {
    let started = at(10) + Duration::nanoseconds(123_456_789);
    Record {
        run_id: run_id.into(),
        observed_at: at(12) + Duration::nanoseconds(987_654_321),
        audit: "miit-2021".into(),
        context: "wechat.android.private_chat".into(),
        host_platform: Some("wechat".into()),
        scene: Some(Scene::PrivateChat),
        client: Client::Android,
        link_id: link.into(),
        link_platform: "taobao".into(),
        link_category: Category::Ecommerce,
        url: "https://m.tb.cn/h.abc".into(),
        role: ProbeRole::Rival,
        observation: Observation {
            engine: EngineKind::Http,
            entry_url: "https://weixin110.qq.com/cgi-bin/check?url=https%3A%2F%2Fm.tb.cn".into(),
            hops: vec![
                Hop {
                    url: "https://weixin110.qq.com/cgi-bin/check?url=x".into(),
                    status: Some(302),
                    location: Some("/cgi-bin/readtemplate?t=w_redirect_taobao".into()),
                    via: HopVia::Start,
                    elapsed_ms: 40,
                },
                Hop {
                    url: "https://weixin110.qq.com/cgi-bin/readtemplate?t=w_redirect_taobao".into(),
                    status: Some(200),
                    location: None,
                    via: HopVia::Http,
                    elapsed_ms: 95,
                },
                Hop {
                    url: "https://m.tb.cn/next".into(),
                    status: None,
                    location: None,
                    via: HopVia::Script,
                    elapsed_ms: 5_000,
                },
            ],
            final_url: "https://weixin110.qq.com/cgi-bin/readtemplate?t=w_redirect_taobao".into(),
            status: Some(200),
            headers: vec![
                ("content-type".into(), "text/html; charset=gbk".into()),
                ("set-cookie".into(), "a=1".into()),
                ("set-cookie".into(), "b=2".into()),
            ],
            body: "<title>已停止访问该网页</title><p>如需浏览，请长按网址复制后使用浏览器访问</p>"
                .into(),
            charset: Some("GBK".into()),
            truncated: true,
            body_sha256: Some("c".repeat(64)),
            screenshot_sha256: Some("d".repeat(64)),
            rendered_text: Some("已停止访问该网页".into()),
            dialogs: vec!["即将离开微信".into()],
            evidence: vec!["e".repeat(64)],
            continue_url: Some("https://m.tb.cn/h.abc".into()),
            continue_control: Some(
                "onclick property of a#go \"继续访问\" → https://m.tb.cn/h.abc".into(),
            ),
            script_undecided: Some(
                "script 2 threw before it could be told whether it navigates".into(),
            ),
            control_similarity: Some(linkgate::model::ControlSimilarity {
                same_title: false,
                length_percent: 42,
                text_percent: 13,
            }),
            attempts: vec![
                Attempt {
                    number: 1,
                    started_at: started,
                    duration_ms: 30_000,
                    status: Some(429),
                    failure: Some(Failure {
                        kind: FailureKind::HttpStatus,
                        message: "429 Too Many Requests".into(),
                    }),
                    wait_ms: Some(2_000),
                },
                Attempt {
                    number: 2,
                    started_at: started + Duration::seconds(32),
                    duration_ms: 900,
                    status: Some(200),
                    failure: None,
                    wait_ms: None,
                },
            ],
            failure: Some(Failure {
                kind: FailureKind::Timeout,
                message: "the script redirect did not answer in 5 s".into(),
            }),
            started_at: Some(started),
            duration_ms: 32_900,
        },
        verdict: StoredVerdict {
            kind: VerdictKind::Blocked,
            mechanism: "copy_to_browser".into(),
            actor: Actor::Host,
            signature: Some("wechat.copy_to_browser".into()),
            reason: "title matched 已停止访问该网页".into(),
        },
        control_verdict: Some(VerdictKind::Opened),
    }
}

/// A control record with every optional field empty.
fn bare_control(run_id: &str, link: &str) -> Record {
    Record {
        run_id: run_id.into(),
        observed_at: at(20),
        audit: "miit-2021".into(),
        context: "neutral.android".into(),
        host_platform: None,
        scene: None,
        client: Client::Ios,
        link_id: link.into(),
        link_platform: "jd".into(),
        link_category: Category::ShortVideo,
        url: "https://u.jd.com/x".into(),
        role: ProbeRole::Control,
        observation: Observation::default(),
        verdict: StoredVerdict {
            kind: VerdictKind::Inconclusive,
            mechanism: "unrecognized_page".into(),
            actor: Actor::None,
            signature: None,
            reason: String::new(),
        },
        control_verdict: None,
    }
}

fn interrupted(run_id: &str, link: &str) -> Record {
    let mut record = bare_control(run_id, link);
    record.observation = Observation::failed(
        EngineKind::Browser,
        "https://u.jd.com/x",
        FailureKind::Interrupted,
        "stopped by SIGTERM",
    );
    record
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

/// A store holding run `r1` with a full record and a bare control, and those records.
fn two_records_stored(dir: &tempfile::TempDir) -> (Store, Vec<Record>) {
    let mut store = Store::open(&db_in(dir)).unwrap();
    store.begin_run(&run("r1", 0)).unwrap();
    let records = vec![
        full_record("r1", "taobao.item"),
        bare_control("r1", "jd.item"),
    ];
    for record in &records {
        store.record(record, &[]).unwrap();
    }
    (store, records)
}

#[test]
fn round_trip_gives_back_equal_records() {
    let dir = tempfile::tempdir().unwrap();
    let (store, records) = two_records_stored(&dir);
    assert_eq!(store.records("r1").unwrap(), records);
    assert_eq!(store.records("no-such-run").unwrap(), vec![]);
}

/// Hops and attempts are read for the whole run at once and handed to records in id order:
/// a record without any must not take its neighbour's, nor a record of another run.
#[test]
fn records_of_a_run_get_their_own_hops_and_attempts() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&db_in(&dir)).unwrap();
    store.begin_run(&run("r1", 0)).unwrap();
    store.begin_run(&run("r2", 1)).unwrap();
    let records = vec![
        bare_control("r1", "a"),
        full_record("r1", "b"),
        bare_control("r1", "c"),
        full_record("r1", "d"),
    ];
    for (i, record) in records.iter().enumerate() {
        store.record(record, &[]).unwrap();
        // Another run's records stored in between.
        store
            .record(&full_record("r2", &format!("x{i}")), &[])
            .unwrap();
    }
    assert_eq!(store.records("r1").unwrap(), records);
    let other = store.records("r2").unwrap();
    assert_eq!(other.len(), 4);
    assert!(
        other
            .iter()
            .all(|r| r.observation == full_record("r2", "x").observation)
    );
}

#[test]
fn run_round_trips_and_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&db_in(&dir)).unwrap();
    let mut later = run("r2", 60);
    later.simulated = true;
    later.scenario_files.clear();
    store.begin_run(&later).unwrap();
    store.begin_run(&run("r1", 0)).unwrap();
    assert_eq!(store.run("r1").unwrap(), Some(run("r1", 0)));
    assert_eq!(store.run("r3").unwrap(), None);
    let ids: Vec<String> = store.runs().unwrap().into_iter().map(|r| r.id).collect();
    assert_eq!(ids, ["r1", "r2"], "runs are listed oldest first");

    store
        .finish_run("r1", RunStatus::Completed, at(30))
        .unwrap();
    let finished = store.run("r1").unwrap().unwrap();
    assert_eq!(
        (finished.status, finished.ended_at),
        (RunStatus::Completed, Some(at(30)))
    );

    let err = store
        .finish_run("r3", RunStatus::Failed, at(30))
        .unwrap_err();
    assert!(matches!(err, StoreError::UnknownRun { .. }), "{err}");
}

#[test]
fn a_run_that_stopped_itself_is_failed_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&db_in(&dir)).unwrap();
    store.begin_run(&run("r1", 0)).unwrap();
    store.begin_run(&run("r2", 10)).unwrap();
    assert_eq!(store.stop_reason("r1").unwrap(), None);
    store
        .stop_run("r1", "dns: 12 of 12 controls", at(20))
        .unwrap();
    let stopped = store.run("r1").unwrap().unwrap();
    assert_eq!(
        (stopped.status, stopped.ended_at),
        (RunStatus::Failed, Some(at(20)))
    );
    assert_eq!(
        store.stop_reason("r1").unwrap().as_deref(),
        Some("dns: 12 of 12 controls")
    );
    store.finish_run("r2", RunStatus::Failed, at(30)).unwrap();
    assert_eq!(
        store.stop_reason("r2").unwrap(),
        None,
        "only a stop has a reason"
    );
    assert_eq!(store.stop_reason("nope").unwrap(), None);
    let err = store.stop_run("nope", "x", at(30)).unwrap_err();
    assert!(matches!(err, StoreError::UnknownRun { .. }), "{err}");
}

#[test]
fn migration_from_empty_creates_folder_schema_and_wal() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    let store = Store::open(&db).unwrap();
    assert_eq!(store.db_path(), db);
    assert_eq!(
        store.evidence_dir(),
        dir.path().join("reports").join("evidence")
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
            "runs",
            "verdicts"
        ]
    );
}

#[test]
fn reopening_keeps_the_history() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    {
        let mut store = Store::open(&db).unwrap();
        store.begin_run(&run("r1", 0)).unwrap();
        store
            .record(&full_record("r1", "taobao.item"), &[])
            .unwrap();
    }
    let store = Store::open(&db).unwrap();
    assert_eq!(store.runs().unwrap(), vec![run("r1", 0)]);
    assert_eq!(
        store.records("r1").unwrap(),
        vec![full_record("r1", "taobao.item")]
    );
}

#[test]
fn measured_keys_leave_out_interrupted_probes() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&db_in(&dir)).unwrap();
    store.begin_run(&run("r1", 0)).unwrap();
    store.begin_run(&run("r2", 1)).unwrap();
    let done = full_record("r1", "taobao.item");
    let failed_but_measured = bare_control("r1", "jd.item");
    store.record(&done, &[]).unwrap();
    store.record(&failed_but_measured, &[]).unwrap();
    store.record(&interrupted("r1", "pdd.item"), &[]).unwrap();
    store.record(&full_record("r2", "other.run"), &[]).unwrap();

    let keys = store.measured_keys("r1").unwrap();
    let expected = [done.key(), failed_but_measured.key()]
        .into_iter()
        .collect();
    assert_eq!(keys, expected);
}

#[test]
fn recording_the_same_key_replaces_the_earlier_record() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    let mut store = Store::open(&db).unwrap();
    store.begin_run(&run("r1", 0)).unwrap();
    let first = interrupted("r1", "jd.item");
    store.record(&first, &[]).unwrap();
    store
        .record(&full_record("r1", "taobao.item"), &[])
        .unwrap();
    let mut again = full_record("r1", "jd.item");
    again.context = first.context.clone();
    store.record(&again, &[]).unwrap();

    let records = store.records("r1").unwrap();
    assert_eq!(records, vec![full_record("r1", "taobao.item"), again]);
    assert!(store.measured_keys("r1").unwrap().contains(&first.key()));
    // The replaced record's hops, attempts and verdict went with it.
    let conn = raw(&db);
    let count = |table: &str| -> i64 {
        conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(
        (count("hops"), count("attempts"), count("verdicts")),
        (6, 4, 2)
    );
}

#[test]
fn resuming_a_run_keeps_its_records() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&db_in(&dir)).unwrap();
    store.begin_run(&run("r1", 0)).unwrap();
    store
        .record(&full_record("r1", "taobao.item"), &[])
        .unwrap();
    store
        .finish_run("r1", RunStatus::Interrupted, at(5))
        .unwrap();
    let mut resumed = run("r1", 0);
    resumed.scenario_files.pop();
    store.begin_run(&resumed).unwrap();
    assert_eq!(store.run("r1").unwrap(), Some(resumed));
    assert_eq!(store.records("r1").unwrap().len(), 1);
}

#[test]
fn a_record_needs_its_run() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&db_in(&dir)).unwrap();
    let err = store.record(&full_record("ghost", "x"), &[]).unwrap_err();
    assert!(matches!(err, StoreError::UnknownRun { .. }), "{err}");
    assert!(err.to_string().contains("begin_run"), "{err}");
}

#[test]
fn update_verdict_replaces_only_the_verdict_and_notes_the_signature_set() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    let mut store = Store::open(&db).unwrap();
    store.begin_run(&run("r1", 0)).unwrap();
    let record = full_record("r1", "taobao.item");
    store.record(&record, &[]).unwrap();
    let verdict = StoredVerdict {
        kind: VerdictKind::Interstitial,
        mechanism: "risk_warning".into(),
        actor: Actor::Host,
        signature: Some("wechat.warning.2024".into()),
        reason: "text matched 无法确认该网页的安全性".into(),
    };
    store
        .update_verdict("r1", &record.key(), &verdict, None, "sigset-1f2e")
        .unwrap();

    let mut expected = record.clone();
    expected.verdict = verdict.clone();
    expected.control_verdict = None;
    assert_eq!(store.records("r1").unwrap(), vec![expected]);
    let noted: Option<String> = raw(&db)
        .query_row("SELECT signature_set FROM verdicts", [], |r| r.get(0))
        .unwrap();
    assert_eq!(noted.as_deref(), Some("sigset-1f2e"));

    let err = store
        .update_verdict("r1", "no|such|key", &verdict, None, "sigset-1f2e")
        .unwrap_err();
    assert!(matches!(err, StoreError::UnknownRecord { .. }), "{err}");
}

#[test]
fn artifacts_are_written_once_and_read_back() {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&db_in(&dir)).unwrap();
    store.begin_run(&run("r1", 0)).unwrap();
    let body = Artifact::new(
        ArtifactKind::Body,
        "<title>淘宝</title>".repeat(100).into_bytes(),
    );
    let shot = Artifact::new(ArtifactKind::Screenshot, b"\x89PNG\r\n\x1a\nfake".to_vec());
    store
        .record(&full_record("r1", "a"), &[body.clone(), shot.clone()])
        .unwrap();

    let body_file = store
        .evidence_dir()
        .join(format!("{}.html.gz", body.sha256));
    let shot_file = store.evidence_dir().join(format!("{}.png", shot.sha256));
    assert_eq!(store.artifact_path(&body.sha256), Some(body_file.clone()));
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
    assert_eq!(std::fs::read_dir(store.evidence_dir()).unwrap().count(), 2);

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
fn two_stores_writing_at_once_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    Store::open(&db).unwrap().begin_run(&run("r1", 0)).unwrap();
    let writers: Vec<_> = ["a", "b"]
        .into_iter()
        .map(|name| {
            let db = db.clone();
            thread::spawn(move || {
                let mut store = Store::open(&db).unwrap();
                for i in 0..15 {
                    let body = Artifact::new(ArtifactKind::Body, format!("page {i}").into_bytes());
                    store
                        .record(&full_record("r1", &format!("{name}.{i}")), &[body])
                        .unwrap();
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap();
    }
    let store = Store::open(&db).unwrap();
    assert_eq!(store.records("r1").unwrap().len(), 30);
    assert_eq!(store.measured_keys("r1").unwrap().len(), 30);
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
fn an_unknown_stored_value_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    let mut store = Store::open(&db).unwrap();
    store.begin_run(&run("r1", 0)).unwrap();
    store.record(&full_record("r1", "x"), &[]).unwrap();
    raw(&db)
        .execute("UPDATE observations SET scene = 'elevator'", [])
        .unwrap();
    let err = store.records("r1").unwrap_err();
    assert!(
        matches!(&err, StoreError::BadValue { value, .. } if value == "elevator"),
        "{err}"
    );
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

#[test]
fn records_without_bodies_are_the_records_with_empty_bodies() {
    let dir = tempfile::tempdir().unwrap();
    let (store, records) = two_records_stored(&dir);
    assert!(!records[0].observation.body.is_empty());
    let expected: Vec<Record> = records
        .into_iter()
        .map(|mut r| {
            r.observation.body.clear();
            r
        })
        .collect();
    assert_eq!(store.records_without_bodies("r1").unwrap(), expected);
    assert_eq!(store.records_without_bodies("no-such-run").unwrap(), vec![]);
}
