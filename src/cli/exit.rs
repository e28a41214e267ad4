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

/// An error and its causes as one line. Library errors already name their file and quote their
/// source, so a context that the next message starts with, and a cause that an earlier
/// message already says, are left out: "cannot open X: cannot open X: file is not a
/// database: …: file is not a database" said everything twice.
pub fn describe(err: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if parts
            .last()
            .is_some_and(|last| text.starts_with(last.as_str()))
        {
            parts.pop();
        }
        let gist = text.rsplit(": ").next().unwrap_or(&text);
        if parts.iter().any(|p| p.contains(gist)) {
            continue;
        }
        parts.push(text);
    }
    parts.join(": ")
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> Self {
        std::process::ExitCode::from(exit as u8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context as _;

    /// Regression: database errors repeated their first clause and their cause.
    #[test]
    fn a_chain_says_each_thing_once() {
        #[derive(Debug, thiserror::Error)]
        #[error("file is not a database")]
        struct Sqlite(#[source] Code);
        #[derive(Debug, thiserror::Error)]
        #[error("Error code 26: file is not a database")]
        struct Code;
        #[derive(Debug, thiserror::Error)]
        #[error("cannot open the history database h.db: {0}; check the file")]
        struct Open(#[source] Sqlite);
        let err = Err::<(), _>(Open(Sqlite(Code)))
            .context("cannot open the history database h.db")
            .unwrap_err();
        assert_eq!(
            describe(&err),
            "cannot open the history database h.db: file is not a database; check the file"
        );
        let err = Err::<(), _>(Code).context("reading the run").unwrap_err();
        assert_eq!(
            describe(&err),
            "reading the run: Error code 26: file is not a database"
        );
    }
}

/// An argument that parsed but makes no sense (an unknown link id, a bad date, …).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InvalidArgs(pub String);
