//! Runs and records for the history's own tests (`store.rs`, `store_conformance.rs`): a run
//! with scenario files, a record with every field set (nanosecond times, a Chinese page, hops,
//! attempts), a control with every optional field empty, and an interrupted probe.

use chrono::{DateTime, Duration, TimeZone, Utc};
use linkgate::model::{
    Actor, Attempt, Category, Client, EngineKind, Failure, FailureKind, Hop, HopVia, Observation,
    ProbeRole, Record, Run, RunStatus, ScenarioFile, Scene, StoredVerdict, VerdictKind,
};

pub fn at(seconds: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2021, 9, 17, 8, 0, 0).unwrap() + Duration::seconds(seconds)
}

pub fn run(id: &str, started: i64) -> Run {
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
pub fn full_record(run_id: &str, link: &str) -> Record {
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
pub fn bare_control(run_id: &str, link: &str) -> Record {
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

pub fn interrupted(run_id: &str, link: &str) -> Record {
    let mut record = bare_control(run_id, link);
    record.observation = Observation::failed(
        EngineKind::Browser,
        "https://u.jd.com/x",
        FailureKind::Interrupted,
        "stopped by SIGTERM",
    );
    record
}
