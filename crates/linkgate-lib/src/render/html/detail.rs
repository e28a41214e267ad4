//! The drill-down of one matrix cell: its history run by run, and for each of its links the
//! observation that decided it: hops, deciding signature, the control, the page's title and
//! visible text, the screenshot and links to the raw evidence. Every value taken from a
//! crawled page is passed to the template as text and escaped there; crawled URLs are never
//! made into links, so a hostile page cannot smuggle a `javascript:` URL into the report.

use std::collections::HashMap;

use super::evidence::Evidence;
use super::gist::{PageGist, PageGists};
use super::lang::{Lang, class, symbol};
use crate::assess::{Assessment, CellAssessment, Compliance, PairAssessment, Seen};
use crate::model::{ProbeRole, Record};
use crate::render::csv::hops as hop_chain;

/// A labelled value.
pub struct Fact {
    pub label: &'static str,
    pub value: String,
    /// Shown in a monospace font that breaks anywhere (URLs, hop chains).
    pub url: bool,
}

impl Fact {
    fn text(label: &'static str, value: String) -> Fact {
        Fact {
            label,
            value,
            url: false,
        }
    }
}

/// One run in a cell's history strip.
pub struct Mark {
    pub symbol: &'static str,
    pub class: &'static str,
    pub title: String,
}

pub struct HopView {
    pub n: usize,
    pub via: &'static str,
    pub status: String,
    pub url: String,
    pub location: String,
    pub elapsed_ms: u64,
}

pub struct ObservationView {
    pub link_id: String,
    pub category: &'static str,
    pub class: &'static str,
    pub heading: String,
    pub facts: Vec<Fact>,
    pub hops: Vec<HopView>,
    pub screenshot: Option<String>,
    pub evidence: Vec<super::evidence::EvidenceLink>,
}

pub struct CellDetail {
    pub anchor: String,
    pub class: &'static str,
    pub heading: String,
    pub facts: Vec<Fact>,
    pub history: Vec<Mark>,
    pub observations: Vec<ObservationView>,
    /// "1,234 more observations …" when the cell has more than the drill-down shows.
    pub more: Option<String>,
}

/// Most observations one cell's drill-down shows. An audit's cell holds a few links; a cell
/// of a generated list of 100,000 links would make a page no browser opens and a report
/// that holds every observation of the run in memory (1.4 GB). observations.csv has them all.
pub const DRILL_DOWN_CAP: usize = 200;

/// The pairs a cell's drill-down shows, in order: the one the matrix shows, then those not
/// compliant, then those that cannot say, then the compliant ones, at most
/// [`DRILL_DOWN_CAP`] of them.
pub fn shown_pairs(assessment: &Assessment, cell: &CellAssessment) -> Vec<usize> {
    let rank = |i: &usize| match assessment.pairs[*i].finding.compliance {
        _ if *i == cell.lead => 0,
        Compliance::NonCompliant => 1,
        Compliance::Unknown => 2,
        Compliance::Compliant => 3,
    };
    let mut pairs = cell.pairs.clone();
    pairs.sort_by_key(rank);
    pairs.truncate(DRILL_DOWN_CAP);
    pairs
}

/// The shown run's records an assessment's pairs and controls came from.
pub struct RecordIndex<'r> {
    pairs: HashMap<(&'r str, &'r str), &'r Record>,
    controls: HashMap<&'r str, &'r Record>,
}

impl<'r> RecordIndex<'r> {
    /// Indexes the records of `audit` in `records`.
    pub fn new(records: &'r [Record], audit: &str) -> RecordIndex<'r> {
        let mut index = RecordIndex {
            pairs: HashMap::new(),
            controls: HashMap::new(),
        };
        for record in records.iter().filter(|r| r.audit == audit) {
            match record.role {
                ProbeRole::Control => {
                    index.controls.insert(&record.link_id, record);
                }
                _ => {
                    index
                        .pairs
                        .insert((&record.context, &record.link_id), record);
                }
            }
        }
        index
    }
}

/// What every drill-down needs besides the cell.
pub struct DetailContext<'a> {
    pub assessment: &'a Assessment,
    pub records: &'a RecordIndex<'a>,
    pub pages: &'a PageGists,
    pub lang: Lang,
    pub evidence: &'a Evidence<'a>,
}

