//! What changed since the previous run (regressions first) and every regression in the
//! history. Both lists are capped on the page; the full lists are in summary.json, so a
//! history with thousands of changes still gives a page that opens.

use super::lang::{Lang, change_mark, class, symbol};
use crate::assess::{Assessment, Change, ChangeKind, PairState};
use crate::model::ProbeRole;

/// How many rows each list shows on the page.
pub const CAP: usize = 200;

pub struct ChangeView {
    pub class: &'static str,
    pub mark: &'static str,
    pub kind: &'static str,
    pub context: String,
    pub link: String,
    pub same_owner: bool,
    pub before: String,
    pub before_class: &'static str,
    pub after: String,
    pub after_class: &'static str,
}

pub struct RegressionView {
    pub context: String,
    pub link: String,
    pub spans: Vec<String>,
}

pub struct Changes {
    pub first_run: bool,
    pub rows: Vec<ChangeView>,
    /// Rows left off the page.
    pub more: usize,
    pub regressions: Vec<RegressionView>,
    pub more_regressions: usize,
}

impl Changes {
    pub fn new(assessment: &Assessment, lang: Lang) -> Changes {
        let rows = assessment
            .changes
            .iter()
            .take(CAP)
            .map(|c| view(c, lang))
            .collect();
        let regressed: Vec<RegressionView> = assessment
            .pairs
            .iter()
            .filter(|p| !p.timeline.regressions.is_empty())
            .map(|p| RegressionView {
                context: p.finding.context.clone(),
                link: p.finding.link_id.clone(),
                spans: p
                    .timeline
                    .regressions
                    .iter()
                    .map(|r| {
                        format!(
                            "✓ {} ({}) → ✗ {} ({})",
                            r.compliant.date(),
                            r.compliant.run_id,
                            r.non_compliant.date(),
                            r.non_compliant.run_id
                        )
                    })
                    .collect(),
            })
            .collect();
        Changes {
            first_run: assessment.previous().is_none(),
            more: assessment.changes.len().saturating_sub(CAP),
            rows,
            more_regressions: regressed.len().saturating_sub(CAP),
            regressions: regressed.into_iter().take(CAP).collect(),
        }
    }
}

fn view(change: &Change, lang: Lang) -> ChangeView {
    let class = match change.kind {
        ChangeKind::Regressed => "nc",
        ChangeKind::Improved => "ok",
        _ => "unk",
    };
    ChangeView {
        class,
        mark: change_mark(change.kind),
        kind: lang.change(change.kind),
        context: change.context.clone(),
        link: change.link_id.clone(),
        same_owner: change.role == ProbeRole::SameOwner,
        before: state(change.before.as_ref(), lang),
        before_class: state_class(change.before.as_ref()),
        after: state(change.after.as_ref(), lang),
        after_class: state_class(change.after.as_ref()),
    }
}

/// "✗ blocked · stop_page", or "—" when the pair was not measured.
pub fn state(state: Option<&PairState>, lang: Lang) -> String {
    match state {
        Some(s) => format!(
            "{} {} · {}",
            symbol(s.compliance),
            lang.verdict(s.verdict),
            s.mechanism
        ),
        None => "—".to_string(),
    }
}

/// The CSS class of a pair state (for a change's before and after cells).
pub fn state_class(state: Option<&PairState>) -> &'static str {
    state.map_or("none", |s| class(s.compliance))
}
