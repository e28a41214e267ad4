//! The evidence folder beside the database: raw page bodies (gzip) and screenshots (PNG),
//! each named by the SHA-256 of its uncompressed bytes. Content addressing makes a file its own
//! integrity check and stores a page seen in many runs once. Files are written to a temporary
//! name and renamed, so a crash never leaves a half-written file under a real name.
//!
//! Checking and compressing an artifact ([`prepare`]) is kept apart from writing it
//! ([`write_prepared`]), so that a run compresses pages on many threads and its one history
//! writer only writes files. Files are not synced one by one: like the database's
//! `synchronous = NORMAL`, a written file survives the process crashing or being killed,
//! and only an operating-system crash or power cut can lose the newest files, together with
//! the newest records that name them (see the store's module documentation).

use sha2::Digest;
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::StoreError;
use super::codec::{compress, decompress};
use crate::model::{Artifact, ArtifactKind};

/// The file an artifact is kept in.
pub(super) fn file_name(sha256: &str, kind: ArtifactKind) -> String {
    match kind {
        ArtifactKind::Body => format!("{sha256}.html.gz"),
        ArtifactKind::Screenshot => format!("{sha256}.png"),
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(bytes))
}

fn is_sha256(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// An artifact checked against its name and compressed, ready to be written.
#[derive(Debug, Clone)]
pub(super) struct PreparedArtifact {
    name: String,
    contents: Vec<u8>,
}

/// Checks `artifact`'s name against its bytes (a misnamed artifact would be evidence of
/// something else) and compresses a body. `compressed` is the gzip of the same bytes when
/// the caller already has it (a UTF-8 page's body is stored in the database compressed too).
pub(super) fn prepare(
    artifact: &Artifact,
    compressed: Option<&[u8]>,
) -> Result<PreparedArtifact, StoreError> {
    if !is_sha256(&artifact.sha256) {
        return Err(StoreError::BadSha {
            sha256: artifact.sha256.clone(),
        });
    }
    let actual = sha256_hex(&artifact.bytes);
    if !actual.eq_ignore_ascii_case(&artifact.sha256) {
        return Err(StoreError::ArtifactMismatch {
            sha256: artifact.sha256.clone(),
            actual,
        });
    }
    let name = file_name(&actual, artifact.kind);
    let contents = match (artifact.kind, compressed) {
        (ArtifactKind::Body, Some(gz)) => gz.to_vec(),
        (ArtifactKind::Body, None) => {
            compress(&artifact.bytes).map_err(|source| StoreError::Evidence {
                path: PathBuf::from(&name),
                source,
            })?
        }
        (ArtifactKind::Screenshot, _) => artifact.bytes.clone(),
    };
    Ok(PreparedArtifact { name, contents })
}

/// Keeps `artifact` in `dir` unless a file of that name is already there.
#[cfg(test)]
pub(super) fn write(dir: &Path, artifact: &Artifact) -> Result<(), StoreError> {
    write_prepared(dir, &prepare(artifact, None)?)
}

/// Writes a prepared artifact into `dir` unless a file of that name is already there.
pub(super) fn write_prepared(dir: &Path, artifact: &PreparedArtifact) -> Result<(), StoreError> {
    let target = dir.join(&artifact.name);
    if target.exists() {
        return Ok(());
    }
    fs::create_dir_all(dir).map_err(|source| StoreError::Evidence {
        path: dir.to_path_buf(),
        source,
    })?;
    write_atomically(dir, &artifact.name, &artifact.contents).map_err(|source| {
        StoreError::Evidence {
            path: target,
            source,
        }
    })
}

/// Distinguishes temporary files of one process; the process id distinguishes processes.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

fn write_atomically(dir: &Path, name: &str, contents: &[u8]) -> io::Result<()> {
    let temp = dir.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let written = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        file.write_all(contents)?;
        // Two writers racing on one name rename identical bytes over each other: harmless.
        fs::rename(&temp, dir.join(name))
    })();
    if written.is_err() {
        // Best effort: the temporary name starts with a dot and is never read back.
        let _ = fs::remove_file(&temp);
    }
    written
}

/// Refuses a text that is not a SHA-256 (a path, say) before it names a file.
pub(super) fn check_sha(sha256: &str) -> Result<(), StoreError> {
    if is_sha256(sha256) {
        Ok(())
    } else {
        Err(StoreError::BadSha {
            sha256: sha256.to_string(),
        })
    }
}

