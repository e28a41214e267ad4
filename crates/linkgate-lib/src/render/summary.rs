//! `summary.csv` and `summary.json`: the report's matrix as data, one row per cell (host
//! context × link platform) with its compliance and history, for analysts who work in a
//! spreadsheet or a script. The CSV follows observations.csv's rules (UTF-8 BOM, formula
//! cells neutralised); the JSON adds the pairs behind each cell, the tallies, the trend and
//! the changes since the previous run.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::Serialize;

use super::csv::{UTF8_BOM, neutralise};
use crate::assess::{
    Assessment, AuditTerms, CellAssessment, Change, Compliance, Directory, Note, PairAssessment,
    RunPoint, Series, Summaries, Tally, Timeline,
};

/// The CSV columns, in order. Documented in docs/report.md; add new ones at the end.
pub const COLUMNS: [&str; 29] = [
    "audit",
    "run_id",
    "observed_at",
    "context",
    "host_platform",
    "host_owner",
    "scene",
    "client",
    "link_platform",
    "link_owner",
    "role",
    "links",
    "compliance",
    "verdict",
    "mechanism",
    "actor",
    "signature",
    "note",
    "link_verdicts",
    "change",
    "first_compliant_run",
    "first_compliant_at",
    "last_non_compliant_run",
    "last_non_compliant_at",
    "deadline",
    "days_past_deadline",
    "regressions",
    "last_regression_at",
    "vantage",
];

/// Version of summary.json's shape; raised when a field changes meaning or goes away.
pub const JSON_FORMAT: u32 = 1;

/// One cell as both files show it.
#[derive(Debug, Clone, Serialize)]
pub struct Row<'a> {
    pub audit: &'a str,
    pub run_id: &'a str,
    pub observed_at: DateTime<Utc>,
    pub context: &'a str,
    pub host_platform: &'a str,
    pub host_owner: &'a str,
    pub scene: Option<&'static str>,
    pub client: &'static str,
    pub link_platform: &'a str,
    pub link_owner: &'a str,
    pub role: &'static str,
    pub links: usize,
    pub compliance: &'static str,
    pub verdict: &'static str,
    pub mechanism: &'a str,
    pub actor: &'static str,
    pub signature: Option<&'a str>,
    pub note: Option<&'static str>,
    /// `link=verdict` for each link of the cell, `; `-separated.
    pub link_verdicts: String,
    pub change: &'static str,
    pub first_compliant_run: Option<&'a str>,
    pub first_compliant_at: Option<DateTime<Utc>>,
    pub last_non_compliant_run: Option<&'a str>,
    pub last_non_compliant_at: Option<DateTime<Utc>>,
    /// The audit's first deadline, which `days_past_deadline` is counted from.
    pub deadline: Option<NaiveDate>,
    pub days_past_deadline: Option<i64>,
    pub regressions: usize,
    pub last_regression_at: Option<DateTime<Utc>>,
    /// Where the shown run measured from.
    pub vantage: &'a str,
}

