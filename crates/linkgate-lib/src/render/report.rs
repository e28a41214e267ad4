//! A report from the history database: read the runs of one audit, judge each run's records,
//! assess them as of one run, render index.html (+ side pages), summary.csv and summary.json,
//! and write them into the report folder. Reading and writing are kept at the two ends
//! ([`load`], [`write`]); [`render`] in between is pure, so any past state of a history can be
//! rendered again and tests can render without a disk.
//!
//! Runs are read one at a time, without their page bodies, and only their findings kept:
//! judging needs verdicts, not pages, and decompressing every page of a long history was most
//! of a report's time. Only the run shown is read again with its bodies, a batch at a time,
//! for the drill-down's page titles and text (see `html::gist`): a long history costs the
//! memory of one run's records without their pages.

use chrono::{DateTime, NaiveDate, Utc};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

use super::html::{
    HtmlReport, Lang, PageGists, RenderError, ReportInput, render_html, shown_pairs,
};
use super::summary::{summary_csv, summary_json};
use crate::assess::{
    AssessError, Assessment, AuditTerms, ControlFailures, Directory, RunFindings, assess, judge,
};
use crate::model::{Audit, Observation, ProbeRole, Record, Run};
use crate::store::{BodyRead, Store, StoreError};

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Assess(#[from] AssessError),
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error(
        "the history has no run with records of audit `{audit}`{}; run `linkgate run --audit {audit}` first, or check --db and --since",
        since.map(|d| format!(" measured on or after {d}")).unwrap_or_default()
    )]
    NoRuns {
        audit: String,
        since: Option<NaiveDate>,
    },
    #[error(
        "run `{run}` is not in the history or has no records of audit `{audit}`; list the run folders beside the database for run ids, or pass another --audit"
    )]
    UnknownRun { run: String, audit: String },
    #[error("cannot write the report file {}: {source}; check that the folder is writable", .path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// One audit's history, assessed as of the run shown.
pub struct History {
    pub assessment: Assessment,
    pub run: Run,
    /// The shown run's records of the audit that the drill-down shows, controls included,
    /// without their bodies.
    pub records: Vec<Record>,
    /// What the drill-down shows of their pages.
    pub pages: PageGists,
    /// The shown run's rival pairs left unjudged because their controls failed too, and why
    /// those did: what the headline names.
    pub unjudged: ControlFailures,
}

/// What to read.
pub struct Request<'a> {
    pub audit: &'a Audit,
    pub directory: &'a Directory,
    /// The run to show; `None`: the last one measured.
    pub run: Option<&'a str>,
    /// Leave out runs measured before this date (the shown run is always kept).
    pub since: Option<NaiveDate>,
}

/// The run kept for the drill-down while reading.
struct Shown {
    at: DateTime<Utc>,
    run: Run,
    unjudged: ControlFailures,
}

/// Reads `request.audit`'s runs from `store` and assesses them as of the run shown, on the
/// date that run measured (never the wall clock: a simulated history keeps its dates).
pub fn load(store: &Store, request: &Request<'_>) -> Result<History, ReportError> {
    let audit = &request.audit.id;
    let terms = AuditTerms::of(request.audit)?;
    let mut history = Vec::new();
    let mut shown: Option<Shown> = None;
    for run in store.runs()? {
        if !run.audits.contains(audit) && request.run != Some(run.id.as_str()) {
            continue;
        }
        let records = verdicts_of(store, &run.id, audit)?;
        let findings = judge(&records, terms.policy);
        let Some(at) = findings.iter().map(|f| f.observed_at).min() else {
            continue;
        };
        let is_wanted = request.run == Some(run.id.as_str());
        if !is_wanted && request.since.is_some_and(|d| at.date_naive() < d) {
            continue;
        }
        let later = shown
            .as_ref()
            .is_none_or(|s| (at, &run.id) > (s.at, &s.run.id));
        if is_wanted || (request.run.is_none() && later) {
            shown = Some(Shown {
                at,
                run: run.clone(),
                unjudged: ControlFailures::of(&records),
            });
        }
        history.push(RunFindings { run, findings });
    }
    let Some(shown) = shown else {
        return Err(match request.run {
            Some(run) => ReportError::UnknownRun {
                run: run.to_string(),
                audit: audit.clone(),
            },
            None => ReportError::NoRuns {
                audit: audit.clone(),
                since: request.since,
            },
        });
    };
    let today = shown.at.date_naive();
    let assessment = assess(&terms, history, &shown.run.id, request.directory, today)?;
    let shown_pairs = drill_down(&assessment);
    let (records, pages) = summarised_records(store, &shown.run.id, audit, &shown_pairs)?;
    Ok(History {
        assessment,
        unjudged: shown.unjudged,
        run: shown.run,
        records,
        pages,
    })
}

