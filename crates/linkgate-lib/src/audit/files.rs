//! Writing a run's CSV: the one place a run's rows become a file, written to a temporary name
//! and renamed, so a reader never sees half a CSV.

use std::path::{Path, PathBuf};

use super::AuditError;
use crate::render::csv::CsvWriter;
use crate::store::{BodyRead, Store};

/// The run folder's CSV.
pub const CSV_FILE: &str = "observations.csv";

/// Writes `OUT/RUN_ID/observations.csv` from the history, a record at a time (the history
/// keeps each page's title, so no page is decompressed), and returns its path.
pub fn write_csv(out: &Path, run_id: &str, store: &Store) -> Result<PathBuf, AuditError> {
    let path = out.join(run_id).join(CSV_FILE);
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| AuditError::io("create folder", dir, e))?;
    let tmp = path.with_extension("tmp");
    let written = write_csv_to(&tmp, run_id, store)
        .and_then(|()| std::fs::rename(&tmp, &path).map_err(|e| AuditError::io("write", &path, e)));
    if written.is_err() {
        // A full disk leaves a half-written temporary file: it is no output of the run, and
        // `verify` would otherwise find a file in the run folder the seal does not list.
        let _ = std::fs::remove_file(&tmp);
    }
    written.map(|()| path)
}

fn write_csv_to(tmp: &Path, run_id: &str, store: &Store) -> Result<(), AuditError> {
    let failed = |e| AuditError::io("write", tmp, e);
    let file = std::fs::File::create(tmp).map_err(failed)?;
    let mut csv = CsvWriter::new(std::io::BufWriter::new(file)).map_err(failed)?;
    store.for_each_record(run_id, BodyRead::Skip, |stored| {
        csv.write_with_title(&stored.record, stored.title.as_deref())
            .map_err(failed)
    })?;
    let buffered = csv.finish().map_err(failed)?;
    buffered.into_inner().map_err(|e| failed(e.into_error()))?;
    Ok(())
}