impl<'a> Row<'a> {
    pub fn of(
        assessment: &'a Assessment,
        cell: &'a CellAssessment,
        directory: &'a Directory,
    ) -> Row<'a> {
        let lead = &assessment.pairs[cell.lead].finding;
        let timeline = &cell.timeline;
        let link_verdicts = cell
            .pairs
            .iter()
            .map(|i| {
                let f = &assessment.pairs[*i].finding;
                format!("{}={}", f.link_id, f.verdict)
            })
            .collect::<Vec<_>>()
            .join("; ");
        Row {
            audit: &assessment.audit.id,
            run_id: &lead.run_id,
            observed_at: lead.observed_at,
            context: &cell.key.context,
            host_platform: &cell.host_platform,
            host_owner: directory.owner(&cell.host_platform),
            scene: cell.scene.map(|s| s.as_str()),
            client: cell.client.as_str(),
            link_platform: &cell.key.link_platform,
            link_owner: directory.owner(&cell.key.link_platform),
            role: cell.role.as_str(),
            links: cell.pairs.len(),
            compliance: cell.compliance.as_str(),
            verdict: lead.verdict.as_str(),
            mechanism: &lead.mechanism,
            actor: lead.actor.as_str(),
            signature: lead.signature.as_deref(),
            note: lead.note.map(|n| n.as_str()),
            link_verdicts,
            change: cell.change.as_str(),
            first_compliant_run: timeline.first_compliant.as_ref().map(|s| s.run_id.as_str()),
            first_compliant_at: timeline.first_compliant.as_ref().map(|s| s.at),
            last_non_compliant_run: timeline
                .last_non_compliant
                .as_ref()
                .map(|s| s.run_id.as_str()),
            last_non_compliant_at: timeline.last_non_compliant.as_ref().map(|s| s.at),
            deadline: assessment.audit.deadlines.first().map(|d| d.date),
            days_past_deadline: timeline.days_past_first_deadline(),
            regressions: timeline.regressions.len(),
            last_regression_at: timeline.regressions.last().map(|r| r.non_compliant.at),
            vantage: &assessment.shown().vantage,
        }
    }

    /// The cells in [`COLUMNS`] order.
    fn cells(&self) -> [String; 29] {
        let time = |t: &DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
        let opt = |s: Option<&str>| s.unwrap_or_default().to_string();
        [
            self.audit.to_string(),
            self.run_id.to_string(),
            time(&self.observed_at),
            self.context.to_string(),
            self.host_platform.to_string(),
            self.host_owner.to_string(),
            opt(self.scene),
            self.client.to_string(),
            self.link_platform.to_string(),
            self.link_owner.to_string(),
            self.role.to_string(),
            self.links.to_string(),
            self.compliance.to_string(),
            self.verdict.to_string(),
            self.mechanism.to_string(),
            self.actor.to_string(),
            opt(self.signature),
            opt(self.note),
            self.link_verdicts.clone(),
            self.change.to_string(),
            opt(self.first_compliant_run),
            self.first_compliant_at
                .as_ref()
                .map(time)
                .unwrap_or_default(),
            opt(self.last_non_compliant_run),
            self.last_non_compliant_at
                .as_ref()
                .map(time)
                .unwrap_or_default(),
            self.deadline.map(|d| d.to_string()).unwrap_or_default(),
            self.days_past_deadline
                .map(|d| d.to_string())
                .unwrap_or_default(),
            self.regressions.to_string(),
            self.last_regression_at
                .as_ref()
                .map(time)
                .unwrap_or_default(),
            self.vantage.to_string(),
        ]
    }
}

/// summary.csv: one row per cell of the shown run, in report order, header first.
pub fn summary_csv(assessment: &Assessment, directory: &Directory) -> Vec<u8> {
    let mut writer = ::csv::Writer::from_writer(UTF8_BOM.to_vec());
    // Writing to memory has no I/O to fail and every row has COLUMNS.len() cells by type.
    writer
        .write_record(COLUMNS)
        .expect("writing a CSV header to memory cannot fail");
    for cell in &assessment.cells {
        let row = Row::of(assessment, cell, directory);
        writer
            .write_record(row.cells().map(neutralise))
            .expect("writing a CSV row to memory cannot fail");
    }
    writer
        .into_inner()
        .expect("flushing a CSV written to memory cannot fail")
}

/// A deadline with how long ago it was, as of the assessment's date.
#[derive(Debug, Serialize)]
struct DeadlineJson<'a> {
    date: NaiveDate,
    label: &'a str,
    days_since: i64,
}

#[derive(Debug, Serialize)]
struct CellJson<'a> {
    #[serde(flatten)]
    row: Row<'a>,
    /// The cell's compliance run by run, one letter per run of `trend.runs` (see [`letters`]).
    history: String,
    pairs: Vec<PairJson<'a>>,
}

