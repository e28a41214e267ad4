//! A matrix cell is one host context × one link platform: the links of one target platform
//! opened in one place. A cell is non-compliant when any of its links is, compliant when the
//! rest of its links that could be judged complied, and unknown only when none could be
//! judged: one link whose target was down should not hide that another link of the same
//! platform was blocked, nor that it opened.

use serde::Serialize;

use super::judge::Finding;
use super::policy::Compliance;
use crate::model::VerdictKind;

/// Identifies a cell within one audit.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct CellKey {
    pub context: String,
    pub link_platform: String,
}

impl CellKey {
    pub fn of(finding: &Finding) -> CellKey {
        CellKey {
            context: finding.context.clone(),
            link_platform: finding.link_platform.clone(),
        }
    }
}

/// The compliance of a cell whose links were judged `each`.
pub fn cell_compliance(each: impl IntoIterator<Item = Compliance>) -> Compliance {
    let mut any_compliant = false;
    for compliance in each {
        match compliance {
            Compliance::NonCompliant => return Compliance::NonCompliant,
            Compliance::Compliant => any_compliant = true,
            Compliance::Unknown => {}
        }
    }
    if any_compliant {
        Compliance::Compliant
    } else {
        Compliance::Unknown
    }
}

/// How much in the way a verdict is: a cell shows its most obstructed link of the cell's
/// compliance, so a compliant cell with a uniform warning shows the warning, not the link that
/// opened.
fn obstruction(verdict: VerdictKind) -> u8 {
    match verdict {
        VerdictKind::Blocked => 3,
        VerdictKind::Interstitial => 2,
        VerdictKind::Inconclusive => 1,
        VerdictKind::Opened => 0,
    }
}

/// Which of `findings` (non-empty, one cell) the matrix shows: the most obstructed of those
/// whose compliance is the cell's; the first on a tie.
pub fn lead(findings: &[&Finding], compliance: Compliance) -> usize {
    let mut best: Option<(usize, u8)> = None;
    for (i, finding) in findings.iter().enumerate() {
        if finding.compliance != compliance {
            continue;
        }
        let rank = obstruction(finding.verdict);
        if best.is_none_or(|(_, b)| rank > b) {
            best = Some((i, rank));
        }
    }
    best.map(|(i, _)| i).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Compliance::*;

    #[test]
    fn any_non_compliant_link_makes_the_cell_non_compliant() {
        assert_eq!(
            cell_compliance([Compliant, NonCompliant, Unknown]),
            NonCompliant
        );
    }

    #[test]
    fn an_unknown_link_does_not_hide_one_that_opened() {
        assert_eq!(cell_compliance([Unknown, Compliant]), Compliant);
        assert_eq!(cell_compliance([Unknown, Unknown]), Unknown);
        assert_eq!(cell_compliance([]), Unknown);
    }
}
