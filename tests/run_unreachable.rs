//! A run that cannot reach the platforms stops early and says why: the real binary, the
//! bundled pack, an empty folder as its working directory and a proxy address that refuses
//! connections (so nothing leaves the machine) — as a first run on a machine without a route
//! to the platforms. Also what such a run leaves behind (resume, verify, report), the handful
//! a stop needs, and `--no-preflight`.

mod support;

use std::net::TcpListener;
use std::path::Path;
use std::time::{Duration, Instant};

use linkgate::model::{ProbeRole, RunStatus};
use linkgate::store::Store;
use support::cli::{linkgate, text};

/// A proxy address nothing listens on: connections to it are refused.
fn refusing_proxy() -> String {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("http://127.0.0.1:{port}")
}

fn history(dir: &Path) -> Store {
    Store::open(dir.join("reports/linkgate.db")).unwrap()
}

#[tokio::test]
async fn a_run_through_a_refusing_proxy_stops_within_seconds_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let proxy = refusing_proxy();
    let began = Instant::now();
    let output = linkgate(dir.path(), &["run", "--proxy", &proxy]).await;
    let took = began.elapsed();
    let all = text(&output);
    assert_eq!(output.status.code(), Some(1), "{all}");
    // The issue asks for a minute; it takes milliseconds, plus a loaded machine's start-up.
    assert!(took < Duration::from_secs(20), "took {took:?}\n{all}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let paragraph = stderr
        .lines()
        .find(|l| l.starts_with("Stopped: "))
        .unwrap_or_else(|| panic!("no paragraph:\n{all}"));
    for words in [
        "proxy: 12 of 12 controls",
        &format!("the proxy {proxy} refused"),
        "This machine cannot reach the platforms",
        "--proxy",
        "--resolve",
        "linkgate demo",
        "--no-preflight",
        "recorded as failed",
    ] {
        assert!(
            paragraph.contains(words),
            "`{words}` missing from: {paragraph}"
        );
    }

    let store = history(dir.path());
    let runs = store.runs().unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!(run.status, RunStatus::Failed);
    let reason = store.stop_reason(&run.id).unwrap().unwrap();
    assert!(reason.contains("proxy: 12 of 12 controls"), "{reason}");
    assert!(reason.contains("Connection refused"), "{reason}");
    let records = store.records(&run.id).unwrap();
    assert_eq!(records.len(), 12, "the controls tried, nothing else");
    assert!(records.iter().all(|r| r.role == ProbeRole::Control));
    for record in &records {
        let failure = record.observation.failure.as_ref().unwrap();
        assert_eq!(failure.kind.as_str(), "proxy");
        assert_eq!(
            record.observation.attempts.len(),
            1,
            "a refusing proxy is not retried"
        );
    }
    let csv = dir
        .path()
        .join("reports")
        .join(&run.id)
        .join("observations.csv");
    assert!(paragraph.contains(&csv.strip_prefix(dir.path()).unwrap().display().to_string()));
    assert!(csv.exists());

    // Nothing to resume, nothing sealed, nothing to report: each says so.
    let resumed = linkgate(dir.path(), &["run", "--resume", &run.id]).await;
    let all = text(&resumed);
    assert_eq!(resumed.status.code(), Some(1), "{all}");
    assert!(all.contains("cannot resume run"), "{all}");
    assert!(all.contains("nothing of it to finish"), "{all}");
    assert_eq!(history(dir.path()).records(&run.id).unwrap().len(), 12);

    let verified = linkgate(dir.path(), &["verify"]).await;
    let all = text(&verified);
    assert_eq!(verified.status.code(), Some(0), "{all}");
    assert!(all.contains("stopped before measuring"), "{all}");
    assert!(all.contains("nothing to resume"), "{all}");

    let reported = linkgate(dir.path(), &["report"]).await;
    let all = text(&reported);
    assert_eq!(reported.status.code(), Some(1), "{all}");
    assert!(all.contains("stopped before measuring"), "{all}");
}

/// Five links to a port that refuses, and a sixth whose control is reached, or not.
fn scenario(dir: &Path, gateway: &str, reached: Option<String>, refused: usize) -> String {
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut links: Vec<(String, String)> = (0..refused)
        .map(|i| {
            (
                format!("taobao.dead{i}"),
                format!("http://127.0.0.1:{closed}/item/{i}"),
            )
        })
        .collect();
    if let Some(url) = reached {
        links.push(("taobao.live".into(), url));
    }
    let links: Vec<(&str, String)> = links.iter().map(|(i, u)| (i.as_str(), u.clone())).collect();
    support::scenario::Scenario::new(gateway, &links)
        .write(dir)
        .display()
        .to_string()
}

