//! Carrying out a prune: moving the chain entries of each chosen run folder under `pruned/`,
//! removing the folder, then removing evidence files that no kept run refers to.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use chrono::{DateTime, Utc};

use super::{Keep, select};
use crate::lock::FileLock;
use crate::manifest::{AMENDMENT_PREFIX, MANIFEST_FILE, PRUNED_DIR, evidence_of, latest};
use crate::store::{Store, StoreError};

/// An evidence file younger than this is never removed: a run in progress writes its evidence
/// a moment before the record that refers to it, and must not lose it in between.
pub const EVIDENCE_GRACE: std::time::Duration = std::time::Duration::from_secs(3600);

#[derive(Debug, thiserror::Error)]
pub enum PruneError {
    #[error(
        "{}: {source}; check that the reports folder is writable",
        .path.display()
    )]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> PruneError + '_ {
    move |source| PruneError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// One run folder removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrunedRun {
    pub run_id: String,
    pub files: usize,
    pub bytes: u64,
}

/// What a prune removed (or, in a dry run, would remove).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pruned {
    pub runs: Vec<PrunedRun>,
    pub evidence_files: usize,
    pub evidence_bytes: u64,
}

impl Pruned {
    pub fn bytes(&self) -> u64 {
        self.evidence_bytes + self.runs.iter().map(|r| r.bytes).sum::<u64>()
    }

    /// What was removed, a line a run folder and two of totals (`would remove …` in a dry run).
    pub fn text(&self, dry_run: bool) -> String {
        let verb = if dry_run { "would remove" } else { "removed" };
        let s = |n: usize| if n == 1 { "" } else { "s" };
        let mut out = String::new();
        for run in &self.runs {
            out.push_str(&format!(
                "{verb} run {}: {} file{}, {}\n",
                run.run_id,
                run.files,
                s(run.files),
                shown_bytes(run.bytes)
            ));
        }
        out.push_str(&format!(
            "{verb} {} evidence file{} no kept run refers to: {}\n",
            self.evidence_files,
            s(self.evidence_files),
            shown_bytes(self.evidence_bytes)
        ));
        out.push_str(&format!(
            "{verb} {} run folder{} in all, {} ({} bytes); history rows kept\n",
            self.runs.len(),
            s(self.runs.len()),
            shown_bytes(self.bytes()),
            self.bytes()
        ));
        out
    }
}

/// `1.2 MB`, `512 B`.
fn shown_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if n < 1000 {
        return format!("{n} B");
    }
    let mut value = n as f64;
    let mut unit = "B";
    for u in UNITS {
        if value < 1000.0 {
            break;
        }
        value /= 1000.0;
        unit = u;
    }
    format!("{value:.1} {unit}")
}

/// Prunes the runs `keep` lets go, under `out` and the evidence folder of `store`. The caller
/// holds the chain lock (`_chain`): chain entries move, and sealing must not read the chain
/// half-way through a move.
pub fn prune(
    out: &Path,
    store: &Store,
    keep: &Keep,
    now: DateTime<Utc>,
    dry_run: bool,
    _chain: &FileLock,
) -> Result<Pruned, PruneError> {
    let pruned_dir = out.join(PRUNED_DIR);
    let runs = store.runs()?;
    let present: Vec<_> = runs
        .into_iter()
        .filter(|r| !pruned_dir.join(&r.id).is_dir())
        .collect();
    let protected: BTreeSet<String> = latest(out).into_iter().collect();
    let chosen = select(&present, keep, now, &protected);
    let mut removed = Pruned::default();
    for run_id in &chosen {
        removed.runs.push(remove_run_folder(out, run_id, dry_run)?);
    }
    let mut referenced = BTreeSet::new();
    for run in present.iter().filter(|r| !chosen.contains(&r.id)) {
        referenced.extend(evidence_of(&store.records_without_bodies(&run.id)?).into_keys());
    }
    let cutoff = SystemTime::from(now) - EVIDENCE_GRACE;
    // A history that keeps its evidence in the database keeps all of it: its rows are
    // shared by every vantage's runs.
    let (files, bytes) = match store.evidence_dir() {
        Some(dir) => remove_evidence(&dir, &referenced, cutoff, dry_run)?,
        None => (0, 0),
    };
    removed.evidence_files = files;
    removed.evidence_bytes = bytes;
    Ok(removed)
}

