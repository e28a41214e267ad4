//! A probe is one (audit, context, link) pair to measure. Planning expands audits into probes;
//! the runner measures them; everything stored refers back to them.

use serde::Serialize;
use std::fmt;

/// Why a probe is in the plan.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum ProbeRole {
    /// A host context opening a rival's link: the measurement the audit is about.
    Rival,
    /// A host context opening a link of its own owner group: the baseline for "same type,
    /// same treatment".
    SameOwner,
    /// The link opened in the neutral context: tells a down target from a blocking host.
    Control,
}

impl ProbeRole {
    pub fn as_str(self) -> &'static str {
        match self {
            ProbeRole::Rival => "rival",
            ProbeRole::SameOwner => "same_owner",
            ProbeRole::Control => "control",
        }
    }

    pub fn parse(s: &str) -> Option<ProbeRole> {
        match s {
            "rival" => Some(ProbeRole::Rival),
            "same_owner" => Some(ProbeRole::SameOwner),
            "control" => Some(ProbeRole::Control),
            _ => None,
        }
    }
}

impl fmt::Display for ProbeRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One measurement to make. Ids refer into the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Probe {
    pub audit: String,
    pub context: String,
    pub link: String,
    pub role: ProbeRole,
}

impl Probe {
    /// A stable key, unique within a run: what `--resume` uses to find what is missing.
    pub fn key(&self) -> String {
        format!("{}|{}|{}", self.audit, self.context, self.link)
    }
}
