//! Exit codes are an interface: cron jobs and CI pipelines branch on them, so they are one
//! enum, documented in the README, and never a bare number elsewhere.

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
    /// The more serious of two exit codes: a failure over invalid input over a `--fail-on`
    /// hit over success.
    pub fn worse(self, other: Exit) -> Exit {
        const ORDER: [Exit; 4] = [Exit::Ok, Exit::FailOn, Exit::Invalid, Exit::Failure];
        let rank = |e| ORDER.iter().position(|x| *x == e);
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }

    /// Invalid input is 3, anything else 1.
    pub fn from_error(err: &anyhow::Error) -> Exit {
        let invalid = err.chain().any(|c| c.is::<InvalidArgs>());
        match invalid || linkgate::audit::is_invalid_input(err.as_ref()) {
            true => Exit::Invalid,
            false => Exit::Failure,
        }
    }
}

/// An error and its causes as one line, each thing said once (see [`linkgate::audit::describe`]).
pub fn describe(err: &anyhow::Error) -> String {
    linkgate::audit::describe(err.as_ref())
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
