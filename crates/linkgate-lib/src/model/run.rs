//! A run is one execution of one or more audits. Its facts (who, when, with which scenario
//! files) are what make its records defensible later.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use strum::{Display, EnumString, IntoStaticStr};

/// Where a run stands.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    IntoStaticStr,
    EnumString,
    Display,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum RunStatus {
    Running,
    Completed,
    Interrupted,
    Failed,
}

/// A scenario file used by a run, with its content hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioFile {
    pub path: String,
    pub sha256: String,
}

/// The facts of one run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Run {
    /// e.g. `20261124T101500Z-3f2a`: sortable by time, unique.
    pub id: String,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub status: RunStatus,
    pub tool_version: String,
    /// Where the measurements were made from (`--vantage`).
    pub vantage: String,
    pub audits: Vec<String>,
    pub scenario_files: Vec<ScenarioFile>,
    /// Set when the run was made against the simulator (the demo): reports say so.
    pub simulated: bool,
}

impl Run {
    /// A run about to start measuring `audits` at `now`, from `vantage`, with the catalog's
    /// `scenario_files`: the one place a new run's facts are put together.
    pub fn begin(
        now: DateTime<Utc>,
        vantage: &str,
        audits: Vec<String>,
        scenario_files: Vec<ScenarioFile>,
    ) -> Run {
        Run {
            id: new_run_id(now),
            started_at: now,
            ended_at: None,
            status: RunStatus::Running,
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            vantage: vantage.to_string(),
            audits,
            scenario_files,
            simulated: false,
        }
    }

    /// The same run, marked as made against the simulator.
    pub fn simulated(self) -> Run {
        Run {
            simulated: true,
            ..self
        }
    }
}

/// A sortable, unique run id: `20261124T101500Z-3f2a`.
pub fn new_run_id(now: DateTime<Utc>) -> String {
    format!(
        "{}-{:04x}",
        now.format("%Y%m%dT%H%M%SZ"),
        rand::random::<u16>()
    )
}

/// A raw file kept as evidence (a page body, a screenshot), named by its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    pub sha256: String,
    pub kind: ArtifactKind,
    pub bytes: Vec<u8>,
}

/// What an artifact is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArtifactKind {
    /// A raw response body (kept compressed).
    Body,
    /// A PNG screenshot.
    Screenshot,
}

impl Artifact {
    pub fn new(kind: ArtifactKind, bytes: Vec<u8>) -> Artifact {
        use sha2::Digest;
        let sha256 = hex::encode(sha2::Sha256::digest(&bytes));
        Artifact {
            sha256,
            kind,
            bytes,
        }
    }
}

crate::model::words!(RunStatus);
