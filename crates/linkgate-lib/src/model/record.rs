//! A record is one stored observation with its probe, verdict and the catalog facts needed to
//! read it later (host, scene, link platform, …), copied in so that history stays readable
//! after the scenario files change. Records are what the store keeps and what reports read.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Category, Client, Observation, ProbeRole, Scene, Verdict, VerdictKind};

/// The verdict as stored: the classify stage's `Verdict`, kept under the name the store and
/// reports have always used.
pub type StoredVerdict = Verdict;

/// One observation as the history keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub run_id: String,
    pub observed_at: DateTime<Utc>,
    pub audit: String,
    pub context: String,
    /// `None` for the neutral control context.
    pub host_platform: Option<String>,
    pub scene: Option<Scene>,
    pub client: Client,
    pub link_id: String,
    pub link_platform: String,
    pub link_category: Category,
    /// The link's URL (not the gateway URL: that is the observation's `entry_url`).
    pub url: String,
    pub role: ProbeRole,
    pub observation: Observation,
    pub verdict: StoredVerdict,
    /// The verdict of the same link in the neutral context, for non-control records.
    pub control_verdict: Option<VerdictKind>,
}

impl Record {
    /// The key `--resume` compares: unique per (audit, context, link) within a run.
    pub fn key(&self) -> String {
        format!("{}|{}|{}", self.audit, self.context, self.link_id)
    }
}
