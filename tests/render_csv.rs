//! observations.csv as a spreadsheet user receives it: BOM first, Chinese intact, controls
//! marked, formula-looking cells neutralised, failures spelled out.

use chrono::{TimeZone, Utc};
use linkgate::model::{
    Actor, Attempt, Failure, FailureKind, HopVia, ProbeRole, Record, Scene, StoredVerdict,
    VerdictKind,
};
use linkgate::render::csv::{COLUMNS, observations_csv};

mod support;
use support::record::{RecordBuilder, hop};

fn attempt(number: u32, failure: Option<Failure>) -> Attempt {
    Attempt {
        number,
        started_at: Utc.with_ymd_and_hms(2021, 9, 17, 8, 0, 0).unwrap(),
        duration_ms: 100,
        status: None,
        failure,
        wait_ms: None,
    }
}

fn record(link_id: &str, role: ProbeRole, body: &str, verdict: VerdictKind) -> Record {
    let run = "20210917T080000Z-3f2a";
    let builder = match role {
        ProbeRole::Control => RecordBuilder::control(run, link_id),
        _ => RecordBuilder::rival(run, "wechat", link_id)
            .context("wechat.android.group_chat", Some(Scene::GroupChat))
            .role(role),
    };
    builder
        // Sub-second precision is kept in the database; the CSV shows whole seconds.
        .observed_at(
            Utc.with_ymd_and_hms(2021, 9, 17, 8, 0, 0).unwrap()
                + chrono::Duration::milliseconds(250),
        )
        .url("https://m.tb.cn/h.abc")
        .hops(vec![
            hop("https://m.tb.cn/h.abc", Some(302), HopVia::Start),
            hop("https://m.tb.cn/page", Some(200), HopVia::Http),
            hop(
                "https://item.taobao.com/item.htm?id=1",
                Some(200),
                HopVia::Script,
            ),
        ])
        .body(body)
        .observation(|o| {
            o.attempts = vec![attempt(1, None)];
            o.duration_ms = 1234;
        })
        .verdict(verdict, "direct")
        .signature(
            Some(format!("landing:{link_id}")),
            "final URL on the landing pattern",
        )
        .build()
}

fn sample() -> Vec<Record> {
    let mut chinese = record(
        "taobao.item",
        ProbeRole::Rival,
        "<html><head><title>\n  已停止访问该网页\n</title></head></html>",
        VerdictKind::Blocked,
    );
    chinese.verdict = StoredVerdict {
        kind: VerdictKind::Blocked,
        mechanism: "stop_page".into(),
        actor: Actor::Host,
        signature: Some("wechat.stop_page".into()),
        reason: "title matched 已停止访问该网页".into(),
    };
    let control = record(
        "taobao.item",
        ProbeRole::Control,
        "<title>商品详情 - 淘宝网</title>",
        VerdictKind::Opened,
    );
    let formula = record(
        "taobao.evil",
        ProbeRole::Rival,
        "<title>=HYPERLINK(\"https://evil.example/\",\"点我\")</title>",
        VerdictKind::Opened,
    );
    let mut failed = record(
        "taobao.down",
        ProbeRole::SameOwner,
        "",
        VerdictKind::Inconclusive,
    );
    failed.observation.hops = vec![hop("https://m.tb.cn/h.down", None, HopVia::Start)];
    failed.observation.final_url = String::new();
    failed.observation.status = None;
    failed.observation.attempts = vec![
        attempt(
            1,
            Some(Failure {
                kind: FailureKind::Timeout,
                message: "no answer in 30 s".into(),
            }),
        ),
        attempt(
            2,
            Some(Failure {
                kind: FailureKind::Timeout,
                message: "no answer in 30 s".into(),
            }),
        ),
    ];
    failed.observation.failure = Some(Failure {
        kind: FailureKind::Timeout,
        message: "no answer in 30 s, \"twice\"".into(),
    });
    failed.verdict = StoredVerdict {
        kind: VerdictKind::Inconclusive,
        mechanism: "timeout".into(),
        actor: Actor::None,
        signature: None,
        reason: "the probe timed out".into(),
    };
    vec![chinese, control, formula, failed]
}

#[test]
fn csv_starts_with_a_bom_and_reads_back_as_the_columns() {
    let bytes = observations_csv(&sample());
    assert_eq!(
        &bytes[..3],
        b"\xEF\xBB\xBF",
        "Excel needs the BOM to read UTF-8"
    );
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, COLUMNS);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 4);
    let cell = |row: usize, column: &str| -> String {
        let index = COLUMNS.iter().position(|c| *c == column).unwrap();
        rows[row][index].to_string()
    };
    assert_eq!(cell(0, "title"), "已停止访问该网页");
    assert_eq!(
        (cell(1, "host_platform"), cell(1, "scene")),
        ("control".into(), String::new())
    );
    assert!(cell(2, "title").starts_with("'=HYPERLINK"));
    assert_eq!(cell(3, "error"), "timeout: no answer in 30 s, \"twice\"");
    assert_eq!(cell(3, "attempts"), "2");
}

#[test]
fn no_records_is_a_header_only() {
    let bytes = observations_csv(&[]);
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert_eq!(text, format!("{}\n", COLUMNS.join(",")));
}

#[test]
fn observations_csv_snapshot() {
    let bytes = observations_csv(&sample());
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    insta::assert_snapshot!(text);
}

#[test]
fn csv_streamed_from_the_history_equals_the_csv_of_the_records() {
    use linkgate::model::{Run, RunStatus};
    use linkgate::render::csv::CsvWriter;
    use linkgate::store::{BodyRead, Store, StoreError};
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("linkgate.db")).unwrap();
    let records = sample();
    let run_id = records[0].run_id.clone();
    store
        .begin_run(&Run {
            id: run_id.clone(),
            started_at: records[0].observed_at,
            ended_at: None,
            status: RunStatus::Running,
            tool_version: "0.1.0".into(),
            vantage: "local".into(),
            audits: vec![],
            scenario_files: vec![],
            simulated: false,
        })
        .unwrap();
    for record in &records {
        assert_eq!(record.run_id, run_id, "the sample is one run");
        store.record(record, &[]).unwrap();
    }
    let mut csv = CsvWriter::new(Vec::new()).unwrap();
    store
        .for_each_record(&run_id, BodyRead::Skip, |stored| {
            csv.write_with_title(&stored.record, stored.title.as_deref())
                .unwrap();
            Ok::<(), StoreError>(())
        })
        .unwrap();
    assert_eq!(csv.finish().unwrap(), observations_csv(&records));
}