impl DetailContext<'_> {
    pub fn cell(&self, index: usize, cell: &CellAssessment, heading: String) -> CellDetail {
        let t = self.lang.labels();
        let mut facts = vec![Fact::text(
            t.compliance,
            compliance_line(cell.compliance, cell.role, self.lang),
        )];
        facts.extend(self.timeline_facts(cell));
        let shown = shown_pairs(self.assessment, cell);
        CellDetail {
            anchor: anchor(index),
            class: class(cell.compliance),
            heading,
            facts,
            history: self.history(&cell.history),
            observations: shown
                .iter()
                .map(|i| self.observation(&self.assessment.pairs[*i]))
                .collect(),
            more: (cell.pairs.len() > shown.len())
                .then(|| format!("{} {}", cell.pairs.len() - shown.len(), t.more_observations)),
        }
    }

    fn timeline_facts(&self, cell: &CellAssessment) -> Vec<Fact> {
        let t = self.lang.labels();
        let seen = |s: &Option<Seen>| match s {
            Some(s) => format!("{} ({})", s.date(), s.run_id),
            None => "—".to_string(),
        };
        let days = cell
            .timeline
            .past_deadlines
            .iter()
            .map(|p| match p.days {
                Some(d) => format!("{}: {d}", p.deadline),
                None => format!("{}: —", p.deadline),
            })
            .collect::<Vec<_>>()
            .join("; ");
        vec![
            Fact::text(t.first_compliant, seen(&cell.timeline.first_compliant)),
            Fact::text(
                t.last_non_compliant,
                seen(&cell.timeline.last_non_compliant),
            ),
            Fact::text(t.days_past, days),
            Fact::text(t.regressions, cell.timeline.regressions.len().to_string()),
        ]
    }

    fn history(&self, history: &[Option<Compliance>]) -> Vec<Mark> {
        history
            .iter()
            .zip(&self.assessment.runs)
            .map(|(c, run)| {
                let word = c.map_or("—", |c| self.lang.compliance(c));
                Mark {
                    symbol: c.map_or("·", symbol),
                    class: c.map_or("none", class),
                    title: format!("{} · {} · {word}", run.at.format("%Y-%m-%d"), run.run_id),
                }
            })
            .collect()
    }

    fn observation(&self, pair: &PairAssessment) -> ObservationView {
        let f = &pair.finding;
        let record = self
            .records
            .pairs
            .get(&(f.context.as_str(), f.link_id.as_str()));
        let heading = format!(
            "{} {} · {} · {}",
            symbol(f.compliance),
            f.link_id,
            self.lang.verdict(f.verdict),
            f.mechanism
        );
        let (facts, hops, screenshot, evidence) = match record {
            Some(record) => (
                self.record_facts(pair, record),
                hop_views(record),
                record
                    .observation
                    .screenshot_sha256
                    .as_deref()
                    .and_then(|sha| self.evidence.screenshot(sha)),
                self.evidence.links(&record.observation),
            ),
            None => (self.finding_facts(pair), Vec::new(), None, Vec::new()),
        };
        ObservationView {
            link_id: f.link_id.clone(),
            category: f.link_category.as_str(),
            class: class(f.compliance),
            heading,
            facts,
            hops,
            screenshot,
            evidence,
        }
    }

    /// The judgement: compliance with its note, and the same-owner link that opened.
    fn finding_facts(&self, pair: &PairAssessment) -> Vec<Fact> {
        let t = self.lang.labels();
        let f = &pair.finding;
        let mut compliance = compliance_line(f.compliance, f.role, self.lang);
        if let Some(note) = f.note {
            compliance = format!("{compliance} — {}", self.lang.note(note));
        }
        let mut facts = vec![
            Fact::text(t.compliance, compliance),
            Fact::text(
                t.verdict,
                format!("{} · {} · {}", f.verdict, f.mechanism, f.actor),
            ),
        ];
        if let Some(baseline) = &f.baseline {
            facts.push(Fact::text(t.baseline, baseline.clone()));
        }
        facts.push(Fact::text(
            t.signature,
            f.signature.clone().unwrap_or_else(|| "—".to_string()),
        ));
        facts
    }

    fn record_facts(&self, pair: &PairAssessment, record: &Record) -> Vec<Fact> {
        let t = self.lang.labels();
        let o = &record.observation;
        let taken;
        let page = match self.pages.of(record) {
            Some(gist) => gist,
            None => {
                taken = PageGist::of(o);
                &taken
            }
        };
        let mut facts = vec![Fact {
            label: t.url,
            value: record.url.clone(),
            url: true,
        }];
        facts.extend(self.finding_facts(pair));
        let mut add = |label, value: String| {
            if !value.is_empty() {
                let url = label == t.final_url || label == t.control;
                facts.push(Fact { label, value, url });
            }
        };
        add(t.reason, record.verdict.reason.clone());
        add(t.control, self.control_line(record));
        add(
            t.observed_at,
            record
                .observed_at
                .format("%Y-%m-%d %H:%M:%S UTC")
                .to_string(),
        );
        add(t.final_url, o.final_url.clone());
        add(
            t.continue_control,
            match (&o.continue_control, &o.continue_url) {
                (Some(control), _) => control.clone(),
                (None, Some(url)) => url.clone(),
                (None, None) => String::new(),
            },
        );
        add(
            t.script_undecided,
            o.script_undecided.clone().unwrap_or_default(),
        );
        add(
            t.versus_control,
            o.control_similarity
                .map(|s| versus_control(s, self.lang))
                .unwrap_or_default(),
        );
        add(
            t.status,
            o.status.map(|s| s.to_string()).unwrap_or_default(),
        );
        add(t.page_title, page.title.clone());
        add(t.visible_text, page.text.clone());
        add(t.dialogs, o.dialogs.join(" | "));
        add(t.engine, o.engine.as_str().to_string());
        add(t.attempts, attempts(record));
        add(t.duration, format!("{} ms", o.duration_ms));
        add(
            t.failure,
            o.failure
                .as_ref()
                .map(|f| format!("{}: {}", f.kind, f.message))
                .unwrap_or_default(),
        );
        facts
    }

    /// The control's verdict and where it landed, so a reader can see the target was up.
    fn control_line(&self, record: &Record) -> String {
        match self.records.controls.get(record.link_id.as_str()) {
            Some(control) => format!(
                "{}: {} · {} — {}",
                control.context,
                control.verdict.kind,
                control.verdict.mechanism,
                hop_chain(&control.observation.hops)
            ),
            None => record
                .control_verdict
                .map(|v| v.as_str().to_string())
                .unwrap_or_default(),
        }
    }
}

