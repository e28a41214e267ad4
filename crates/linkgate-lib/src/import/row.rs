//! One row of a manual-observation CSV, checked cell by cell against the catalog and the
//! audit. Every bad cell of a row is reported, not only the first.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use csv::StringRecord;

use super::ImportError;
use crate::catalog::Catalog;
use crate::diagnostic::Diagnostic;
use crate::model::{
    Artifact, ArtifactKind, Audit, Context, Link, ProbeRole, SameOwner, VerdictKind,
};

/// The columns, by header name. `note` may be left out; the others are required.
pub const COLUMNS: [&str; 8] = [
    "context",
    "link",
    "verdict",
    "mechanism",
    "observed_at",
    "screenshot",
    "analyst",
    "note",
];

const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";

/// One checked row.
#[derive(Debug, Clone, PartialEq)]
pub struct ManualObservation {
    /// The row's line in the file (the header is line 1).
    pub line: u64,
    pub context: String,
    pub link: String,
    pub role: ProbeRole,
    pub verdict: VerdictKind,
    pub mechanism: String,
    pub observed_at: DateTime<Utc>,
    /// The screenshot as evidence (read and hashed).
    pub screenshot: Artifact,
    /// The path as written in the CSV.
    pub screenshot_path: PathBuf,
    pub analyst: String,
    pub note: String,
}

/// Where each column is in this file.
pub(super) struct Columns(HashMap<&'static str, usize>);

impl Columns {
    /// 0-based position of a column (`note` may be absent: then past the end).
    pub fn index(&self, name: &str) -> usize {
        self.0.get(name).copied().unwrap_or(usize::MAX - 1)
    }

    fn cell<'r>(&self, record: &'r StringRecord, name: &str) -> &'r str {
        record.get(self.index(name)).unwrap_or("").trim()
    }
}

/// Reads the header: every column once, none unknown.
pub(super) fn columns<R: std::io::Read>(
    path: &Path,
    reader: &mut csv::Reader<R>,
) -> Result<Columns, ImportError> {
    let header = |message: String| ImportError::Header {
        path: path.to_path_buf(),
        message,
    };
    let names = reader
        .headers()
        .map_err(|e| header(format!("the header cannot be read ({e})")))?
        .clone();
    let mut found = HashMap::new();
    for (i, name) in names.iter().enumerate() {
        let name = name.trim().to_lowercase();
        let Some(known) = COLUMNS.iter().find(|c| **c == name) else {
            return Err(header(format!(
                "unknown column `{name}` (column {})",
                i + 1
            )));
        };
        if found.insert(*known, i).is_some() {
            return Err(header(format!("column `{name}` appears twice")));
        }
    }
    if let Some(missing) = COLUMNS
        .iter()
        .find(|c| **c != "note" && !found.contains_key(**c))
    {
        return Err(header(format!("column `{missing}` is missing")));
    }
    Ok(Columns(found))
}

/// Checks rows against one catalog and audit.
pub(super) struct Checker<'a> {
    catalog: &'a Catalog,
    audit: &'a Audit,
    base: &'a Path,
    now: DateTime<Utc>,
    read: &'a dyn Fn(&Path) -> std::io::Result<Vec<u8>>,
    timezone: Tz,
}

/// Collects a row's problems.
struct Row<'r> {
    line: u64,
    record: &'r StringRecord,
    columns: &'r Columns,
    /// Placed in the sheet by the caller, which knows its path.
    problems: Vec<Diagnostic>,
}

impl Row<'_> {
    fn cell(&self, name: &str) -> &str {
        self.columns.cell(self.record, name)
    }

    fn bad(&mut self, column: &str, message: String) {
        let index = self.columns.index(column);
        let line = usize::try_from(self.line).unwrap_or(usize::MAX);
        let column = index.saturating_add(1);
        self.problems
            .push(Diagnostic::at(PathBuf::new(), line, column, message));
    }

    /// A required cell, or a problem.
    fn required(&mut self, column: &str) -> Option<String> {
        let text = self.cell(column).to_string();
        if text.is_empty() {
            self.bad(column, format!("`{column}` is empty"));
            return None;
        }
        Some(text)
    }
}

