//! The overview tables: rival pairs of the shown run counted by host platform, by the host's
//! owner group and by scene, each with its compliance rate drawn as a bar (a CSS width, no
//! script) next to the number.

use super::lang::Lang;
use crate::assess::{Directory, Group};
use crate::model::Scene;

/// One row of an overview table.
pub struct TallyRow {
    pub name: String,
    pub compliant: usize,
    pub non_compliant: usize,
    pub unknown: usize,
    pub regressed: usize,
    /// "62%" or "–" when nothing could be judged.
    pub rate: String,
    /// Width of the rate bar, 0–100.
    pub rate_width: u32,
}

/// One overview table.
pub struct TallyTable {
    pub title: &'static str,
    pub rows: Vec<TallyRow>,
}

/// The three overview tables.
pub fn tables(
    summaries: &crate::assess::Summaries,
    directory: &Directory,
    lang: Lang,
) -> Vec<TallyTable> {
    let t = lang.labels();
    let host = |key: &str| directory.name(key, lang.is_zh()).to_string();
    let owner = |key: &str| key.to_string();
    let scene = |key: &str| lang.scene(Scene::parse(key)).to_string();
    vec![
        table(t.by_host, &summaries.by_host, host),
        table(t.by_owner, &summaries.by_owner, owner),
        table(t.by_scene, &summaries.by_scene, scene),
    ]
}

fn table(title: &'static str, groups: &[Group], name: impl Fn(&str) -> String) -> TallyTable {
    TallyTable {
        title,
        rows: groups
            .iter()
            .map(|g| TallyRow {
                name: name(&g.key),
                compliant: g.tally.compliant,
                non_compliant: g.tally.non_compliant,
                unknown: g.tally.unknown,
                regressed: g.tally.regressed,
                rate: percent(g.rate),
                rate_width: g.rate.map_or(0, |r| (r * 100.0).round() as u32),
            })
            .collect(),
    }
}

/// A rate as the report prints it.
pub fn percent(rate: Option<f64>) -> String {
    match rate {
        Some(r) => format!("{:.0}%", r * 100.0),
        None => "–".to_string(),
    }
}
