//! The trend section: the chart, a note when a deadline lies outside the time it covers, and
//! the same numbers as a table for readers who cannot use the chart.

use super::RenderError;
use super::chart::Chart;
use super::lang::Lang;
use super::overview::percent;
use crate::assess::{Assessment, Directory};

/// A run as a column of the trend table.
pub struct RunColumn {
    pub label: String,
    pub title: String,
}

pub struct TrendRow {
    pub name: String,
    pub values: Vec<String>,
}

pub struct TrendView {
    /// The `<svg>` element drawn by plotters (its text is escaped by plotters).
    pub svg: String,
    pub note: Option<String>,
    pub runs: Vec<RunColumn>,
    pub rows: Vec<TrendRow>,
}

impl TrendView {
    pub fn new(
        assessment: &Assessment,
        directory: &Directory,
        lang: Lang,
    ) -> Result<TrendView, RenderError> {
        let t = lang.labels();
        let deadlines: Vec<_> = assessment.audit.deadlines.iter().map(|d| d.date).collect();
        let chart = Chart {
            runs: &assessment.runs,
            series: &assessment.trend,
            deadlines: &deadlines,
            directory,
            zh: lang.is_zh(),
            y_label: t.rate,
            deadline_label: t.deadline,
        };
        let shown = chart.shown_deadlines();
        let off_chart: Vec<String> = deadlines
            .iter()
            .filter(|d| !shown.iter().any(|s| s.date_naive() == **d))
            .map(|d| d.to_string())
            .collect();
        let note = (!off_chart.is_empty()).then(|| match lang {
            Lang::En => format!(
                "Deadline {} lies far outside the runs shown and is not drawn.",
                off_chart.join(", ")
            ),
            Lang::Zh => format!(
                "截止日期 {} 远在所示运行之外，图中未画出。",
                off_chart.join("、")
            ),
        });
        Ok(TrendView {
            svg: chart.svg()?,
            note,
            runs: assessment
                .runs
                .iter()
                .map(|r| RunColumn {
                    label: r.at.format("%Y-%m-%d").to_string(),
                    title: r.run_id.clone(),
                })
                .collect(),
            rows: assessment
                .trend
                .iter()
                .map(|s| TrendRow {
                    name: directory.name(&s.host_platform, lang.is_zh()).to_string(),
                    values: s.rates.iter().map(|r| percent(*r)).collect(),
                })
                .collect(),
        })
    }
}
