//! Writing a run's files: the one place the binary turns rendered bytes into files, written
//! to a temporary name and renamed, so a reader never sees half a CSV.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use linkgate::render::csv::CsvWriter;
use linkgate::store::{BodyRead, Store};

/// Writes `OUT/RUN_ID/observations.csv` from the history, a record at a time (the history
/// keeps each page's title, so no page is decompressed), and returns its path.
pub fn write_csv(out: &Path, run_id: &str, store: &Store) -> anyhow::Result<PathBuf> {
    let path = out.join(run_id).join(super::seal::CSV_FILE);
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create folder {}", dir.display()))?;
    let tmp = path.with_extension("tmp");
    let written = write_csv_to(&tmp, run_id, store).and_then(|()| {
        std::fs::rename(&tmp, &path).with_context(|| format!("cannot write {}", path.display()))
    });
    if written.is_err() {
        // A full disk leaves a half-written temporary file: it is no output of the run, and
        // `verify` would otherwise find a file in the run folder the seal does not list.
        let _ = std::fs::remove_file(&tmp);
    }
    written.map(|()| path)
}

fn write_csv_to(tmp: &Path, run_id: &str, store: &Store) -> anyhow::Result<()> {
    let file =
        std::fs::File::create(tmp).with_context(|| format!("cannot write {}", tmp.display()))?;
    let write_error = || format!("cannot write {}", tmp.display());
    let mut csv = CsvWriter::new(std::io::BufWriter::new(file)).with_context(write_error)?;
    store.for_each_record(run_id, BodyRead::Skip, |stored| {
        csv.write_with_title(&stored.record, stored.title.as_deref())
            .with_context(write_error)
    })?;
    let buffered = csv.finish().with_context(write_error)?;
    buffered
        .into_inner()
        .map_err(|e| e.into_error())
        .with_context(write_error)?;
    Ok(())
}
