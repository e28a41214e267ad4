//! The history's APIs for runs of any size: records read one at a time (with or without their
//! pages), titles kept beside the pages, verdicts counted and controls read in SQL, batches
//! stored whole or not at all, and a version-1 history brought up to date.

use chrono::{TimeZone, Utc};
use linkgate::model::{
    Artifact, ArtifactKind, EngineKind, FailureKind, Hop, HopVia, Observation, Record, Run,
    RunStatus, VerdictKind,
};
use linkgate::store::{BodyRead, PreparedRecord, Store, StoreError, StoredRecord, VerdictCount};

mod support;
use support::record::{RecordBuilder, hop};

fn run(id: &str) -> Run {
    Run {
        id: id.into(),
        started_at: Utc.with_ymd_and_hms(2026, 11, 24, 8, 0, 0).unwrap(),
        ended_at: None,
        status: RunStatus::Running,
        tool_version: "0.1.0".into(),
        vantage: "local".into(),
        audits: vec!["bench".into()],
        scenario_files: vec![],
        simulated: false,
    }
}

/// A record of `link` in `host`'s context (`None`: the control), with `body` as its page.
fn record(run_id: &str, host: Option<&str>, link: &str, body: &str, kind: VerdictKind) -> Record {
    let builder = match host {
        Some(host) => RecordBuilder::rival(run_id, host, link).control_verdict(None),
        None => RecordBuilder::control(run_id, link),
    };
    let url = format!("https://item.taobao.com/{link}");
    builder
        .observed_at(Utc.with_ymd_and_hms(2026, 11, 24, 8, 0, 1).unwrap())
        .audit("bench")
        .url(&url)
        .hops(vec![Hop {
            elapsed_ms: 3,
            ..hop(&url, Some(200), HopVia::Start)
        }])
        .observation(|o| o.attempts.clear())
        .body(body)
        .verdict(kind, "direct")
        .build()
}

fn store_with_run(dir: &tempfile::TempDir, id: &str) -> Store {
    let mut store = Store::open(dir.path().join("linkgate.db")).unwrap();
    store.begin_run(&run(id)).unwrap();
    store
}

fn read_all(store: &Store, run_id: &str, body: BodyRead) -> Vec<StoredRecord> {
    let mut out = Vec::new();
    store
        .for_each_record(run_id, body, |stored| {
            out.push(stored);
            Ok::<(), StoreError>(())
        })
        .unwrap();
    out
}

#[test]
fn records_stream_in_stored_order_with_their_titles_and_bodies_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store_with_run(&dir, "r1");
    let pages = [
        "<html><head><title> 宝贝\n详情 </title></head><body>正文</body></html>",
        "<p>no title here</p>",
        "",
    ];
    for (i, page) in pages.iter().enumerate() {
        let r = record(
            "r1",
            Some("douyin"),
            &format!("l{i}"),
            page,
            VerdictKind::Opened,
        );
        store.record(&r, &[]).unwrap();
    }
    let full = read_all(&store, "r1", BodyRead::Full);
    let bodies: Vec<&str> = full
        .iter()
        .map(|s| s.record.observation.body.as_str())
        .collect();
    assert_eq!(bodies, pages);
    let titles: Vec<Option<&str>> = full.iter().map(|s| s.title.as_deref()).collect();
    assert_eq!(titles, [Some("宝贝 详情"), None, None]);
    assert_eq!(
        full.iter().map(|s| s.record.clone()).collect::<Vec<_>>(),
        store.records("r1").unwrap()
    );
    let skipped = read_all(&store, "r1", BodyRead::Skip);
    assert!(skipped.iter().all(|s| s.record.observation.body.is_empty()));
    assert_eq!(skipped[0].title.as_deref(), Some("宝贝 详情"));
    assert_eq!(
        skipped[0].record.observation.hops,
        full[0].record.observation.hops
    );
}

#[test]
fn a_stream_stops_at_the_callers_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store_with_run(&dir, "r1");
    for i in 0..3 {
        let r = record("r1", None, &format!("l{i}"), "", VerdictKind::Opened);
        store.record(&r, &[]).unwrap();
    }
    let mut seen = 0;
    let result = store.for_each_record("r1", BodyRead::Skip, |_| {
        seen += 1;
        Err(StoreError::BadSha {
            sha256: "stop".into(),
        })
    });
    assert!(matches!(result, Err(StoreError::BadSha { .. })));
    assert_eq!(seen, 1);
}

