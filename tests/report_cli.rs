//! `linkgate report` as a cron job or an analyst calls it: from the history database alone,
//! with the bundled scenarios for the audit's deadline and policy; exit codes as documented.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use support::report::*;

fn linkgate(dir: &Path, args: &[&str]) -> Output {
    let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    Command::new(env!("CARGO_BIN_EXE_linkgate"))
        .arg("report")
        .arg(scenarios)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn the_default_report_is_the_last_run_beside_the_history_in_the_audit_language() {
    let db = shared_history();
    let dir = db.parent().unwrap().parent().unwrap();
    let output = linkgate(dir, &[]);
    assert!(output.status.success(), "{}", text(&output));
    let index = dir.join("reports").join(run_id(3)).join("index.html");
    assert!(
        text(&output).contains(&index.display().to_string()),
        "{}",
        text(&output)
    );
    let html = std::fs::read_to_string(&index).unwrap();
    // The bundled audit's language is Chinese.
    assert!(html.contains("<html lang=\"zh-CN\">"));
    assert!(html.contains("href=\"../evidence/"));
    for file in ["summary.csv", "summary.json"] {
        assert!(index.with_file_name(file).exists(), "{file}");
    }
    // The drill-down shows each page's title and text, summarised from the stored bodies
    // while the run was read (the bodies themselves are not kept).
    let details: String = std::fs::read_dir(index.with_file_name("details"))
        .map(|dir| {
            dir.map(|f| std::fs::read_to_string(f.unwrap().path()).unwrap())
                .collect()
        })
        .unwrap_or_default();
    let drill_down = format!("{html}{details}");
    assert!(
        drill_down.contains("已停止访问该网页"),
        "no page title shown"
    );
    assert!(
        drill_down.contains("网页包含诱导分享、诱导关注内容，被多人投诉"),
        "no page text shown"
    );
}

#[test]
fn a_past_run_in_english_into_another_folder() {
    let db = shared_history();
    let out = tempfile::tempdir().unwrap();
    let output = linkgate(
        out.path(),
        &[
            "--db",
            db.to_str().unwrap(),
            "--run",
            &run_id(1),
            "--lang",
            "en",
            "--out",
            "past",
        ],
    );
    assert!(output.status.success(), "{}", text(&output));
    let html = std::fs::read_to_string(out.path().join("past/index.html")).unwrap();
    assert!(
        html.contains("3 days past the deadline"),
        "the headline of run 1"
    );
    assert!(!html.contains(&run_id(2)), "a later run in a past report");
    // Evidence links still lead to the evidence beside the database.
    let evidence = db.parent().unwrap().join("evidence");
    let first = html
        .split("<a href=\"")
        .find(|p| p.contains(".html.gz"))
        .unwrap();
    let href = &first[..first.find('"').unwrap()];
    let target = out.path().join("past").join(href);
    assert!(target.exists(), "{href} from {}", out.path().display());
    assert_eq!(
        target.canonicalize().unwrap().parent().unwrap(),
        evidence.canonicalize().unwrap()
    );
}

#[test]
fn since_leaves_out_earlier_runs() {
    let db = shared_history();
    let out = tempfile::tempdir().unwrap();
    let db = db.to_str().unwrap();
    let output = linkgate(
        out.path(),
        &["--db", db, "--since", "2021-10-01", "--out", "x"],
    );
    assert!(output.status.success(), "{}", text(&output));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("x/summary.json")).unwrap()).unwrap();
    let runs: Vec<&str> = json["trend"]["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["run_id"].as_str().unwrap())
        .collect();
    assert_eq!(runs, [run_id(2), run_id(3)]);
}

#[test]
fn bad_requests_exit_3_with_the_fix() {
    let db = shared_history();
    let dir = tempfile::tempdir().unwrap();
    let db = db.to_str().unwrap();
    let cases: [(&[&str], &str); 4] = [
        (&["--db", "nowhere.db"], "no history database"),
        (&["--db", db, "--audit", "unknown-audit"], "unknown-audit"),
        (&["--db", db, "--lang", "fr"], "use zh or en"),
        (&["--db", db, "--run", "no-such-run"], "no-such-run"),
    ];
    for (args, says) in cases {
        let output = linkgate(dir.path(), args);
        assert_eq!(output.status.code(), Some(3), "{args:?}: {}", text(&output));
        assert!(text(&output).contains(says), "{args:?}: {}", text(&output));
    }
    assert!(
        !dir.path().join("nowhere.db").exists(),
        "report created a database"
    );
}
