//! Asking a time-stamping authority for tokens over sealed manifests: right after a run is
//! sealed (`--tsa URL`), where a TSA that does not answer is a warning, never a failed run,
//! and later, for a run whose token is missing (`linkgate timestamp RUN_ID`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::AuditError;
use crate::manifest::timestamp::{TimestampError, stamp, token_path};
use crate::manifest::{self, AMENDMENT_PREFIX, MANIFEST_FILE};

/// A client for TSAs: its own, not the run's (a run may go through a vantage's proxy; the
/// TSA is asked directly).
fn client() -> Result<reqwest::Client, TimestampError> {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| TimestampError::Unreachable {
            url: String::new(),
            reason: e.to_string(),
        })
}

/// Asks `tsa` for a token over `manifest`; a failure is logged with what to do later.
pub async fn stamp_or_warn(tsa: &str, run_id: &str, manifest: &Path) {
    let stamped = match client() {
        Ok(client) => stamp(&client, tsa, manifest).await,
        Err(err) => Err(err),
    };
    match stamped {
        Ok(path) => tracing::info!(run = %run_id, "timestamped: {}", path.display()),
        Err(err) => tracing::warn!(
            run = %run_id,
            "{err}; the run is sealed without a timestamp; add it later with `linkgate \
             timestamp {run_id} --tsa {tsa}`"
        ),
    }
}

/// Asks `tsa` for a token over each chain entry of `run_id` (its manifest and amendments)
/// that has none yet. Returns the tokens written.
pub async fn timestamp_run(
    out: &Path,
    run_id: &str,
    tsa: &str,
) -> Result<Vec<PathBuf>, AuditError> {
    let folder = out.join(run_id);
    let entries = manifest::scan(out)?;
    let mine: Vec<&PathBuf> = entries
        .iter()
        .filter(|e| !e.pruned && e.path.parent() == Some(folder.as_path()))
        .map(|e| &e.path)
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n == MANIFEST_FILE || n.starts_with(AMENDMENT_PREFIX))
        })
        .collect();
    if mine.is_empty() {
        return Err(AuditError::Invalid(format!(
            "run {run_id} has no manifest in {}: only a sealed run can be timestamped",
            out.display()
        )));
    }
    let client = client().map_err(|e| AuditError::Invalid(e.to_string()))?;
    let mut written = Vec::new();
    for path in mine {
        if token_path(path).exists() {
            continue;
        }
        let token = stamp(&client, tsa, path)
            .await
            .map_err(|e| AuditError::Invalid(e.to_string()))?;
        written.push(token);
    }
    Ok(written)
}
