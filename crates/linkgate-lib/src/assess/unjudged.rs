//! Why pairs could not be judged because their controls failed too: a report whose headline
//! says "none of the 1,698 rival pairs could be judged" without saying why left its reader to
//! guess between a host blocking everything and a machine that reached nothing. The controls'
//! own verdicts say which: counted here per mechanism (`dns`, `proxy`, `timeout`,
//! `app_only_wall`, …), the most common first.

use serde::Serialize;

use crate::model::{Mechanism, ProbeRole, Record, VerdictKind};

/// One run's rival pairs left `inconclusive` / `target_down`, and what their controls met.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ControlFailures {
    /// Rival pairs inconclusive because their link's control did not open either.
    pub pairs: usize,
    /// Controls measured.
    pub controls: usize,
    /// Controls that did not open, by mechanism, the most common first (ties by name).
    pub causes: Vec<(String, usize)>,
}

impl ControlFailures {
    /// From one run's records (of one audit, or all).
    pub fn of(records: &[Record]) -> ControlFailures {
        Self::from_counts(
            records
                .iter()
                .map(|r| (r.role, r.verdict.kind, r.verdict.mechanism.as_str(), 1)),
        )
    }

    /// From counts of (role, verdict, mechanism) as the history sums them.
    pub fn from_counts<'a>(
        counts: impl IntoIterator<Item = (ProbeRole, VerdictKind, &'a str, usize)>,
    ) -> ControlFailures {
        let mut failures = ControlFailures::default();
        for (role, verdict, mechanism, n) in counts {
            match role {
                ProbeRole::Control => {
                    failures.controls += n;
                    if verdict != VerdictKind::Opened {
                        match failures.causes.iter_mut().find(|(m, _)| m == mechanism) {
                            Some((_, count)) => *count += n,
                            None => failures.causes.push((mechanism.to_string(), n)),
                        }
                    }
                }
                ProbeRole::Rival if mechanism == Mechanism::TARGET_DOWN => failures.pairs += n,
                _ => {}
            }
        }
        failures
            .causes
            .sort_by(|(a, x), (b, y)| y.cmp(x).then_with(|| a.cmp(b)));
        failures
    }

    /// The most common reason a control did not open, and how many controls it stopped; only
    /// when some rival pairs could not be judged because of their controls.
    pub fn dominant(&self) -> Option<(&str, usize)> {
        if self.pairs == 0 {
            return None;
        }
        self.causes.first().map(|(m, n)| (m.as_str(), *n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_common_control_failure_is_the_dominant_cause() {
        let counts = [
            (ProbeRole::Control, VerdictKind::Inconclusive, "dns", 30),
            (ProbeRole::Control, VerdictKind::Inconclusive, "timeout", 2),
            (ProbeRole::Control, VerdictKind::Opened, "direct", 4),
            (
                ProbeRole::Rival,
                VerdictKind::Inconclusive,
                "target_down",
                1500,
            ),
            (ProbeRole::Rival, VerdictKind::Inconclusive, "dns", 3),
            (
                ProbeRole::SameOwner,
                VerdictKind::Inconclusive,
                "target_down",
                90,
            ),
        ];
        let failures = ControlFailures::from_counts(counts);
        assert_eq!(failures.pairs, 1500, "rival pairs only");
        assert_eq!(failures.controls, 36);
        assert_eq!(failures.dominant(), Some(("dns", 30)));
    }

    #[test]
    fn no_cause_is_named_when_no_pair_was_left_unjudged_by_its_control() {
        let counts = [(ProbeRole::Control, VerdictKind::Inconclusive, "dns", 3)];
        assert_eq!(ControlFailures::from_counts(counts).dominant(), None);
    }
}
