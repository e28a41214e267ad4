//! Two linkgate processes never run the same audit at once: the real binary is started twice
//! against the same reports folder while the first run is still measuring.

mod support;

use std::time::{Duration, Instant};

use support::{Reply, Server, cli::*, history::*, scenario::*, site::*};

#[tokio::test]
async fn a_second_process_says_who_holds_the_audit_and_exits_1_or_skips_it_when_due() {
    let site = Server::start(|r| match r.route() {
        "/gw" => gateway(r),
        _ => Reply::html(LANDING).delay(Duration::from_millis(1500)),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let links = [("slow.item", site.url("/item/slow"))];
    let timing = Timing {
        schedule: Some("* * * * *"),
        timezone: "UTC",
    };
    let root = scenarios(dir.path(), &site.url("/gw"), &links, timing);
    let root_arg = root.to_str().unwrap().to_string();
    let mut first_args = vec!["run", root_arg.as_str(), "--out", "reports"];
    first_args.extend(FAST);
    let first = command(dir.path(), &first_args).spawn().unwrap();
    let first_pid = first.id().unwrap();

    // Wait until the first process holds the lock (its note names its pid) and has begun its
    // run in the history. Two processes creating one new database at the same instant can
    // collide inside SQLite's switch to write-ahead logging: that is the store's race, not the
    // lock's, and this test is about the lock.
    let lock = dir.path().join("reports/locks/test-audit.lock");
    let began = Instant::now();
    while !std::fs::read_to_string(&lock).is_ok_and(|note| note.contains("pid"))
        || !database_ready(dir.path())
        || runs(dir.path()).is_empty()
    {
        assert!(
            began.elapsed() < Duration::from_secs(30),
            "the first run never began"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let second = run(dir.path(), &root, &[]).await;
    assert_eq!(second.status.code(), Some(1), "{}", text(&second));
    let err = stderr(&second);
    assert!(
        err.contains("audit `test-audit` is being run by another linkgate process")
            && err.contains(&format!("pid {first_pid} ")),
        "{err}"
    );
    assert!(
        err.contains("linkgate run)"),
        "the note says which command holds it: {err}"
    );
    assert!(err.contains("locks/test-audit.lock"), "{err}");

    // From cron, the same situation is a warning and the audit is skipped, not an error.
    let due = run(dir.path(), &root, &["--due"]).await;
    assert_eq!(due.status.code(), Some(0), "{}", text(&due));
    assert!(
        stderr(&due).contains("skipping it this time"),
        "{}",
        text(&due)
    );

    let first = tokio::time::timeout(Duration::from_secs(60), first.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.status.code(), Some(0), "{}", text(&first));
    assert_eq!(runs(dir.path()).len(), 1, "only the first process measured");

    // Released with the process: the next run takes it.
    let third = run(dir.path(), &root, &[]).await;
    assert_eq!(third.status.code(), Some(0), "{}", text(&third));
}

#[tokio::test]
async fn the_lock_of_a_killed_process_is_released_by_the_os() {
    let site = Server::start(|r| match r.route() {
        "/gw" => gateway(r),
        _ => Reply::html(LANDING).delay(Duration::from_millis(3000)),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let links = [("slow.item", site.url("/item/slow"))];
    let root = scenarios(dir.path(), &site.url("/gw"), &links, UNSCHEDULED);
    let root_arg = root.to_str().unwrap().to_string();
    let mut args = vec!["run", root_arg.as_str(), "--out", "reports"];
    args.extend(FAST);
    let mut doomed = command(dir.path(), &args).spawn().unwrap();
    let lock = dir.path().join("reports/locks/test-audit.lock");
    let began = Instant::now();
    while !std::fs::read_to_string(&lock).is_ok_and(|note| note.contains("pid")) {
        assert!(
            began.elapsed() < Duration::from_secs(30),
            "the run never took its lock"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    doomed.start_kill().unwrap();
    doomed.wait().await.unwrap();
    let next = run(dir.path(), &root, &[]).await;
    assert_eq!(next.status.code(), Some(0), "{}", text(&next));
}
