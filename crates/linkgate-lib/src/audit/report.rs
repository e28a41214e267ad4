//! A report from the history database, as the orchestration layer makes it: read the runs
//! of one audit, judge each run's records, assess them as of one run, have `render` turn that
//! into index.html (+ side pages), summary.csv and summary.json, and write them into the
//! report folder. Reading and writing are here, at the two ends ([`load`], [`write`]);
//! rendering in between is pure, so any past state of a history can be rendered again and
//! tests can render without a disk.
//!
//! Runs are read one at a time, without their page bodies, and only their findings kept:
//! judging needs verdicts, not pages, and decompressing every page of a long history was most
//! of a report's time. Only the run shown is read again with its bodies, a batch at a time,
//! for the drill-down's page titles and text (see `render::html::gist`): a long history costs
//! the memory of one run's records without their pages.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};

use crate::assess::{
    AssessError, Assessment, AuditTerms, ControlFailures, Directory, RunFindings, assess, judge,
};
use crate::model::{Audit, Observation, ProbeRole, Record, Run};
use crate::render::html::{PageGists, RenderError, shown_pairs};
use crate::render::report::{History, ReportFiles};
use crate::store::{BodyRead, Store, StoreError};
use crate::triage::{Scope, triage};

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
    /// The run asked for stopped itself before measuring: `nothing` is what was found.
    #[error(
        "run {run} stopped before measuring ({reason}), so it has nothing to report: {nothing}"
    )]
    Stopped {
        run: String,
        reason: String,
        nothing: Box<ReportError>,
    },
    #[error("cannot write the report file {}: {source}; check that the folder is writable", .path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
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
    let vantages = crate::assess::compare_vantages(&history, today);
    let assessment = assess(&terms, history, &shown.run.id, request.directory, today)?;
    let shown_pairs = drill_down(&assessment);
    let (records, pages) = summarised_records(store, &shown.run.id, audit, &shown_pairs)?;
    let scope = Scope {
        runs: vec![shown.run.id.clone()],
        audit: Some(audit.clone()),
        since: None,
    };
    // Only a run with unrecognised pages reads its pages again.
    let families = match any_unrecognized(&records) {
        true => triage(store, &scope)?.families,
        false => Vec::new(),
    };
    Ok(History {
        assessment,
        families,
        vantages,
        unjudged: shown.unjudged,
        run: shown.run,
        records,
        pages,
    })
}

