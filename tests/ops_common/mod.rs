//! Helpers shared by the `ops_*` tests (scheduling, locks, the daemon, output, sealing,
//! verify, prune, reclassify, import): scenario files written per test, a gateway on a local
//! server, and the real binary run against them. Everything listens on 127.0.0.1.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use linkgate::model::{Record, Run};
use linkgate::store::Store;

pub use crate::support::{Reply, Server};

pub const STOP_PAGE: &str = include_str!("../fixtures/pages/wechat/stop.html");
pub const LANDING: &str =
    "<html><head><title>商品详情</title></head><body><h1>宝贝</h1></body></html>";

/// The gateway: a stop page for targets whose URL says `blocked`, a 302 to the target
/// otherwise.
pub fn gateway(request: &crate::support::server::Request) -> Reply {
    let target = request
        .path
        .split_once("url=")
        .map(|(_, rest)| rest.split('&').next().unwrap_or(""))
        .map(|encoded| {
            percent_encoding::percent_decode_str(encoded)
                .decode_utf8_lossy()
                .to_string()
        })
        .unwrap_or_default();
    if target.contains("blocked") {
        Reply::html(STOP_PAGE)
    } else {
        Reply::redirect(302, &target)
    }
}

/// A site with the gateway at `/gw` and landing pages everywhere else.
pub async fn site() -> Server {
    Server::start(|r| match r.route() {
        "/gw" => gateway(r),
        _ => Reply::html(LANDING),
    })
    .await
}

/// What the audit of a test says about time.
#[derive(Clone, Copy)]
pub struct Timing<'a> {
    pub schedule: Option<&'a str>,
    pub timezone: &'a str,
}

pub const UNSCHEDULED: Timing<'static> = Timing {
    schedule: None,
    timezone: "Asia/Shanghai",
};

/// Scenario files in `dir/scenarios`: `all.toml` (platforms, a WeChat context through
/// `gateway_url`, a neutral control, the links, the audit) and `signatures.toml` (WeChat's
/// stop page). Returns the folder.
pub fn scenarios(
    dir: &Path,
    gateway_url: &str,
    links: &[(&str, String)],
    timing: Timing<'_>,
) -> PathBuf {
    let root = dir.join("scenarios");
    std::fs::create_dir_all(&root).unwrap();
    let schedule = timing
        .schedule
        .map(|s| format!("schedule = \"{s}\"\n"))
        .unwrap_or_default();
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
user_agent = "Mozilla/5.0 MicroMessenger/8.0.47.2560(0x28002F35) NetType/WIFI Language/zh_CN"
headers = {{ "X-Requested-With" = "com.tencent.mm" }}
gateway = "{gateway_url}?url={{url}}"

[[context]]
id = "neutral.android"
client = "android"
user_agent = "Mozilla/5.0 (Linux; Android 13; Pixel 7) Chrome/126.0 Mobile Safari/537.36"

[[audit]]
id = "test-audit"
title = "Test audit"
control = "neutral.android"
deadlines = [{{ date = 2021-09-17, label = "MIIT deadline" }}]
timezone = "{timezone}"
{schedule}"#,
        timezone = timing.timezone,
    );
    for (id, url) in links {
        text.push_str(&format!(
            "\n[[link]]\nid = \"{id}\"\nplatform = \"taobao\"\ncategory = \"ecommerce\"\nurl = \"{url}\"\nlanding = '/item/'\n"
        ));
    }
    std::fs::write(root.join("all.toml"), text).unwrap();
    write_signature(
        &root,
        "signatures.toml",
        "wechat.stop",
        "blocked",
        "stop_page",
        "已停止访问",
        &fixture("wechat/stop.html"),
    );
    root
}

/// A page fixture of the repository.
pub fn fixture(page: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/pages")
        .join(page)
}

/// Writes a WeChat signature recognising pages whose `.weui-msg__title` contains `text`.
pub fn write_signature(
    root: &Path,
    file: &str,
    id: &str,
    verdict: &str,
    mechanism: &str,
    text: &str,
    fixture: &Path,
) {
    let signature = format!(
        r#"
[[signature]]
id = "{id}"
verdict = "{verdict}"
mechanism = "{mechanism}"
actor = "host"
hosts = ["wechat"]
source = "a test"
fixture = '{fixture}'
when = [{{ in = "selector", selector = ".weui-msg__title", contains = "{text}" }}]
"#,
        fixture = fixture.display()
    );
    std::fs::write(root.join(file), signature).unwrap();
}

/// The flags every test run uses: fast and loopback-friendly.
pub const FAST: [&str; 8] = [
    "--interval",
    "0s",
    "--per-host",
    "8",
    "--retries",
    "0",
    "--timeout",
    "5s",
];

/// A `linkgate` command with `args`, in `dir`, output captured.
pub fn command(dir: &Path, args: &[&str]) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_linkgate"));
    command
        .current_dir(dir)
        .args(args)
        .env_remove("NO_COLOR")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    command
}

/// Runs `linkgate run SCENARIOS --out dir/reports` with the fast flags and `extra`.
pub async fn run(dir: &Path, scenarios: &Path, extra: &[&str]) -> Output {
    let scenarios = scenarios.to_str().unwrap();
    let mut args = vec!["run", scenarios, "--out", "reports"];
    args.extend(FAST);
    args.extend(extra);
    linkgate(dir, &args).await
}

/// Runs `linkgate ARGS` in `dir`, with a generous time limit.
pub async fn linkgate(dir: &Path, args: &[&str]) -> Output {
    let child = command(dir, args).spawn().unwrap();
    tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("linkgate finishes within a minute")
        .unwrap()
}

pub fn text(output: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Whether a linkgate process has finished creating the history database (its header says
/// write-ahead logging), so another process can open it without racing the creation.
pub fn database_ready(dir: &Path) -> bool {
    // Bytes 18 and 19 of an SQLite header are the read and write versions: 2 means WAL.
    std::fs::read(dir.join("reports/linkgate.db"))
        .is_ok_and(|header| header.len() >= 20 && header[18] == 2 && header[19] == 2)
}

pub fn store(dir: &Path) -> Store {
    Store::open(&dir.join("reports/linkgate.db")).unwrap()
}

/// Every run, oldest first, with its records.
pub fn runs(dir: &Path) -> Vec<(Run, Vec<Record>)> {
    let store = store(dir);
    store
        .runs()
        .unwrap()
        .into_iter()
        .map(|run| {
            let records = store.records(&run.id).unwrap();
            (run, records)
        })
        .collect()
}
