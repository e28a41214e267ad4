//! `linkgate prune`: old run folders and the evidence only they refer to go; evidence a kept
//! run shares stays; the history's rows and verdicts stay; the chain still verifies; and it
//! says what it removed and how many bytes.

mod support;

use std::path::Path;
use std::time::{Duration, SystemTime};

use linkgate::manifest::{Manifest, evidence_of};
use support::{cli::*, history::*, scenario::*, site::*};

/// Makes every evidence file look two hours old, past prune's grace for runs in progress.
fn age_evidence(dir: &Path) {
    let old = SystemTime::now() - Duration::from_secs(2 * 3600);
    for entry in std::fs::read_dir(dir.join("reports/evidence")).unwrap() {
        let file = std::fs::File::options()
            .write(true)
            .open(entry.unwrap().path())
            .unwrap();
        file.set_modified(old).unwrap();
    }
}

fn evidence_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.join("reports/evidence"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn prune_keeps_shared_evidence_and_history_rows_and_the_chain_verifies() {
    let site = changing_site().await;
    let dir = tempfile::tempdir().unwrap();
    let links = [
        ("open.item", site.url("/item/open")),
        ("blocked.item", site.url("/item/blocked")),
    ];
    let root = scenarios(dir.path(), &site.url("/gw"), &links, UNSCHEDULED);
    for _ in 0..3 {
        let output = run(dir.path(), &root, &[]).await;
        assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    }
    let before = runs(dir.path());
    let ids: Vec<String> = before.iter().map(|(r, _)| r.id.clone()).collect();
    let kept = evidence_of(&before[2].1);
    let only_old: Vec<String> = evidence_of(&before[0].1)
        .into_keys()
        .filter(|sha| !kept.contains_key(sha))
        .collect();
    assert!(!only_old.is_empty());
    // The WeChat stop page is the same in every run: shared evidence, which must stay.
    let shared = evidence_of(&before[0].1)
        .into_keys()
        .filter(|sha| kept.contains_key(sha))
        .count();
    assert!(shared > 0, "the stop page is shared");
    age_evidence(dir.path());

    let output = linkgate(dir.path(), &["prune", "--keep", "1", "--dry-run"]).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(stdout(&output).contains(&format!("would remove run {}", ids[0])));
    assert!(
        dir.path().join("reports").join(&ids[0]).is_dir(),
        "a dry run removes nothing"
    );

    let output = linkgate(dir.path(), &["prune", "--keep", "1"]).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let said = stdout(&output);
    assert!(
        said.contains(&format!("removed run {}: ", ids[0])),
        "{said}"
    );
    assert!(said.contains(&format!("removed run {}", ids[1])), "{said}");
    assert!(
        said.contains("evidence files no kept run refers to"),
        "{said}"
    );
    assert!(said.contains("removed 2 run folders in all"), "{said}");
    let total: u64 = said
        .split(" bytes); history rows kept")
        .next()
        .and_then(|s| s.rsplit('(').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a byte count: {said}"));
    assert!(total > 0, "{said}");

    let reports = dir.path().join("reports");
    assert!(!reports.join(&ids[0]).exists() && !reports.join(&ids[1]).exists());
    assert!(reports.join(&ids[2]).join("observations.csv").exists());
    let tombstone = reports.join("pruned").join(&ids[0]).join("manifest.json");
    let _: Manifest = serde_json::from_slice(&std::fs::read(&tombstone).unwrap()).unwrap();
    let left = evidence_names(dir.path());
    for sha in &only_old {
        assert!(
            !left.iter().any(|n| n.starts_with(sha.as_str())),
            "{sha} should be gone"
        );
    }
    for sha in kept.keys() {
        assert!(
            left.iter().any(|n| n.starts_with(sha.as_str())),
            "{sha} is still used"
        );
    }

    // The history keeps every run and every verdict.
    let after = runs(dir.path());
    assert_eq!(after.len(), 3);
    for ((_, old), (_, new)) in before.iter().zip(&after) {
        let verdicts = |records: &[linkgate::model::Record]| -> Vec<_> {
            records.iter().map(|r| r.verdict.clone()).collect()
        };
        assert_eq!(verdicts(old), verdicts(new));
    }

    let output = linkgate(dir.path(), &["verify"]).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(
        stdout(&output).contains("sealed, then pruned"),
        "{}",
        text(&output)
    );

    // Pruning again finds nothing more to do.
    let output = linkgate(dir.path(), &["prune", "--keep", "1"]).await;
    assert!(
        stdout(&output).contains("removed 0 run folders in all"),
        "{}",
        text(&output)
    );
}

#[tokio::test]
async fn older_than_keeps_recent_runs_and_fresh_evidence() {
    let site = site().await;
    let dir = tempfile::tempdir().unwrap();
    let links = [("open.item", site.url("/item/open"))];
    let root = scenarios(dir.path(), &site.url("/gw"), &links, UNSCHEDULED);
    let output = run(dir.path(), &root, &[]).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let output = linkgate(dir.path(), &["prune", "--older-than", "90d"]).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(
        stdout(&output).contains("removed 0 run folders in all, 0 B"),
        "{}",
        text(&output)
    );

    let output = linkgate(dir.path(), &["prune"]).await;
    assert_eq!(
        output.status.code(),
        Some(3),
        "a limit is required: {}",
        text(&output)
    );
    let output = linkgate(dir.path(), &["prune", "--keep", "0"]).await;
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
}
