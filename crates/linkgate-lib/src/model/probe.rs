//! A probe is one (audit, context, link) pair to measure. Planning expands audits into probes;
//! the runner measures them; everything stored refers back to them.

use serde::{Deserialize, Serialize};
use strum::{Display, EnumString, IntoStaticStr};

/// Why a probe is in the plan.
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
    Deserialize,
    IntoStaticStr,
    EnumString,
    Display,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ProbeRole {
    /// A host context opening a rival's link: the measurement the audit is about.
    Rival,
    /// A host context opening a link of its own owner group: the baseline for "same type,
    /// same treatment".
    SameOwner,
    /// The link opened in the neutral context: tells a down target from a blocking host.
    Control,
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

crate::model::words!(ProbeRole);
