//! The assessment of one audit as of one run: every pair and matrix cell of that run with
//! its history, what changed since the run before, the overview tallies and the trend. Built
//! from runs already judged (see [`judge`](super::judge)), so a caller can read a long
//! history run by run and keep only the findings, not the page bodies.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

use super::AssessError;
use super::cells::{CellKey, cell_compliance, lead};
use super::change::{Change, ChangeKind};
use super::directory::Directory;
use super::judge::Finding;
use super::policy::{Compliance, Policy};
use super::summary::{Series, Summaries, Tally, trend};
use super::timeline::{Point, Timeline};
use crate::model::{Audit, Client, Deadline, ProbeRole, Run, Scene};

/// What an assessment needs to know of its audit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditTerms {
    pub id: String,
    pub title: String,
    pub policy: Policy,
    /// In the order the audit lists them; the first is the one a report leads with.
    pub deadlines: Vec<Deadline>,
}

impl AuditTerms {
    pub fn of(audit: &Audit) -> Result<AuditTerms, AssessError> {
        Ok(AuditTerms {
            id: audit.id.clone(),
            title: audit.title.clone(),
            policy: Policy::of_audit(&audit.id, &audit.policy)?,
            deadlines: audit.deadlines.clone(),
        })
    }
}

/// One run's findings for the audit assessed.
#[derive(Debug, Clone)]
pub struct RunFindings {
    pub run: Run,
    pub findings: Vec<Finding>,
}

impl RunFindings {
    /// When the run measured: its earliest observation (the wall clock of the machine that
    /// stored it may not be the measurement time; in the demo it never is).
    pub fn at(&self) -> Option<DateTime<Utc>> {
        self.findings.iter().map(|f| f.observed_at).min()
    }
}

/// A run on the assessment's time axis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunPoint {
    pub run_id: String,
    pub at: DateTime<Utc>,
    pub vantage: String,
    pub simulated: bool,
}

/// One pair (host context × link) of the shown run with its history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairAssessment {
    pub finding: Finding,
    /// The pair's compliance in each run of [`Assessment::runs`]; `None`: not measured.
    pub history: Vec<Option<Compliance>>,
    pub timeline: Timeline,
    pub change: ChangeKind,
}

/// One matrix cell (host context × link platform) of the shown run with its history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CellAssessment {
    #[serde(flatten)]
    pub key: CellKey,
    pub host_platform: String,
    pub scene: Option<Scene>,
    pub client: Client,
    pub role: ProbeRole,
    pub compliance: Compliance,
    /// Index into [`Assessment::pairs`] of the pair the matrix shows for the cell.
    pub lead: usize,
    /// Indices into [`Assessment::pairs`] of the cell's pairs.
    pub pairs: Vec<usize>,
    pub history: Vec<Option<Compliance>>,
    pub timeline: Timeline,
    pub change: ChangeKind,
}

/// An audit's compliance as of one run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    pub audit: AuditTerms,
    /// The date the assessment is made as of (a report passes the shown run's date).
    pub today: NaiveDate,
    /// The runs assessed, in time order; the last is the run shown.
    pub runs: Vec<RunPoint>,
    /// Pairs of the shown run, in report order (host, scene, client, context, link).
    pub pairs: Vec<PairAssessment>,
    /// Cells of the shown run, in report order.
    pub cells: Vec<CellAssessment>,
    /// Pairs that changed since the previous run, regressions first; empty for a first run.
    pub changes: Vec<Change>,
    pub summaries: Summaries,
    pub trend: Vec<Series>,
}

impl Assessment {
    /// The run shown.
    pub fn shown(&self) -> &RunPoint {
        // `assess` never builds an assessment without its shown run.
        &self.runs[self.runs.len() - 1]
    }

    /// The run before the shown one, if any.
    pub fn previous(&self) -> Option<&RunPoint> {
        self.runs.len().checked_sub(2).map(|i| &self.runs[i])
    }

    /// Scored (rival) cells of the shown run by compliance: the numbers a report leads with.
    pub fn cell_tally(&self) -> Tally {
        let mut tally = Tally::default();
        for cell in self.cells.iter().filter(|c| c.role == ProbeRole::Rival) {
            tally.add(cell.compliance);
            tally.regressed += usize::from(!cell.timeline.regressions.is_empty());
        }
        tally
    }

    /// Days from a deadline to [`Assessment::today`] (negative: still ahead).
    pub fn days_since(&self, deadline: NaiveDate) -> i64 {
        (self.today - deadline).num_days()
    }
}

