//! `reports/latest`: a symbolic link to the newest complete run folder, so a web server, a
//! sync job or a person can always open `reports/latest/` without knowing run ids.
//!
//! A symlink rather than a copied folder: it is swapped in one `rename`, which is atomic, so a
//! reader sees the old run or the new one and never a half-copied folder; it costs no space;
//! and evidence is not duplicated outside the content-addressed store. The link is relative
//! (`latest -> 20261124T190000Z-3f2a`), so the reports folder can be moved or synced whole.

use std::fs;
use std::path::Path;

use chrono::{DateTime, Utc};

use super::error::io;
use super::{MANIFEST_FILE, Manifest, ManifestError};
use crate::model::Run;

/// The link's name in the reports folder.
pub const LATEST: &str = "latest";

/// The run id `out/latest` points at, if it is linkgate's link.
pub fn latest(out: &Path) -> Option<String> {
    fs::read_link(out.join(LATEST))
        .ok()
        .and_then(|target| target.file_name().map(|n| n.to_string_lossy().into_owned()))
}

/// Points `out/latest` at `run`'s folder unless it already points at a run that started later,
/// so a slow old run finishing late does not hide a newer report. Returns whether the link
/// moved. The caller holds the chain lock, so two processes never race here.
pub fn point_latest(out: &Path, run: &Run) -> Result<bool, ManifestError> {
    let link = out.join(LATEST);
    if let Some(current) = latest(out)
        && let Some(started) = sealed_start(out, &current)
        && (started, current.as_str()) > (run.started_at, run.id.as_str())
    {
        return Ok(false);
    }
    let run_id = run.id.as_str();
    if let Ok(meta) = fs::symlink_metadata(&link)
        && !meta.file_type().is_symlink()
    {
        return Err(ManifestError::LatestInTheWay { path: link });
    }
    let temp = out.join(format!(".{LATEST}.{}.tmp", std::process::id()));
    let _ = fs::remove_file(&temp);
    symlink(run_id, &temp).map_err(io(&temp))?;
    if let Err(e) = fs::rename(&temp, &link) {
        let _ = fs::remove_file(&temp);
        return Err(io(&link)(e));
    }
    Ok(true)
}

/// When the sealed run in `out/<run_id>` started, from its manifest. Run ids only have
/// seconds, and two runs can start within one.
fn sealed_start(out: &Path, run_id: &str) -> Option<DateTime<Utc>> {
    let bytes = fs::read(out.join(run_id).join(MANIFEST_FILE)).ok()?;
    let manifest: Manifest = serde_json::from_slice(&bytes).ok()?;
    Some(manifest.run.started_at)
}

#[cfg(unix)]
fn symlink(target: &str, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(not(unix))]
fn symlink(_target: &str, _link: &Path) -> std::io::Result<()> {
    Err(std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        "reports/latest is a symbolic link, which needs a Unix system",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sealed run folder: a manifest whose run started at `started`.
    fn sealed(out: &Path, id: &str, started: &str) -> Run {
        let run = Run {
            id: id.into(),
            started_at: started.parse().unwrap(),
            ended_at: None,
            status: crate::model::RunStatus::Completed,
            tool_version: "0.1.0".into(),
            vantage: "local".into(),
            audits: Vec::new(),
            scenario_files: Vec::new(),
            simulated: false,
        };
        let files = std::collections::BTreeMap::new();
        let draft = super::super::Draft {
            kind: super::super::EntryKind::Run,
            run: &run,
            evidence: &super::super::RunEvidence::default(),
            evidence_files: &files,
            evidence_bytes: &files,
            attest: &super::super::UNATTESTED,
            outputs: Vec::new(),
            signature_set: None,
            written_at: run.started_at,
        };
        let manifest = super::super::build(&draft, 1, None);
        fs::create_dir(out.join(id)).unwrap();
        fs::write(
            out.join(id).join(MANIFEST_FILE),
            super::super::to_bytes(&manifest).unwrap(),
        )
        .unwrap();
        run
    }

    #[test]
    fn latest_moves_forward_only_and_atomically() {
        let out = tempfile::tempdir().unwrap();
        let old = sealed(
            out.path(),
            "20261124T000000Z-ffff",
            "2026-11-24T00:00:00.100Z",
        );
        // Started in the same second, later: its id sorts first, its start time does not.
        let new = sealed(
            out.path(),
            "20261124T000000Z-0001",
            "2026-11-24T00:00:00.900Z",
        );
        assert!(point_latest(out.path(), &old).unwrap());
        assert!(point_latest(out.path(), &new).unwrap());
        // An older run completing later (a resume) leaves the newer one in place.
        assert!(!point_latest(out.path(), &old).unwrap());
        assert_eq!(latest(out.path()).as_deref(), Some(new.id.as_str()));
        assert!(out.path().join("latest").join(".").is_dir());
        let names: Vec<_> = fs::read_dir(out.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 3, "no temporary link left: {names:?}");
    }

    #[test]
    fn a_real_folder_named_latest_is_not_replaced() {
        let out = tempfile::tempdir().unwrap();
        fs::create_dir_all(out.path().join("latest/keep")).unwrap();
        let run = sealed(out.path(), "20261124T000000Z-0001", "2026-11-24T00:00:00Z");
        let err = point_latest(out.path(), &run).unwrap_err();
        assert!(matches!(err, ManifestError::LatestInTheWay { .. }), "{err}");
    }
}
