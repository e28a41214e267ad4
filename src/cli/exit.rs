//! Exit codes are an interface: cron jobs and CI pipelines branch on them, so they are one
//! enum, documented in the README, and never a bare number elsewhere.

use linkgate::catalog::CatalogError;

/// What the process tells its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// The command did what was asked (a run completed).
    Ok = 0,
    /// A runtime failure: I/O, database, the network stack itself.
    Failure = 1,
    /// A `--fail-on` condition held.
    FailOn = 2,
    /// Invalid scenario files or arguments.
    Invalid = 3,
}

impl Exit {
    /// Invalid input is 3, anything else 1.
    pub fn from_error(err: &anyhow::Error) -> Exit {
        let invalid = err.chain().any(|cause| {
            cause.downcast_ref::<CatalogError>().is_some()
                || cause.downcast_ref::<linkgate::plan::PlanError>().is_some()
                || cause.downcast_ref::<InvalidArgs>().is_some()
        });
        if invalid {
            Exit::Invalid
        } else {
            Exit::Failure
        }
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> Self {
        std::process::ExitCode::from(exit as u8)
    }
}

/// An argument that parsed but makes no sense (an unknown link id, a bad date, …).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InvalidArgs(pub String);