type PairKey<'a> = (&'a str, &'a str);

/// Assesses `terms`' audit as of the run `shown`, over `history` (runs in any order; runs
/// measured after `shown` and runs without findings are left out).
pub fn assess(
    terms: &AuditTerms,
    history: Vec<RunFindings>,
    shown: &str,
    directory: &Directory,
    today: NaiveDate,
) -> Result<Assessment, AssessError> {
    let runs = ordered_until(history, shown, &terms.id)?;
    let by_pair: Vec<HashMap<PairKey<'_>, &Finding>> = runs
        .iter()
        .map(|(_, r)| r.findings.iter().map(|f| (f.pair_key(), f)).collect())
        .collect();
    let last = runs.len() - 1;
    let has_previous = last > 0;
    let mut shown_findings: Vec<&Finding> = runs[last].1.findings.iter().collect();
    shown_findings.sort_by(|a, b| report_order(directory, a, b));
    let points: Vec<RunPoint> = runs.iter().map(|(at, r)| point(r, *at)).collect();
    let pairs: Vec<PairAssessment> = shown_findings
        .iter()
        .map(|f| pair(f, &points, &by_pair, &terms.deadlines, has_previous))
        .collect();
    let changes = if has_previous {
        changes(&by_pair[last - 1], &by_pair[last], directory)
    } else {
        Vec::new()
    };
    let cells = cells(&pairs, &runs, &points, &terms.deadlines);
    let regressed: HashSet<PairKey<'_>> = pairs
        .iter()
        .filter(|p| !p.timeline.regressions.is_empty())
        .map(|p| p.finding.pair_key())
        .collect();
    let summaries = Summaries::of(shown_findings.iter().copied(), directory, |f| {
        regressed.contains(&f.pair_key())
    });
    let per_run: Vec<Vec<Finding>> = runs.iter().map(|(_, r)| r.findings.clone()).collect();
    let trend = trend(&per_run, directory);
    Ok(Assessment {
        audit: terms.clone(),
        today,
        runs: points,
        pairs,
        cells,
        changes,
        summaries,
        trend,
    })
}

/// The runs with findings, by measurement time, up to and including `shown`.
fn ordered_until(
    history: Vec<RunFindings>,
    shown: &str,
    audit: &str,
) -> Result<Vec<(DateTime<Utc>, RunFindings)>, AssessError> {
    let mut runs: Vec<(DateTime<Utc>, RunFindings)> = history
        .into_iter()
        .filter_map(|r| r.at().map(|at| (at, r)))
        .collect();
    runs.sort_by(|a, b| (a.0, &a.1.run.id).cmp(&(b.0, &b.1.run.id)));
    let Some(end) = runs.iter().position(|(_, r)| r.run.id == shown) else {
        return Err(AssessError::NothingToShow {
            run: shown.to_string(),
            audit: audit.to_string(),
        });
    };
    runs.truncate(end + 1);
    Ok(runs)
}

fn point(run: &RunFindings, at: DateTime<Utc>) -> RunPoint {
    RunPoint {
        run_id: run.run.id.clone(),
        at,
        vantage: run.run.vantage.clone(),
        simulated: run.run.simulated,
    }
}

/// Host platform, scene, client, context, then link platform and link.
fn report_order(directory: &Directory, a: &Finding, b: &Finding) -> std::cmp::Ordering {
    finding_key(directory, a).cmp(&finding_key(directory, b))
}

type FindingKey<'f> = (
    (usize, &'f str),
    Option<Scene>,
    Client,
    &'f str,
    (usize, &'f str),
    &'f str,
);

fn finding_key<'f>(directory: &Directory, f: &'f Finding) -> FindingKey<'f> {
    (
        directory.order(&f.host_platform),
        f.scene,
        f.client,
        &f.context,
        directory.order(&f.link_platform),
        &f.link_id,
    )
}

