//! What is written when a run ends: its CSV always; for a completed run also its report, its
//! manifest (the seal, appended to the chain) and the `latest` link, in that order, so
//! `latest` only ever points at a complete, sealed report. Reclassifying writes the CSV and
//! report again and seals them as an amendment.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use chrono::{DateTime, Utc};

use linkgate::manifest::{self, Draft, EntryKind, MANIFEST_FILE, ManifestError};
use linkgate::model::{Record, Run, RunStatus};
use linkgate::render::csv::observations_csv;
use linkgate::schedule::FileLock;
use linkgate::store::Store;

/// The run folder's CSV.
pub const CSV_FILE: &str = "observations.csv";

/// Files written into a run folder: name in the folder and bytes.
type Outputs = Vec<(String, Vec<u8>)>;

/// What a finished run left on disk.
#[derive(Debug, Default)]
pub struct Sealed {
    pub csv: PathBuf,
    pub report: Vec<PathBuf>,
    pub manifest: Option<PathBuf>,
}

/// Renders the HTML report of `run` into its folder and returns the files written (name in
/// the run folder, bytes), so the manifest seals them with the CSV.
///
/// The report (`linkgate report`) is being built on another branch and is not on main yet:
/// when it lands, this is the one place to call it (a one-line change), and `run`, the daemon
/// and `reclassify` all render it.
fn render_report(_out: &Path, _run: &Run, _records: &[Record]) -> anyhow::Result<Outputs> {
    Ok(Vec::new())
}

/// Writes a finished run's files (see the module documentation).
pub fn finish_run(
    out: &Path,
    store: &Store,
    run: &Run,
    records: &[Record],
    now: DateTime<Utc>,
) -> anyhow::Result<Sealed> {
    let (csv, outputs) = write_outputs(out, run, records)?;
    let mut sealed = Sealed {
        csv,
        report: report_paths(out, run, &outputs),
        manifest: None,
    };
    if run.status != RunStatus::Completed {
        return Ok(sealed);
    }
    let chain = manifest::lock_chain(&FileLock::dir_for(store.db_path()))?;
    let draft = Draft {
        kind: EntryKind::Run,
        run,
        records,
        evidence_files: &evidence_files(store, records),
        outputs: outputs
            .iter()
            .map(|(n, b)| (n.clone(), b.as_slice()))
            .collect(),
        signature_set: None,
        written_at: now,
    };
    match manifest::seal(out, &draft, &chain) {
        Ok(path) => sealed.manifest = Some(path),
        Err(ManifestError::AlreadySealed { path, .. }) => {
            tracing::info!(run = %run.id, "the run was sealed before ({})", path.display());
        }
        Err(err) => return Err(err.into()),
    }
    if manifest::point_latest(out, run)? {
        tracing::debug!(run = %run.id, "reports/latest now points at this run");
    }
    Ok(sealed)
}

/// Writes a reclassified run's CSV and report again and, if the run is sealed and the files
/// changed, seals them as an amendment naming `signature_set`. Returns the amendment's path.
pub fn amend_run(
    out: &Path,
    store: &Store,
    run: &Run,
    records: &[Record],
    signature_set: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<PathBuf>> {
    let (_, outputs) = write_outputs(out, run, records)?;
    if !out.join(&run.id).join(MANIFEST_FILE).exists() {
        return Ok(None);
    }
    let chain = manifest::lock_chain(&FileLock::dir_for(store.db_path()))?;
    let sealed_outputs = newest_outputs(out, &run.id)?;
    let now_outputs: BTreeMap<String, String> = outputs
        .iter()
        .map(|(name, bytes)| (name.clone(), manifest::sha256_hex(bytes)))
        .collect();
    if sealed_outputs == now_outputs {
        return Ok(None);
    }
    let draft = Draft {
        kind: EntryKind::Reclassify,
        run,
        records,
        evidence_files: &evidence_files(store, records),
        outputs: outputs
            .iter()
            .map(|(n, b)| (n.clone(), b.as_slice()))
            .collect(),
        signature_set: Some(signature_set.to_string()),
        written_at: now,
    };
    Ok(Some(manifest::seal(out, &draft, &chain)?))
}

/// The CSV and the report, written into the run folder; their names and bytes.
fn write_outputs(out: &Path, run: &Run, records: &[Record]) -> anyhow::Result<(PathBuf, Outputs)> {
    let folder = out.join(&run.id);
    let csv_bytes = observations_csv(records);
    let csv = folder.join(CSV_FILE);
    super::files::write_atomically(&csv, &csv_bytes)?;
    let mut outputs = vec![(CSV_FILE.to_string(), csv_bytes)];
    if run.status == RunStatus::Completed {
        outputs.extend(render_report(out, run, records).context("cannot render the report")?);
    }
    Ok((csv, outputs))
}

fn report_paths(out: &Path, run: &Run, outputs: &Outputs) -> Vec<PathBuf> {
    outputs
        .iter()
        .filter(|(name, _)| name != CSV_FILE)
        .map(|(name, _)| out.join(&run.id).join(name))
        .collect()
}

/// The evidence folder's file name of each evidence hash the records refer to.
fn evidence_files(store: &Store, records: &[Record]) -> BTreeMap<String, String> {
    manifest::evidence_of(records)
        .into_keys()
        .filter_map(|sha256| {
            let name = store
                .artifact_path(&sha256)?
                .file_name()?
                .to_str()?
                .to_string();
            Some((sha256, name))
        })
        .collect()
}

/// The outputs (name → SHA-256) of the newest chain entry of `run_id`.
fn newest_outputs(out: &Path, run_id: &str) -> anyhow::Result<BTreeMap<String, String>> {
    let entries = manifest::scan(out)?;
    let newest = entries
        .iter()
        .filter_map(|e| e.manifest())
        .filter(|m| m.run.id == run_id)
        .max_by_key(|m| m.sequence);
    Ok(newest
        .map(|m| {
            m.outputs
                .iter()
                .map(|o| (o.file.clone(), o.sha256.clone()))
                .collect()
        })
        .unwrap_or_default())
}
