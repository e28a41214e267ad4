//! The compliance vocabulary: how a verdict is judged (`compliant`, `non_compliant`,
//! `unknown`), the notes that explain a judgement, and the audit policies that decide what an
//! interstitial means. MIIT's standard (DOMAIN.md §1) does not ban a warning page as such, only
//! one shown to a rival's links and not to the same type of link from the host's own group;
//! the `strict` policy is for audits that count every extra step as a failure.

use serde::Serialize;
use strum::{Display, EnumString, IntoStaticStr};

use super::AssessError;

/// How an audit judges an interstitial.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, IntoStaticStr, EnumString, Display,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Policy {
    /// MIIT's "same type, same treatment": an interstitial complies unless the same host
    /// context opens a same-category link of its own group directly. The default.
    SameTreatment,
    /// Any interstitial is non-compliant.
    Strict,
}

impl Policy {
    pub const ALL: [Policy; 2] = [Policy::SameTreatment, Policy::Strict];

    /// The policy an audit names, or an error naming the audit and the known policies.
    pub fn of_audit(audit: &str, policy: &str) -> Result<Policy, AssessError> {
        Policy::parse(policy).ok_or_else(|| AssessError::UnknownPolicy {
            audit: audit.to_string(),
            policy: policy.to_string(),
        })
    }
}

/// The judgement of one pair (host context × link) in one run.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    IntoStaticStr,
    EnumString,
    Display,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Compliance {
    Compliant,
    NonCompliant,
    /// The observation cannot say (an `inconclusive` verdict: target down, timeout, …).
    Unknown,
}

impl Compliance {
    pub const ALL: [Compliance; 3] = [
        Compliance::Compliant,
        Compliance::NonCompliant,
        Compliance::Unknown,
    ];

    /// Whether this is a known state (compliant or not), as opposed to `unknown`.
    pub fn is_known(self) -> bool {
        self != Compliance::Unknown
    }
}

/// Why an interstitial was judged the way it was.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    IntoStaticStr,
    EnumString,
    Display,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Note {
    /// No same-category link of the host's own group opened directly in the same context and
    /// run: the friction may be the same for everyone (compliant under `same_treatment`).
    UniformFriction,
    /// A same-category link of the host's own group opened directly in the same context and
    /// run while this one got an interstitial: rivals are treated worse.
    SelectiveFriction,
}

crate::model::words!(Policy, Compliance);
crate::model::word!(Note);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for policy in Policy::ALL {
            assert_eq!(Policy::parse(policy.as_str()), Some(policy));
        }
        for compliance in Compliance::ALL {
            assert_eq!(Compliance::parse(compliance.as_str()), Some(compliance));
        }
    }

    #[test]
    fn an_unknown_policy_names_the_audit_and_the_choices() {
        let err = Policy::of_audit("miit-2021", "lenient").unwrap_err();
        let message = err.to_string();
        assert!(message.contains("miit-2021"), "{message}");
        assert!(message.contains("lenient"), "{message}");
        assert!(message.contains("same_treatment"), "{message}");
    }
}
