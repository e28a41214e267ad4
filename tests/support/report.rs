//! A small history for report tests: four runs of the MIIT audit around the 2021 deadline,
//! stored through the real store, telling a story a reader can check on the page: WeChat
//! lets Taobao links through in chats at the end but not in Moments, Weibo links regress in
//! WeChat, Douyin's live room warns about Taobao while opening its own shop (selective
//! friction), QQ times out on Weibo once, and one page has a hostile title.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use std::path::{Path, PathBuf};

use linkgate::model::{
    Actor, Artifact, ArtifactKind, Attempt, Audit, Category, Client, Deadline, EngineKind, Failure,
    FailureKind, Hop, HopVia, Observation, Platform, Politeness, ProbeRole, Record, Run, RunStatus,
    SameOwner, Scene, Selector, StoredVerdict, VerdictKind,
};
use linkgate::store::Store;

/// The measurement dates of the four runs (simulated: the store's start times are 2026).
pub const DATES: [(u32, u32); 4] = [(9, 10), (9, 20), (10, 20), (11, 17)];

pub const HOSTILE_TITLE: &str = "<script>alert(1)</script>";
pub const HOSTILE_TEXT: &str = "<img src=x onerror=alert(3)>";

/// A 1×1 PNG, as a screenshot.
pub const PNG_HEX: &str = "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da636460f85f0f0002870180eb47ba920000000049454e44ae426082";

pub fn run_id(i: usize) -> String {
    let (month, day) = DATES[i];
    format!("2021{month:02}{day:02}T030000Z-{i:04x}")
}

pub fn platforms() -> Vec<Platform> {
    [
        ("wechat", "tencent", "WeChat", "微信"),
        ("qq", "tencent", "QQ", "QQ"),
        ("douyin", "bytedance", "Douyin", "抖音"),
        ("weibo", "sina", "Weibo", "微博"),
        ("taobao", "alibaba", "Taobao", "淘宝"),
        ("jd", "jd", "JD.com", "京东"),
    ]
    .into_iter()
    .map(|(id, owner, name, name_zh)| Platform {
        id: id.into(),
        owner: owner.into(),
        name: name.into(),
        name_zh: name_zh.into(),
    })
    .collect()
}

pub fn audit(policy: &str, lang: &str) -> Audit {
    Audit {
        id: "miit-2021".into(),
        title: "MIIT link-blocking directive (2021)".into(),
        contexts: Selector::default(),
        links: Selector::default(),
        control: "neutral.android".into(),
        same_owner: SameOwner::Control,
        deadlines: vec![Deadline {
            date: NaiveDate::from_ymd_opt(2021, 9, 17).unwrap(),
            label: "MIIT deadline".into(),
        }],
        policy: policy.into(),
        schedule: None,
        timezone: "Asia/Shanghai".into(),
        lang: lang.into(),
        politeness: Politeness::default(),
    }
}

/// (context id, host, scene, client)
pub const CONTEXTS: [(&str, &str, Scene, Client); 8] = [
    (
        "wechat.android.private_chat",
        "wechat",
        Scene::PrivateChat,
        Client::Android,
    ),
    (
        "wechat.android.group_chat",
        "wechat",
        Scene::GroupChat,
        Client::Android,
    ),
    (
        "wechat.android.moments",
        "wechat",
        Scene::Moments,
        Client::Android,
    ),
    (
        "wechat.ios.private_chat",
        "wechat",
        Scene::PrivateChat,
        Client::Ios,
    ),
    (
        "qq.android.private_chat",
        "qq",
        Scene::PrivateChat,
        Client::Android,
    ),
    (
        "qq.android.group_chat",
        "qq",
        Scene::GroupChat,
        Client::Android,
    ),
    (
        "weibo.android.private_chat",
        "weibo",
        Scene::PrivateChat,
        Client::Android,
    ),
    (
        "douyin.android.live_room",
        "douyin",
        Scene::LiveRoom,
        Client::Android,
    ),
];

/// (link id, platform, category)
pub const LINKS: [(&str, &str, Category); 7] = [
    ("taobao.item", "taobao", Category::Ecommerce),
    ("taobao.item.share", "taobao", Category::Ecommerce),
    ("jd.item", "jd", Category::Ecommerce),
    ("douyin.video.share", "douyin", Category::ShortVideo),
    ("douyin.shop", "douyin", Category::Ecommerce),
    ("weibo.status", "weibo", Category::Social),
    ("qq.article", "qq", Category::Article),
];

