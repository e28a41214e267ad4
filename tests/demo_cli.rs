//! `linkgate demo` end to end: the real binary starts the simulator, runs the bundled audit
//! through it and says where the simulated history and files are.

#[test]
fn demo_runs_the_bundled_audit_offline_and_marks_it_simulated() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_linkgate"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "demo",
            "--date",
            "2021-09-10",
            "--date",
            "2022-03-15",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("SIMULATED"), "{stdout}");
    assert!(stdout.contains("(simulated)"), "{stdout}");
    let store = linkgate::store::Store::open(out.join("linkgate.db")).unwrap();
    let runs = store.runs().unwrap();
    assert_eq!(runs.len(), 2);
    assert!(runs.iter().all(|r| r.simulated && r.vantage == "simulator"));
    assert_eq!(runs[0].started_at.date_naive().to_string(), "2021-09-10");
    let first = store.records(&runs[0].id).unwrap();
    let last = store.records(&runs[1].id).unwrap();
    let blocked = |records: &[linkgate::model::Record]| {
        records
            .iter()
            .filter(|r| r.verdict.kind == linkgate::model::VerdictKind::Blocked)
            .count()
    };
    assert!(
        blocked(&first) > blocked(&last),
        "the story improves after the deadline"
    );
    assert!(out.join(&runs[1].id).join("observations.csv").exists());
}
