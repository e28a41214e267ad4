//! `linkgate daemon` end to end: it starts, runs an audit on its schedule (`* * * * *`, with
//! the hidden test clock running ten times fast so a minute passes in six seconds), seals and
//! links each run, survives runs that fail, and stops cleanly on SIGTERM.

mod support;

use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, BufReader};

use linkgate::schedule::Schedule;
use support::{Reply, Server, cli::*, history::*, scenario::*, site::*};

const EVERY_MINUTE: Timing<'static> = Timing {
    schedule: Some("* * * * *"),
    timezone: "UTC",
};

/// Starts the daemon with the test clock at `start`, running ten times fast; its stderr lines
/// are collected as they come.
fn daemon(dir: &Path, root: &Path, start: &str) -> Daemon {
    let root = root.to_str().unwrap();
    let mut args = vec!["daemon", root, "--out", "reports"];
    args.extend(FAST);
    args.extend([
        "--clock-start",
        start,
        "--clock-rate",
        "10",
        "--tick",
        "200ms",
    ]);
    let mut child = command(dir, &args).stdout(Stdio::null()).spawn().unwrap();
    let lines = Arc::new(Mutex::new(Vec::new()));
    let stderr = child.stderr.take().unwrap();
    let sink = lines.clone();
    let reader = tokio::spawn(async move {
        let mut reader = BufReader::new(stderr).lines();
        while let Ok(Some(line)) = reader.next_line().await {
            sink.lock().unwrap().push(line);
        }
    });
    Daemon {
        child,
        lines,
        reader,
    }
}

struct Daemon {
    child: tokio::process::Child,
    lines: Arc<Mutex<Vec<String>>>,
    reader: tokio::task::JoinHandle<()>,
}

impl Daemon {
    /// Sends SIGTERM; the exit code once the daemon and its log have ended.
    async fn terminate(mut self) -> Option<i32> {
        let code = terminate(&mut self.child).await;
        tokio::time::timeout(Duration::from_secs(10), self.reader)
            .await
            .expect("stderr closes when the daemon exits")
            .unwrap();
        code
    }
}

async fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let began = Instant::now();
    while !done() {
        assert!(
            began.elapsed() < Duration::from_secs(60),
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn count(lines: &Mutex<Vec<String>>, needle: &str) -> usize {
    lines
        .lock()
        .unwrap()
        .iter()
        .filter(|l| l.contains(needle))
        .count()
}

#[tokio::test]
async fn the_daemon_runs_on_schedule_seals_each_run_and_stops_on_sigterm() {
    let site = site().await;
    let dir = tempfile::tempdir().unwrap();
    let links = [("open.item", site.url("/item/open"))];
    let root = scenarios(dir.path(), &site.url("/gw"), &links, EVERY_MINUTE);
    let daemon = daemon(dir.path(), &root, "2026-11-24T12:00:50Z");

    // The first run is at once (never run); the second at the 12:01 slot, a second later.
    wait_for("two completed runs", || {
        database_ready(dir.path())
            && runs(dir.path())
                .iter()
                .filter(|(r, _)| r.status == linkgate::model::RunStatus::Completed)
                .count()
                >= 2
    })
    .await;
    let lines = daemon.lines.clone();
    assert_eq!(daemon.terminate().await, Some(0));

    let all = runs(dir.path());
    let schedule = Schedule::parse("* * * * *", "UTC").unwrap();
    for pair in all.windows(2) {
        let (before, after) = (&pair[0].0, &pair[1].0);
        let slot = schedule.next_after(before.started_at).unwrap();
        assert!(
            slot <= after.started_at,
            "run {} started at {} before the next slot {slot} after {}",
            after.id,
            after.started_at,
            before.started_at
        );
    }
    let first = all[0].0.started_at.to_rfc3339();
    assert!(first.starts_with("2026-11-24T12:00:5"), "{first}");
    for (run, _) in all
        .iter()
        .filter(|(r, _)| r.status == linkgate::model::RunStatus::Completed)
    {
        assert!(
            dir.path()
                .join("reports")
                .join(&run.id)
                .join("manifest.json")
                .exists()
        );
    }
    let newest = &all.last().unwrap().0;
    if newest.status == linkgate::model::RunStatus::Completed {
        assert_eq!(
            linkgate::manifest::latest(&dir.path().join("reports")).as_deref(),
            Some(newest.id.as_str())
        );
    }
    assert_eq!(
        count(&lines, "daemon started"),
        1,
        "{:?}",
        lines.lock().unwrap()
    );
    assert!(count(&lines, "run started") >= 2);
    assert_eq!(
        count(&lines, "daemon stopped"),
        1,
        "{:?}",
        lines.lock().unwrap()
    );
}

#[tokio::test]
async fn the_daemon_survives_failing_runs_and_waits_for_the_next_slot() {
    let site = site().await;
    let dir = tempfile::tempdir().unwrap();
    let links = [("open.item", site.url("/item/open"))];
    let root = scenarios(dir.path(), &site.url("/gw"), &links, EVERY_MINUTE);
    // A real folder where the `latest` link goes makes every run fail at its very end.
    std::fs::create_dir_all(dir.path().join("reports/latest/keep")).unwrap();
    let daemon = daemon(dir.path(), &root, "2026-11-24T12:00:50Z");
    let lines = daemon.lines.clone();
    wait_for("two failed runs", || count(&lines, "the run failed") >= 2).await;
    assert_eq!(daemon.terminate().await, Some(0));
    let failures = lines
        .lock()
        .unwrap()
        .iter()
        .filter(|l| l.contains("the run failed"))
        .cloned()
        .collect::<Vec<_>>();
    assert!(
        failures[0].contains("reports/latest is a real folder"),
        "{failures:?}"
    );
    assert!(
        failures[0].contains("waiting for the next slot"),
        "{failures:?}"
    );
    // One run per slot, not one per tick: each failure waited for the next minute.
    let all = runs(dir.path());
    let minutes: std::collections::BTreeSet<String> = all
        .iter()
        .map(|(r, _)| r.started_at.format("%H:%M").to_string())
        .collect();
    assert_eq!(minutes.len(), all.len(), "{minutes:?}");
}

#[tokio::test]
async fn the_daemon_refuses_resume_and_due() {
    let dir = tempfile::tempdir().unwrap();
    let root = scenarios(
        dir.path(),
        "http://127.0.0.1:9/gw",
        &[("x.item", "http://127.0.0.1:9/item/x".into())],
        EVERY_MINUTE,
    );
    let output = linkgate(dir.path(), &["daemon", root.to_str().unwrap(), "--due"]).await;
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    assert!(stderr(&output).contains("leave out --resume and --due"));
}

#[tokio::test]
async fn sigterm_interrupts_the_run_in_flight_cleanly() {
    let site = Server::start(|r| match r.route() {
        "/gw" => gateway(r),
        _ => Reply::html(LANDING).delay(Duration::from_millis(2000)),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let links: Vec<(String, String)> = (0..6)
        .map(|i| (format!("item{i}"), site.url(&format!("/item/{i}"))))
        .collect();
    let links: Vec<(&str, String)> = links
        .iter()
        .map(|(id, u)| (id.as_str(), u.clone()))
        .collect();
    let root = scenarios(dir.path(), &site.url("/gw"), &links, EVERY_MINUTE);
    let daemon = daemon(dir.path(), &root, "2026-11-24T12:00:00Z");
    let lines = daemon.lines.clone();
    wait_for("a run to start", || count(&lines, "run started") >= 1).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(daemon.terminate().await, Some(0));
    let all = runs(dir.path());
    assert_eq!(all.len(), 1);
    let (run, _) = &all[0];
    assert_eq!(run.status, linkgate::model::RunStatus::Interrupted);
    assert!(
        !dir.path()
            .join("reports")
            .join(&run.id)
            .join("manifest.json")
            .exists(),
        "an interrupted run is not sealed"
    );
    assert_eq!(count(&lines, "run ended"), 1, "{:?}", lines.lock().unwrap());
    assert_eq!(count(&lines, "daemon stopped"), 1);
}
