//! The assess stage: from the history of verdicts to compliance over time. Each rival pair
//! (host context × link) of a run is judged `compliant`, `non_compliant` or `unknown` by the
//! audit's policy; a run's pairs are grouped into matrix cells (host context × link
//! platform); and the runs, ordered by measurement time, say when each pair first complied,
//! when it was last seen non-compliant, how far past each deadline, and when it regressed.
//!
//! Everything here is pure: values in, values out, and the date an assessment is made as of
//! is passed in, never read from the clock, so any past state of a history can be assessed
//! again and a simulated history reads as simulated.

mod assessment;
mod cells;
mod change;
mod directory;
mod judge;
mod policy;
mod summary;
mod timeline;
mod unjudged;
mod vantage;

#[cfg(test)]
mod tests;

pub use assessment::{
    Assessment, AuditTerms, CellAssessment, PairAssessment, RunFindings, RunPoint, assess,
};
pub use cells::{CellKey, cell_compliance};
pub use change::{Change, ChangeKind, PairState};
pub use directory::Directory;
pub use judge::{Finding, judge};
pub use policy::{Compliance, Note, Policy};
pub use summary::{Group, Series, Summaries, Tally};
pub use timeline::{PastDeadline, Point, Regression, Seen, Timeline};
pub use unjudged::ControlFailures;
pub use vantage::{VantageComparison, VantageDifference, compare_vantages};

/// Why an audit cannot be assessed.
#[derive(Debug, thiserror::Error)]
pub enum AssessError {
    #[error(
        "audit `{audit}` names the compliance policy `{policy}`, which this linkgate does not know; use same_treatment or strict"
    )]
    UnknownPolicy { audit: String, policy: String },

    #[error(
        "run `{run}` has no rival or same-owner records of audit `{audit}` in the history (or is older than --since); pick a run that measured the audit (see `linkgate report --run`) or another --audit"
    )]
    NothingToShow { run: String, audit: String },
}