/// The drill-down's anchor for cell `index`.
pub fn anchor(index: usize) -> String {
    format!("c{index}")
}

/// How the page compares with the control's, in the report's language.
fn versus_control(s: crate::model::ControlSimilarity, lang: Lang) -> String {
    match lang.is_zh() {
        true => format!(
            "标题{}，文字长度为对照页面的 {}%，文字相似度 {}%",
            if s.same_title { "相同" } else { "不同" },
            s.length_percent,
            s.text_percent
        ),
        false => s.to_string(),
    }
}

fn compliance_line(compliance: Compliance, role: ProbeRole, lang: Lang) -> String {
    let line = format!("{} {}", symbol(compliance), lang.compliance(compliance));
    match role {
        ProbeRole::SameOwner => format!("{line} ({})", lang.labels().same_owner),
        _ => line,
    }
}

fn attempts(record: &Record) -> String {
    let attempts = &record.observation.attempts;
    let failed: Vec<String> = attempts
        .iter()
        .filter_map(|a| {
            a.failure
                .as_ref()
                .map(|f| format!("#{} {}", a.number, f.kind))
        })
        .collect();
    match failed.is_empty() {
        true => attempts.len().to_string(),
        false => format!("{} ({})", attempts.len(), failed.join(", ")),
    }
}

fn hop_views(record: &Record) -> Vec<HopView> {
    record
        .observation
        .hops
        .iter()
        .enumerate()
        .map(|(n, hop)| HopView {
            n: n + 1,
            via: hop.via.as_str(),
            status: hop
                .status
                .map(|s| s.to_string())
                .unwrap_or_else(|| "—".to_string()),
            url: hop.url.clone(),
            location: hop.location.clone().unwrap_or_default(),
            elapsed_ms: hop.elapsed_ms,
        })
        .collect()
}