/// A run's records of `audit`, in the order they were stored, as judging needs them: their
/// verdicts, without what was observed (a run of 200,000 records held 600 MB of hops and
/// headers here for nothing).
fn verdicts_of(store: &Store, run_id: &str, audit: &str) -> Result<Vec<Record>, StoreError> {
    let mut records = Vec::new();
    store.for_each_record(run_id, BodyRead::Skip, |mut stored| {
        if stored.record.audit == audit {
            stored.record.observation = Observation::default();
            records.push(stored.record);
        }
        Ok::<(), StoreError>(())
    })?;
    Ok(records)
}

/// Records read with their bodies at once, for their gists: enough to keep every core busy.
const GIST_BATCH: usize = 512;

/// The (context, link) pairs the drill-down shows, and the links whose controls it names.
struct DrillDown {
    /// Links by context: looked up with the record's own strings, for every record of a run.
    pairs: HashMap<String, HashSet<String>>,
    links: HashSet<String>,
}

fn drill_down(assessment: &Assessment) -> DrillDown {
    let mut shown = DrillDown {
        pairs: HashMap::new(),
        links: HashSet::new(),
    };
    for cell in &assessment.cells {
        for i in shown_pairs(assessment, cell) {
            let finding = &assessment.pairs[i].finding;
            shown.links.insert(finding.link_id.clone());
            shown
                .pairs
                .entry(finding.context.clone())
                .or_default()
                .insert(finding.link_id.clone());
        }
    }
    shown
}

impl DrillDown {
    fn shows(&self, record: &Record) -> bool {
        match record.role {
            ProbeRole::Control => self.links.contains(&record.link_id),
            _ => self
                .pairs
                .get(&record.context)
                .is_some_and(|links| links.contains(&record.link_id)),
        }
    }
}

/// The records of `audit` that the drill-down shows, with their pages summarised and their
/// bodies dropped, a batch at a time, so memory holds one batch of pages, not the run's.
fn summarised_records(
    store: &Store,
    run_id: &str,
    audit: &str,
    shown: &DrillDown,
) -> Result<(Vec<Record>, PageGists), StoreError> {
    let (mut records, mut pages) = (Vec::new(), PageGists::default());
    let mut summarised = 0;
    // Bodies are read only for the records shown: most of a large run's are not.
    store.for_each_record(run_id, BodyRead::Skip, |mut stored| {
        if stored.record.audit == audit && shown.shows(&stored.record) {
            if stored.record.observation.body.is_empty() {
                stored.record.observation.body = store.body(run_id, &stored.record.key())?;
            }
            records.push(stored.record);
        }
        if records.len() - summarised == GIST_BATCH {
            pages.take_from(&mut records[summarised..]);
            summarised = records.len();
        }
        Ok::<(), StoreError>(())
    })?;
    pages.take_from(&mut records[summarised..]);
    Ok((records, pages))
}

/// Hashes of the shown run's evidence files that are in the evidence folder.
pub fn evidence_present(store: &Store, records: &[Record]) -> HashSet<String> {
    records
        .iter()
        .flat_map(|r| {
            let o = &r.observation;
            o.body_sha256
                .iter()
                .chain(o.screenshot_sha256.iter())
                .chain(o.evidence.iter())
        })
        .filter(|sha| store.artifact_path(sha).is_some())
        .cloned()
        .collect()
}

/// A report's files, by path relative to the report folder.
pub struct ReportFiles {
    pub files: Vec<(String, Vec<u8>)>,
}