#[tokio::test]
async fn a_handful_of_refused_controls_stop_a_run_and_fewer_do_not() {
    let site = support::Server::start(|_| support::Reply::html("<title>item</title>item")).await;
    let gateway = site.url("/gw");

    let dir = tempfile::tempdir().unwrap();
    let scenarios = scenario(dir.path(), &gateway, None, 5);
    let output = support::cli::run(dir.path(), Path::new(&scenarios), &[]).await;
    let all = text(&output);
    assert_eq!(output.status.code(), Some(1), "{all}");
    assert!(all.contains("connect: 5 of 5 controls"), "{all}");
    assert!(all.contains("no connection could be made"), "{all}");

    // Four are not a handful: the run measures everything and completes.
    let dir = tempfile::tempdir().unwrap();
    let scenarios = scenario(dir.path(), &gateway, None, 4);
    let output = support::cli::run(dir.path(), Path::new(&scenarios), &[]).await;
    let all = text(&output);
    assert_eq!(output.status.code(), Some(0), "{all}");
    assert!(!all.contains("Stopped"), "{all}");
    let store = history(dir.path());
    let run = &store.runs().unwrap()[0];
    assert_eq!(
        store.records(&run.id).unwrap().len(),
        8,
        "4 controls, 4 probes"
    );
}

#[tokio::test]
async fn no_preflight_measures_every_probe_as_before() {
    let site = support::Server::start(|_| support::Reply::html("<title>item</title>item")).await;
    let dir = tempfile::tempdir().unwrap();
    let scenarios = scenario(dir.path(), &site.url("/gw"), None, 6);
    let output = support::cli::run(dir.path(), Path::new(&scenarios), &["--no-preflight"]).await;
    let all = text(&output);
    assert_eq!(output.status.code(), Some(0), "{all}");
    let store = history(dir.path());
    let run = &store.runs().unwrap()[0];
    assert_eq!(run.status, RunStatus::Completed);
    assert_eq!(store.stop_reason(&run.id).unwrap(), None);
    assert_eq!(
        store.records(&run.id).unwrap().len(),
        12,
        "6 controls, 6 probes"
    );

    // The summary and the report say why nothing could be judged.
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(
            "6 rival pairs could not be judged: their controls failed too, most often with \
             connect (6 of 6 controls)"
        ),
        "{stdout}"
    );
    let index =
        std::fs::read_to_string(dir.path().join("reports").join(&run.id).join("index.html"))
            .unwrap();
    assert!(
        index.contains("6 个竞争对手组合均无法判断：其中 6 个的对照也未能打开，最常见原因为 connect（6 个对照中 6 个）"),
        "{index}"
    );
    let english = linkgate(
        dir.path(),
        &["report", &scenarios, "--lang", "en", "--out", "en"],
    )
    .await;
    assert_eq!(english.status.code(), Some(0), "{}", text(&english));
    let index = std::fs::read_to_string(dir.path().join("en/index.html")).unwrap();
    assert!(
        index.contains(
            "None of the 6 rival pairs could be judged: 6 because their controls failed too, \
             most often with connect (6 of 6 controls)"
        ),
        "{index}"
    );
}

#[tokio::test]
async fn a_control_that_is_reached_lets_the_run_go_on() {
    let site = support::Server::start(|_| support::Reply::html("<title>item</title>item")).await;
    let dir = tempfile::tempdir().unwrap();
    // The reached link comes first in the plan, so its control is in the sample for sure.
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut links = vec![("taobao.live".to_string(), site.url("/item/live"))];
    links.extend((0..6).map(|i| {
        (
            format!("taobao.dead{i}"),
            format!("http://127.0.0.1:{closed}/item/{i}"),
        )
    }));
    let links: Vec<(&str, String)> = links.iter().map(|(i, u)| (i.as_str(), u.clone())).collect();
    let scenarios = support::scenario::Scenario::new(&site.url("/gw"), &links).write(dir.path());
    let output = support::cli::run(dir.path(), &scenarios, &[]).await;
    let all = text(&output);
    assert_eq!(output.status.code(), Some(0), "{all}");
    let store = history(dir.path());
    let run = &store.runs().unwrap()[0];
    assert_eq!(run.status, RunStatus::Completed);
    assert_eq!(
        store.records(&run.id).unwrap().len(),
        14,
        "7 controls, 7 probes"
    );
}