fn owner(platform: &str) -> &'static str {
    match platform {
        "wechat" | "qq" => "tencent",
        "douyin" => "bytedance",
        "weibo" => "sina",
        "taobao" => "alibaba",
        _ => "jd",
    }
}

/// What the host did to the link in run `i`: verdict, mechanism, actor.
fn story(i: usize, context: &str, host: &str, link: &str) -> (VerdictKind, &'static str, Actor) {
    use VerdictKind::*;
    let open = (Opened, "direct", Actor::None);
    let platform = link.split('.').next().unwrap_or_default();
    match (host, platform) {
        ("wechat", "taobao") if i == 3 && !context.ends_with("moments") => open,
        ("wechat", "taobao") => (Blocked, "copy_to_browser", Actor::Host),
        ("wechat", "douyin") if i == 0 => (Blocked, "stop_page", Actor::Host),
        ("wechat", "douyin") => (Interstitial, "risk_warning", Actor::Host),
        ("wechat", "weibo") if i == 2 => open,
        ("wechat", "weibo") => (Blocked, "stop_page", Actor::Host),
        ("qq", "taobao") if i == 0 => (Interstitial, "risk_warning", Actor::Host),
        ("qq", "weibo") if i == 3 => (Inconclusive, "timeout", Actor::None),
        ("weibo", "taobao") => (Blocked, "copy_to_browser", Actor::Host),
        ("weibo", "jd") if i == 3 => (Blocked, "unrecognized_page", Actor::Host),
        ("douyin", "taobao") => (Interstitial, "leave_app_prompt", Actor::Host),
        ("douyin", "jd") => (Blocked, "app_only_wall", Actor::Target),
        _ => open,
    }
}

fn at(i: usize, minute: u32) -> DateTime<Utc> {
    let (month, day) = DATES[i];
    Utc.with_ymd_and_hms(2021, month, day, 3, minute, 0)
        .unwrap()
}

fn page(verdict: VerdictKind, mechanism: &str, hostile: bool) -> String {
    let (title, text) = match (hostile, verdict) {
        (true, _) => (HOSTILE_TITLE, HOSTILE_TEXT),
        (_, VerdictKind::Opened) => ("商品详情", "欢迎光临"),
        (_, VerdictKind::Blocked) if mechanism == "copy_to_browser" => {
            ("微信", "如需浏览，请长按网址复制后使用浏览器访问")
        }
        (_, VerdictKind::Blocked) => (
            "已停止访问该网页",
            "网页包含诱导分享、诱导关注内容，被多人投诉",
        ),
        (_, VerdictKind::Interstitial) => {
            ("安全提示", "将要访问 无法确认该网页的安全性，请谨慎访问。")
        }
        (_, VerdictKind::Inconclusive) => ("", ""),
    };
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    format!(
        "<html><head><title>{}</title></head><body><p>{}</p></body></html>",
        escape(title),
        escape(text)
    )
}

