//! `validate`, `plan` and `classify` through the real binary: output, JSON shape and exit
//! codes, on the bundled scenarios and on broken ones.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn linkgate(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_linkgate"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn validate_summarises_the_bundled_pack() {
    let output = linkgate(&["validate"]);
    assert_eq!(output.status.code(), Some(0));
    let line = stdout(&output);
    assert!(line.starts_with("ok: 15 platforms, "), "{line}");
    assert!(line.contains(" signatures, 1 audit ("), "{line}");
}

#[test]
fn validate_lists_every_problem_and_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.toml"),
        "[[platform]]\nid = \"x\"\nownr = \"y\"\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("b.toml"), "[[link]]\nid = 3\n").unwrap();
    let output = linkgate(&["validate", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(3));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains("a.toml:3:1"), "{err}");
    assert!(err.contains("b.toml:2"), "{err}");
    assert!(err.contains("did you mean `owner`"), "{err}");
}

#[test]
fn plan_json_lists_probes_with_entry_urls() {
    let output = linkgate(&[
        "plan",
        "--audit",
        "miit-2021",
        "--host",
        "wechat",
        "--target",
        "taobao",
        "--json",
    ]);
    assert_eq!(output.status.code(), Some(0));
    let rows: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let rows = rows.as_array().unwrap();
    assert!(!rows.is_empty());
    assert!(rows.iter().any(|r| r["role"] == "control"));
    let rival = rows.iter().find(|r| r["role"] == "rival").unwrap();
    assert_eq!(rival["host"], "wechat");
    assert_eq!(rival["target"], "taobao");
    assert!(
        rival["entry_url"]
            .as_str()
            .unwrap()
            .starts_with("https://mp.weixinbridge.com/mp/wapredirect?url=https%3A%2F%2F")
    );
}

#[test]
fn plan_piped_into_head_exits_cleanly() {
    // Regression: `linkgate plan | head` panicked on the broken pipe.
    let mut child = Command::new(env!("CARGO_BIN_EXE_linkgate"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("plan")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("AUDIT"));
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn unknown_flags_and_words_are_invalid_arguments() {
    assert_eq!(linkgate(&["plan", "--bogus"]).status.code(), Some(3));
    assert_eq!(
        linkgate(&["plan", "--scene", "lobby"]).status.code(),
        Some(3)
    );
    assert_eq!(
        linkgate(&["plan", "--audit", "nope"]).status.code(),
        Some(3)
    );
    assert_eq!(linkgate(&["--help"]).status.code(), Some(0));
}

#[test]
fn classify_explains_a_gbk_page_as_json() {
    let output = linkgate(&[
        "classify",
        "scenarios/signatures/fixtures/weibo/sinaurl-unfiled.html",
        "--url",
        "https://weibo.cn/sinaurl?u=https%3A%2F%2Fitem.taobao.com%2Fitem.htm%3Fid%3D1",
        "--context",
        "weibo.android.moments",
        "--link",
        "taobao.item",
        "--json",
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(v["verdict"], "interstitial");
    assert_eq!(v["signature"], "weibo.sinaurl.unfiled");
    assert_eq!(v["actor"], "host");
    assert!(v["charset"].as_str().unwrap().starts_with("GBK"));
}

#[test]
fn classify_of_an_unrecognised_page_is_inconclusive_in_text() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("page.html");
    std::fs::write(&page, "<title>x</title><p>nothing known</p>").unwrap();
    let output = linkgate(&[
        "classify",
        page.to_str().unwrap(),
        "--url",
        "https://elsewhere.example/",
        "--link",
        "taobao.item",
    ]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(text.contains("verdict:   inconclusive"), "{text}");
    assert!(text.contains("unrecognized_page"), "{text}");
    let bad = linkgate(&[
        "classify",
        page.to_str().unwrap(),
        "--url",
        "https://x/",
        "--charset",
        "klingon",
    ]);
    assert_eq!(bad.status.code(), Some(3));
}

/// Regression: `--help` showed `[env: LINKGATE_DB=postgres://user:PASSWORD@…]`, printing the
/// database password of whoever asked for help on a configured machine.
#[test]
fn help_never_shows_the_database_url_from_the_environment() {
    for command in ["run", "report", "verify", "triage", "daemon"] {
        let output = Command::new(env!("CARGO_BIN_EXE_linkgate"))
            .args([command, "--help"])
            .env(
                "LINKGATE_DB",
                "postgres://auditor:hunter2@db.internal/linkgate",
            )
            .output()
            .unwrap();
        assert!(output.status.success(), "{command}");
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.contains("LINKGATE_DB"), "{command}: {text}");
        assert!(!text.contains("hunter2"), "{command}: {text}");
    }
}
