//! Judging one run: every rival and same-owner record becomes a [`Finding`] with its
//! compliance. An interstitial is judged against the same run's same-owner records, because
//! MIIT's standard is about treating the same type of link the same way in the same place:
//! only a same-category link of the host's own group, opened directly in the same context,
//! proves that the host could have let the rival's link through too.

use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;

use super::policy::{Compliance, Note, Policy};
use crate::model::{Actor, Category, Client, ProbeRole, Record, Scene, VerdictKind};

/// One pair (host context × link) of one run, judged. Controls have none.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub run_id: String,
    pub observed_at: DateTime<Utc>,
    pub audit: String,
    pub context: String,
    pub host_platform: String,
    pub scene: Option<Scene>,
    pub client: Client,
    pub link_id: String,
    pub link_platform: String,
    pub link_category: Category,
    /// `rival` (scored) or `same_owner` (shown, never scored).
    pub role: ProbeRole,
    pub verdict: VerdictKind,
    pub mechanism: String,
    pub actor: Actor,
    pub signature: Option<String>,
    pub compliance: Compliance,
    pub note: Option<Note>,
    /// For a selective interstitial: the same-owner link that opened directly instead.
    pub baseline: Option<String>,
}

impl Finding {
    /// Whether the finding counts in totals and rates (rival pairs only).
    pub fn is_scored(&self) -> bool {
        self.role == ProbeRole::Rival
    }

    /// The pair's identity across runs.
    pub fn pair_key(&self) -> (&str, &str) {
        (&self.context, &self.link_id)
    }
}

/// Same-owner links that opened directly, by (audit, context, category), from one run.
type Baselines<'r> = HashMap<(&'r str, &'r str, Category), Vec<&'r str>>;

/// Judges every rival and same-owner record of `records` (one run) by `policy`. Controls are
/// left out: they measure the target, not the host. Records keep their order.
pub fn judge(records: &[Record], policy: Policy) -> Vec<Finding> {
    let baselines = baselines(records);
    records
        .iter()
        .filter(|r| r.role != ProbeRole::Control)
        .filter_map(|record| {
            let host = record.host_platform.as_ref()?;
            let baseline = baselines
                .get(&(
                    record.audit.as_str(),
                    record.context.as_str(),
                    record.link_category,
                ))
                .and_then(|links| links.first())
                .map(|l| l.to_string());
            let (compliance, note, baseline) = rule(record.verdict.kind, baseline, policy);
            Some(Finding {
                run_id: record.run_id.clone(),
                observed_at: record.observed_at,
                audit: record.audit.clone(),
                context: record.context.clone(),
                host_platform: host.clone(),
                scene: record.scene,
                client: record.client,
                link_id: record.link_id.clone(),
                link_platform: record.link_platform.clone(),
                link_category: record.link_category,
                role: record.role,
                verdict: record.verdict.kind,
                mechanism: record.verdict.mechanism.clone(),
                actor: record.verdict.actor,
                signature: record.verdict.signature.clone(),
                compliance,
                note,
                baseline,
            })
        })
        .collect()
}

fn baselines(records: &[Record]) -> Baselines<'_> {
    let mut found: Baselines<'_> = HashMap::new();
    for record in records {
        if record.role == ProbeRole::SameOwner && record.verdict.kind == VerdictKind::Opened {
            found
                .entry((&record.audit, &record.context, record.link_category))
                .or_default()
                .push(&record.link_id);
        }
    }
    found
}

/// The rule of the brief, in one place: `opened` complies, `blocked` does not, `inconclusive`
/// is unknown, and an interstitial depends on the baseline and the policy.
fn rule(
    verdict: VerdictKind,
    baseline: Option<String>,
    policy: Policy,
) -> (Compliance, Option<Note>, Option<String>) {
    match verdict {
        VerdictKind::Opened => (Compliance::Compliant, None, None),
        VerdictKind::Blocked => (Compliance::NonCompliant, None, None),
        VerdictKind::Inconclusive => (Compliance::Unknown, None, None),
        VerdictKind::Interstitial => match (baseline, policy) {
            (Some(link), _) => (
                Compliance::NonCompliant,
                Some(Note::SelectiveFriction),
                Some(link),
            ),
            (None, Policy::SameTreatment) => {
                (Compliance::Compliant, Some(Note::UniformFriction), None)
            }
            (None, Policy::Strict) => (Compliance::NonCompliant, Some(Note::UniformFriction), None),
        },
    }
}
