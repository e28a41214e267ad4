//! What `linkgate run` prints, attended and unattended: bars and a coloured summary at a
//! terminal (driven through a real pseudo-terminal with `script`), one log line per run start
//! and end without one, nothing but the files written with `--quiet`, more with `-v`, and JSON
//! lines with `--log-format json`.

mod support;

use std::time::Duration;

use support::{Reply, Server, cli::*, scenario::*, site::*};

async fn setup(delay: Duration) -> (Server, tempfile::TempDir, std::path::PathBuf) {
    let site = Server::start(move |r| match r.route() {
        "/gw" => gateway(r),
        _ => Reply::html(LANDING).delay(delay),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let links = [
        ("open.item", site.url("/item/open")),
        ("blocked.item", site.url("/item/blocked")),
    ];
    let root = scenarios(dir.path(), &site.url("/gw"), &links, UNSCHEDULED);
    (site, dir, root)
}

#[tokio::test]
async fn without_a_terminal_a_run_logs_one_line_at_its_start_and_end_and_draws_no_bars() {
    let (_site, dir, root) = setup(Duration::ZERO).await;
    let output = run(dir.path(), &root, &[]).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let err = stderr(&output);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(lines[0].contains("INFO run started run="), "{err}");
    assert!(
        lines[1].contains("INFO run ended run=") && lines[1].contains("status=completed"),
        "{err}"
    );
    assert!(lines[1].contains("blocked=1"), "{err}");
    let out = stdout(&output);
    assert!(
        !err.contains('\u{1b}') && !out.contains('\u{1b}'),
        "no colour codes in a log: {out}"
    );
    assert!(!err.contains("probes ["), "no bars: {err}");
    assert!(
        out.contains("completed (local)"),
        "the summary is still the result: {out}"
    );
    assert!(out.contains("manifest: reports/"), "{out}");
}

#[tokio::test]
async fn quiet_prints_only_the_files_written_and_verbose_adds_each_probe() {
    let (_site, dir, root) = setup(Duration::ZERO).await;
    let output = run(dir.path(), &root, &["--quiet"]).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(stderr(&output), "", "{}", text(&output));
    let out = stdout(&output);
    let labels: Vec<&str> = out
        .lines()
        .map(|l| l.split(':').next().unwrap_or(""))
        .collect();
    assert_eq!(
        labels,
        ["history", "evidence", "csv", "report", "manifest"],
        "{out}"
    );

    let output = run(dir.path(), &root, &["-v"]).await;
    let err = stderr(&output);
    assert_eq!(err.matches("probe measured").count(), 4, "{err}");
    assert!(err.contains("DEBUG"), "{err}");
}

#[tokio::test]
async fn json_logs_are_one_object_per_line() {
    let (_site, dir, root) = setup(Duration::ZERO).await;
    let output = run(dir.path(), &root, &["--log-format", "json"]).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let events: Vec<serde_json::Value> = stderr(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[0]["message"], "run started");
    assert_eq!(events[0]["level"], "INFO");
    assert_eq!(events[1]["message"], "run ended");
    assert_eq!(events[1]["status"], "completed");
    assert_eq!(events[1]["records"], 4);
    assert_eq!(events[0]["run"], events[1]["run"]);
}

#[tokio::test]
async fn a_terminal_gets_progress_bars_and_a_coloured_summary_but_no_log_lines() {
    let (_site, dir, root) = setup(Duration::from_millis(400)).await;
    let mut line = format!(
        "{} run {} --out reports",
        env!("CARGO_BIN_EXE_linkgate"),
        root.display()
    );
    for flag in FAST {
        line.push(' ');
        line.push_str(flag);
    }
    // `script` runs the command on a pseudo-terminal and copies what it shows to stdout.
    let child = tokio::process::Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .current_dir(dir.path())
        .env("TERM", "xterm-256color")
        .env_remove("NO_COLOR")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("`script` (util-linux) runs the command on a pseudo-terminal");
    let output = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let shown = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(shown.contains("probes ["), "a progress bar: {shown:?}");
    assert!(
        shown.contains("http"),
        "one bar per engine, named: {shown:?}"
    );
    assert!(
        shown.contains("\u{1b}[32mcompleted\u{1b}[0m"),
        "the status in colour: {shown:?}"
    );
    assert!(shown.contains("\u{1b}[31mblocked 1\u{1b}[0m"), "{shown:?}");
    assert!(
        !shown.contains("INFO"),
        "no log lines at a terminal: {shown:?}"
    );
}