fn pair(
    finding: &Finding,
    runs: &[RunPoint],
    by_pair: &[HashMap<PairKey<'_>, &Finding>],
    deadlines: &[Deadline],
    has_previous: bool,
) -> PairAssessment {
    let key = finding.pair_key();
    let history: Vec<Option<Compliance>> = by_pair
        .iter()
        .map(|run| run.get(&key).map(|f| f.compliance))
        .collect();
    let timeline = timeline_of(&history, runs, deadlines);
    let change = match has_previous {
        true => Change::of(by_pair[by_pair.len() - 2].get(&key).copied(), Some(finding))
            .map_or(ChangeKind::Same, |c| c.kind),
        false => ChangeKind::Same,
    };
    PairAssessment {
        finding: finding.clone(),
        history,
        timeline,
        change,
    }
}

fn timeline_of(
    history: &[Option<Compliance>],
    runs: &[RunPoint],
    deadlines: &[Deadline],
) -> Timeline {
    let points: Vec<Point<'_>> = history
        .iter()
        .zip(runs)
        .filter_map(|(c, run)| {
            c.map(|compliance| Point {
                run_id: &run.run_id,
                at: run.at,
                compliance,
            })
        })
        .collect();
    Timeline::of(&points, deadlines)
}

fn changes(
    before: &HashMap<PairKey<'_>, &Finding>,
    after: &HashMap<PairKey<'_>, &Finding>,
    directory: &Directory,
) -> Vec<Change> {
    let keys: HashSet<&PairKey<'_>> = before.keys().chain(after.keys()).collect();
    let mut changes: Vec<Change> = keys
        .into_iter()
        .filter_map(|key| Change::of(before.get(key).copied(), after.get(key).copied()))
        .collect();
    changes.sort_by(|a, b| change_key(directory, a).cmp(&change_key(directory, b)));
    changes
}

type ChangeOrder<'c> = (
    ChangeKind,
    (usize, &'c str),
    &'c str,
    (usize, &'c str),
    &'c str,
);

fn change_key<'c>(directory: &Directory, c: &'c Change) -> ChangeOrder<'c> {
    (
        c.kind,
        directory.order(&c.host_platform),
        &c.context,
        directory.order(&c.link_platform),
        &c.link_id,
    )
}

/// Groups the shown run's pairs (already in report order) into cells, with each cell's
/// compliance in every run.
fn cells(
    pairs: &[PairAssessment],
    runs: &[(DateTime<Utc>, RunFindings)],
    points: &[RunPoint],
    deadlines: &[Deadline],
) -> Vec<CellAssessment> {
    let per_run: Vec<HashMap<CellKey, Compliance>> =
        runs.iter().map(|(_, r)| cell_states(&r.findings)).collect();
    let mut order: Vec<CellKey> = Vec::new();
    let mut members: HashMap<CellKey, Vec<usize>> = HashMap::new();
    for (i, pair) in pairs.iter().enumerate() {
        let key = CellKey::of(&pair.finding);
        if !members.contains_key(&key) {
            order.push(key.clone());
        }
        members.entry(key).or_default().push(i);
    }
    order
        .into_iter()
        .map(|key| {
            let indices = members.remove(&key).unwrap_or_default();
            cell(key, indices, pairs, &per_run, points, deadlines)
        })
        .collect()
}

fn cell_states(findings: &[Finding]) -> HashMap<CellKey, Compliance> {
    let mut grouped: HashMap<CellKey, Vec<Compliance>> = HashMap::new();
    for finding in findings {
        grouped
            .entry(CellKey::of(finding))
            .or_default()
            .push(finding.compliance);
    }
    grouped
        .into_iter()
        .map(|(key, each)| (key, cell_compliance(each)))
        .collect()
}

fn cell(
    key: CellKey,
    indices: Vec<usize>,
    pairs: &[PairAssessment],
    per_run: &[HashMap<CellKey, Compliance>],
    points: &[RunPoint],
    deadlines: &[Deadline],
) -> CellAssessment {
    let findings: Vec<&Finding> = indices.iter().map(|i| &pairs[*i].finding).collect();
    let compliance = cell_compliance(findings.iter().map(|f| f.compliance));
    let lead = indices[lead(&findings, compliance)];
    let first = &pairs[indices[0]].finding;
    let history: Vec<Option<Compliance>> =
        per_run.iter().map(|run| run.get(&key).copied()).collect();
    let timeline = timeline_of(&history, points, deadlines);
    let change = match history.len() {
        0 | 1 => ChangeKind::Same,
        n => ChangeKind::between(history[n - 2], history[n - 1]),
    };
    let role = match findings.iter().any(|f| f.is_scored()) {
        true => ProbeRole::Rival,
        false => ProbeRole::SameOwner,
    };
    CellAssessment {
        host_platform: first.host_platform.clone(),
        scene: first.scene,
        client: first.client,
        key,
        role,
        compliance,
        lead,
        pairs: indices,
        history,
        timeline,
        change,
    }
}
