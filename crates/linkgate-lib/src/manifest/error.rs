//! What can stop sealing or verifying. A file that does not match is not one of these: it is a
//! [`super::Problem`] that `verify` reports with the rest.

use std::path::PathBuf;

use crate::lock::LockError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error(
        "{}: {source}; check that the reports folder is writable and the disk is not full",
        .path.display()
    )]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot encode the manifest of run {run_id} as JSON: {source}")]
    Encode {
        run_id: String,
        #[source]
        source: serde_json::Error,
    },
    #[error(
        "run {run_id} is already sealed ({}); a sealed run is changed only by an amendment",
        .path.display()
    )]
    AlreadySealed { run_id: String, path: PathBuf },
    #[error(
        "{} is a real folder or file, not linkgate's link to the newest report; move it away so \
         linkgate can point `latest` at the newest run",
        .path.display()
    )]
    LatestInTheWay { path: PathBuf },
    #[error("the manifest was written but not signed: {0}")]
    Sign(#[source] super::sign::KeyError),
    #[error(transparent)]
    Lock(#[from] LockError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub(super) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> ManifestError {
    let path = path.into();
    move |source| ManifestError::Io { path, source }
}
