//! `reports/latest`: a symbolic link to the newest complete run folder, so a web server, a
//! sync job or a person can always open `reports/latest/` without knowing run ids.
//!
//! A symlink rather than a copied folder: it is swapped in one `rename`, which is atomic, so a
//! reader sees the old run or the new one and never a half-copied folder; it costs no space;
//! and evidence is not duplicated outside the content-addressed store. The link is relative
//! (`latest -> 20261124T190000Z-3f2a`), so the reports folder can be moved or synced whole.

use std::fs;
use std::path::Path;

use super::ManifestError;
use super::error::io;

/// The link's name in the reports folder.
pub const LATEST: &str = "latest";

/// The run id `out/latest` points at, if it is linkgate's link.
pub fn latest(out: &Path) -> Option<String> {
    fs::read_link(out.join(LATEST))
        .ok()
        .and_then(|target| target.file_name().map(|n| n.to_string_lossy().into_owned()))
}

/// Points `out/latest` at `out/<run_id>` unless it already points at a newer run (run ids sort
/// by start time), so a slow old run finishing late does not hide a newer report. Returns
/// whether the link moved. The caller holds the chain lock, so two processes never race here.
pub fn point_latest(out: &Path, run_id: &str) -> Result<bool, ManifestError> {
    let link = out.join(LATEST);
    if let Some(current) = latest(out)
        && current.as_str() > run_id
        && out.join(&current).is_dir()
    {
        return Ok(false);
    }
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

    #[test]
    fn latest_moves_forward_only_and_atomically() {
        let out = tempfile::tempdir().unwrap();
        for id in ["20261124T000000Z-0001", "20261125T000000Z-0002"] {
            fs::create_dir(out.path().join(id)).unwrap();
        }
        assert!(point_latest(out.path(), "20261124T000000Z-0001").unwrap());
        assert!(point_latest(out.path(), "20261125T000000Z-0002").unwrap());
        // An older run completing later (a resume) leaves the newer one in place.
        assert!(!point_latest(out.path(), "20261124T000000Z-0001").unwrap());
        assert_eq!(latest(out.path()).as_deref(), Some("20261125T000000Z-0002"));
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
        fs::create_dir(out.path().join("20261124T000000Z-0001")).unwrap();
        let err = point_latest(out.path(), "20261124T000000Z-0001").unwrap_err();
        assert!(matches!(err, ManifestError::LatestInTheWay { .. }), "{err}");
    }
}
