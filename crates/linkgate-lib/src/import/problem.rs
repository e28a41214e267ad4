//! What stops an import, with the line and column of every bad cell, so the analyst can fix
//! the sheet in one pass.

use std::path::PathBuf;

use crate::diagnostic::Diagnostic;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{}", invalid(.path, .problems))]
    Invalid {
        path: PathBuf,
        /// One per bad cell (or row); lines count the header as line 1.
        problems: Vec<Diagnostic>,
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

fn invalid(path: &std::path::Path, problems: &[Diagnostic]) -> String {
    let mut out = String::new();
    for p in problems {
        out.push_str(&p.short());
        out.push('\n');
    }
    let n = problems.len();
    out.push_str(&format!(
        "{n} problem{} in {}; nothing was imported",
        if n == 1 { "" } else { "s" },
        path.display()
    ));
    out
}
