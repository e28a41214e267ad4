//! `linkgate import`: observations made by hand on a real phone become a `manual` run, sealed
//! like any other; a bad row is named by line and column and nothing at all is written.

mod support;

use std::path::Path;

use linkgate::model::{EngineKind, ProbeRole, VerdictKind};
use support::{cli::*, history::*, scenario::*, site::*};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR not a real image, but a PNG by its magic";

fn sheet(dir: &Path, rows: &str) -> String {
    std::fs::create_dir_all(dir.join("phone")).unwrap();
    std::fs::write(dir.join("phone/live.png"), PNG).unwrap();
    std::fs::write(dir.join("phone/control.png"), [PNG, b" control"].concat()).unwrap();
    let path = dir.join("phone/observations.csv");
    std::fs::write(
        &path,
        format!("context,link,verdict,mechanism,observed_at,screenshot,analyst,note\n{rows}"),
    )
    .unwrap();
    path.to_string_lossy().into_owned()
}

const GOOD: &str = "\
wechat.android.private_chat,open.item,blocked,stop_page,2026-11-20 10:15,live.png,Li Wei,shared in a group\n\
neutral.android,open.item,opened,direct,2026-11-20T02:20:00Z,control.png,Li Wei,\n";

#[tokio::test]
async fn a_bad_row_is_named_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let root = scenarios(
        dir.path(),
        "http://127.0.0.1:9/gw",
        &[("open.item", "http://127.0.0.1:9/item/open".into())],
        UNSCHEDULED,
    );
    let bad = format!(
        "{GOOD}wechat.android.private_chat,open.item,blokked,stop_page,20/11/2026,gone.png,Li Wei,\n"
    );
    let csv = sheet(dir.path(), &bad);
    let output = linkgate(
        dir.path(),
        &[
            "import",
            &csv,
            "-s",
            root.to_str().unwrap(),
            "--out",
            "reports",
        ],
    )
    .await;
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    let err = stderr(&output);
    assert!(
        err.contains(&format!("{csv}:4:3: `blokked` is not a verdict")),
        "{err}"
    );
    assert!(
        err.contains(&format!("{csv}:4:5: `20/11/2026` is not a time")),
        "{err}"
    );
    assert!(
        err.contains(&format!("{csv}:4:6: screenshot file")),
        "{err}"
    );
    assert!(err.contains("gone.png is missing"), "{err}");
    assert!(err.contains("3 problems"), "{err}");
    assert!(err.contains("nothing was imported"), "{err}");
    // Not a run, not a row, not even an empty database: nothing was half-written.
    assert!(!dir.path().join("reports").exists(), "{}", text(&output));
}

#[tokio::test]
async fn good_rows_become_a_sealed_manual_run_that_does_not_count_for_the_schedule() {
    let site = site().await;
    let dir = tempfile::tempdir().unwrap();
    let links = [("open.item", site.url("/item/open"))];
    let timing = Timing {
        schedule: Some("0 3 * * *"),
        timezone: "Asia/Shanghai",
    };
    let root = scenarios(dir.path(), &site.url("/gw"), &links, timing);
    let csv = sheet(dir.path(), GOOD);
    let output = linkgate(
        dir.path(),
        &[
            "import",
            &csv,
            "-s",
            root.to_str().unwrap(),
            "--out",
            "reports",
        ],
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(
        stdout(&output).contains("imported 2 manual observations as run"),
        "{}",
        text(&output)
    );

    let all = runs(dir.path());
    assert_eq!(all.len(), 1);
    let (manual, records) = &all[0];
    assert_eq!(manual.vantage, "manual");
    assert_eq!(manual.audits, ["test-audit"]);
    assert!(
        records
            .iter()
            .all(|r| r.observation.engine == EngineKind::Manual)
    );
    let blocked = records.iter().find(|r| r.role == ProbeRole::Rival).unwrap();
    assert_eq!(blocked.verdict.kind, VerdictKind::Blocked);
    assert_eq!(blocked.verdict.mechanism, "stop_page");
    assert_eq!(blocked.control_verdict, Some(VerdictKind::Opened));
    assert!(blocked.verdict.reason.contains("Li Wei"));
    let screenshot = blocked.observation.screenshot_sha256.as_ref().unwrap();
    assert_eq!(store(dir.path()).read_artifact(screenshot).unwrap(), PNG);
    let csv_out = std::fs::read_to_string(
        dir.path()
            .join("reports")
            .join(&manual.id)
            .join("observations.csv"),
    )
    .unwrap();
    assert!(
        csv_out.contains(",manual,blocked,stop_page,host,manual,"),
        "{csv_out}"
    );

    let output = linkgate(dir.path(), &["verify"]).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));

    // The scheduled audit has still never been measured: `--due` runs it.
    let output = run(dir.path(), &root, &["--due"]).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(runs(dir.path()).len(), 2, "{}", text(&output));
    // Reclassifying leaves the analyst's verdicts alone.
    let output = linkgate(
        dir.path(),
        &["reclassify", &manual.id, "-s", root.to_str().unwrap()],
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(
        stdout(&output).contains("0 of 2 verdicts changed"),
        "{}",
        text(&output)
    );
    assert!(
        stdout(&output).contains("recorded by hand"),
        "{}",
        text(&output)
    );
}
