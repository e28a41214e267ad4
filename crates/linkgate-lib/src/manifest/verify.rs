//! `verify`: walks the history and the chain and lists everything that does not match — a
//! changed or missing evidence file, a changed CSV, an edited manifest, a run whose seal was
//! deleted, a break in the chain — each with the file, what was expected and what was found.
//! A problem is data, not an error: verification goes on to report all of them at once.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::ManifestError;
use super::build::{digest_value, evidence_of, sha256_hex};
use super::chain::{Entry, scan};
use super::latest::{LATEST, latest};
use super::model::{EntryKind, EvidenceFile, MANIFEST_FILE, Manifest};
use crate::model::{Run, RunStatus};
use crate::store::{Store, StoreError};

/// One thing that does not match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub run_id: Option<String>,
    /// The file concerned (or `history database`).
    pub subject: String,
    pub what: String,
    pub expected: Option<String>,
    pub actual: Option<String>,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(run) = &self.run_id {
            write!(f, "run {run}: ")?;
        }
        write!(f, "{}: {}", self.subject, self.what)?;
        if let Some(expected) = &self.expected {
            write!(f, "\n    expected: {expected}")?;
        }
        if let Some(actual) = &self.actual {
            write!(f, "\n    actual:   {actual}")?;
        }
        Ok(())
    }
}

/// What verification found for one run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Note {
    /// Sealed; its evidence files and outputs were checked.
    Sealed { evidence: usize, amendments: usize },
    /// Sealed, then pruned: its chain entries were checked, its files are gone on purpose.
    Pruned,
    /// Never sealed: not completed, or completed and stopped before its seal was written
    /// (resume it to seal it).
    NotSealed(RunStatus),
    /// Its seal or its history rows are missing (see the problems).
    Missing,
}

/// Everything verification found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Verification {
    /// Each run checked, oldest first.
    pub runs: Vec<(String, Note)>,
    pub problems: Vec<Problem>,
}

impl Verification {
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }

    pub(super) fn problem(
        &mut self,
        run_id: Option<&str>,
        subject: impl fmt::Display,
        what: impl Into<String>,
        expected: Option<String>,
        actual: Option<String>,
    ) {
        self.problems.push(Problem {
            run_id: run_id.map(str::to_string),
            subject: subject.to_string(),
            what: what.into(),
            expected,
            actual,
        });
    }
}

/// Chain entries by run id, in sequence order.
type ByRun<'e> = BTreeMap<&'e str, Vec<(&'e Entry, &'e Manifest)>>;

/// What a verification trusts besides the chain: the key manifests must be signed with, the
/// certificate (PEM) of the time-stamping authority whose tokens are checked.
#[derive(Debug, Clone, Default)]
pub struct Trust {
    pub key: Option<ssh_key::PublicKey>,
    pub tsa_cert: Option<Vec<u8>>,
}

/// [`verify_with`] trusting nothing but the chain.
pub fn verify(out: &Path, store: &Store, only: &[String]) -> Result<Verification, ManifestError> {
    verify_with(out, store, only, &Trust::default())
}

/// Verifies `only` (every run, oldest first, when empty): each run's seal, evidence files and
/// outputs, and the chain links of its entries; with `trust`, each entry's signature and its
/// timestamp. Verifying every run also checks the chain as a whole (no two entries at one
/// place, `latest` not dangling) and finds seals whose history rows are gone.
pub fn verify_with(
    out: &Path,
    store: &Store,
    only: &[String],
    trust: &Trust,
) -> Result<Verification, ManifestError> {
    let runs = store.runs()?;
    let entries = scan(out)?;
    let mut found = Verification::default();
    let mut by_run: ByRun<'_> = BTreeMap::new();
    let mut by_sequence: BTreeMap<u64, Vec<(&Entry, &Manifest)>> = BTreeMap::new();
    for entry in &entries {
        match &entry.read {
            Ok((_, m)) => {
                by_run.entry(&m.run.id).or_default().push((entry, m));
                by_sequence.entry(m.sequence).or_default().push((entry, m));
            }
            Err(reason) => found.problem(
                None,
                entry.path.display(),
                format!("not a readable manifest ({reason})"),
                None,
                None,
            ),
        }
    }
    for list in by_run.values_mut() {
        list.sort_by_key(|(_, m)| m.sequence);
    }
    let mut selected: Vec<String> = only.to_vec();
    if selected.is_empty() {
        selected = runs.iter().map(|r| r.id.clone()).collect();
        let known: BTreeSet<&str> = runs.iter().map(|r| r.id.as_str()).collect();
        selected.extend(
            by_run
                .keys()
                .filter(|id| !known.contains(**id))
                .map(|id| id.to_string()),
        );
    }
    for id in &selected {
        let sealed = by_run.get(id.as_str()).map(Vec::as_slice).unwrap_or(&[]);
        let note = match runs.iter().find(|r| &r.id == id) {
            Some(run) => check_run(out, store, run, sealed, &mut found)?,
            None => {
                let what = match sealed.first() {
                    Some((entry, _)) => format!(
                        "the history database has no rows for this run, though it was sealed \
                         ({}): they were deleted",
                        entry.path.display()
                    ),
                    None => "no such run in the history database or the reports folder".into(),
                };
                found.problem(Some(id), "history database", what, None, None);
                Note::Missing
            }
        };
        for (entry, m) in sealed {
            check_link(entry, m, &by_sequence, &mut found);
            if !entry.pruned {
                super::attested::check(entry, m, trust, &mut found);
            }
        }
        found.runs.push((id.clone(), note));
    }
    if only.is_empty() {
        check_whole_chain(out, &by_sequence, &mut found);
    }
    Ok(found)
}