/// Whether any record was left inconclusive on a page no signature knows.
fn any_unrecognized(records: &[Record]) -> bool {
    records.iter().any(|r| {
        r.verdict.kind == crate::model::VerdictKind::Inconclusive
            && r.verdict.mechanism == "unrecognized_page"
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
        .filter(|sha| store.has_evidence(sha))
        .cloned()
        .collect()
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

/// What to report, as library values.
pub struct ReportJob<'a> {
    pub catalog: &'a crate::catalog::Catalog,
    pub db: &'a crate::store::Location,
    /// The report folder; `None`: `RUN_ID` beside the database.
    pub out: Option<&'a Path>,
    /// `None`: the first audit of the run shown.
    pub audit: Option<&'a str>,
    /// `None`: the last run measured.
    pub run: Option<&'a str>,
    pub since: Option<NaiveDate>,
    /// `None`: the audit's own language.
    pub lang: Option<crate::render::html::Lang>,
}

/// Renders and writes one report; returns the path of its index.html.
pub fn write_report(job: &ReportJob<'_>) -> Result<PathBuf, super::AuditError> {
    use super::AuditError;
    use crate::render::html::Lang;
    use crate::render::report::{Style, absolute, relative_url, render};
    if !job.db.may_exist() {
        return Err(AuditError::Invalid(format!(
            "there is no history database at {}; run `linkgate run` first or pass --db",
            job.db
        )));
    }
    let store = Store::open_to_read(job.db)?;
    let audit_id = choose_audit(&store, job)?;
    let audit = job.catalog.audit(&audit_id).ok_or_else(|| {
        AuditError::Invalid(format!(
            "audit `{audit_id}` is not in the scenario files given; pass the scenario files that define it (its deadline and policy come from there)"
        ))
    })?;
    let directory = Directory::new(&job.catalog.platforms);
    let request = Request {
        audit,
        directory: &directory,
        run: job.run,
        since: job.since,
    };
    let history =
        load(&store, &request).map_err(|e| explain_stopped(&store, job.run, &audit_id, e))?;
    let cwd =
        std::env::current_dir().map_err(|e| AuditError::io("read the working folder", ".", e))?;
    let present = evidence_present(&store, &history.records);
    let default_out = match store.evidence_dir() {
        Some(dir) => dir.with_file_name(&history.run.id),
        None => PathBuf::from(super::DEFAULT_OUT).join(&history.run.id),
    };
    let out = absolute(job.out.unwrap_or(&default_out), &cwd);
    let evidence_dir = match store.evidence_dir() {
        Some(dir) => absolute(&dir, &cwd),
        // Evidence in a database: the report's links need files, so the shown run's evidence
        // is written beside the report folder, as an SQLite history keeps it.
        None => {
            let dir = out
                .parent()
                .unwrap_or(&out)
                .join(crate::store::EVIDENCE_DIR);
            store.export_evidence(&present, &dir)?;
            dir
        }
    };
    let lang = job
        .lang
        .or_else(|| Lang::parse(&audit.lang))
        .unwrap_or(Lang::Zh);
    let generator = format!("linkgate {}", env!("CARGO_PKG_VERSION"));
    let style = Style {
        lang,
        evidence: &relative_url(&out, &evidence_dir),
        evidence_present: Some(&present),
        generator: &generator,
    };
    let files = render(&history, &directory, &style).map_err(ReportError::from)?;
    write(&out, &files)?;
    Ok(out.join("index.html"))
}

/// The job's audit, else the first audit of its run, else of the last run stored.
fn choose_audit(store: &Store, job: &ReportJob<'_>) -> Result<String, super::AuditError> {
    if let Some(audit) = job.audit {
        return Ok(audit.to_string());
    }
    let runs = store.runs()?;
    let run = match job.run {
        Some(id) => runs.iter().find(|r| r.id == id),
        None => runs.last(),
    };
    run.and_then(|r| r.audits.first().cloned()).ok_or_else(|| {
        super::AuditError::Invalid(match job.run {
            Some(id) => format!("there is no run `{id}` in {}", job.db),
            None => format!("the history {} has no runs yet", job.db),
        })
    })
}

/// A run that stopped itself before measuring (it could not reach the platforms) has nothing
/// to report: when the run asked for, or the last run of the audit, is one, the error says so
/// and why, instead of only that nothing was found.
fn explain_stopped(store: &Store, run: Option<&str>, audit: &str, err: ReportError) -> ReportError {
    if !matches!(
        err,
        ReportError::NoRuns { .. } | ReportError::UnknownRun { .. }
    ) {
        return err;
    }
    let runs = store.runs().unwrap_or_default();
    let shown = match run {
        Some(id) => runs.iter().find(|r| r.id == id),
        None => runs
            .iter()
            .rev()
            .find(|r| r.audits.iter().any(|a| a == audit)),
    };
    match shown.and_then(|r| Some((r, store.stop_reason(&r.id).ok()??))) {
        Some((r, reason)) => ReportError::Stopped {
            run: r.id.clone(),
            reason: crate::run::without_example(&reason).to_string(),
            nothing: Box::new(err),
        },
        None => err,
    }
}

/// The report language a `--lang` word names: `zh` or `en`.
pub fn lang_named(word: &str) -> Result<crate::render::html::Lang, super::AuditError> {
    crate::render::html::Lang::parse(word)
        .ok_or_else(|| super::AuditError::Invalid(format!("unknown --lang `{word}`; use zh or en")))
}
