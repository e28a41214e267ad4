//! What is written when a run ends: its CSV and its report always; for a completed run also
//! its manifest (the seal, appended to the chain) and the `latest` link, in that order, so
//! `latest` only ever points at a complete, sealed report. Reclassifying writes the CSV and
//! the report again and seals them as an amendment.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::AuditError;
use super::files::write_csv;
use super::report::{ReportError, ReportJob, write_report};
use crate::catalog::Catalog;
use crate::lock::FileLock;
use crate::manifest::{
    self, AMENDMENT_PREFIX, Attest, Draft, EntryKind, MANIFEST_FILE, ManifestError, OutputFile,
    RunEvidence,
};
use crate::model::{Run, RunStatus};
use crate::store::{BodyRead, Location, Store, StoreError};

/// Files written into a run folder: path in the folder and bytes.
type Outputs = Vec<OutputFile>;

/// What a finished run left on disk.
#[derive(Debug, Default)]
pub struct Sealed {
    pub csv: PathBuf,
    pub report: Vec<PathBuf>,
    /// Why the report was not written, when it was not.
    pub report_error: Option<String>,
    pub manifest: Option<PathBuf>,
}

/// `render()`, with a panic turned into an error: a bug in the report must not keep a
/// measured run from being sealed.
fn rendered<T>(
    render: impl FnOnce() -> Result<T, AuditError>,
    run: &Run,
    db: &Location,
) -> Result<T, AuditError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(render)) {
        Ok(result) => result,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic".to_string());
            Err(AuditError::ReportFailed {
                run: run.id.clone(),
                db: db.clone(),
                why: format!(
                    "rendering the report failed ({what}); this is a bug in linkgate, please report it"
                ),
            })
        }
    }
}

/// Writes a finished run's files (see the module documentation).
pub fn finish_run(
    catalog: &Catalog,
    out: &Path,
    store: &Store,
    run: &Run,
    now: DateTime<Utc>,
    attest: &Attest,
) -> Result<Sealed, AuditError> {
    let csv = write_csv(out, &run.id, store)?;
    // The seal vouches for the evidence and the CSV, which come from the history alone: a
    // report that fails (or panics) is said, and the run is sealed all the same.
    let db = store.location();
    let (report, report_error) = match rendered(|| write_reports(catalog, db, out, run), run, db) {
        Ok(report) => (report, None),
        Err(err) => {
            let text = err.to_string();
            tracing::error!(run = %run.id, "{text}");
            (Vec::new(), Some(text))
        }
    };
    let mut sealed = Sealed {
        csv,
        report,
        report_error,
        manifest: None,
    };
    if run.status != RunStatus::Completed {
        return Ok(sealed);
    }
    let outputs = outputs(&out.join(&run.id))?;
    let chain = manifest::lock_chain(&store.lock_dir(out))?;
    let entry = Entry {
        kind: EntryKind::Run,
        signature_set: None,
        now,
    };
    match seal_entry(out, store, run, &outputs, &chain, entry, attest)? {
        Ok(path) => sealed.manifest = Some(path),
        Err(ManifestError::AlreadySealed { path, .. }) => {
            tracing::info!(run = %run.id, "the run was sealed before ({})", path.display());
        }
        Err(err) => return Err(err.into()),
    }
    store.mark_sealed(&run.id, now)?;
    if manifest::point_latest(out, run)? {
        tracing::debug!(run = %run.id, "reports/latest now points at this run");
    }
    Ok(sealed)
}

/// Writes a reclassified run's CSV and report again and, if the run is sealed and its files
/// changed, seals them as an amendment naming `signature_set`. Returns the amendment's path.
/// As for [`finish_run`], the CSV and the report are read from the history.
pub fn amend_run(
    catalog: &Catalog,
    out: &Path,
    store: &Store,
    run: &Run,
    signature_set: &str,
    now: DateTime<Utc>,
    attest: &Attest,
) -> Result<Option<PathBuf>, AuditError> {
    write_csv(out, &run.id, store)?;
    write_reports(catalog, store.location(), out, run)?;
    if !out.join(&run.id).join(MANIFEST_FILE).exists() {
        return Ok(None);
    }
    let outputs = outputs(&out.join(&run.id))?;
    let chain = manifest::lock_chain(&store.lock_dir(out))?;
    let now_outputs: BTreeMap<String, String> = outputs
        .iter()
        .map(|o| (o.file.clone(), o.sha256.clone()))
        .collect();
    if newest_outputs(out, &run.id)? == now_outputs {
        return Ok(None);
    }
    let entry = Entry {
        kind: EntryKind::Reclassify,
        signature_set: Some(signature_set),
        now,
    };
    Ok(Some(seal_entry(
        out, store, run, &outputs, &chain, entry, attest,
    )??))
}