/// The uncompressed bytes of the artifact named `sha256`, checked against the name.
#[cfg(test)]
pub(super) fn read(dir: &Path, sha256: &str) -> Result<Vec<u8>, StoreError> {
    check_sha(sha256)?;
    let sha256 = sha256.to_ascii_lowercase();
    let Some(path) = locate(dir, &sha256) else {
        return Err(StoreError::ArtifactMissing {
            dir: dir.to_path_buf(),
            sha256,
        });
    };
    let stored = fs::read(&path).map_err(|source| StoreError::Evidence {
        path: path.clone(),
        source,
    })?;
    let name = path
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    unpack(&sha256, &name, &path, stored)
}

/// The uncompressed bytes of evidence stored as `name` (at `place`, for messages), checked
/// against `sha256`: a page is gzip, a screenshot as is.
pub(super) fn unpack(
    sha256: &str,
    name: &str,
    place: &Path,
    stored: Vec<u8>,
) -> Result<Vec<u8>, StoreError> {
    let bytes = if name.ends_with(".gz") {
        decompress(&stored).map_err(|source| StoreError::Evidence {
            path: place.to_path_buf(),
            source,
        })?
    } else {
        stored
    };
    let actual = sha256_hex(&bytes);
    if actual != sha256 {
        return Err(StoreError::Tampered {
            path: place.to_path_buf(),
            actual,
        });
    }
    Ok(bytes)
}

/// Writes evidence stored as `name` into `dir` unless a file of that name is there; answers
/// whether it wrote one.
pub(super) fn write_named(dir: &Path, name: &str, stored: &[u8]) -> Result<bool, StoreError> {
    if dir.join(name).exists() {
        return Ok(false);
    }
    let artifact = PreparedArtifact {
        name: name.to_string(),
        contents: stored.to_vec(),
    };
    write_prepared(dir, &artifact).map(|()| true)
}

/// The name and stored bytes of a prepared artifact (for a history that keeps them in rows).
impl PreparedArtifact {
    pub(super) fn name(&self) -> &str {
        &self.name
    }
    pub(super) fn contents(&self) -> &[u8] {
        &self.contents
    }
}

/// Where the artifact named `sha256` is kept, if it is there.
pub(super) fn locate(dir: &Path, sha256: &str) -> Option<PathBuf> {
    if !is_sha256(sha256) {
        return None;
    }
    let sha256 = sha256.to_ascii_lowercase();
    [ArtifactKind::Body, ArtifactKind::Screenshot]
        .into_iter()
        .map(|kind| dir.join(file_name(&sha256, kind)))
        .find(|path| path.exists())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_is_kept_compressed_under_the_hash_of_its_raw_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let page = "<title>已停止访问该网页</title>".repeat(20).into_bytes();
        let artifact = Artifact::new(ArtifactKind::Body, page.clone());
        write(dir.path(), &artifact).unwrap();
        let path = dir.path().join(format!("{}.html.gz", artifact.sha256));
        let stored = fs::read(&path).unwrap();
        assert_ne!(stored, page);
        assert_eq!(decompress(&stored).unwrap(), page);
        assert_eq!(read(dir.path(), &artifact.sha256).unwrap(), page);
        assert_eq!(locate(dir.path(), &artifact.sha256), Some(path));
    }

    #[test]
    fn no_temporary_files_are_left_behind() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &Artifact::new(ArtifactKind::Screenshot, vec![1, 2, 3]),
        )
        .unwrap();
        let names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 1);
        assert!(names[0].ends_with(".png"), "{names:?}");
    }

    #[test]
    fn a_misnamed_artifact_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut artifact = Artifact::new(ArtifactKind::Screenshot, vec![1, 2, 3]);
        artifact.bytes.push(4);
        let err = write(dir.path(), &artifact).unwrap_err();
        assert!(matches!(err, StoreError::ArtifactMismatch { .. }), "{err}");
    }

    #[test]
    fn a_path_is_not_a_hash() {
        let dir = tempfile::tempdir().unwrap();
        let err = read(dir.path(), "../../etc/passwd").unwrap_err();
        assert!(matches!(err, StoreError::BadSha { .. }), "{err}");
    }

    #[test]
    fn a_changed_file_is_reported_as_tampered() {
        let dir = tempfile::tempdir().unwrap();
        let artifact = Artifact::new(ArtifactKind::Screenshot, b"png bytes".to_vec());
        write(dir.path(), &artifact).unwrap();
        fs::write(
            dir.path().join(format!("{}.png", artifact.sha256)),
            b"edited",
        )
        .unwrap();
        let err = read(dir.path(), &artifact.sha256).unwrap_err();
        assert!(matches!(err, StoreError::Tampered { .. }), "{err}");
    }
}
