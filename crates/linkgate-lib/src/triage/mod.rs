//! Triage: pages no signature recognises, grouped into families, each with a drafted
//! signature. Platforms change their warning pages without notice; an unrecognised page is
//! honestly `inconclusive`, but an analyst should not have to open hundreds of them one by one
//! to see that a host started serving a new kind of page. Clustering pages by their text and
//! structure recovers block-page templates (Jones et al., IMC 2014; ICLab, S&P 2020); this is
//! that, on the history's own observations.

mod cluster;
mod draft;
mod features;
mod minhash;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::model::{ControlSimilarity, Record, Run, VerdictKind};
use crate::store::{BodyRead, Store, StoreError};

pub use cluster::{STRUCTURE_ALIKE, TEXT_ALIKE, families as cluster_families};
pub use features::Features;
pub use minhash::MinHash;

/// How a page compares with its control's page (both as features).
pub fn compare(page: &Features, control: &Features) -> ControlSimilarity {
    let length = |f: &Features| f.visible.chars().count() as f64;
    let ratio = match length(control) {
        0.0 => 0.0,
        n => length(page) / n,
    };
    ControlSimilarity {
        same_title: page.title == control.title,
        length_percent: (ratio * 100.0).round().min(f64::from(u32::MAX)) as u32,
        text_percent: (page.text.similarity(&control.text) * 100.0).round() as u32,
    }
}

/// Which observations to triage.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// Runs started on or after this day.
    pub since: Option<NaiveDate>,
    /// Runs of this audit.
    pub audit: Option<String>,
    /// These runs only (all runs when empty).
    pub runs: Vec<String>,
}

/// One observation of a family.
#[derive(Debug, Clone, Serialize)]
pub struct Member {
    pub run_id: String,
    pub context: String,
    pub link: String,
    pub final_url: String,
    pub observed_at: DateTime<Utc>,
    /// The evidence file of its page.
    pub body_sha256: Option<String>,
}

/// Pages that look alike, and what would recognise them.
#[derive(Debug, Clone, Serialize)]
pub struct Family {
    pub id: String,
    pub observations: usize,
    /// Host platforms of the contexts it was seen in (`control` for the neutral context).
    pub hosts: BTreeSet<String>,
    pub contexts: BTreeSet<String>,
    pub targets: BTreeSet<String>,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    /// `host/path` of the final URLs, each once.
    pub urls: BTreeSet<String>,
    /// The member most like the others.
    pub representative: Member,
    /// The drafted `[[signature]]`.
    pub draft: String,
    pub members: Vec<Member>,
    /// The representative's page, for `--out`.
    #[serde(skip)]
    pub page: String,
}

/// What triage found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Triage {
    /// Inconclusive observations with a page, looked at.
    pub pages: usize,
    /// Largest first.
    pub families: Vec<Family>,
}

/// One page to triage: its record's facts and its features.
struct Seen {
    record: Record,
    features: Features,
}

/// Groups the inconclusive pages of the runs `scope` chooses into families.
pub fn triage(store: &Store, scope: &Scope) -> Result<Triage, StoreError> {
    let mut pages: Vec<Seen> = Vec::new();
    let mut opened: BTreeMap<String, Vec<Features>> = BTreeMap::new();
    for run in store.runs()?.iter().filter(|r| in_scope(r, scope)) {
        store.for_each_record(&run.id, BodyRead::Full, |stored| {
            let mut record = stored.record;
            let body = std::mem::take(&mut record.observation.body);
            match record.verdict.kind {
                VerdictKind::Inconclusive if !body.trim().is_empty() => {
                    pages.push(Seen {
                        features: Features::of(&body),
                        record,
                    });
                }
                VerdictKind::Opened => {
                    // A sample per target is enough to rule out what every landing page has.
                    let sample = opened.entry(record.link_platform.clone()).or_default();
                    if sample.len() < 50 {
                        sample.push(Features::of(&body));
                    }
                }
                _ => {}
            }
            Ok::<(), StoreError>(())
        })?;
    }
    let features: Vec<Features> = pages.iter().map(|p| p.features.clone()).collect();
    let mut families: Vec<Family> = cluster::families(&features)
        .into_iter()
        .enumerate()
        .map(|(n, members)| family(n + 1, &pages, &features, &members, &opened))
        .collect();
    read_representatives(store, &mut families)?;
    Ok(Triage {
        pages: pages.len(),
        families,
    })
}

/// The representatives' pages, read again: keeping every page read would hold the whole
/// history in memory.
fn read_representatives(store: &Store, families: &mut [Family]) -> Result<(), StoreError> {
    let runs: BTreeSet<String> = families
        .iter()
        .map(|f| f.representative.run_id.clone())
        .collect();
    for run in runs {
        store.for_each_record(&run, BodyRead::Full, |stored| {
            let r = &stored.record;
            for family in families.iter_mut() {
                let face = &family.representative;
                if face.run_id == r.run_id && face.context == r.context && face.link == r.link_id {
                    family.page = r.observation.body.clone();
                }
            }
            Ok::<(), StoreError>(())
        })?;
    }
    Ok(())
}

