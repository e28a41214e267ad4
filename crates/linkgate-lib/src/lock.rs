//! Locks beside the history database (`reports/locks/<name>.lock`) that keep two linkgate
//! processes from running one audit at once, or from sealing two manifests into the same
//! place of the chain. They are OS file locks (`File::try_lock`), so the OS releases them when
//! a process dies, however it dies: a stale lock cannot block the next cron run. The file holds
//! a note on who holds it, so the process that is turned away can say who.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};

/// A held lock; dropping it releases it.
#[derive(Debug)]
pub struct FileLock {
    file: File,
    path: PathBuf,
}

/// Why a lock was not taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "{what} is being run by another linkgate process ({holder}); the lock {} is released \
         when that process ends: wait for it, or stop it",
        .path.display()
    )]
    Held {
        what: String,
        holder: String,
        path: PathBuf,
    },
    #[error("cannot take the lock for {what}: {reason}")]
    Unavailable { what: String, reason: String },
    #[error(
        "cannot use the lock file {}: {source}; check that the folder beside the history \
         database is writable",
        .path.display()
    )]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// What a lock file says about its holder: `pid 4242 on host-a since 2026-11-24T03:00:00Z
/// (linkgate run --due)`.
pub fn holder_note(command: &str, since: DateTime<Utc>) -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "this host".to_string());
    format!(
        "pid {} on {host} since {} ({command})",
        std::process::id(),
        since.to_rfc3339_opts(SecondsFormat::Secs, true)
    )
}

impl FileLock {
    /// The lock folder for the history database `db`: `locks/` beside it.
    pub fn dir_for(db: &Path) -> PathBuf {
        match db.parent() {
            Some(parent) => parent.join("locks"),
            None => PathBuf::from("locks"),
        }
    }

    /// Takes `dir/<name>.lock` if no process holds it, writing `note` into it; `what` names
    /// the locked thing in the error (e.g. "audit `miit-2021`").
    pub fn try_acquire(
        dir: &Path,
        name: &str,
        what: &str,
        note: &str,
    ) -> Result<FileLock, LockError> {
        let (mut file, path) = open(dir, name)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                // The holder's note is advisory: an unreadable one still means "held".
                let _ = file.read_to_string(&mut holder);
                let holder = match holder.trim() {
                    "" => "holder unknown".to_string(),
                    text => text.to_string(),
                };
                return Err(LockError::Held {
                    what: what.to_string(),
                    holder,
                    path,
                });
            }
            Err(TryLockError::Error(source)) => return Err(LockError::Io { path, source }),
        }
        let lock = FileLock { file, path };
        lock.write_note(note)?;
        Ok(lock)
    }

    /// Takes `dir/<name>.lock`, waiting for another process to release it.
    pub fn acquire(dir: &Path, name: &str, note: &str) -> Result<FileLock, LockError> {
        let (file, path) = open(dir, name)?;
        if let Err(source) = file.lock() {
            return Err(LockError::Io { path, source });
        }
        let lock = FileLock { file, path };
        lock.write_note(note)?;
        Ok(lock)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn write_note(&self, note: &str) -> Result<(), LockError> {
        let io = |source| LockError::Io {
            path: self.path.clone(),
            source,
        };
        let mut file = &self.file;
        file.set_len(0).map_err(io)?;
        file.rewind().map_err(io)?;
        file.write_all(note.as_bytes()).map_err(io)?;
        file.flush().map_err(io)
    }
}

impl Drop for FileLock {
    fn drop(&mut self) {
        // Best effort: an empty note after release reads as "nobody"; the OS frees the lock
        // itself when the file closes.
        let _ = self.file.set_len(0);
    }
}

/// Opens (creating) the lock file without truncating it: truncating before holding the lock
/// would erase the current holder's note.
fn open(dir: &Path, name: &str) -> Result<(File, PathBuf), LockError> {
    let path = dir.join(format!("{name}.lock"));
    std::fs::create_dir_all(dir).map_err(|source| LockError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|source| LockError::Io {
            path: path.clone(),
            source,
        })?;
    Ok((file, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_turned_away_with_the_first_ones_note() {
        let dir = tempfile::tempdir().unwrap();
        let first = FileLock::try_acquire(dir.path(), "a", "audit `a`", "pid 1 (first)").unwrap();
        let err = FileLock::try_acquire(dir.path(), "a", "audit `a`", "pid 2").unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, LockError::Held { .. }), "{text}");
        assert!(
            text.contains("audit `a`") && text.contains("pid 1 (first)"),
            "{text}"
        );
        // Another name is another lock.
        let _other = FileLock::try_acquire(dir.path(), "b", "audit `b`", "pid 2").unwrap();
        drop(first);
        let again = FileLock::try_acquire(dir.path(), "a", "audit `a`", "pid 3").unwrap();
        assert_eq!(std::fs::read_to_string(again.path()).unwrap(), "pid 3");
    }

    #[test]
    fn the_lock_folder_is_beside_the_database() {
        assert_eq!(
            FileLock::dir_for(Path::new("reports/linkgate.db")),
            Path::new("reports/locks")
        );
    }
}
