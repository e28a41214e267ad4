//! The commands that work on a history after the fact: opening it (read-only where it cannot
//! be written), recording manual observations as a run, and recomputing stored verdicts with
//! new signatures. Each seals what it changes, as a measured run is sealed.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::AuditError;
use super::seal::{Sealed, amend_run, finish_run};
use crate::catalog::Catalog;
use crate::import::{ManualObservation, parse, records};
use crate::manifest::Attest;
use crate::model::{Audit, Run, RunStatus, Verdict};
use crate::reclassify::{Reclassification, reclassify, signature_set};
use crate::store::{Location, Store};

/// Opens the history at `db` to write it; `must_exist` refuses to create an empty one by
/// mistake (a typo in `--out` would otherwise "verify" a brand-new, empty history).
pub fn open(db: &Location, must_exist: bool) -> Result<Store, AuditError> {
    if must_exist && !db.may_exist() {
        return Err(AuditError::Invalid(format!(
            "there is no history database at {db}; pass --out (or --db) to point at the \
             reports folder of your runs"
        )));
    }
    Ok(Store::open(db)?)
}

/// Opens the history at `db` to read it, read-only where it cannot be written (see
/// [`Store::open_to_read`]); it must exist.
pub fn open_to_read(db: &Location) -> Result<Store, AuditError> {
    if !db.may_exist() {
        return open(db, true);
    }
    Ok(Store::open_to_read(db)?)
}

/// Manual observations stored as a run, sealed.
pub struct Imported {
    pub run: Run,
    pub records: usize,
    pub sealed: Sealed,
}

/// The audit a sheet of manual observations belongs to (`name`, else the only audit) and
/// its rows, every one checked; one bad row and the error lists every problem.
pub fn read_sheet<'c>(
    catalog: &'c Catalog,
    name: Option<&str>,
    file: &Path,
    now: DateTime<Utc>,
) -> Result<(&'c Audit, Vec<ManualObservation>), AuditError> {
    let audit = match (name, catalog.audits.as_slice()) {
        (Some(name), _) => catalog
            .audit(name)
            .ok_or_else(|| AuditError::Invalid(format!("no audit `{name}` in the scenarios")))?,
        (None, [only]) => only,
        (None, _) => {
            return Err(AuditError::Invalid(
                "the scenarios hold several audits (or none): name one with --audit".into(),
            ));
        }
    };
    let bytes = std::fs::read(file).map_err(|e| AuditError::io("read", file, e))?;
    let base = file.parent().unwrap_or(Path::new("."));
    let rows = parse(file, &bytes, base, catalog, audit, now, &|p| {
        std::fs::read(p)
    })?;
    Ok((audit, rows))
}

/// A sheet of manual observations to store as a run.
pub struct ManualRun<'a> {
    pub audit: &'a Audit,
    pub rows: &'a [ManualObservation],
    /// Where the observations were made from.
    pub vantage: &'a str,
    pub now: DateTime<Utc>,
}

/// Stores checked manual observations as a new run (engine `manual`) and seals it into
/// `out`, attested as `attest` says.
pub fn import_manual(
    store: &mut Store,
    catalog: &Catalog,
    manual: ManualRun<'_>,
    out: &Path,
    attest: &Attest,
) -> Result<Imported, AuditError> {
    let ManualRun {
        audit,
        rows,
        vantage,
        now,
    } = manual;
    let mut run = Run::begin(now, vantage, vec![audit.id.clone()], catalog.files.clone());
    store.begin_run(&run)?;
    let written = records(&run.id, audit, catalog, rows)
        .iter()
        .try_for_each(|(record, artifacts)| store.record(record, artifacts));
    let status = match &written {
        Ok(()) => RunStatus::Completed,
        Err(_) => RunStatus::Failed,
    };
    let ended = Utc::now();
    store.finish_run(&run.id, status, ended)?;
    written?;
    run.status = status;
    run.ended_at = Some(ended);
    let run = store.run(&run.id)?.unwrap_or(run);
    let records = store.records_without_bodies(&run.id)?.len();
    let sealed = finish_run(catalog, out, store, &run, ended, attest)?;
    tracing::info!(run = %run.id, records, "manual observations imported");
    Ok(Imported {
        run,
        records,
        sealed,
    })
}

/// One run's stored verdicts recomputed.
pub struct Reclassified {
    pub run: Run,
    pub records: usize,
    pub result: Reclassification,
    /// The amendment sealing the change, when the run was sealed and its files changed.
    pub amendment: Option<PathBuf>,
}

impl Reclassified {
    /// What changed, as `linkgate reclassify` prints it: a line for the run, one for each
    /// changed verdict, and (when `kept`) why each unchanged stored verdict was kept.
    pub fn text(&self, set: &str, kept: bool) -> String {
        let verdict = |v: &Verdict| {
            format!(
                "{}/{} ({})",
                v.kind,
                v.mechanism,
                v.signature.as_deref().unwrap_or("-")
            )
        };
        let changed: Vec<_> = self.result.changed().collect();
        let mut out = format!(
            "run {}: {} of {} verdicts changed (signature set {})\n",
            self.run.id,
            changed.len(),
            self.records,
            &set[..12.min(set.len())]
        );
        for change in &changed {
            if let Some(before) = &change.before {
                out.push_str(&format!(
                    "  {}: {} -> {}\n",
                    change.key,
                    verdict(before),
                    verdict(&change.verdict)
                ));
            }
        }
        for k in self.result.kept.iter().filter(|_| kept) {
            out.push_str(&format!("  kept {}: {}\n", k.key, k.reason));
        }
        if let Some(amendment) = &self.amendment {
            out.push_str(&format!("  sealed: {}\n", amendment.display()));
        }
        out
    }
}

/// The runs of `store` named by `ids` (every run when empty), in the order named.
pub fn chosen_runs(store: &Store, ids: &[String]) -> Result<Vec<Run>, AuditError> {
    let runs = store.runs()?;
    if ids.is_empty() {
        return Ok(runs);
    }
    ids.iter()
        .map(|id| {
            runs.iter().find(|r| &r.id == id).cloned().ok_or_else(|| {
                AuditError::Invalid(format!("no run `{id}` in the history database"))
            })
        })
        .collect()
}

/// Recomputes `run`'s verdicts with `catalog`'s signatures; unless `dry_run`, stores them
/// under the catalog's signature set and writes and seals the run's files again.
pub fn reclassify_run(
    store: &mut Store,
    catalog: &Catalog,
    run: &Run,
    out: &Path,
    dry_run: bool,
    attest: &Attest,
) -> Result<Reclassified, AuditError> {
    let set = signature_set(&catalog.files);
    let records = store.records(&run.id)?;
    let result = reclassify(&records, catalog);
    let mut amendment = None;
    if !dry_run {
        for r in &result.recomputed {
            store.update_verdict(&run.id, &r.key, &r.verdict, r.control_verdict, &set)?;
        }
        amendment = amend_run(catalog, out, store, run, &set, Utc::now(), attest)?;
    }
    Ok(Reclassified {
        run: run.clone(),
        records: records.len(),
        result,
        amendment,
    })
}
