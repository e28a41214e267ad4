//! `linkgate run --engine browser` end to end: the real binary and the real Chromium against
//! a local gateway whose stop page only exists after its script ran and whose "go on"
//! answer is a script redirect, so only a browser gets both verdicts right. Also checks the
//! evidence a browser run stores (DOM and PNG screenshot by hash) and the flags' wiring.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use linkgate::model::{EngineKind, ProbeRole, Record, VerdictKind};
use linkgate::store::Store;
use support::{Reply, Server};

const LANDING: &str = "<html><head><title>商品详情</title></head><body><h1>宝贝</h1></body></html>";

/// The gateway decides in script: a stop page rendered from `cgiData` for targets whose URL
/// says `blocked`, a timed script redirect to the target otherwise.
fn gateway(request: &support::server::Request) -> Reply {
    let query = request.path.split_once('?').map_or("", |(_, q)| q);
    if query.contains("blocked") {
        return Reply::html(
            r#"<html><body><div id="app"></div><script>
var cgiData = { title: "已停止访问该网页" };
document.getElementById("app").innerHTML =
  '<div class="weui-msg"><h2 class="weui-msg__title">' + cgiData.title + '</h2></div>';
</script></body></html>"#,
        );
    }
    Reply::html(
        "<html><body><script>\
         var target = decodeURIComponent(new URLSearchParams(location.search).get('url'));\
         setTimeout(function () { location.href = target; }, 200);\
         </script></body></html>",
    )
}

fn scenarios(dir: &Path, gateway_url: &str, links: &[(&str, String)]) -> PathBuf {
    let root = dir.join("scenarios");
    std::fs::create_dir_all(&root).unwrap();
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pages/wechat/stop.html");
    let mut text = format!(
        r#"
[[platform]]
id = "wechat"
owner = "tencent"
name = "WeChat"
name_zh = "微信"

[[platform]]
id = "taobao"
owner = "alibaba"
name = "Taobao"
name_zh = "淘宝"

[[context]]
host = "wechat"
client = "android"
scenes = ["private_chat"]
user_agent = "Mozilla/5.0 (Linux; Android 13) MicroMessenger/8.0.47.2560(0x28002F35) NetType/WIFI Language/zh_CN"
headers = {{ "X-Requested-With" = "com.tencent.mm" }}
gateway = "{gateway_url}?url={{url}}"
bridge = "window.WeixinJSBridge = {{ invoke: function () {{}} }};"

[[context]]
id = "neutral.android"
client = "android"
user_agent = "Mozilla/5.0 (Linux; Android 13; Pixel 7) Chrome/126.0 Mobile Safari/537.36"

[[signature]]
id = "wechat.stop"
verdict = "blocked"
mechanism = "stop_page"
actor = "host"
hosts = ["wechat"]
source = "DOMAIN.md §4 WeChat stop"
fixture = '{fixture}'
when = [{{ in = "selector", selector = ".weui-msg__title", contains = "已停止访问" }}]

[[audit]]
id = "browser-audit"
title = "Browser audit"
control = "neutral.android"
deadlines = [{{ date = 2021-09-17, label = "MIIT deadline" }}]
"#,
        fixture = fixture.display()
    );
    for (id, url) in links {
        text.push_str(&format!(
            "\n[[link]]\nid = \"{id}\"\nplatform = \"taobao\"\ncategory = \"ecommerce\"\nurl = \"{url}\"\nlanding = '/item/'\n"
        ));
    }
    std::fs::write(root.join("all.toml"), text).unwrap();
    root
}

async fn linkgate(dir: &Path, scenarios: &Path, extra: &[&str]) -> Output {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_linkgate"));
    command
        .arg("run")
        .arg(scenarios)
        .arg("--out")
        .arg(dir.join("reports"))
        .args(["--interval", "0s", "--per-host", "8", "--retries", "0"])
        .args(["--timeout", "15s", "--tabs", "2"])
        .args(extra)
        .kill_on_drop(true);
    command.output().await.unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn records(dir: &Path) -> (Store, Vec<Record>) {
    let store = Store::open(&dir.join("reports/linkgate.db")).unwrap();
    let runs = store.runs().unwrap();
    assert_eq!(runs.len(), 1);
    let records = store.records(&runs[0].id).unwrap();
    (store, records)
}

fn rival<'r>(records: &'r [Record], link: &str) -> &'r Record {
    records
        .iter()
        .find(|r| r.link_id == link && r.role == ProbeRole::Rival)
        .unwrap()
}

#[tokio::test]
async fn run_with_engine_browser_stores_browser_verdicts_and_screenshots() {
    let site = Server::start(|r| match r.route() {
        "/gw" => gateway(r),
        _ => Reply::html(LANDING),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let links = [
        ("open.item", site.url("/item/open")),
        ("blocked.item", site.url("/item/blocked")),
    ];
    let root = scenarios(dir.path(), &site.url("/gw"), &links);
    let output = linkgate(dir.path(), &root, &["--engine", "browser"]).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let (store, records) = records(dir.path());
    assert_eq!(records.len(), 4);
    assert!(
        records
            .iter()
            .all(|r| r.observation.engine == EngineKind::Browser)
    );

    let blocked = rival(&records, "blocked.item");
    assert_eq!(
        blocked.verdict.kind,
        VerdictKind::Blocked,
        "{:#?}",
        blocked.verdict
    );
    assert_eq!(blocked.verdict.mechanism, "stop_page");
    let opened = rival(&records, "open.item");
    assert_eq!(
        opened.verdict.kind,
        VerdictKind::Opened,
        "{:#?}",
        opened.observation
    );
    assert!(opened.observation.hops.len() >= 2);

    // Every page's screenshot is in the evidence folder, under its hash.
    for record in &records {
        let sha = record.observation.screenshot_sha256.as_deref().unwrap();
        let png = store.read_artifact(sha).unwrap();
        assert!(png.starts_with(b"\x89PNG"), "{sha}");
    }
}

#[tokio::test]
async fn a_missing_browser_leaves_browser_probes_inconclusive_and_the_run_completes() {
    let site = Server::start(|r| match r.route() {
        "/gw" => gateway(r),
        _ => Reply::html(LANDING),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let root = scenarios(
        dir.path(),
        &site.url("/gw"),
        &[("open.item", site.url("/item/open"))],
    );
    let output = linkgate(
        dir.path(),
        &root,
        &["--engine", "browser", "--chrome", "/nonexistent/chromium"],
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let (_, records) = records(dir.path());
    assert_eq!(records.len(), 2);
    for record in &records {
        assert_eq!(record.verdict.kind, VerdictKind::Inconclusive);
        let failure = record.observation.failure.as_ref().unwrap();
        assert!(
            failure.message.contains("apt-get install -y chromium"),
            "{failure:?}"
        );
    }
}