#[test]
fn a_batch_is_stored_whole_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store_with_run(&dir, "r1");
    let page = "<title>t</title>".repeat(10);
    let good = record("r1", None, "l1", &page, VerdictKind::Opened);
    let orphan = record("no-such-run", None, "l2", "", VerdictKind::Opened);
    let artifact = Artifact::new(ArtifactKind::Body, page.clone().into_bytes());
    let batch = [
        PreparedRecord::new(good.clone(), std::slice::from_ref(&artifact)).unwrap(),
        PreparedRecord::new(orphan, &[]).unwrap(),
    ];
    let err = store.record_batch(&batch).unwrap_err();
    assert!(matches!(err, StoreError::UnknownRun { .. }), "{err}");
    assert_eq!(store.records("r1").unwrap(), vec![]);
    store.record_batch(&batch[..1]).unwrap();
    assert_eq!(store.records("r1").unwrap(), vec![good]);
    // A UTF-8 page's evidence is the same gzip as its stored body, and reads back exactly.
    assert_eq!(
        store.read_artifact(&artifact.sha256).unwrap(),
        page.into_bytes()
    );
}

#[test]
fn a_misnamed_artifact_is_refused_when_prepared() {
    let mut artifact = Artifact::new(ArtifactKind::Body, b"<p>a</p>".to_vec());
    artifact.bytes.push(b'!');
    let r = record("r1", None, "l1", "", VerdictKind::Opened);
    let err = PreparedRecord::new(r, &[artifact]).unwrap_err();
    assert!(matches!(err, StoreError::ArtifactMismatch { .. }), "{err}");
}

#[test]
fn verdicts_are_counted_per_host_with_controls_apart() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store_with_run(&dir, "r1");
    let rows = [
        (None, "l1", VerdictKind::Opened),
        (None, "l2", VerdictKind::Inconclusive),
        (Some("douyin"), "l1", VerdictKind::Opened),
        (Some("douyin"), "l2", VerdictKind::Blocked),
        (Some("qq"), "l1", VerdictKind::Blocked),
    ];
    for (host, link, kind) in rows {
        store
            .record(&record("r1", host, link, "", kind), &[])
            .unwrap();
    }
    store.begin_run(&run("r2")).unwrap();
    store
        .record(&record("r2", None, "l9", "", VerdictKind::Blocked), &[])
        .unwrap();
    let count = |control, host: Option<&str>, verdict, count| VerdictCount {
        control,
        host: host.map(str::to_string),
        verdict,
        count,
    };
    let mut counts = store.verdict_counts("r1").unwrap();
    counts.sort_by_key(|c| (c.control, c.host.clone(), c.verdict.as_str()));
    assert_eq!(
        counts,
        vec![
            count(false, Some("douyin"), VerdictKind::Blocked, 1),
            count(false, Some("douyin"), VerdictKind::Opened, 1),
            count(false, Some("qq"), VerdictKind::Blocked, 1),
            count(true, None, VerdictKind::Inconclusive, 1),
            count(true, None, VerdictKind::Opened, 1),
        ]
    );
}

#[test]
fn control_verdicts_leave_out_interrupted_controls_and_host_records() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store_with_run(&dir, "r1");
    let measured = record("r1", None, "l1", "", VerdictKind::Opened);
    let mut stopped = record("r1", None, "l2", "", VerdictKind::Inconclusive);
    stopped.observation = Observation::failed(
        EngineKind::Http,
        "https://item.taobao.com/l2",
        FailureKind::Interrupted,
        "stopped",
    );
    let host = record("r1", Some("douyin"), "l3", "", VerdictKind::Blocked);
    for r in [&measured, &stopped, &host] {
        store.record(r, &[]).unwrap();
    }
    let controls = store.control_verdicts("r1").unwrap();
    assert_eq!(controls.len(), 1);
    assert_eq!(
        controls[&("bench".to_string(), "l1".to_string())],
        measured.verdict
    );
}

