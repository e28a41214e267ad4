//! What every history does alike, run against both: an SQLite file and a PostgreSQL database
//! on a throwaway server (`support::pg`). Records come back equal, resumes see what is
//! missing, evidence is kept once, two writers lose nothing, and run groups join shards into
//! one run that exactly one shard completes. Each test is written once, as a function of the
//! history, and the `conformance!` macro runs it on each.

mod support;

use linkgate::model::{
    Actor, Artifact, ArtifactKind, Record, RunStatus, StoredVerdict, VerdictKind,
};
use linkgate::plan::Shard;
use linkgate::store::{Location, Store, StoreError};
use std::thread;
use support::pg::PgServer;
use support::stored::{at, bare_control, full_record, interrupted, run};

/// A history of one kind, empty, and a way to reach its tables directly.
enum History {
    Sqlite(tempfile::TempDir),
    /// The server runs as long as the history is used.
    Postgres {
        _server: PgServer,
        url: String,
    },
}

impl History {
    fn sqlite() -> History {
        History::Sqlite(tempfile::tempdir().unwrap())
    }

    fn postgres() -> History {
        let server = PgServer::start();
        let url = server.database();
        History::Postgres {
            _server: server,
            url,
        }
    }

    fn location(&self) -> Location {
        match self {
            History::Sqlite(dir) => {
                Location::Sqlite(dir.path().join("reports").join("linkgate.db"))
            }
            History::Postgres { url, .. } => Location::parse(url),
        }
    }

    fn open(&self) -> Store {
        Store::open(self.location()).unwrap()
    }

    /// Runs `sql` on the history's own connection, outside linkgate.
    fn execute(&self, sql: &str) {
        match self {
            History::Sqlite(_) => {
                let db = self.location();
                rusqlite::Connection::open(db.file().unwrap())
                    .unwrap()
                    .execute_batch(sql)
                    .unwrap();
            }
            History::Postgres { url, .. } => {
                let mut client = ::postgres::Client::connect(url, ::postgres::NoTls).unwrap();
                client.batch_execute(sql).unwrap();
            }
        }
    }

    /// The one text value `sql` selects (NULL as `None`).
    fn text(&self, sql: &str) -> Option<String> {
        match self {
            History::Sqlite(_) => {
                let db = self.location();
                rusqlite::Connection::open(db.file().unwrap())
                    .unwrap()
                    .query_row(sql, [], |r| r.get(0))
                    .unwrap()
            }
            History::Postgres { url, .. } => {
                let mut client = ::postgres::Client::connect(url, ::postgres::NoTls).unwrap();
                client.query_one(sql, &[]).unwrap().get(0)
            }
        }
    }

    fn count(&self, table: &str) -> i64 {
        self.text(&format!("SELECT CAST(count(*) AS TEXT) FROM {table}"))
            .unwrap()
            .parse()
            .unwrap()
    }
}

/// Each named test function, once per history.
macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $name() { super::$name(&super::History::sqlite()) } )*
        }
        mod postgres {
            $( #[test] fn $name() { super::$name(&super::History::postgres()) } )*
        }
    };
}

conformance!(
    round_trip_gives_back_equal_records,
    records_of_a_run_get_their_own_hops_and_attempts,
    run_round_trips_and_finishes,
    a_run_that_stopped_itself_is_failed_with_its_reason,
    reopening_keeps_the_history,
    measured_keys_leave_out_interrupted_probes,
    recording_the_same_key_replaces_the_earlier_record,
    resuming_a_run_keeps_its_records,
    a_record_needs_its_run,
    update_verdict_replaces_only_the_verdict_and_notes_the_signature_set,
    evidence_is_kept_once_and_read_back_checked,
    two_stores_writing_at_once_lose_nothing,
    an_unknown_stored_value_is_named,
    records_without_bodies_are_the_records_with_empty_bodies,
    counts_and_controls_are_read_from_the_records,
    shards_join_one_run_that_the_last_to_complete_completes,
    shards_ending_at_once_complete_the_group_exactly_once,
    a_shard_of_another_count_or_vantage_is_refused,
);