/// Moves the chain entries to `pruned/<run_id>/` and removes the rest of the run folder. A run
/// without a folder (killed before it wrote one) still gets its `pruned/` entry, which is what
/// marks it as pruned.
fn remove_run_folder(out: &Path, run_id: &str, dry_run: bool) -> Result<PrunedRun, PruneError> {
    let folder = out.join(run_id);
    let keep_dir = out.join(PRUNED_DIR).join(run_id);
    let mut gone = PrunedRun {
        run_id: run_id.to_string(),
        files: 0,
        bytes: 0,
    };
    let exists = folder.is_dir();
    if exists {
        measure(&folder, true, &mut gone)?;
    }
    if dry_run {
        return Ok(gone);
    }
    fs::create_dir_all(&keep_dir).map_err(io(&keep_dir))?;
    if exists {
        for item in fs::read_dir(&folder).map_err(io(&folder))? {
            let item = item.map_err(io(&folder))?;
            if is_chain_file(&item.file_name().to_string_lossy()) {
                let target = keep_dir.join(item.file_name());
                fs::rename(item.path(), &target).map_err(io(&target))?;
            }
        }
        fs::remove_dir_all(&folder).map_err(io(&folder))?;
    }
    Ok(gone)
}

fn is_chain_file(name: &str) -> bool {
    name == MANIFEST_FILE || (name.starts_with(AMENDMENT_PREFIX) && name.ends_with(".json"))
}

/// Counts the files (and their bytes) under `dir` that a prune removes.
fn measure(dir: &Path, top: bool, into: &mut PrunedRun) -> Result<(), PruneError> {
    for item in fs::read_dir(dir).map_err(io(dir))? {
        let item = item.map_err(io(dir))?;
        let meta = item.metadata().map_err(io(&item.path()))?;
        if meta.is_dir() {
            measure(&item.path(), false, into)?;
        } else if !(top && is_chain_file(&item.file_name().to_string_lossy())) {
            into.files += 1;
            into.bytes += meta.len();
        }
    }
    Ok(())
}

/// Removes evidence files not in `referenced` and last written before `cutoff`. Only names of
/// the store's own form are considered; temporary and foreign files are left alone.
fn remove_evidence(
    dir: &Path,
    referenced: &BTreeSet<String>,
    cutoff: SystemTime,
    dry_run: bool,
) -> Result<(usize, u64), PruneError> {
    let listing = match fs::read_dir(dir) {
        Ok(listing) => listing,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((0, 0)),
        Err(e) => return Err(io(dir)(e)),
    };
    let (mut files, mut bytes) = (0, 0);
    for item in listing {
        let item = item.map_err(io(dir))?;
        let name = item.file_name().to_string_lossy().into_owned();
        let Some(sha256) = evidence_hash(&name) else {
            continue;
        };
        let meta = item.metadata().map_err(io(&item.path()))?;
        let recent = meta.modified().map_or(true, |t| t > cutoff);
        if referenced.contains(sha256) || recent || !meta.is_file() {
            continue;
        }
        if !dry_run {
            fs::remove_file(item.path()).map_err(io(&item.path()))?;
        }
        files += 1;
        bytes += meta.len();
    }
    Ok((files, bytes))
}

/// The hash an evidence file is named by: `<sha256>.html.gz` or `<sha256>.png`.
fn evidence_hash(name: &str) -> Option<&str> {
    let sha256 = name
        .strip_suffix(".html.gz")
        .or_else(|| name.strip_suffix(".png"))?;
    (sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit())).then_some(sha256)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_stores_own_names_are_evidence() {
        let sha = "a".repeat(64);
        assert_eq!(evidence_hash(&format!("{sha}.png")), Some(sha.as_str()));
        assert_eq!(evidence_hash(&format!("{sha}.html.gz")), Some(sha.as_str()));
        assert_eq!(evidence_hash(&format!(".{sha}.png.42.0.tmp")), None);
        assert_eq!(evidence_hash("notes.txt"), None);
    }
}
