//! Evidence that holds: every completed run is sealed with a manifest in a hash chain, and
//! `linkgate verify` catches a changed evidence file, a changed CSV, an edited manifest and a
//! deleted run, naming the file, what was expected and what was found.

mod support;

use std::path::{Path, PathBuf};

use linkgate::manifest::{EntryKind, Manifest};
use support::{Server, cli::*, history::*, scenario::*, site::*};

/// Two sealed runs of a site whose landing pages change with every request (so each run has
/// evidence of its own); returns the run ids, oldest first.
async fn two_runs(dir: &Path) -> (Server, Vec<String>) {
    let site = changing_site().await;
    let links = [
        ("open.item", site.url("/item/open")),
        ("blocked.item", site.url("/item/blocked")),
    ];
    let root = scenarios(dir, &site.url("/gw"), &links, UNSCHEDULED);
    for _ in 0..2 {
        let output = run(dir, &root, &[]).await;
        assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    }
    let ids = runs(dir).into_iter().map(|(r, _)| r.id).collect();
    (site, ids)
}

fn manifest(dir: &Path, run_id: &str) -> (PathBuf, Manifest) {
    let path = dir.join("reports").join(run_id).join("manifest.json");
    let manifest = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    (path, manifest)
}

async fn verify(dir: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["verify", "--out", "reports"];
    args.extend(extra);
    linkgate(dir, &args).await
}

#[tokio::test]
async fn a_run_is_sealed_with_its_evidence_csv_and_a_link_to_the_previous_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let (_site, ids) = two_runs(dir.path()).await;
    let (first_path, first) = manifest(dir.path(), &ids[0]);
    let (_, second) = manifest(dir.path(), &ids[1]);
    assert_eq!(first.kind, EntryKind::Run);
    assert_eq!((first.sequence, second.sequence), (1, 2));
    assert_eq!(first.previous, None);
    let link = second.previous.as_ref().unwrap();
    assert_eq!(link.run_id, ids[0]);
    assert_eq!(
        link.sha256,
        linkgate::manifest::sha256_hex(&std::fs::read(&first_path).unwrap())
    );
    assert_eq!(second.run.vantage, "local");
    assert_eq!(second.run.tool_version, env!("CARGO_PKG_VERSION"));
    assert!(!second.run.scenario_files.is_empty());
    assert_eq!(second.records, 4);
    // Final bodies of four probes plus the WeChat stop page on the way: each file once.
    assert!(second.evidence.len() >= 3, "{:?}", second.evidence);
    assert!(second.evidence.iter().all(|e| e.file.is_some()));
    let csv = std::fs::read(
        dir.path()
            .join("reports")
            .join(&ids[1])
            .join("observations.csv"),
    )
    .unwrap();
    let sealed_csv = second
        .outputs
        .iter()
        .find(|o| o.file == "observations.csv")
        .unwrap();
    assert_eq!(sealed_csv.sha256, linkgate::manifest::sha256_hex(&csv));
    // The report is sealed with it: every page the run's folder holds.
    assert!(
        second.outputs.iter().any(|o| o.file == "index.html"),
        "{:?}",
        second.outputs
    );
    assert_eq!(
        linkgate::manifest::latest(&dir.path().join("reports")).as_deref(),
        Some(ids[1].as_str())
    );

    let output = verify(dir.path(), &[]).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(
        stdout(&output).contains("2 runs checked: all is well"),
        "{}",
        text(&output)
    );
}

#[tokio::test]
async fn a_tampered_evidence_file_is_named_with_its_expected_and_actual_hash() {
    let dir = tempfile::tempdir().unwrap();
    let (_site, ids) = two_runs(dir.path()).await;
    let (_, first) = manifest(dir.path(), &ids[0]);
    let body = first
        .evidence
        .iter()
        .find(|e| e.file.as_deref().is_some_and(|f| f.ends_with(".html.gz")))
        .unwrap();
    let shown = Path::new("reports/evidence").join(body.file.as_ref().unwrap());
    let path = dir.path().join(&shown);
    let forged = b"<html><title>opened</title></html>";
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, forged).unwrap();
    std::fs::write(&path, gz.finish().unwrap()).unwrap();

    let output = verify(dir.path(), &[&ids[0]]).await;
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let report = stdout(&output);
    assert!(
        report.contains(&format!("run {}: {}", ids[0], shown.display())),
        "{report}"
    );
    assert!(report.contains("evidence file was changed"), "{report}");
    assert!(
        report.contains(&format!("expected: {}", body.sha256)),
        "{report}"
    );
    assert!(
        report.contains(&format!(
            "actual:   {}",
            linkgate::manifest::sha256_hex(forged)
        )),
        "{report}"
    );
    // The second run does not share that page: it verifies.
    let output = verify(dir.path(), &[&ids[1]]).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
}

#[tokio::test]
async fn a_deleted_run_breaks_the_chain_and_an_edited_manifest_its_digest() {
    let dir = tempfile::tempdir().unwrap();
    let (_site, ids) = two_runs(dir.path()).await;
    let reports = dir.path().join("reports");

    let (path, _) = manifest(dir.path(), &ids[1]);
    let edited = std::fs::read_to_string(&path)
        .unwrap()
        .replace("\"vantage\": \"local\"", "\"vantage\": \"beijing\"");
    std::fs::write(&path, edited).unwrap();
    let csv = Path::new("reports").join(&ids[1]).join("observations.csv");
    std::fs::write(dir.path().join(&csv), "run_id\n").unwrap();
    std::fs::remove_dir_all(reports.join(&ids[0])).unwrap();

    let output = verify(dir.path(), &[]).await;
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let report = stdout(&output);
    assert!(report.contains(&format!("FAIL {}", ids[0])), "{report}");
    assert!(
        report.contains("the run completed but its manifest is gone"),
        "the deleted run: {report}"
    );
    assert!(
        report.contains(&format!(
            "the previous entry (sequence 1, the run entry of run {}) is missing: it was deleted",
            ids[0]
        )),
        "the chain: {report}"
    );
    assert!(
        report.contains("the manifest was edited after it was sealed"),
        "{report}"
    );
    assert!(
        report.contains("the run's vantage differs from the sealed manifest"),
        "{report}"
    );
    assert!(
        report.contains(&format!(
            "{}: file differs from the sealed manifest",
            csv.display()
        )),
        "{report}"
    );
    assert!(report.contains("actual:   missing"), "{report}");
    assert!(
        !report.contains("reports/latest: points at a run folder that is gone"),
        "latest points at the newest run, which is still there: {report}"
    );
}

#[tokio::test]
async fn verify_refuses_a_reports_folder_without_history() {
    let dir = tempfile::tempdir().unwrap();
    let output = verify(dir.path(), &[]).await;
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    assert!(stderr(&output).contains("there is no history database"));
}