/// One record of run `i` and the artifacts it keeps.
fn record(
    i: usize,
    n: u32,
    (context, host, scene, client): (&str, Option<&str>, Option<Scene>, Client),
    (link, platform, category): (&str, &str, Category),
) -> (Record, Vec<Artifact>) {
    let role = match host {
        None => ProbeRole::Control,
        Some(h) if owner(h) == owner(platform) => ProbeRole::SameOwner,
        Some(_) => ProbeRole::Rival,
    };
    let (verdict, mechanism, actor) = match host {
        Some(h) => story(i, context, h, link),
        None => (VerdictKind::Opened, "direct", Actor::None),
    };
    let hostile = i == 3 && host == Some("weibo") && platform == "jd";
    let url = format!("https://{platform}.example.test/{link}");
    let final_url = match (hostile, verdict) {
        (true, _) => "javascript:alert(2)".to_string(),
        (_, VerdictKind::Opened) => format!("https://{platform}.example.test/landing/{link}"),
        _ => format!(
            "https://gateway.example.test/{}/check?url={url}",
            host.unwrap_or("x")
        ),
    };
    let body = page(verdict, mechanism, hostile);
    let mut artifacts = Vec::new();
    let mut observation = Observation {
        engine: EngineKind::Http,
        entry_url: url.clone(),
        hops: vec![
            Hop {
                url: url.clone(),
                status: Some(302),
                location: Some(final_url.clone()),
                via: HopVia::Start,
                elapsed_ms: 40,
            },
            Hop {
                url: final_url.clone(),
                status: Some(200),
                location: None,
                via: HopVia::Http,
                elapsed_ms: 95,
            },
        ],
        final_url,
        status: Some(200),
        started_at: Some(at(i, n % 60)),
        duration_ms: 120,
        attempts: vec![Attempt {
            number: 1,
            started_at: at(i, n % 60),
            duration_ms: 120,
            status: Some(200),
            failure: None,
            wait_ms: None,
        }],
        ..Observation::default()
    };
    if verdict == VerdictKind::Inconclusive {
        let failure = Failure {
            kind: FailureKind::Timeout,
            message: "no answer in 30 s".into(),
        };
        observation.hops.truncate(1);
        observation.hops[0].status = None;
        observation.final_url = String::new();
        observation.status = None;
        observation.attempts[0].failure = Some(failure.clone());
        observation.failure = Some(failure);
    } else {
        let artifact = Artifact::new(ArtifactKind::Body, body.clone().into_bytes());
        observation.body_sha256 = Some(artifact.sha256.clone());
        observation.body = body;
        artifacts.push(artifact);
    }
    if i == 3 && context == "wechat.android.group_chat" && link == "taobao.item" {
        let shot = Artifact::new(ArtifactKind::Screenshot, hex::decode(PNG_HEX).unwrap());
        observation.screenshot_sha256 = Some(shot.sha256.clone());
        artifacts.push(shot);
    }
    let record = Record {
        run_id: run_id(i),
        observed_at: at(i, n % 60),
        audit: "miit-2021".into(),
        context: context.into(),
        host_platform: host.map(String::from),
        scene,
        client,
        link_id: link.into(),
        link_platform: platform.into(),
        link_category: category,
        url,
        role,
        observation,
        verdict: StoredVerdict {
            kind: verdict,
            mechanism: mechanism.into(),
            actor,
            signature: (verdict != VerdictKind::Opened && verdict != VerdictKind::Inconclusive)
                .then(|| format!("{}.{mechanism}", host.unwrap_or("neutral"))),
            reason: format!("{verdict} by the fixture's story"),
        },
        control_verdict: host.map(|_| VerdictKind::Opened),
    };
    (record, artifacts)
}

fn run(i: usize, simulated: bool) -> Run {
    Run {
        id: run_id(i),
        started_at: Utc.with_ymd_and_hms(2026, 11, 24, 10, i as u32, 0).unwrap(),
        ended_at: Some(
            Utc.with_ymd_and_hms(2026, 11, 24, 10, i as u32, 30)
                .unwrap(),
        ),
        status: RunStatus::Completed,
        tool_version: "0.1.0".into(),
        vantage: "beijing-test".into(),
        audits: vec!["miit-2021".into()],
        scenario_files: Vec::new(),
        simulated,
    }
}

/// Every record of run `i`: each context × each link (a link of the host's own group is a
/// same-owner pair), plus a control per link.
pub fn records(i: usize) -> Vec<(Record, Vec<Artifact>)> {
    let mut out = Vec::new();
    let mut n = 0;
    for (link, platform, category) in LINKS {
        n += 1;
        out.push(record(
            i,
            n,
            ("neutral.android", None, None, Client::Android),
            (link, platform, category),
        ));
        for (context, host, scene, client) in CONTEXTS {
            n += 1;
            out.push(record(
                i,
                n,
                (context, Some(host), Some(scene), client),
                (link, platform, category),
            ));
        }
    }
    out
}

/// One history per test binary, stored once: storing syncs every record to disk, which is
/// too slow to repeat in every test. Tests only read it and write reports elsewhere.
pub fn shared_history() -> &'static Path {
    static HISTORY: std::sync::OnceLock<(tempfile::TempDir, PathBuf)> = std::sync::OnceLock::new();
    let (_, db) = HISTORY.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let db = store_history(dir.path());
        (dir, db)
    });
    db
}

/// Stores the four runs in a new history under `dir`; returns the database path.
pub fn store_history(dir: &Path) -> PathBuf {
    let db = dir.join("reports").join("linkgate.db");
    let mut store = Store::open(&db).unwrap();
    for i in 0..DATES.len() {
        store.begin_run(&run(i, true)).unwrap();
        for (record, artifacts) in records(i) {
            store.record(&record, &artifacts).unwrap();
        }
    }
    db
}
