//! What can stop a command of the orchestration layer, as one typed enum: the binary maps it
//! to an exit code by asking [`AuditError::is_invalid_input`], never by downcasting, and each
//! variant keeps the stage's own error (which already names the file and the fix).

use std::io;
use std::path::PathBuf;

use super::report::ReportError;
use crate::catalog::CatalogError;
use crate::engine;
use crate::import::ImportError;
use crate::lock::LockError;
use crate::manifest::ManifestError;
use crate::manifest::sign::KeyError;
use crate::plan::{PlanError, SelectionError};
use crate::run::RunError;
use crate::sim::SimError;
use crate::store::StoreError;

/// An error of the orchestration layer.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// Input that parsed but makes no sense: an unknown audit or run, a selection that
    /// matches nothing, a sheet with bad rows. Exit code 3.
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error(transparent)]
    Selection(#[from] SelectionError),
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Run(#[from] RunError),
    #[error(transparent)]
    Lock(#[from] LockError),
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    #[error(transparent)]
    Report(#[from] ReportError),
    #[error(transparent)]
    Sim(#[from] SimError),
    #[error("cannot set up the HTTP engine: {0}")]
    HttpEngine(#[from] engine::http::EngineError),
    #[error("cannot set up the browser engine: {0}")]
    BrowserEngine(#[from] engine::browser::EngineError),
    /// A file or folder the layer reads or writes itself.
    #[error("cannot {action} {}: {source}", .path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// The report failed (or panicked) after the run was stored; the run is still sealed.
    #[error(
        "the run is stored, but its report was not written ({why}); try again with `linkgate report --db {db} --run {run}`"
    )]
    ReportFailed {
        run: String,
        db: crate::store::Location,
        why: String,
    },
}

impl AuditError {
    /// Whether the error is the caller's input (scenario files, arguments, a sheet), which a
    /// command reports as invalid input rather than a runtime failure.
    pub fn is_invalid_input(&self) -> bool {
        let store = match self {
            AuditError::Store(err) | AuditError::Run(RunError::Store(err)) => Some(err),
            _ => None,
        };
        matches!(
            self,
            AuditError::Invalid(_)
                | AuditError::Catalog(_)
                | AuditError::Plan(_)
                | AuditError::Selection(_)
                | AuditError::Import(_)
        ) || store.is_some_and(|err| {
            // A shard whose count or vantage is not its group's: the command line is wrong.
            matches!(
                err,
                StoreError::GroupMismatch { .. } | StoreError::GroupVantage { .. }
            )
        })
    }

    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        AuditError::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

/// Whether `err`, or any error it was caused by, is input the user can fix by asking
/// differently (exit code 3 in the binary): invalid scenario files, an unknown audit, a bad
/// selection word, a page `classify` cannot place, a pack `init` would overwrite, a shard
/// whose count or vantage is not its run group's.
pub fn is_invalid_input(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(err);
    while let Some(err) = cause {
        let invalid = err.is::<CatalogError>()
            || err.is::<PlanError>()
            || err.is::<crate::plan::SelectionError>()
            || err.is::<crate::inspect::InspectError>()
            || err
                .downcast_ref::<crate::catalog::bundle::WriteOutError>()
                .is_some_and(|e| e.is_invalid_input())
            || err
                .downcast_ref::<AuditError>()
                .is_some_and(AuditError::is_invalid_input)
            || err
                .downcast_ref::<KeyError>()
                .is_some_and(|e| matches!(e, KeyError::Exists { .. } | KeyError::Encrypted { .. }));
        if invalid {
            return true;
        }
        cause = err.source();
    }
    false
}
