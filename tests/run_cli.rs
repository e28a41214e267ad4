//! `linkgate run` end to end: the real binary against local servers on 127.0.0.1, with
//! scenario files written for each test. Covers the verdicts a run stores, the control logic,
//! the CSV, exit codes, interruption and resume, and the network flags.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use linkgate::model::{ProbeRole, RunStatus, VerdictKind};
use linkgate::store::Store;
use support::{Reply, Server, faults, proxy::Proxy, tls};

const STOP_PAGE: &str = include_str!("fixtures/pages/wechat/stop.html");
const LANDING: &str = "<html><head><title>商品详情</title></head><body><h1>宝贝</h1></body></html>";

/// The gateway: a stop page for targets whose URL says `blocked`, a 302 to the target otherwise.
fn gateway(request: &support::server::Request) -> Reply {
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

/// Scenario files: one platform pair, a host context through `gateway_url`, a neutral
/// control context, the given links (id, url), and an audit.
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
user_agent = "Mozilla/5.0 MicroMessenger/8.0.47.2560(0x28002F35) NetType/WIFI Language/zh_CN"
headers = {{ "X-Requested-With" = "com.tencent.mm" }}
gateway = "{gateway_url}?url={{url}}"

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
id = "test-audit"
title = "Test audit"
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

/// Runs the binary with fast, loopback-friendly flags plus `extra`.
async fn linkgate(dir: &Path, scenarios: &Path, extra: &[&str]) -> Output {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_linkgate"));
    command
        .arg("run")
        .arg(scenarios)
        .arg("--out")
        .arg(dir.join("reports"))
        .args([
            "--interval",
            "0s",
            "--per-host",
            "8",
            "--retries",
            "0",
            "--timeout",
            "5s",
        ])
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

fn only_run(dir: &Path) -> (linkgate::model::Run, Vec<linkgate::model::Record>) {
    let store = Store::open(&dir.join("reports/linkgate.db")).unwrap();
    let runs = store.runs().unwrap();
    assert_eq!(runs.len(), 1, "expected one run");
    let records = store.records(&runs[0].id).unwrap();
    (runs[0].clone(), records)
}

fn verdict_of(
    records: &[linkgate::model::Record],
    link: &str,
    role: ProbeRole,
) -> (VerdictKind, String) {
    let r = records
        .iter()
        .find(|r| r.link_id == link && r.role == role)
        .unwrap_or_else(|| panic!("no {role} record for {link}"));
    (r.verdict.kind, r.verdict.mechanism.clone())
}

#[tokio::test]
async fn a_run_stores_opened_and_blocked_verdicts_and_writes_the_csv() {
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
    let output = linkgate(dir.path(), &root, &[]).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let (run, records) = only_run(dir.path());
    assert_eq!(run.status, RunStatus::Completed);
    assert_eq!(records.len(), 4);
    assert_eq!(
        verdict_of(&records, "open.item", ProbeRole::Rival),
        (VerdictKind::Opened, "direct".into())
    );
    assert_eq!(
        verdict_of(&records, "blocked.item", ProbeRole::Rival),
        (VerdictKind::Blocked, "stop_page".into())
    );
    assert_eq!(
        verdict_of(&records, "blocked.item", ProbeRole::Control).0,
        VerdictKind::Opened
    );
    // The context's headers reached the gateway, the control's did not.
    let gateway_hits = site.hits("/gw");
    assert!(
        gateway_hits
            .iter()
            .all(|r| r.header("x-requested-with") == Some("com.tencent.mm"))
    );
    assert!(
        site.hits("/item/open")
            .iter()
            .any(|r| r.header("x-requested-with").is_none())
    );

    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("completed"), "{stdout}");
    assert!(stdout.contains("wechat"), "{stdout}");
    let csv_path = dir
        .path()
        .join("reports")
        .join(&run.id)
        .join("observations.csv");
    assert!(stdout.contains(&csv_path.display().to_string()), "{stdout}");
    let csv = std::fs::read_to_string(&csv_path).unwrap();
    let header = csv.trim_start_matches('\u{feff}').lines().next().unwrap();
    assert_eq!(
        header,
        "run_id,observed_at,audit,context,host_platform,scene,client,link_id,link_platform,\
         link_category,url,engine,verdict,mechanism,actor,signature,http_status,final_url,hops,\
         title,control_verdict,attempts,duration_ms,error"
    );
    assert_eq!(csv.lines().count(), 5);
    assert!(csv.contains("商品详情"));
}

#[tokio::test]
async fn a_target_down_for_the_control_too_is_inconclusive_target_down() {
    let site = Server::start(|r| match r.route() {
        "/gw" => gateway(r),
        _ => Reply::html(LANDING),
    })
    .await;
    let down = faults::resetting().await;
    let dir = tempfile::tempdir().unwrap();
    let root = scenarios(
        dir.path(),
        &site.url("/gw"),
        &[("down.item", down.url("/item/x"))],
    );
    let output = linkgate(dir.path(), &root, &[]).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let (_, records) = only_run(dir.path());
    assert_eq!(
        verdict_of(&records, "down.item", ProbeRole::Control),
        (VerdictKind::Inconclusive, "reset".into())
    );
    assert_eq!(
        verdict_of(&records, "down.item", ProbeRole::Rival),
        (VerdictKind::Inconclusive, "target_down".into())
    );
    let rival = records.iter().find(|r| r.role == ProbeRole::Rival).unwrap();
    assert_eq!(rival.control_verdict, Some(VerdictKind::Inconclusive));
}

#[tokio::test]
async fn fail_on_blocked_exits_2_and_bad_scenarios_exit_3() {
    let site = Server::start(|r| match r.route() {
        "/gw" => gateway(r),
        _ => Reply::html(LANDING),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let root = scenarios(
        dir.path(),
        &site.url("/gw"),
        &[("blocked.item", site.url("/item/blocked"))],
    );
    let output = linkgate(dir.path(), &root, &["--fail-on", "blocked,inconclusive"]).await;
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    let output = linkgate(dir.path(), &root, &["--fail-on", "opened"]).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));

    std::fs::write(root.join("broken.toml"), "[[link]]\nid = 3\n").unwrap();
    let output = linkgate(dir.path(), &root, &[]).await;
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    assert!(String::from_utf8_lossy(&output.stderr).contains("broken.toml"));
}

#[tokio::test]
async fn sigterm_stops_the_run_and_resume_measures_only_what_is_missing() {
    let site = Server::start(|r| match r.route() {
        "/gw" => gateway(r),
        _ => Reply::html(LANDING).delay(Duration::from_millis(700)),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let links: Vec<(String, String)> = (0..12)
        .map(|i| (format!("item{i:02}"), site.url(&format!("/item/{i}"))))
        .collect();
    let links: Vec<(&str, String)> = links
        .iter()
        .map(|(id, url)| (id.as_str(), url.clone()))
        .collect();
    let root = scenarios(dir.path(), &site.url("/gw"), &links);

    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_linkgate"))
        .arg("run")
        .arg(&root)
        .arg("--out")
        .arg(dir.path().join("reports"))
        .args(["--interval", "0s", "--concurrency", "2", "--retries", "0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let pid = child.id().unwrap().to_string();
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(sent.success());
    let status = tokio::time::timeout(Duration::from_secs(20), child.wait())
        .await
        .expect("the run stops promptly after SIGTERM")
        .unwrap();
    assert_eq!(status.code(), Some(1));
    let (run, records) = only_run(dir.path());
    assert_eq!(run.status, RunStatus::Interrupted);
    assert!(
        !records.is_empty() && records.len() < 24,
        "{} records",
        records.len()
    );
    let before = records.len();

    let output = linkgate(
        dir.path(),
        &root,
        &["--resume", &run.id, "--concurrency", "8"],
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let (run, records) = only_run(dir.path());
    assert_eq!(run.status, RunStatus::Completed);
    assert_eq!(records.len(), 24);
    let measured_now: usize = String::from_utf8_lossy(&output.stdout)
        .split(" measured now")
        .next()
        .and_then(|s| s.rsplit(", ").next())
        .and_then(|n| n.trim().parse().ok())
        .expect("the summary says how many were measured now");
    assert!(
        measured_now <= 24 - before + 2,
        "resume re-measured too much: {measured_now}"
    );
    // Each (context, link) appears once: resume replaced, it did not duplicate.
    let mut keys: Vec<String> = records.iter().map(|r| r.key()).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 24);
}

#[tokio::test]
async fn ca_cert_and_resolve_flags_reach_the_engine() {
    let pki = tls::pki();
    let secure = Server::start_tls(|_| Reply::html(LANDING), pki.acceptor.clone()).await;
    let plain = Server::start(|_| Reply::html(LANDING)).await;
    let gw = Server::start(gateway).await;
    let resolved = format!("http://shop.linkgate.test:{}/item/r", plain.port);
    let links = [
        ("tls.item", secure.url("/item/tls")),
        ("resolved.item", resolved),
    ];

    let without = tempfile::tempdir().unwrap();
    let root = scenarios(without.path(), &gw.url("/gw"), &links);
    let output = linkgate(without.path(), &root, &[]).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let (_, records) = only_run(without.path());
    assert_eq!(
        verdict_of(&records, "tls.item", ProbeRole::Control),
        (VerdictKind::Inconclusive, "tls".into())
    );
    assert_eq!(
        verdict_of(&records, "resolved.item", ProbeRole::Control).0,
        VerdictKind::Inconclusive
    );

    let with = tempfile::tempdir().unwrap();
    let ca = with.path().join("ca.pem");
    std::fs::write(&ca, &pki.ca_pem).unwrap();
    let resolve = format!("shop.linkgate.test:{}:127.0.0.1", plain.port);
    let root = scenarios(with.path(), &gw.url("/gw"), &links);
    let output = linkgate(
        with.path(),
        &root,
        &["--ca-cert", ca.to_str().unwrap(), "--resolve", &resolve],
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let (_, records) = only_run(with.path());
    assert_eq!(
        verdict_of(&records, "tls.item", ProbeRole::Control).0,
        VerdictKind::Opened
    );
    assert_eq!(
        verdict_of(&records, "resolved.item", ProbeRole::Control).0,
        VerdictKind::Opened
    );
}

#[tokio::test]
async fn proxy_flag_sends_every_request_through_the_proxy() {
    let site = Server::start(|r| match r.route() {
        "/gw" => gateway(r),
        _ => Reply::html(LANDING),
    })
    .await;
    let proxy = Proxy::start().await;
    let dir = tempfile::tempdir().unwrap();
    let root = scenarios(
        dir.path(),
        &site.url("/gw"),
        &[("open.item", site.url("/item/open"))],
    );
    let output = linkgate(dir.path(), &root, &["--proxy", &proxy.url()]).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let (_, records) = only_run(dir.path());
    assert_eq!(
        verdict_of(&records, "open.item", ProbeRole::Rival).0,
        VerdictKind::Opened
    );
    let forwarded = proxy.forwarded();
    assert!(
        forwarded.iter().any(|u| u.contains("/gw?url=")),
        "{forwarded:?}"
    );
    assert_eq!(forwarded.len(), site.requests().len(), "{forwarded:?}");
}

/// The share-link mechanisms and the failures a real audit meets, in one run of the binary.
#[tokio::test]
async fn every_redirect_kind_and_failure_through_the_binary() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let busy_hits = Arc::new(AtomicUsize::new(0));
    let busy = busy_hits.clone();
    let gbk = encoding_rs::GBK
        .encode("<html><head><title>京东商品</title></head><body>价格</body></html>")
        .0
        .to_vec();
    let site = Server::start(move |r| match r.route() {
        "/gw" => gateway(r),
        "/chain" => Reply::redirect(302, "/chain2"),
        "/chain2" => Reply::redirect(301, "/item/chain"),
        "/meta" => Reply::html("<meta http-equiv=\"refresh\" content=\"0;url=/item/meta\">"),
        "/script" => Reply::html("<script>location.href = '/item/script';</script>"),
        "/hrl" => Reply::html("<script>var hrl='/jda?e=1';</script>"),
        "/jda" => Reply::redirect(302, "/item/hrl"),
        "/sclick" => Reply::html("<script>var real_jump_address = '/sclick2';</script>"),
        "/sclick2" if r.header("referer").is_some_and(|v| v.contains("/sclick")) => {
            Reply::redirect(302, "/item/sclick")
        }
        "/sclick2" => Reply::html("<p>bad referer</p>").status(403),
        "/item/gbk" => Reply::bytes("text/html; charset=GBK", gbk.clone()),
        "/item/huge" => Reply::html(&format!("<title>big</title>{}", "x".repeat(2_000_000))),
        "/loop" => Reply::redirect(302, "/loop"),
        "/busy" if busy.fetch_add(1, Ordering::SeqCst) == 0 => Reply::html("slow down")
            .status(429)
            .header("retry-after", "1"),
        "/busy" => Reply::redirect(302, "/item/busy"),
        _ => Reply::html(LANDING).delay(Duration::from_millis(50)),
    })
    .await;
    let silent = faults::silent().await;
    let reset = faults::resetting().await;
    let links = [
        ("chain", site.url("/chain")),
        ("meta", site.url("/meta")),
        ("script", site.url("/script")),
        ("hrl", site.url("/hrl")),
        ("sclick", site.url("/sclick")),
        ("gbk", site.url("/item/gbk")),
        ("huge", site.url("/item/huge")),
        ("loop", site.url("/loop")),
        ("busy", site.url("/busy")),
        ("silent", silent.url("/item/x")),
        ("reset", reset.url("/item/x")),
    ];
    let dir = tempfile::tempdir().unwrap();
    let root = scenarios(dir.path(), &site.url("/gw"), &links);
    let flags = [
        "--per-host",
        "2",
        "--concurrency",
        "8",
        "--timeout",
        "2s",
        "--retries",
        "1",
        "--body-cap",
        "100000",
    ];
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_linkgate"));
    command
        .arg("run")
        .arg(&root)
        .arg("--out")
        .arg(dir.path().join("reports"))
        .args(["--interval", "0s"])
        .args(flags);
    let output = command.output().await.unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let (_, records) = only_run(dir.path());
    let control = |link: &str| {
        records
            .iter()
            .find(|r| r.link_id == link && r.role == ProbeRole::Control)
            .unwrap()
            .clone()
    };
    for link in [
        "chain", "meta", "script", "hrl", "sclick", "gbk", "huge", "busy",
    ] {
        let r = control(link);
        assert_eq!(
            r.verdict.kind,
            VerdictKind::Opened,
            "{link}: {}",
            r.verdict.reason
        );
    }
    let via = |link: &str| {
        control(link)
            .observation
            .hops
            .iter()
            .map(|h| h.via.as_str())
            .collect::<Vec<_>>()
            .join(",")
    };
    assert_eq!(via("chain"), "start,http,http");
    assert_eq!(via("meta"), "start,meta_refresh");
    assert_eq!(via("script"), "start,script");
    assert_eq!(via("hrl"), "start,script,http");
    assert_eq!(via("sclick"), "start,script,http");
    assert_eq!(control("gbk").observation.charset.as_deref(), Some("GBK"));
    assert!(control("gbk").observation.body.contains("京东商品"));
    assert!(control("huge").observation.truncated);
    let busy = control("busy");
    assert!(
        busy.observation.attempts.len() >= 2,
        "{:?}",
        busy.observation.attempts
    );
    assert!(busy.observation.attempts[0].wait_ms.unwrap_or(0) >= 1000);
    assert_eq!(control("loop").verdict.mechanism, "redirect_loop");
    assert_eq!(control("silent").verdict.mechanism, "timeout");
    assert_eq!(control("reset").verdict.mechanism, "reset");
    assert_eq!(
        control("silent").observation.attempts.len(),
        2,
        "a timeout is retried once"
    );
    for link in ["loop", "silent", "reset"] {
        let rival = records
            .iter()
            .find(|r| r.link_id == link && r.role == ProbeRole::Rival)
            .unwrap();
        assert_eq!(rival.verdict.mechanism, "target_down", "{link}");
    }
    assert!(
        site.max_in_flight() <= 2,
        "per-host limit: {} in flight",
        site.max_in_flight()
    );
    let csv = std::fs::read_to_string(
        dir.path()
            .join("reports")
            .join(&records[0].run_id)
            .join("observations.csv"),
    )
    .unwrap();
    assert!(
        csv.contains("meta_refresh 200"),
        "hops column shows how each hop was made"
    );
    assert!(csv.contains("京东商品"));
}