/// One link of a cell: what is not already in the cell's row.
#[derive(Debug, Serialize)]
struct PairJson<'a> {
    link_id: &'a str,
    link_category: &'static str,
    observed_at: DateTime<Utc>,
    compliance: Compliance,
    verdict: &'static str,
    mechanism: &'a str,
    actor: &'static str,
    signature: Option<&'a str>,
    note: Option<Note>,
    baseline: Option<&'a str>,
    change: &'static str,
    history: String,
    timeline: &'a Timeline,
}

impl<'a> PairJson<'a> {
    fn of(pair: &'a PairAssessment) -> PairJson<'a> {
        let f = &pair.finding;
        PairJson {
            link_id: &f.link_id,
            link_category: f.link_category.as_str(),
            observed_at: f.observed_at,
            compliance: f.compliance,
            verdict: f.verdict.as_str(),
            mechanism: &f.mechanism,
            actor: f.actor.as_str(),
            signature: f.signature.as_deref(),
            note: f.note,
            baseline: f.baseline.as_deref(),
            change: pair.change.as_str(),
            history: letters(&pair.history),
            timeline: &pair.timeline,
        }
    }
}

/// A history as one letter per run: `c` compliant, `n` non-compliant, `u` unknown, `-` not
/// measured. "nnuc" reads at a glance and stays small over hundreds of runs.
pub fn letters(history: &[Option<Compliance>]) -> String {
    history
        .iter()
        .map(|c| match c {
            Some(Compliance::Compliant) => 'c',
            Some(Compliance::NonCompliant) => 'n',
            Some(Compliance::Unknown) => 'u',
            None => '-',
        })
        .collect()
}

#[derive(Debug, Serialize)]
struct Trend<'a> {
    runs: &'a [RunPoint],
    series: &'a [Series],
}

#[derive(Debug, Serialize)]
struct SummaryJson<'a> {
    format: u32,
    audit: &'a AuditTerms,
    deadlines: Vec<DeadlineJson<'a>>,
    today: NaiveDate,
    run: &'a RunPoint,
    previous_run: Option<&'a RunPoint>,
    /// Scored cells of the shown run.
    cells_tally: Tally,
    summaries: &'a Summaries,
    trend: Trend<'a>,
    cells: Vec<CellJson<'a>>,
    changes: &'a [Change],
}

/// summary.json: the shown run's cells with their pairs and history, the tallies, the trend
/// and the changes since the previous run. Pretty-printed, so it diffs well between runs.
pub fn summary_json(assessment: &Assessment, directory: &Directory) -> Vec<u8> {
    let document = SummaryJson {
        format: JSON_FORMAT,
        audit: &assessment.audit,
        deadlines: assessment
            .audit
            .deadlines
            .iter()
            .map(|d| DeadlineJson {
                date: d.date,
                label: &d.label,
                days_since: assessment.days_since(d.date),
            })
            .collect(),
        today: assessment.today,
        run: assessment.shown(),
        previous_run: assessment.previous(),
        cells_tally: assessment.cell_tally(),
        summaries: &assessment.summaries,
        trend: Trend {
            runs: &assessment.runs,
            series: &assessment.trend,
        },
        cells: assessment
            .cells
            .iter()
            .map(|cell| CellJson {
                row: Row::of(assessment, cell, directory),
                history: letters(&cell.history),
                pairs: cell
                    .pairs
                    .iter()
                    .map(|i| PairJson::of(&assessment.pairs[*i]))
                    .collect(),
            })
            .collect(),
        changes: &assessment.changes,
    };
    // Every value is a string, number, bool, date or list of them: serialising cannot fail.
    serde_json::to_vec_pretty(&document).expect("summary.json values always serialise")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_history_is_one_letter_per_run() {
        use Compliance::*;
        let history = [Some(NonCompliant), None, Some(Unknown), Some(Compliant)];
        assert_eq!(letters(&history), "n-uc");
    }
}