/// One run: its seal, its facts against the history, its evidence and outputs.
fn check_run(
    out: &Path,
    store: &Store,
    run: &Run,
    sealed: &[(&Entry, &Manifest)],
    found: &mut Verification,
) -> Result<Note, ManifestError> {
    let id = Some(run.id.as_str());
    for (entry, m) in sealed {
        check_digest(entry, m, id, found);
    }
    let Some((entry, manifest)) = sealed.iter().find(|(_, m)| m.kind == EntryKind::Run) else {
        if run.status != RunStatus::Completed {
            return Ok(Note::NotSealed(run.status));
        }
        if !store.was_sealed(&run.id)? {
            // It completed, then stopped before its seal was written (while its report was
            // rendered, say): nothing was removed, and resuming it writes the seal.
            return Ok(Note::NotSealed(run.status));
        }
        found.problem(
            id,
            out.join(&run.id).join(MANIFEST_FILE).display(),
            "the run completed but its manifest is gone: the run folder was deleted or changed",
            Some("the manifest written when the run completed".into()),
            Some("missing".into()),
        );
        return Ok(Note::Missing);
    };
    check_facts(&manifest.run, run, found);
    if entry.pruned {
        return Ok(Note::Pruned);
    }
    // Counting records and listing their evidence needs no page bodies.
    let records = store.records_without_bodies(&run.id)?;
    if records.len() != manifest.records {
        found.problem(
            id,
            "history database",
            "the number of records differs from the sealed manifest",
            Some(manifest.records.to_string()),
            Some(records.len().to_string()),
        );
    }
    let listed: BTreeSet<&str> = manifest
        .evidence
        .iter()
        .map(|e| e.sha256.as_str())
        .collect();
    for sha256 in evidence_of(&records).keys() {
        if !listed.contains(sha256.as_str()) {
            found.problem(
                id,
                "history database",
                "a record refers to evidence the manifest does not list: the history was changed \
                 after the run was sealed",
                None,
                Some(sha256.clone()),
            );
        }
    }
    for evidence in &manifest.evidence {
        check_evidence(store, evidence, id, found);
    }
    let newest = sealed.iter().map(|(_, m)| *m).max_by_key(|m| m.sequence);
    if let Some(newest) = newest {
        check_outputs(&out.join(&run.id), newest, id, found);
    }
    Ok(Note::Sealed {
        evidence: manifest.evidence.len(),
        amendments: sealed.len() - 1,
    })
}

fn check_digest(entry: &Entry, m: &Manifest, id: Option<&str>, found: &mut Verification) {
    let actual = entry
        .read
        .as_ref()
        .ok()
        .and_then(|(value, _)| digest_value(value.clone()).ok());
    if actual.as_deref() != Some(m.manifest_sha256.as_str()) {
        found.problem(
            id,
            entry.path.display(),
            "the manifest was edited after it was sealed (its own digest does not match)",
            Some(m.manifest_sha256.clone()),
            actual,
        );
    }
}

/// The run's facts in the history must be the ones sealed.
fn check_facts(sealed: &Run, stored: &Run, found: &mut Verification) {
    let id = Some(stored.id.as_str());
    let fields: [(&str, String, String); 5] = [
        (
            "start time",
            json(&sealed.started_at),
            json(&stored.started_at),
        ),
        ("vantage", json(&sealed.vantage), json(&stored.vantage)),
        (
            "tool version",
            json(&sealed.tool_version),
            json(&stored.tool_version),
        ),
        ("audits", json(&sealed.audits), json(&stored.audits)),
        (
            "scenario files",
            json(&sealed.scenario_files),
            json(&stored.scenario_files),
        ),
    ];
    for (what, expected, actual) in fields {
        if expected != actual {
            found.problem(
                id,
                "history database",
                format!("the run's {what} differs from the sealed manifest"),
                Some(expected),
                Some(actual),
            );
        }
    }
}