/// A store holding run `r1` with a full record and a bare control, and those records.
fn two_records_stored(h: &History) -> (Store, Vec<Record>) {
    let mut store = h.open();
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

fn round_trip_gives_back_equal_records(h: &History) {
    let (store, records) = two_records_stored(h);
    assert_eq!(store.records("r1").unwrap(), records);
    assert_eq!(store.records("no-such-run").unwrap(), vec![]);
}

/// Hops and attempts are read for the whole run at once and handed to records in id order:
/// a record without any must not take its neighbour's, nor a record of another run.
fn records_of_a_run_get_their_own_hops_and_attempts(h: &History) {
    let mut store = h.open();
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
        store
            .record(&full_record("r2", &format!("x{i}")), &[])
            .unwrap();
    }
    assert_eq!(store.records("r1").unwrap(), records);
    let other = store.records("r2").unwrap();
    assert_eq!(other.len(), 4);
    let expected = full_record("r2", "x").observation;
    assert!(other.iter().all(|r| r.observation == expected));
}

fn run_round_trips_and_finishes(h: &History) {
    let mut store = h.open();
    let mut later = run("r2", 60);
    later.simulated = true;
    later.scenario_files.clear();
    store.begin_run(&later).unwrap();
    store.begin_run(&run("r1", 0)).unwrap();
    assert_eq!(store.run("r1").unwrap(), Some(run("r1", 0)));
    assert_eq!(store.run("r2").unwrap(), Some(later));
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
    assert!(!store.was_sealed("r1").unwrap());
    store.mark_sealed("r1", at(31)).unwrap();
    assert!(store.was_sealed("r1").unwrap());
}

