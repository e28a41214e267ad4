//! The chain on disk: every entry (run manifests and amendments) under the reports folder,
//! including those `prune` kept under `pruned/`, and [`seal`], the one place that appends an
//! entry. The chain's head is found by reading the entries, not from a separate pointer file,
//! so there is nothing else to keep in step or to lose.

use std::fs;
use std::path::{Path, PathBuf};

use super::ManifestError;
use super::build::{Draft, build, sha256_hex, to_bytes};
use super::error::io;
use super::model::{AMENDMENT_PREFIX, EntryKind, MANIFEST_FILE, Manifest, PRUNED_DIR, Previous};
use crate::lock::{FileLock, holder_note};

/// One chain entry found on disk.
#[derive(Debug, Clone)]
pub struct Entry {
    pub path: PathBuf,
    /// SHA-256 of the file's bytes: what the next entry's `previous.sha256` must be.
    pub sha256: String,
    /// Kept under `pruned/`: its run folder and evidence may be gone on purpose.
    pub pruned: bool,
    /// The JSON value as read (for the digest check) and the manifest, or why it is unreadable.
    pub read: Result<(serde_json::Value, Manifest), String>,
}

impl Entry {
    pub fn manifest(&self) -> Option<&Manifest> {
        self.read.as_ref().ok().map(|(_, m)| m)
    }
}

/// Takes the chain lock (`chain.lock` in `lock_dir`), waiting for another process's sealing.
pub fn lock_chain(lock_dir: &Path) -> Result<FileLock, ManifestError> {
    let note = holder_note("sealing a manifest", chrono::Utc::now());
    Ok(FileLock::acquire(lock_dir, "chain", &note)?)
}

/// Every chain entry under `out`, in no particular order.
pub fn scan(out: &Path) -> Result<Vec<Entry>, ManifestError> {
    let mut entries = Vec::new();
    for (folder, pruned) in run_folders(out)? {
        for file in chain_files(&folder)? {
            entries.push(read_entry(file, pruned)?);
        }
    }
    Ok(entries)
}

/// Run folders and the folders of pruned runs. Symlinks (`latest`) are skipped: they would
/// list the newest run twice.
fn run_folders(out: &Path) -> Result<Vec<(PathBuf, bool)>, ManifestError> {
    let mut folders = Vec::new();
    for (dir, pruned) in [(out.to_path_buf(), false), (out.join(PRUNED_DIR), true)] {
        let listing = match fs::read_dir(&dir) {
            Ok(listing) => listing,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(io(&dir)(e)),
        };
        for item in listing {
            let item = item.map_err(io(&dir))?;
            let kind = item.file_type().map_err(io(item.path()))?;
            let is_pruned_folder = !pruned && item.file_name() == PRUNED_DIR;
            if kind.is_dir() && !is_pruned_folder {
                folders.push((item.path(), pruned));
            }
        }
    }
    Ok(folders)
}

/// `manifest.json` and `amendment-*.json` in one folder.
fn chain_files(folder: &Path) -> Result<Vec<PathBuf>, ManifestError> {
    let mut files = Vec::new();
    for item in fs::read_dir(folder).map_err(io(folder))? {
        let item = item.map_err(io(folder))?;
        let name = item.file_name().to_string_lossy().into_owned();
        let amendment = name.starts_with(AMENDMENT_PREFIX) && name.ends_with(".json");
        if name == MANIFEST_FILE || amendment {
            files.push(item.path());
        }
    }
    files.sort();
    Ok(files)
}

fn read_entry(path: PathBuf, pruned: bool) -> Result<Entry, ManifestError> {
    let bytes = fs::read(&path).map_err(io(&path))?;
    let read = serde_json::from_slice::<serde_json::Value>(&bytes)
        .and_then(|value| Ok((value.clone(), serde_json::from_value::<Manifest>(value)?)))
        .map_err(|e| e.to_string());
    Ok(Entry {
        sha256: sha256_hex(&bytes),
        path,
        pruned,
        read,
    })
}

/// The newest entry of the chain: the highest sequence.
pub(super) fn head(entries: &[Entry]) -> Option<(&Entry, &Manifest)> {
    entries
        .iter()
        .filter_map(|e| e.manifest().map(|m| (e, m)))
        .max_by_key(|(_, m)| m.sequence)
}

/// Appends `draft` to the chain under `out`: its run folder's `manifest.json` for a run, an
/// `amendment-<sequence>.json` beside it for an amendment. The caller holds the chain lock
/// (`_chain`), so no other process can append between reading the head and writing.
pub fn seal(out: &Path, draft: &Draft<'_>, _chain: &FileLock) -> Result<PathBuf, ManifestError> {
    let folder = out.join(&draft.run.id);
    let sealed = folder.join(MANIFEST_FILE);
    if draft.kind == EntryKind::Run && sealed.exists() {
        return Err(ManifestError::AlreadySealed {
            run_id: draft.run.id.clone(),
            path: sealed,
        });
    }
    let entries = scan(out)?;
    let (sequence, previous) = match head(&entries) {
        Some((entry, m)) => (
            m.sequence + 1,
            Some(Previous {
                sequence: m.sequence,
                run_id: m.run.id.clone(),
                kind: m.kind,
                sha256: entry.sha256.clone(),
            }),
        ),
        None => (1, None),
    };
    let manifest = build(draft, sequence, previous);
    let path = folder.join(manifest.file_name());
    write_atomically(&path, &to_bytes(&manifest)?)?;
    if let Some(signer) = &draft.attest.signer {
        signer.sign_file(&path).map_err(ManifestError::Sign)?;
    }
    Ok(path)
}

/// Writes through a temporary name and renames, syncing first, so a crash never leaves half a
/// manifest under the real name.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ManifestError> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(io(dir))?;
    let temp = dir.join(format!(".manifest.{}.tmp", std::process::id()));
    let mut file = fs::File::create(&temp).map_err(io(&temp))?;
    file.write_all(bytes).map_err(io(&temp))?;
    file.sync_all().map_err(io(&temp))?;
    fs::rename(&temp, path).map_err(io(path))?;
    if let Ok(folder) = fs::File::open(dir) {
        // Makes the rename durable; the data is already synced.
        let _ = folder.sync_all();
    }
    Ok(())
}