impl<'a> Checker<'a> {
    pub fn new(
        catalog: &'a Catalog,
        audit: &'a Audit,
        base: &'a Path,
        now: DateTime<Utc>,
        read: &'a dyn Fn(&Path) -> std::io::Result<Vec<u8>>,
    ) -> Result<Checker<'a>, ImportError> {
        let timezone = audit
            .timezone
            .parse::<Tz>()
            .map_err(|_| ImportError::TimeZone {
                audit: audit.id.clone(),
                timezone: audit.timezone.clone(),
            })?;
        Ok(Checker {
            catalog,
            audit,
            base,
            now,
            read,
            timezone,
        })
    }

    pub fn check(
        &self,
        record: &StringRecord,
        columns: &Columns,
    ) -> Result<ManualObservation, Vec<Diagnostic>> {
        let mut row = Row {
            line: record.position().map_or(0, |p| p.line()),
            record,
            columns,
            problems: Vec::new(),
        };
        let context = self.context(&mut row);
        let link = self.link(&mut row);
        let role = match (context, link) {
            (Some(c), Some(l)) => self.role(&mut row, c, l),
            _ => None,
        };
        let verdict = self.verdict(&mut row);
        let mechanism = self.mechanism(&mut row);
        let observed_at = self.observed_at(&mut row);
        let screenshot = self.screenshot(&mut row);
        let analyst = row.required("analyst");
        let note = row.cell("note").to_string();
        match (
            context,
            link,
            role,
            verdict,
            mechanism,
            observed_at,
            screenshot,
            analyst,
        ) {
            (
                Some(context),
                Some(link),
                Some(role),
                Some(verdict),
                Some(mechanism),
                Some(observed_at),
                Some((screenshot_path, screenshot)),
                Some(analyst),
            ) if row.problems.is_empty() => Ok(ManualObservation {
                line: row.line,
                context: context.id.clone(),
                link: link.id.clone(),
                role,
                verdict,
                mechanism,
                observed_at,
                screenshot,
                screenshot_path,
                analyst,
                note,
            }),
            _ => Err(row.problems),
        }
    }

    fn context(&self, row: &mut Row<'_>) -> Option<&'a Context> {
        let id = row.required("context")?;
        let Some(context) = self.catalog.context(&id) else {
            let known = self.catalog.contexts.iter().map(|c| c.id.as_str());
            row.bad("context", unknown("context", &id, known));
            return None;
        };
        if !context.is_neutral() && !self.audit.contexts.picks_context(context) {
            row.bad(
                "context",
                format!(
                    "context {id} is not one of audit {}'s contexts",
                    self.audit.id
                ),
            );
            return None;
        }
        Some(context)
    }

    fn link(&self, row: &mut Row<'_>) -> Option<&'a Link> {
        let id = row.required("link")?;
        let Some(link) = self.catalog.link(&id) else {
            let known = self.catalog.links.iter().map(|l| l.id.as_str());
            row.bad("link", unknown("link", &id, known));
            return None;
        };
        if !self.audit.links.picks_link(link) {
            row.bad(
                "link",
                format!("link {id} is not one of audit {}'s links", self.audit.id),
            );
            return None;
        }
        Some(link)
    }

    /// As the plan decides it: neutral is the control; same owner follows the audit's rule.
    fn role(&self, row: &mut Row<'_>, context: &Context, link: &Link) -> Option<ProbeRole> {
        let Some(host) = context.host.as_deref() else {
            return Some(ProbeRole::Control);
        };
        let same = host == link.platform
            || matches!(
                (self.catalog.owner_of(host), self.catalog.owner_of(&link.platform)),
                (Some(a), Some(b)) if a == b
            );
        match (same, self.audit.same_owner) {
            (false, _) | (true, SameOwner::Include) => Some(ProbeRole::Rival),
            (true, SameOwner::Control) => Some(ProbeRole::SameOwner),
            (true, SameOwner::Exclude) => {
                row.bad(
                    "link",
                    format!(
                        "link {} and context {} have one owner, and audit {} leaves such pairs out",
                        link.id, context.id, self.audit.id
                    ),
                );
                None
            }
        }
    }

    fn verdict(&self, row: &mut Row<'_>) -> Option<VerdictKind> {
        let word = row.required("verdict")?;
        let verdict = VerdictKind::parse(&word.to_lowercase());
        if verdict.is_none() {
            row.bad(
                "verdict",
                format!(
                    "`{word}` is not a verdict; use opened, interstitial, blocked or inconclusive"
                ),
            );
        }
        verdict
    }

    fn mechanism(&self, row: &mut Row<'_>) -> Option<String> {
        let word = row.required("mechanism")?;
        let ok = word
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !ok {
            row.bad(
                "mechanism",
                format!(
                    "`{word}` is not a mechanism word; use lower-case words joined by `_`, such \
                     as stop_page, copy_to_browser, risk_warning, app_only_wall or direct"
                ),
            );
            return None;
        }
        Some(word)
    }

    /// RFC 3339 with an offset, or a local time (`2026-11-20 10:15`) in the audit's zone.
    fn observed_at(&self, row: &mut Row<'_>) -> Option<DateTime<Utc>> {
        let text = row.required("observed_at")?;
        let parsed = DateTime::parse_from_rfc3339(&text)
            .map(|t| t.with_timezone(&Utc))
            .ok()
            .or_else(|| self.local_time(&text));
        let Some(time) = parsed else {
            row.bad(
                "observed_at",
                format!(
                    "`{text}` is not a time; write 2026-11-20T10:15:00+08:00, or 2026-11-20 \
                     10:15 in the audit's time zone ({})",
                    self.timezone.name()
                ),
            );
            return None;
        };
        if time > self.now {
            row.bad(
                "observed_at",
                format!("`{text}` is in the future; check the date and the time zone"),
            );
            return None;
        }
        Some(time)
    }

    fn local_time(&self, text: &str) -> Option<DateTime<Utc>> {
        [
            "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%d %H:%M",
            "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%dT%H:%M",
        ]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .and_then(|naive| self.timezone.from_local_datetime(&naive).earliest())
        .map(|t| t.with_timezone(&Utc))
    }

    /// The screenshot file, read and hashed: it must be there and be a PNG.
    fn screenshot(&self, row: &mut Row<'_>) -> Option<(PathBuf, Artifact)> {
        let written = PathBuf::from(row.required("screenshot")?);
        let path = self.base.join(&written);
        let bytes = match (self.read)(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                row.bad(
                    "screenshot",
                    format!(
                        "screenshot file {} is missing (paths are relative to the CSV's folder)",
                        path.display()
                    ),
                );
                return None;
            }
            Err(e) => {
                row.bad(
                    "screenshot",
                    format!("screenshot file {} cannot be read: {e}", path.display()),
                );
                return None;
            }
        };
        if !bytes.starts_with(PNG_MAGIC) {
            row.bad(
                "screenshot",
                format!(
                    "screenshot file {} is not a PNG image; save phone screenshots as PNG",
                    path.display()
                ),
            );
            return None;
        }
        Some((written, Artifact::new(ArtifactKind::Screenshot, bytes)))
    }
}

/// `unknown context `x`; did you mean `y`?`
fn unknown<'k>(what: &str, id: &str, known: impl Iterator<Item = &'k str>) -> String {
    let closest = known
        .map(|k| (strsim::damerau_levenshtein(id, k), k))
        .filter(|(d, _)| *d <= 3)
        .min_by_key(|(d, _)| *d);
    match closest {
        Some((_, k)) => format!("unknown {what} `{id}`; did you mean `{k}`?"),
        None => format!("unknown {what} `{id}`; see `linkgate plan` for the ids"),
    }
}