fn a_run_that_stopped_itself_is_failed_with_its_reason(h: &History) {
    let mut store = h.open();
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

fn reopening_keeps_the_history(h: &History) {
    {
        let mut store = h.open();
        store.begin_run(&run("r1", 0)).unwrap();
        store
            .record(&full_record("r1", "taobao.item"), &[])
            .unwrap();
    }
    let store = h.open();
    assert_eq!(store.runs().unwrap(), vec![run("r1", 0)]);
    assert_eq!(
        store.records("r1").unwrap(),
        vec![full_record("r1", "taobao.item")]
    );
}

fn measured_keys_leave_out_interrupted_probes(h: &History) {
    let mut store = h.open();
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

fn recording_the_same_key_replaces_the_earlier_record(h: &History) {
    let mut store = h.open();
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
    assert_eq!(
        (h.count("hops"), h.count("attempts"), h.count("verdicts")),
        (6, 4, 2)
    );
}

fn resuming_a_run_keeps_its_records(h: &History) {
    let mut store = h.open();
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

fn a_record_needs_its_run(h: &History) {
    let mut store = h.open();
    let err = store.record(&full_record("ghost", "x"), &[]).unwrap_err();
    assert!(matches!(err, StoreError::UnknownRun { .. }), "{err}");
    assert!(err.to_string().contains("begin_run"), "{err}");
}

fn update_verdict_replaces_only_the_verdict_and_notes_the_signature_set(h: &History) {
    let mut store = h.open();
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
    let noted = h.text("SELECT signature_set FROM verdicts");
    assert_eq!(noted.as_deref(), Some("sigset-1f2e"));
    let err = store
        .update_verdict("r1", "no|such|key", &verdict, None, "sigset-1f2e")
        .unwrap_err();
    assert!(matches!(err, StoreError::UnknownRecord { .. }), "{err}");
}

fn evidence_is_kept_once_and_read_back_checked(h: &History) {
    let mut store = h.open();
    store.begin_run(&run("r1", 0)).unwrap();
    let page = "<title>淘宝</title>".repeat(100).into_bytes();
    let body = Artifact::new(ArtifactKind::Body, page);
    let shot = Artifact::new(ArtifactKind::Screenshot, b"\x89PNG\r\n\x1a\nfake".to_vec());
    store
        .record(&full_record("r1", "a"), &[body.clone(), shot.clone()])
        .unwrap();
    store
        .record(&full_record("r1", "b"), std::slice::from_ref(&body))
        .unwrap();
    assert_eq!(store.read_artifact(&body.sha256).unwrap(), body.bytes);
    assert_eq!(store.read_artifact(&shot.sha256).unwrap(), shot.bytes);
    let stored = store.stored_evidence(&body.sha256).unwrap().unwrap();
    assert_eq!(stored.name, format!("{}.html.gz", body.sha256));
    assert!(
        stored.stored.len() < body.bytes.len(),
        "a page is kept compressed"
    );
    assert!(store.has_evidence(&shot.sha256));
    let missing = "f".repeat(64);
    assert!(!store.has_evidence(&missing));
    let err = store.read_artifact(&missing).unwrap_err();
    assert!(matches!(err, StoreError::ArtifactMissing { .. }), "{err}");
    let err = store.read_artifact("../../etc/passwd").unwrap_err();
    assert!(matches!(err, StoreError::BadSha { .. }), "{err}");
    // Exported for a report: one file per evidence, named as stored.
    let dir = tempfile::tempdir().unwrap();
    let hashes = [body.sha256.clone(), shot.sha256.clone()];
    store.export_evidence(&hashes, dir.path()).unwrap();
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
}

fn two_stores_writing_at_once_lose_nothing(h: &History) {
    h.open().begin_run(&run("r1", 0)).unwrap();
    let location = h.location();
    let writers: Vec<_> = ["a", "b"]
        .into_iter()
        .map(|name| {
            let location = location.clone();
            thread::spawn(move || {
                let mut store = Store::open(location).unwrap();
                for i in 0..15 {
                    // Both write the same pages: evidence is kept once, never refused.
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
    let store = h.open();
    assert_eq!(store.records("r1").unwrap().len(), 30);
    assert_eq!(store.measured_keys("r1").unwrap().len(), 30);
}

fn an_unknown_stored_value_is_named(h: &History) {
    let mut store = h.open();
    store.begin_run(&run("r1", 0)).unwrap();
    store.record(&full_record("r1", "x"), &[]).unwrap();
    h.execute("UPDATE observations SET scene = 'elevator'");
    let err = store.records("r1").unwrap_err();
    assert!(
        matches!(&err, StoreError::BadValue { value, .. } if value == "elevator"),
        "{err}"
    );
}

fn records_without_bodies_are_the_records_with_empty_bodies(h: &History) {
    let (store, records) = two_records_stored(h);
    assert!(!records[0].observation.body.is_empty());
    let expected: Vec<Record> = records
        .into_iter()
        .map(|mut r| {
            r.observation.body.clear();
            r
        })
        .collect();
    assert_eq!(store.records_without_bodies("r1").unwrap(), expected);
    assert_eq!(
        store.body("r1", &expected[0].key()).unwrap(),
        full_record("r1", "taobao.item").observation.body
    );
}

fn counts_and_controls_are_read_from_the_records(h: &History) {
    let (store, records) = two_records_stored(h);
    let counts = store.verdict_counts("r1").unwrap();
    assert_eq!(counts.iter().map(|c| c.count).sum::<usize>(), 2);
    assert!(counts.iter().any(|c| c.control && c.host.is_none()));
    let mechanisms = store.mechanism_counts("r1").unwrap();
    assert_eq!(mechanisms.len(), 2);
    let controls = store.control_verdicts("r1").unwrap();
    let control = &records[1];
    assert_eq!(
        controls.get(&(control.audit.clone(), control.link_id.clone())),
        Some(&control.verdict)
    );
    assert_eq!(controls.len(), 1);
}

fn shard(index: u32, count: u32) -> Shard {
    Shard { index, count }
}

fn shards_join_one_run_that_the_last_to_complete_completes(h: &History) {
    let mut store = h.open();
    let group = run("nightly-1", 0);
    assert!(
        !store.join_group(&group, shard(0, 3)).unwrap(),
        "the first shard stores the run"
    );
    assert!(store.join_group(&run("nightly-1", 5), shard(1, 3)).unwrap());
    store.record(&full_record("nightly-1", "a"), &[]).unwrap();
    let state = store
        .finish_shard("nightly-1", shard(0, 3), RunStatus::Completed, at(10))
        .unwrap();
    assert_eq!(
        (state.status, state.completed, state.completes_group),
        (RunStatus::Running, 1, false)
    );
    // A shard killed and started again resumes its part of the same run.
    let state = store
        .finish_shard("nightly-1", shard(1, 3), RunStatus::Interrupted, at(11))
        .unwrap();
    assert_eq!(
        state.status,
        RunStatus::Interrupted,
        "no shard is measuring"
    );
    assert!(
        store
            .join_group(&run("nightly-1", 12), shard(1, 3))
            .unwrap()
    );
    store
        .finish_shard("nightly-1", shard(1, 3), RunStatus::Completed, at(13))
        .unwrap();
    store
        .join_group(&run("nightly-1", 14), shard(2, 3))
        .unwrap();
    let state = store
        .finish_shard("nightly-1", shard(2, 3), RunStatus::Completed, at(15))
        .unwrap();
    assert_eq!(
        (state.status, state.completed, state.completes_group),
        (RunStatus::Completed, 3, true)
    );
    let stored = store.run("nightly-1").unwrap().unwrap();
    assert_eq!(
        (stored.status, stored.ended_at, stored.started_at),
        (RunStatus::Completed, Some(at(15)), at(0))
    );
    assert_eq!(store.runs().unwrap().len(), 1, "one logical run");
    assert_eq!(store.records("nightly-1").unwrap().len(), 1);
    let shards = store.shards("nightly-1").unwrap();
    assert_eq!(shards.len(), 3);
    assert!(shards.iter().all(|(_, s)| *s == RunStatus::Completed));
    assert!(store.shards("no-such-run").unwrap().is_empty());
}

/// Regression guard: shards ending at the same moment must be serialized by the database, or
/// none (or two) of them would see the group complete and seal it.
fn shards_ending_at_once_complete_the_group_exactly_once(h: &History) {
    const SHARDS: u32 = 4;
    for attempt in 0..5 {
        let id = format!("slot-{attempt}");
        let mut store = h.open();
        for i in 0..SHARDS {
            store.join_group(&run(&id, 0), shard(i, SHARDS)).unwrap();
        }
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(SHARDS as usize));
        let enders: Vec<_> = (0..SHARDS)
            .map(|i| {
                let (location, barrier, id) = (h.location(), barrier.clone(), id.clone());
                thread::spawn(move || {
                    let mut store = Store::open(location).unwrap();
                    barrier.wait();
                    store
                        .finish_shard(&id, shard(i, SHARDS), RunStatus::Completed, at(9))
                        .unwrap()
                })
            })
            .collect();
        let completing = enders
            .into_iter()
            .map(|t| t.join().unwrap())
            .filter(|state| state.completes_group)
            .count();
        assert_eq!(completing, 1, "attempt {attempt}");
        assert_eq!(
            store.run(&id).unwrap().unwrap().status,
            RunStatus::Completed
        );
    }
}

fn a_shard_of_another_count_or_vantage_is_refused(h: &History) {
    let mut store = h.open();
    store.join_group(&run("g", 0), shard(0, 4)).unwrap();
    let err = store.join_group(&run("g", 1), shard(1, 3)).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::GroupMismatch {
                found: 4,
                given: 3,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("--shard"), "{err}");
    let mut elsewhere = run("g", 2);
    elsewhere.vantage = "shanghai-telecom".into();
    let err = store.join_group(&elsewhere, shard(1, 4)).unwrap_err();
    assert!(matches!(err, StoreError::GroupVantage { .. }), "{err}");
    assert!(err.to_string().contains("--vantage"), "{err}");
}
