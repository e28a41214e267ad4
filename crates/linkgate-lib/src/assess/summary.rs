//! Counts and rates for a report's overview: per host platform, per owner group of the host,
//! per scene, and the compliance rate of each host platform run by run (the trend). Only
//! rival pairs count; same-owner pairs are the baseline, not findings.

use serde::Serialize;
use std::collections::BTreeMap;

use super::directory::Directory;
use super::judge::Finding;
use super::policy::Compliance;

/// How many pairs were compliant, non-compliant and unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Tally {
    pub compliant: usize,
    pub non_compliant: usize,
    pub unknown: usize,
    /// Pairs that regressed at least once in the history shown.
    pub regressed: usize,
}

impl Tally {
    pub fn add(&mut self, compliance: Compliance) {
        match compliance {
            Compliance::Compliant => self.compliant += 1,
            Compliance::NonCompliant => self.non_compliant += 1,
            Compliance::Unknown => self.unknown += 1,
        }
    }

    pub fn total(&self) -> usize {
        self.compliant + self.non_compliant + self.unknown
    }

    /// Compliant share of the pairs that could be judged; `None` when none could.
    pub fn rate(&self) -> Option<f64> {
        let known = self.compliant + self.non_compliant;
        (known > 0).then(|| self.compliant as f64 / known as f64)
    }
}

/// A tally under a name (a host platform, an owner group, a scene).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    pub key: String,
    #[serde(flatten)]
    pub tally: Tally,
    pub rate: Option<f64>,
}

/// The overview of the shown run.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Summaries {
    pub overall: Tally,
    pub by_host: Vec<Group>,
    pub by_owner: Vec<Group>,
    pub by_scene: Vec<Group>,
}

impl Summaries {
    /// Tallies the scored `findings` of one run; `regressed(f)` says whether a pair ever
    /// regressed.
    pub fn of<'f>(
        findings: impl IntoIterator<Item = &'f Finding>,
        directory: &Directory,
        regressed: impl Fn(&Finding) -> bool,
    ) -> Summaries {
        let mut overall = Tally::default();
        let mut by_host: BTreeMap<String, Tally> = BTreeMap::new();
        let mut by_owner: BTreeMap<String, Tally> = BTreeMap::new();
        let mut by_scene: BTreeMap<String, Tally> = BTreeMap::new();
        for finding in findings.into_iter().filter(|f| f.is_scored()) {
            let scene = finding.scene.map(|s| s.as_str()).unwrap_or("-");
            let owner = directory.owner(&finding.host_platform);
            let again = regressed(finding);
            for tally in [
                &mut overall,
                by_host.entry(finding.host_platform.clone()).or_default(),
                by_owner.entry(owner.to_string()).or_default(),
                by_scene.entry(scene.to_string()).or_default(),
            ] {
                tally.add(finding.compliance);
                tally.regressed += usize::from(again);
            }
        }
        let mut by_host = groups(by_host);
        by_host.sort_by(|a, b| directory.order(&a.key).cmp(&directory.order(&b.key)));
        let mut by_scene = groups(by_scene);
        by_scene.sort_by_key(|g| crate::model::Scene::parse(&g.key));
        Summaries {
            overall,
            by_host,
            by_owner: groups(by_owner),
            by_scene,
        }
    }
}

fn groups(tallies: BTreeMap<String, Tally>) -> Vec<Group> {
    tallies
        .into_iter()
        .map(|(key, tally)| Group {
            key,
            rate: tally.rate(),
            tally,
        })
        .collect()
}

/// One host platform's compliance rate in each run (aligned with the assessment's runs).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    pub host_platform: String,
    /// `None` for a run that measured none of the host's rival pairs, or judged none.
    pub rates: Vec<Option<f64>>,
}

/// Rates per host platform over the runs: what the trend chart draws.
pub fn trend(runs: &[Vec<Finding>], directory: &Directory) -> Vec<Series> {
    let mut tallies: BTreeMap<&str, Vec<Tally>> = BTreeMap::new();
    for (i, findings) in runs.iter().enumerate() {
        for finding in findings.iter().filter(|f| f.is_scored()) {
            let per_run = tallies
                .entry(finding.host_platform.as_str())
                .or_insert_with(|| vec![Tally::default(); runs.len()]);
            per_run[i].add(finding.compliance);
        }
    }
    let mut series: Vec<Series> = tallies
        .into_iter()
        .map(|(host, per_run)| Series {
            host_platform: host.to_string(),
            rates: per_run.iter().map(Tally::rate).collect(),
        })
        .collect();
    series.sort_by(|a, b| {
        directory
            .order(&a.host_platform)
            .cmp(&directory.order(&b.host_platform))
    });
    series
}
