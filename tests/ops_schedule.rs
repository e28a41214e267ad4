//! Schedules end to end: `run --due` against the history (never run, not yet due, a catch-up
//! after downtime), `linkgate schedule`, and cron and time zone checks at load with line and
//! column. The clock is set with the hidden `--clock-start` flag, never by waiting.

mod support;

use support::{cli::*, history::*, scenario::*, site::*};

const DAILY_SHANGHAI: Timing<'static> = Timing {
    schedule: Some("0 3 * * *"),
    timezone: "Asia/Shanghai",
};

async fn due_at(dir: &std::path::Path, root: &std::path::Path, now: &str) -> std::process::Output {
    run(dir, root, &["--due", "--clock-start", now]).await
}

#[tokio::test]
async fn run_due_runs_once_per_slot_and_once_after_downtime() {
    let site = site().await;
    let dir = tempfile::tempdir().unwrap();
    let links = [("open.item", site.url("/item/open"))];
    let root = scenarios(dir.path(), &site.url("/gw"), &links, DAILY_SHANGHAI);

    // Never run: due at once, whatever the time.
    let output = due_at(dir.path(), &root, "2026-11-24T12:00:00Z").await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(runs(dir.path()).len(), 1);

    // 18:59 UTC is 02:59 in Shanghai: the 03:00 slot has not come.
    let output = due_at(dir.path(), &root, "2026-11-24T18:59:00Z").await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(runs(dir.path()).len(), 1, "{}", text(&output));
    assert!(
        stdout(&output).is_empty(),
        "nothing due prints nothing: {}",
        text(&output)
    );

    // 19:00 UTC is 03:00 in Shanghai: due.
    let output = due_at(dir.path(), &root, "2026-11-24T19:00:30Z").await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(runs(dir.path()).len(), 2);

    // The machine was down for three days (three slots missed): one catch-up run, not three.
    let output = due_at(dir.path(), &root, "2026-11-27T22:00:00Z").await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let output = due_at(dir.path(), &root, "2026-11-27T22:15:00Z").await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let all = runs(dir.path());
    assert_eq!(all.len(), 3);
    let starts: Vec<String> = all
        .iter()
        .map(|(r, _)| r.started_at.format("%Y-%m-%dT%H:%M:%S").to_string())
        .collect();
    assert_eq!(
        starts,
        [
            "2026-11-24T12:00:00",
            "2026-11-24T19:00:30",
            "2026-11-27T22:00:00"
        ],
        "the runs start at the (test) clock's time"
    );
    assert!(all.iter().all(|(r, _)| r.audits == ["test-audit"]));
}

#[tokio::test]
async fn an_interrupted_run_does_not_count_as_the_last_run() {
    let site = site().await;
    let dir = tempfile::tempdir().unwrap();
    let links = [("open.item", site.url("/item/open"))];
    let root = scenarios(dir.path(), &site.url("/gw"), &links, DAILY_SHANGHAI);
    let output = due_at(dir.path(), &root, "2026-11-24T19:00:00Z").await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    // Mark that run interrupted, as a power cut would leave it: the slot is measured again.
    let mut store = store(dir.path());
    let id = store.runs().unwrap()[0].id.clone();
    store
        .finish_run(
            &id,
            linkgate::model::RunStatus::Interrupted,
            "2026-11-24T19:01:00Z".parse().unwrap(),
        )
        .unwrap();
    let output = due_at(dir.path(), &root, "2026-11-24T20:00:00Z").await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(runs(dir.path()).len(), 2, "{}", text(&output));
}

#[tokio::test]
async fn schedule_lists_schedule_zone_last_and_next_run() {
    let site = site().await;
    let dir = tempfile::tempdir().unwrap();
    let links = [("open.item", site.url("/item/open"))];
    let root = scenarios(dir.path(), &site.url("/gw"), &links, DAILY_SHANGHAI);
    let root_arg = root.to_str().unwrap();

    let output = linkgate(
        dir.path(),
        &[
            "schedule",
            root_arg,
            "--clock-start",
            "2026-11-24T12:00:00Z",
        ],
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let listing = stdout(&output);
    assert!(
        listing.contains("test-audit  0 3 * * *  Asia/Shanghai  -"),
        "{listing}"
    );
    assert!(listing.contains("now (never run)"), "{listing}");
    assert!(
        !dir.path().join("reports").exists(),
        "listing creates no history"
    );

    let output = due_at(dir.path(), &root, "2026-11-24T12:00:00Z").await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let output = linkgate(
        dir.path(),
        &[
            "schedule",
            root_arg,
            "--clock-start",
            "2026-11-24T13:00:00Z",
            "--json",
        ],
    )
    .await;
    let lines: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(lines[0]["last_run"], "2026-11-24 20:00 CST", "{lines}");
    assert_eq!(lines[0]["next_run"], "2026-11-25 03:00 CST", "{lines}");
    assert_eq!(lines[0]["due"], false);

    // Two days later the 03:00 slots have passed: due since the first one missed.
    let output = linkgate(
        dir.path(),
        &[
            "schedule",
            root_arg,
            "--clock-start",
            "2026-11-26T20:00:00Z",
        ],
    )
    .await;
    assert!(
        stdout(&output).contains("now (due since 2026-11-25 03:00 CST)"),
        "{}",
        text(&output)
    );
}

#[tokio::test]
async fn a_bad_cron_or_time_zone_is_caught_at_load_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let root = scenarios(
        dir.path(),
        "http://127.0.0.1:9/gw",
        &[("open.item", "http://127.0.0.1:9/item/x".into())],
        Timing {
            schedule: Some("0 25 * * *"),
            timezone: "Asia/Shangai",
        },
    );
    let output = linkgate(dir.path(), &["validate", root.to_str().unwrap()]).await;
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    let err = stderr(&output);
    let text_of = std::fs::read_to_string(root.join("all.toml")).unwrap();
    let line_of = |needle: &str| {
        text_of
            .lines()
            .position(|l| l.contains(needle))
            .map(|i| i + 1)
            .unwrap()
    };
    let schedule_at = format!("all.toml:{}:12", line_of("schedule ="));
    let zone_at = format!("all.toml:{}:12", line_of("timezone ="));
    assert!(err.contains(&schedule_at), "{err}");
    assert!(
        err.contains("`schedule` `0 25 * * *` in audit `test-audit`"),
        "{err}"
    );
    assert!(err.contains(&zone_at), "{err}");
    assert!(err.contains("did you mean `Asia/Shanghai`?"), "{err}");
}
