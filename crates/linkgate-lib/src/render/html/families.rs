//! The report's list of page families: when the run shown has pages no signature knows, a
//! reader sees "a new page appeared on weibo.cn for 40 pairs" with a link to the most central
//! one, rather than 40 grey cells (`linkgate triage` drafts the signature).

use std::collections::BTreeSet;

use super::evidence::Evidence;
use crate::triage::Family;

/// One family's row.
pub struct FamilyRow {
    pub id: String,
    pub observations: usize,
    pub hosts: String,
    pub targets: String,
    pub url: String,
    /// The representative page's evidence, when it is there.
    pub href: Option<String>,
}

/// The rows, largest family first; families of one page are left to `linkgate triage`.
pub fn rows(families: &[Family], evidence: &Evidence<'_>) -> Vec<FamilyRow> {
    let join = |s: &BTreeSet<String>| s.iter().cloned().collect::<Vec<_>>().join(", ");
    families
        .iter()
        .filter(|f| f.observations > 1)
        .map(|f| FamilyRow {
            id: f.id.clone(),
            observations: f.observations,
            hosts: join(&f.hosts),
            targets: join(&f.targets),
            url: f.urls.iter().next().cloned().unwrap_or_default(),
            href: f
                .representative
                .body_sha256
                .as_deref()
                .and_then(|sha| evidence.page(sha)),
        })
        .collect()
}