#[test]
fn a_version_1_history_gets_titles_from_its_bodies() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("linkgate.db");
    {
        let mut store = store_with_run(&dir, "r1");
        let page = "<title>已停止访问该网页</title>";
        let r = record("r1", Some("wechat"), "l1", page, VerdictKind::Blocked);
        store.record(&r, &[]).unwrap();
    }
    {
        // What version 1 wrote: no title column, nor the columns of later versions.
        let raw = rusqlite::Connection::open(&db).unwrap();
        raw.execute_batch(
            "ALTER TABLE observations DROP COLUMN title;
             ALTER TABLE runs DROP COLUMN sealed_at;
             ALTER TABLE observations DROP COLUMN continue_url;
             ALTER TABLE observations DROP COLUMN continue_control;
             ALTER TABLE observations DROP COLUMN script_undecided;
             ALTER TABLE runs DROP COLUMN stop_reason;
             ALTER TABLE observations DROP COLUMN control_similarity;
             DROP TABLE run_shards;
             PRAGMA user_version = 1;",
        )
        .unwrap();
    }
    let store = Store::open(&db).unwrap();
    let stored = read_all(&store, "r1", BodyRead::Skip);
    assert_eq!(stored[0].title.as_deref(), Some("已停止访问该网页"));
    assert!(stored[0].record.observation.body.is_empty());
    assert_eq!(
        store.stop_reason("r1").unwrap(),
        None,
        "migrated to version 3 too"
    );
}

/// Version 3 records when a run was sealed; the completed runs of an older history were
/// sealed as they completed, and are taken as such.
#[test]
fn a_version_2_history_takes_its_completed_runs_as_sealed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("linkgate.db");
    {
        let mut store = store_with_run(&dir, "r1");
        store
            .finish_run("r1", RunStatus::Completed, Utc::now())
            .unwrap();
        assert!(!store.was_sealed("r1").unwrap(), "not sealed until it is");
    }
    {
        let raw = rusqlite::Connection::open(&db).unwrap();
        raw.execute_batch(
            "ALTER TABLE runs DROP COLUMN sealed_at;
             ALTER TABLE observations DROP COLUMN continue_url;
             ALTER TABLE observations DROP COLUMN continue_control;
             ALTER TABLE observations DROP COLUMN script_undecided;
             ALTER TABLE runs DROP COLUMN stop_reason;
             ALTER TABLE observations DROP COLUMN control_similarity;
             DROP TABLE run_shards;
             PRAGMA user_version = 2;",
        )
        .unwrap();
    }
    let store = Store::open(&db).unwrap();
    assert!(store.was_sealed("r1").unwrap());
    store.mark_sealed("r1", Utc::now()).unwrap();
    assert!(store.mark_sealed("nope", Utc::now()).is_err());
}

#[test]
fn a_version_3_history_gains_the_way_on_columns_empty() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("linkgate.db");
    {
        let mut store = store_with_run(&dir, "r1");
        let page = "<title>当前网页非官方页面</title>";
        let r = record("r1", Some("qq"), "l1", page, VerdictKind::Interstitial);
        store.record(&r, &[]).unwrap();
    }
    {
        // What version 3 wrote: no continue_url, continue_control or script_undecided.
        let raw = rusqlite::Connection::open(&db).unwrap();
        raw.execute_batch(
            "ALTER TABLE observations DROP COLUMN continue_url;
             ALTER TABLE observations DROP COLUMN continue_control;
             ALTER TABLE observations DROP COLUMN script_undecided;
             ALTER TABLE runs DROP COLUMN stop_reason;
             ALTER TABLE observations DROP COLUMN control_similarity;
             DROP TABLE run_shards;
             PRAGMA user_version = 3;",
        )
        .unwrap();
    }
    let mut store = Store::open(&db).unwrap();
    let stored = read_all(&store, "r1", BodyRead::Skip);
    assert_eq!(stored[0].record.observation.continue_url, None);
    assert_eq!(stored[0].record.observation.script_undecided, None);
    // New records keep theirs.
    let mut r = record("r1", Some("qq"), "l2", "", VerdictKind::Interstitial);
    r.observation.continue_url = Some("https://m.tb.cn/h.x".into());
    store.record(&r, &[]).unwrap();
    let stored = read_all(&store, "r1", BodyRead::Skip);
    let l2 = stored.iter().find(|s| s.record.link_id == "l2").unwrap();
    assert_eq!(
        l2.record.observation.continue_url.as_deref(),
        Some("https://m.tb.cn/h.x")
    );
}