/// What kind of chain entry a seal writes, and when.
struct Entry<'a> {
    kind: EntryKind,
    signature_set: Option<&'a str>,
    now: DateTime<Utc>,
}

/// Seals the run folder's `outputs` and the evidence the run's records name as an entry of
/// the chain (held by `chain`). The outer error is reading the history; the inner one is
/// the seal's, which a finished run may expect (`AlreadySealed`).
fn seal_entry(
    out: &Path,
    store: &Store,
    run: &Run,
    outputs: &Outputs,
    chain: &FileLock,
    entry: Entry<'_>,
    attest: &Attest,
) -> Result<Result<PathBuf, ManifestError>, AuditError> {
    let evidence = &run_evidence(store, &run.id)?;
    let files = evidence_files(store, evidence);
    let draft = Draft {
        kind: entry.kind,
        run,
        evidence,
        evidence_files: &files,
        evidence_bytes: &stored_hashes(store, &files),
        attest,
        outputs: outputs.clone(),
        signature_set: entry.signature_set.map(str::to_string),
        written_at: entry.now,
    };
    Ok(manifest::seal(out, &draft, chain))
}

/// The report of each audit of the run: `OUT/RUN_ID/index.html`, or `OUT/RUN_ID/AUDIT/`
/// when the run measured several audits. A run without records of an audit has no report.
fn write_reports(
    catalog: &Catalog,
    db: &Location,
    out: &Path,
    run: &Run,
) -> Result<Vec<PathBuf>, AuditError> {
    let mut written = Vec::new();
    for audit in &run.audits {
        let dir = match run.audits.len() {
            1 => out.join(&run.id),
            _ => out.join(&run.id).join(audit),
        };
        let job = ReportJob {
            catalog,
            db,
            out: Some(&dir),
            audit: Some(audit),
            run: Some(&run.id),
            since: None,
            lang: None,
        };
        match write_report(&job) {
            Ok(index) => written.push(index),
            // A run that measured nothing of an audit (all its probes interrupted before the
            // first record, say) has nothing to report; that is not a failure of the report.
            Err(AuditError::Report(ReportError::UnknownRun { .. })) => {}
            Err(err) => {
                return Err(AuditError::ReportFailed {
                    run: run.id.clone(),
                    db: db.clone(),
                    why: err.to_string(),
                });
            }
        }
    }
    Ok(written)
}

/// Every file linkgate wrote into a run folder (the CSV, the report's pages, its summaries),
/// by path in the folder, sorted; the chain's own entries and temporary files are left out.
fn outputs(folder: &Path) -> Result<Outputs, AuditError> {
    let mut found = Vec::new();
    let mut pending = vec![folder.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let listing = std::fs::read_dir(&dir).map_err(|e| AuditError::io("list", &dir, e))?;
        for item in listing {
            let path = item.map_err(|e| AuditError::io("list", &dir, e))?.path();
            let Ok(relative) = path.strip_prefix(folder) else {
                continue;
            };
            let name = relative.to_string_lossy().replace('\\', "/");
            let hidden = relative
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'));
            let chain = !name.contains('/')
                && (name == MANIFEST_FILE || name.starts_with(AMENDMENT_PREFIX));
            if path.is_dir() {
                pending.push(path);
            } else if !hidden && !chain {
                let output =
                    OutputFile::read(name, &path).map_err(|e| AuditError::io("read", &path, e))?;
                found.push(output);
            }
        }
    }
    found.sort_by(|a, b| a.file.cmp(&b.file));
    Ok(found)
}

/// The run's record count and evidence, read a record at a time without page bodies.
fn run_evidence(store: &Store, run_id: &str) -> Result<RunEvidence, AuditError> {
    let mut evidence = RunEvidence::default();
    store.for_each_record(run_id, BodyRead::Skip, |stored| {
        evidence.add(&stored.record);
        Ok::<(), StoreError>(())
    })?;
    Ok(evidence)
}

/// The evidence folder's file name of each evidence hash the records refer to.
fn evidence_files(store: &Store, evidence: &RunEvidence) -> BTreeMap<String, String> {
    evidence
        .files
        .keys()
        .filter_map(|sha256| {
            let found = store.stored_evidence(sha256).ok()??;
            Some((sha256.clone(), found.name))
        })
        .collect()
}

/// The SHA-256 of each evidence file as stored, byte for byte (a file that cannot be read
/// now is left out: verify says it is missing).
fn stored_hashes(store: &Store, files: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    files
        .keys()
        .filter_map(|sha256| {
            let found = store.stored_evidence(sha256).ok()??;
            Some((sha256.clone(), manifest::sha256_hex(&found.stored)))
        })
        .collect()
}

/// The outputs (name → SHA-256) of the newest chain entry of `run_id`.
fn newest_outputs(out: &Path, run_id: &str) -> Result<BTreeMap<String, String>, AuditError> {
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