fn in_scope(run: &Run, scope: &Scope) -> bool {
    (scope.runs.is_empty() || scope.runs.contains(&run.id))
        && scope
            .since
            .is_none_or(|day| run.started_at.date_naive() >= day)
        && scope.audit.as_ref().is_none_or(|a| run.audits.contains(a))
}

fn member(record: &Record) -> Member {
    Member {
        run_id: record.run_id.clone(),
        context: record.context.clone(),
        link: record.link_id.clone(),
        final_url: record.observation.final_url.clone(),
        observed_at: record.observed_at,
        body_sha256: record.observation.body_sha256.clone(),
    }
}

fn family(
    n: usize,
    pages: &[Seen],
    features: &[Features],
    members: &[usize],
    opened: &BTreeMap<String, Vec<Features>>,
) -> Family {
    let records: Vec<&Record> = members.iter().map(|&i| &pages[i].record).collect();
    let hosts: BTreeSet<String> = records
        .iter()
        .filter_map(|r| r.host_platform.clone())
        .collect();
    let targets: BTreeSet<String> = records.iter().map(|r| r.link_platform.clone()).collect();
    let face = cluster::representative(features, members);
    let first_host = hosts.iter().next().map_or("control", String::as_str);
    let id = format!("draft.{first_host}.family{n}");
    let seen: Vec<DateTime<Utc>> = records.iter().map(|r| r.observed_at).collect();
    let (first_seen, last_seen) = (
        seen.iter().min().copied().unwrap_or_default(),
        seen.iter().max().copied().unwrap_or_default(),
    );
    let final_urls: Vec<&str> = records
        .iter()
        .map(|r| r.observation.final_url.as_str())
        .collect();
    let member_features: Vec<&Features> = members.iter().map(|&i| &features[i]).collect();
    let opened_features: Vec<&Features> = targets
        .iter()
        .filter_map(|t| opened.get(t))
        .flatten()
        .collect();
    let source = format!(
        "linkgate triage: {} pages seen {} to {} in {} for targets {}",
        members.len(),
        first_seen.format("%Y-%m-%d"),
        last_seen.format("%Y-%m-%d"),
        if hosts.is_empty() {
            "controls".to_string()
        } else {
            join(&hosts)
        },
        join(&targets)
    );
    let representative = member(&pages[face].record);
    let draft = draft::draft(&draft::DraftInput {
        id: &id,
        members: &member_features,
        final_urls: &final_urls,
        opened: &opened_features,
        hosts: &hosts,
        controls: records.iter().any(|r| r.host_platform.is_none()),
        representative_url: &representative.final_url,
        source,
    });
    Family {
        id,
        observations: members.len(),
        hosts: if hosts.is_empty() {
            BTreeSet::from(["control".to_string()])
        } else {
            hosts
        },
        contexts: records.iter().map(|r| r.context.clone()).collect(),
        targets,
        first_seen,
        last_seen,
        urls: final_urls.iter().filter_map(|u| host_path(u)).collect(),
        page: String::new(),
        representative,
        draft,
        members: records.iter().map(|r| member(r)).collect(),
    }
}

fn host_path(url: &str) -> Option<String> {
    let url = url::Url::parse(url).ok()?;
    Some(format!("{}{}", url.host_str()?, url.path()))
}

fn join(set: &BTreeSet<String>) -> String {
    set.iter().cloned().collect::<Vec<_>>().join(", ")
}

/// Writes each family's draft (`DIR/<id>.toml`) and its representative page where the draft's
/// `fixture` names it (`DIR/fixtures/draft/<id>.html`). Returns the files written.
pub fn write_drafts(
    found: &Triage,
    dir: &std::path::Path,
) -> std::io::Result<Vec<std::path::PathBuf>> {
    let fixtures = dir.join("fixtures").join("draft");
    std::fs::create_dir_all(&fixtures)?;
    let mut written = Vec::new();
    for family in &found.families {
        let toml = dir.join(format!("{}.toml", family.id));
        std::fs::write(&toml, &family.draft)?;
        let page = fixtures.join(format!("{}.html", family.id));
        std::fs::write(&page, &family.page)?;
        written.extend([toml, page]);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_warning_page_is_far_from_its_controls_landing_page() {
        let warning = Features::of("<title>安全提示</title><p>该网页可能存在风险，请谨慎访问</p>");
        let landing = Features::of("<title>商品详情</title><h1>宝贝</h1><p>月销 300 件，包邮</p>");
        let s = compare(&warning, &landing);
        assert!(!s.same_title && s.text_percent < 20, "{s:?}");
        let same = compare(&landing, &landing);
        assert_eq!(
            (same.same_title, same.length_percent, same.text_percent),
            (true, 100, 100)
        );
    }
}
