//! `linkgate run --engine browser` end to end: the real binary and the real Chromium against
//! a local gateway whose stop page only exists after its script ran and whose "go on"
//! answer is a script redirect, so only a browser gets both verdicts right. Also checks the
//! evidence a browser run stores (DOM and PNG screenshot by hash) and the flags' wiring.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use linkgate::model::{EngineKind, ProbeRole, Record, VerdictKind};
use support::{
    Reply, Server,
    cli::{self, text},
    history::{only_run, store},
    scenario::Scenario,
    site::LANDING,
};

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

/// The usual scenario, with a WeChat user agent that says Android (the browser emulates the
/// phone it names) and the WeChat bridge stub.
fn scenarios(dir: &Path, gateway_url: &str, links: &[(&str, String)]) -> PathBuf {
    Scenario {
        user_agent: support::WECHAT_UA,
        bridge: Some("window.WeixinJSBridge = { invoke: function () {} };"),
        ..Scenario::new(gateway_url, links)
    }
    .write(dir)
}

/// Runs `linkgate run` with the browser's longer timeout and two tabs, plus `extra`.
async fn linkgate(dir: &Path, scenarios: &Path, extra: &[&str]) -> Output {
    let scenarios = scenarios.to_str().unwrap();
    let mut args = vec!["run", scenarios, "--out", "reports"];
    args.extend(["--interval", "0s", "--per-host", "8", "--retries", "0"]);
    args.extend(["--timeout", "15s", "--tabs", "2"]);
    args.extend(extra);
    cli::linkgate(dir, &args).await
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
    let (_, records) = only_run(dir.path());
    let store = store(dir.path());
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
    let (_, records) = only_run(dir.path());
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
