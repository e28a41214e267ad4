//! What stops an import, with the line and column of every bad cell, so the analyst can fix
//! the sheet in one pass.

use std::fmt;
use std::path::PathBuf;

/// One bad cell (or row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    /// 1-based, counting the header as line 1.
    pub line: u64,
    /// 1-based.
    pub column: usize,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{}", invalid(.path, .problems))]
    Invalid {
        path: PathBuf,
        problems: Vec<RowProblem>,
    },
    #[error(
        "{}:{line}: not a readable CSV row ({message}); save the sheet as CSV (UTF-8, comma \
         separated); nothing was imported",
        .path.display()
    )]
    Malformed {
        path: PathBuf,
        line: u64,
        message: String,
    },
    #[error(
        "{}:1: {message}; the header must name the columns {}; nothing was imported",
        .path.display(), super::COLUMNS.join(",")
    )]
    Header { path: PathBuf, message: String },
    #[error("{} has no observations below its header; nothing was imported", .path.display())]
    Empty { path: PathBuf },
    #[error(
        "audit {audit} has time zone `{timezone}`, which is not an IANA time zone name; fix the \
         scenario file"
    )]
    TimeZone { audit: String, timezone: String },
}

fn invalid(path: &std::path::Path, problems: &[RowProblem]) -> String {
    let mut out = String::new();
    for p in problems {
        out.push_str(&format!(
            "{}:{}:{}: {}\n",
            path.display(),
            p.line,
            p.column,
            p.message
        ));
    }
    let n = problems.len();
    out.push_str(&format!(
        "{n} problem{} in {}; nothing was imported",
        if n == 1 { "" } else { "s" },
        path.display()
    ));
    out
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}