/// A value as JSON, for comparing and showing facts of any type alike.
fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn check_evidence(
    store: &Store,
    evidence: &EvidenceFile,
    id: Option<&str>,
    found: &mut Verification,
) {
    let sha256 = evidence.sha256.as_str();
    let name = evidence.file.as_deref().unwrap_or(sha256);
    let expected_path = match store.evidence_dir() {
        Some(dir) => dir.join(name),
        None => PathBuf::from(format!("{} (evidence {name})", store.location())),
    };
    match store.read_artifact(sha256) {
        Ok(_) => {
            let Some(sealed) = &evidence.file_sha256 else {
                return;
            };
            let path = expected_path.clone();
            let actual: Result<String, StoreError> = store
                .stored_evidence(sha256)
                .map(|found| sha256_hex(&found.map(|f| f.stored).unwrap_or_default()));
            if actual.as_ref().ok() != Some(sealed) {
                found.problem(
                    id,
                    path.display(),
                    "evidence file was changed: the page it holds is the same, but the file is \
                     not the one sealed (bytes added, removed or recompressed)",
                    Some(sealed.clone()),
                    Some(actual.unwrap_or_else(|e| e.to_string())),
                );
            }
        }
        Err(StoreError::ArtifactMissing { .. }) => found.problem(
            id,
            expected_path.display(),
            "evidence file is missing",
            Some(sha256.to_string()),
            Some("missing".into()),
        ),
        Err(StoreError::Tampered { path, actual }) => found.problem(
            id,
            path.display(),
            "evidence file was changed: its content no longer hashes to its name",
            Some(sha256.to_string()),
            Some(actual),
        ),
        Err(other) => found.problem(
            id,
            expected_path.display(),
            format!("evidence file cannot be read: {other}"),
            Some(sha256.to_string()),
            None,
        ),
    }
}

fn check_outputs(folder: &Path, newest: &Manifest, id: Option<&str>, found: &mut Verification) {
    for output in &newest.outputs {
        let path = folder.join(&output.file);
        let actual = match std::fs::read(&path) {
            Ok(bytes) => sha256_hex(&bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => "missing".to_string(),
            Err(e) => format!("unreadable: {e}"),
        };
        if actual != output.sha256 {
            found.problem(
                id,
                path.display(),
                "file differs from the sealed manifest",
                Some(output.sha256.clone()),
                Some(actual),
            );
        }
    }
}

/// An entry's link to the one before it.
fn check_link(
    entry: &Entry,
    m: &Manifest,
    by_sequence: &BTreeMap<u64, Vec<(&Entry, &Manifest)>>,
    found: &mut Verification,
) {
    let id = Some(m.run.id.as_str());
    let Some(previous) = &m.previous else {
        if m.sequence != 1 {
            found.problem(
                id,
                entry.path.display(),
                format!(
                    "entry {} names no previous entry: the chain was cut",
                    m.sequence
                ),
                Some(format!("a link to entry {}", m.sequence - 1)),
                Some("none".into()),
            );
        }
        return;
    };
    if previous.sequence + 1 != m.sequence {
        found.problem(
            id,
            entry.path.display(),
            format!("entry {} does not follow the entry it names", m.sequence),
            Some(format!("entry {}", m.sequence.saturating_sub(1))),
            Some(format!("entry {}", previous.sequence)),
        );
    }
    let candidates = by_sequence
        .get(&previous.sequence)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let Some((before, _)) = candidates.iter().find(|(_, b)| b.run.id == previous.run_id) else {
        found.problem(
            id,
            entry.path.display(),
            format!(
                "the previous entry (sequence {}, the {} entry of run {}) is missing: it was \
                 deleted",
                previous.sequence,
                previous.kind.as_str(),
                previous.run_id
            ),
            Some(previous.sha256.clone()),
            Some("missing".into()),
        );
        return;
    };
    if before.sha256 != previous.sha256 {
        found.problem(
            Some(previous.run_id.as_str()),
            before.path.display(),
            format!(
                "the entry changed after entry {} (run {}) sealed it",
                m.sequence, m.run.id
            ),
            Some(previous.sha256.clone()),
            Some(before.sha256.clone()),
        );
    }
}

/// Checks only a full walk can make: two entries at one place, and `latest` dangling (the only
/// trace left when the newest run is deleted whole).
fn check_whole_chain(
    out: &Path,
    by_sequence: &BTreeMap<u64, Vec<(&Entry, &Manifest)>>,
    found: &mut Verification,
) {
    for (sequence, list) in by_sequence {
        if list.len() > 1 {
            let paths: Vec<String> = list
                .iter()
                .map(|(e, _)| e.path.display().to_string())
                .collect();
            found.problem(
                None,
                "chain",
                format!("{} entries claim sequence {sequence}", list.len()),
                Some("one".into()),
                Some(paths.join(", ")),
            );
        }
    }
    if let Some(run_id) = latest(out)
        && !out.join(&run_id).is_dir()
    {
        found.problem(
            Some(&run_id),
            out.join(LATEST).display(),
            "points at a run folder that is gone: the newest run was deleted",
            Some(out.join(&run_id).display().to_string()),
            Some("missing".into()),
        );
    }
}
