//! Writing a run's files: the one place the binary turns rendered bytes into files, written
//! to a temporary name and renamed, so a reader never sees half a CSV.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use linkgate::model::Record;
use linkgate::render::csv::observations_csv;

/// Writes `OUT/RUN_ID/observations.csv` and returns its path.
pub fn write_csv(out: &Path, run_id: &str, records: &[Record]) -> anyhow::Result<PathBuf> {
    let dir = out.join(run_id);
    let path = dir.join("observations.csv");
    write_atomically(&path, &observations_csv(records))?;
    Ok(path)
}

/// Writes `bytes` to `path` through a temporary file in the same folder.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create folder {}", dir.display()))?;
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