/// How to render.
pub struct Style<'a> {
    pub lang: Lang,
    /// URL of the evidence folder relative to the report folder (see [`relative_url`]).
    pub evidence: &'a str,
    pub evidence_present: Option<&'a HashSet<String>>,
    pub generator: &'a str,
}

/// Renders index.html (+ details/NNN.html), summary.csv and summary.json.
pub fn render(
    history: &History,
    directory: &Directory,
    style: &Style<'_>,
) -> Result<ReportFiles, ReportError> {
    let HtmlReport { index, pages } = render_html(&ReportInput {
        assessment: &history.assessment,
        run: &history.run,
        records: &history.records,
        pages: &history.pages,
        unjudged: &history.unjudged,
        directory,
        lang: style.lang,
        evidence: style.evidence,
        evidence_present: style.evidence_present,
        generator: style.generator,
    })?;
    let mut files = vec![("index.html".to_string(), index.into_bytes())];
    files.extend(pages.into_iter().map(|p| (p.path, p.html.into_bytes())));
    files.push((
        "summary.csv".to_string(),
        summary_csv(&history.assessment, directory),
    ));
    files.push((
        "summary.json".to_string(),
        summary_json(&history.assessment, directory),
    ));
    Ok(ReportFiles { files })
}

/// Writes `report` into `out`, each file through a temporary name, and removes side pages
/// an earlier rendering left that this one does not have. Returns the paths written.
pub fn write(out: &Path, report: &ReportFiles) -> Result<Vec<PathBuf>, ReportError> {
    let mut written = Vec::new();
    for (name, bytes) in &report.files {
        let path = out.join(name);
        write_atomically(&path, bytes).map_err(|source| ReportError::Write {
            path: path.clone(),
            source,
        })?;
        written.push(path);
    }
    prune_details(out, &written);
    Ok(written)
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("tmp");
    let written = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        // A full disk leaves a half-written temporary file: it is no output of the run.
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Best effort: a stale side page is harmless (nothing links to it), so failing to remove
/// one is not worth failing the report.
fn prune_details(out: &Path, written: &[PathBuf]) {
    let Ok(entries) = std::fs::read_dir(out.join("details")) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let is_page = path.extension().is_some_and(|e| e == "html");
        if is_page && !written.contains(&path) {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// Characters escaped in a relative URL's path segments.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'\\');

/// The URL of folder `to` as seen from a page in folder `from`, ending in `/` (both paths
/// absolute and without `..`; see [`absolute`]).
pub fn relative_url(from: &Path, to: &Path) -> String {
    let from: Vec<Component<'_>> = from.components().collect();
    let to: Vec<Component<'_>> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut url = "../".repeat(from.len() - common);
    for part in &to[common..] {
        let text = part.as_os_str().to_string_lossy();
        url.push_str(&utf8_percent_encode(&text, SEGMENT).to_string());
        url.push('/');
    }
    url
}

/// `path` made absolute against `cwd` and with `.` and `..` resolved by name (the folders
/// may not exist yet, so the file system is not asked).
pub fn absolute(path: &Path, cwd: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    let mut out = PathBuf::new();
    for part in joined.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_of_a_run_reaches_evidence_beside_the_database() {
        let out = Path::new("/data/reports/20211117T030000Z-ab12");
        let evidence = Path::new("/data/reports/evidence");
        assert_eq!(relative_url(out, evidence), "../evidence/");
    }

    #[test]
    fn relative_urls_climb_and_escape() {
        let out = Path::new("/home/a/out/deep");
        let evidence = Path::new("/home/a/my reports/evi#dence");
        assert_eq!(
            relative_url(out, evidence),
            "../../my%20reports/evi%23dence/"
        );
        assert_eq!(relative_url(out, out), "");
    }

    #[test]
    fn absolute_resolves_dots_without_touching_the_disk() {
        let cwd = Path::new("/work");
        assert_eq!(
            absolute(Path::new("./reports/../out/x"), cwd),
            Path::new("/work/out/x")
        );
        assert_eq!(absolute(Path::new("/abs/./p"), cwd), Path::new("/abs/p"));
    }
}
