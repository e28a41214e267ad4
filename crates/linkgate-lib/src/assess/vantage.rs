//! Vantages compared: a link can be blocked for one carrier, province or client version and
//! not another, so a regulator measures from several places. When the history holds runs of
//! one day from several vantages, every pair whose verdict differs between them is listed,
//! with each vantage's verdict.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::RunFindings;

/// A pair whose verdict differs between vantages on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VantageDifference {
    pub context: String,
    pub link: String,
    /// The verdict (`kind/mechanism`) at each vantage, in the order of
    /// [`VantageComparison::vantages`]; empty where that vantage did not measure the pair.
    pub verdicts: Vec<String>,
}

/// The vantages measured on one day, and the pairs they disagree on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VantageComparison {
    pub day: NaiveDate,
    /// Each vantage, with the run it is represented by (its last run of the day).
    pub vantages: Vec<String>,
    pub runs: Vec<String>,
    pub differences: Vec<VantageDifference>,
}

/// Compares the vantages of the runs measured on `day` (each vantage's last run of the day);
/// `None` when the day has fewer than two vantages.
pub fn compare_vantages(runs: &[RunFindings], day: NaiveDate) -> Option<VantageComparison> {
    let mut last: BTreeMap<&str, &RunFindings> = BTreeMap::new();
    for run in runs
        .iter()
        .filter(|r| r.at().is_some_and(|at| at.date_naive() == day))
    {
        let vantage = run.run.vantage.as_str();
        if last
            .get(vantage)
            .is_none_or(|kept| (run.at(), &run.run.id) > (kept.at(), &kept.run.id))
        {
            last.insert(vantage, run);
        }
    }
    if last.len() < 2 {
        return None;
    }
    let mut pairs: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for (i, run) in last.values().enumerate() {
        for f in &run.findings {
            let verdicts = pairs
                .entry((f.context.clone(), f.link_id.clone()))
                .or_insert_with(|| vec![String::new(); last.len()]);
            verdicts[i] = format!("{}/{}", f.verdict, f.mechanism);
        }
    }
    let differences = pairs
        .into_iter()
        .filter(|(_, v)| v.iter().any(|x| x != &v[0]))
        .map(|((context, link), verdicts)| VantageDifference {
            context,
            link,
            verdicts,
        })
        .collect();
    Some(VantageComparison {
        day,
        vantages: last.keys().map(|v| v.to_string()).collect(),
        runs: last.values().map(|r| r.run.id.clone()).collect(),
        differences,
    })
}
