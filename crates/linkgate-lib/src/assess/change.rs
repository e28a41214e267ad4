//! What changed since the previous run, pair by pair. A reader of a recurring report wants the
//! news first, and the worst news first: regressions, then improvements, then other changes of
//! verdict, then pairs that appeared or stopped being measured.

use serde::Serialize;
use strum::{EnumString, IntoStaticStr};

use super::judge::Finding;
use super::policy::Compliance;
use crate::model::{ProbeRole, VerdictKind};

/// The kind of a change, in the order a report lists them.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, IntoStaticStr, EnumString,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ChangeKind {
    /// Compliant in the previous run, non-compliant now.
    Regressed,
    /// Non-compliant in the previous run, compliant now.
    Improved,
    /// Another change of compliance (to or from unknown) or of verdict or mechanism.
    Changed,
    /// Not measured in the previous run.
    New,
    /// Measured in the previous run, not in this one.
    Gone,
    /// Nothing changed (or there is no previous run).
    Same,
}

impl ChangeKind {
    /// Compares two compliances (of a pair or a cell) between consecutive runs.
    pub fn between(before: Option<Compliance>, after: Option<Compliance>) -> ChangeKind {
        use Compliance::{Compliant, NonCompliant};
        match (before, after) {
            (Some(Compliant), Some(NonCompliant)) => ChangeKind::Regressed,
            (Some(NonCompliant), Some(Compliant)) => ChangeKind::Improved,
            (Some(b), Some(a)) if b != a => ChangeKind::Changed,
            (Some(_), Some(_)) => ChangeKind::Same,
            (None, Some(_)) => ChangeKind::New,
            (Some(_), None) => ChangeKind::Gone,
            (None, None) => ChangeKind::Same,
        }
    }
}

/// A pair's state in one run, as a change shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PairState {
    pub compliance: Compliance,
    pub verdict: VerdictKind,
    pub mechanism: String,
}

impl PairState {
    pub fn of(finding: &Finding) -> PairState {
        PairState {
            compliance: finding.compliance,
            verdict: finding.verdict,
            mechanism: finding.mechanism.clone(),
        }
    }
}

/// One pair that changed since the previous run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub kind: ChangeKind,
    pub context: String,
    pub host_platform: String,
    pub link_id: String,
    pub link_platform: String,
    pub role: ProbeRole,
    pub before: Option<PairState>,
    pub after: Option<PairState>,
}

impl Change {
    /// The change of a pair seen `before` (previous run) and `after` (this run); `None` when
    /// nothing changed. At least one of the two must be given.
    pub fn of(before: Option<&Finding>, after: Option<&Finding>) -> Option<Change> {
        let either = after.or(before)?;
        let mut kind =
            ChangeKind::between(before.map(|f| f.compliance), after.map(|f| f.compliance));
        let before_state = before.map(PairState::of);
        let after_state = after.map(PairState::of);
        if kind == ChangeKind::Same && before_state != after_state {
            kind = ChangeKind::Changed;
        }
        (kind != ChangeKind::Same).then(|| Change {
            kind,
            context: either.context.clone(),
            host_platform: either.host_platform.clone(),
            link_id: either.link_id.clone(),
            link_platform: either.link_platform.clone(),
            role: either.role,
            before: before_state,
            after: after_state,
        })
    }
}

crate::model::word!(ChangeKind);
