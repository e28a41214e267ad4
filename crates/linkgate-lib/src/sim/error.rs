//! The simulator's errors. Only starting it can fail (a world file that does not load, an
//! address that cannot be bound, a CA that cannot be made or written); once it runs, a bad
//! client is logged and dropped, never an error for the caller.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

use crate::diagnostic::Diagnostic;

/// Every problem found in one world file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorldProblems {
    pub file: PathBuf,
    pub problems: Vec<Diagnostic>,
}

impl fmt::Display for WorldProblems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.problems.len();
        let plural = if count == 1 { "" } else { "s" };
        write!(
            f,
            "world file {} has {count} problem{plural}:",
            self.file.display()
        )?;
        for p in &self.problems {
            write!(f, "\n  {}", p.short())?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error(
        "cannot read world file {path}: {source} (check the path, or omit --world to use the bundled world)"
    )]
    ReadWorld {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    InvalidWorld(WorldProblems),
    #[error("cannot listen on {addr}: {source} (pick a free port, or port 0 for any)")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(
        "cannot make the simulator's certificate authority: {0} (a bug in linkgate: please report it)"
    )]
    Ca(#[from] rcgen::Error),
    #[error("cannot set up TLS for the simulator: {0} (a bug in linkgate: please report it)")]
    Tls(#[from] tokio_rustls::rustls::Error),
    #[error(
        "cannot write the CA certificate to {path}: {source} (check the folder exists and is writable)"
    )]
    WriteCa {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot wait for Ctrl-C: {0}")]
    Signal(std::io::Error),
}
