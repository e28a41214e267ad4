//! Importing observations made by hand on a real phone. Some scenes cannot be automated (a
//! link tapped inside a live room, a QR code scanned in a mini program); an analyst records
//! them in a CSV (context, link, verdict, mechanism, observed_at, screenshot, analyst, note)
//! and `linkgate import` turns it into a run whose records have engine `manual`, with the
//! screenshots as evidence, so those scenes appear in the report, marked as manual.
//!
//! Every row is checked before anything is written: a bad row is reported with its line and
//! column, all bad rows at once, and nothing is imported.

mod problem;
mod row;

pub use problem::ImportError;
pub use row::{COLUMNS, ManualObservation};

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, Utc};

use crate::catalog::Catalog;
use crate::diagnostic::Diagnostic;
use crate::model::{
    Actor, Artifact, Audit, EngineKind, Observation, ProbeRole, Record, Verdict, VerdictKind,
};

/// Reads the CSV `bytes` (from `path`, for messages) into checked manual observations.
/// Screenshot paths are relative to `base` (the CSV's folder); `read` reads a file (the one
/// I/O this needs, passed in so tests can feed files from memory). `now` bounds `observed_at`.
pub fn parse(
    path: &Path,
    bytes: &[u8],
    base: &Path,
    catalog: &Catalog,
    audit: &Audit,
    now: DateTime<Utc>,
    read: &dyn Fn(&Path) -> std::io::Result<Vec<u8>>,
) -> Result<Vec<ManualObservation>, ImportError> {
    let checker = row::Checker::new(catalog, audit, base, now, read)?;
    let mut problems = Vec::new();
    let mut rows: Vec<ManualObservation> = Vec::new();
    let mut seen: HashMap<(String, String), u64> = HashMap::new();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(strip_bom(bytes));
    let columns = row::columns(path, &mut reader)?;
    for result in reader.records() {
        let record = result.map_err(|e| ImportError::Malformed {
            path: path.to_path_buf(),
            line: e.position().map_or(0, |p| p.line()),
            message: e.to_string(),
        })?;
        match checker.check(&record, &columns) {
            Ok(row) => {
                let key = (row.context.clone(), row.link.clone());
                match seen.get(&key) {
                    Some(first) => problems.push(Diagnostic::at(
                        path,
                        usize::try_from(row.line).unwrap_or(usize::MAX),
                        columns.index("context") + 1,
                        format!(
                            "context {} and link {} were already recorded on line {first}; \
                             keep one row per context and link",
                            row.context, row.link
                        ),
                    )),
                    None => {
                        seen.insert(key, row.line);
                        rows.push(row);
                    }
                }
            }
            Err(bad) => problems.extend(bad.into_iter().map(|mut p: Diagnostic| {
                p.file = path.to_path_buf();
                p
            })),
        }
    }
    if !problems.is_empty() {
        return Err(ImportError::Invalid {
            path: path.to_path_buf(),
            problems,
        });
    }
    if rows.is_empty() {
        return Err(ImportError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(rows)
}

/// Excel writes a UTF-8 BOM; the csv crate would read it as part of the first header.
fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// The records (and their screenshots) of `rows` as a run `run_id` of `audit`. A row in the
/// neutral context is its link's control, and the others are paired with it, as in a run.
pub fn records(
    run_id: &str,
    audit: &Audit,
    catalog: &Catalog,
    rows: &[ManualObservation],
) -> Vec<(Record, Vec<Artifact>)> {
    let controls: HashMap<&str, VerdictKind> = rows
        .iter()
        .filter(|r| r.role == ProbeRole::Control)
        .map(|r| (r.link.as_str(), r.verdict))
        .collect();
    rows.iter()
        .filter_map(|row| {
            let context = catalog.context(&row.context)?;
            let link = catalog.link(&row.link)?;
            let observation = Observation {
                engine: EngineKind::Manual,
                entry_url: link.url.clone(),
                screenshot_sha256: Some(row.screenshot.sha256.clone()),
                started_at: Some(row.observed_at),
                ..Observation::default()
            };
            let actor = match row.verdict {
                VerdictKind::Blocked | VerdictKind::Interstitial if context.host.is_some() => {
                    Actor::Host
                }
                VerdictKind::Blocked | VerdictKind::Interstitial => Actor::Target,
                _ => Actor::None,
            };
            let note = match row.note.as_str() {
                "" => String::new(),
                note => format!(": {note}"),
            };
            let record = Record {
                run_id: run_id.to_string(),
                observed_at: row.observed_at,
                audit: audit.id.clone(),
                context: context.id.clone(),
                host_platform: context.host.clone(),
                scene: context.scene,
                client: context.client,
                link_id: link.id.clone(),
                link_platform: link.platform.clone(),
                link_category: link.category,
                url: link.url.clone(),
                role: row.role,
                observation,
                verdict: Verdict {
                    kind: row.verdict,
                    mechanism: row.mechanism.clone(),
                    actor,
                    signature: Some("manual".to_string()),
                    reason: format!(
                        "recorded by hand on a real device by {} (screenshot {}){note}",
                        row.analyst,
                        row.screenshot_path.display()
                    ),
                },
                control_verdict: match row.role {
                    ProbeRole::Control => None,
                    _ => controls.get(row.link.as_str()).copied(),
                },
            };
            Some((record, vec![row.screenshot.clone()]))
        })
        .collect()
}

#[cfg(test)]
mod tests;
