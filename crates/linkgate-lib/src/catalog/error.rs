//! The one error type of loading a catalog. Reading problems stop the load at once (there is
//! nothing to validate); content problems are gathered into `Diagnostics` so an author sees
//! every mistake of every file in one go.

use std::path::PathBuf;

use crate::diagnostic::Diagnostics;

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("cannot read scenario path {path}: {source} (check the path exists and is readable)")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "no scenario files (*.toml) found under {0} — pass a file or a folder with .toml files"
    )]
    Empty(String),
    #[error("{0}")]
    Invalid(Diagnostics),
}
