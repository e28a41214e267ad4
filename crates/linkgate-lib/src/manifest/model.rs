//! The manifest as a value: what a sealed run (or an amendment to one) says about itself.
//! Field names are the JSON keys; they are documented in docs/operations.md and only ever
//! added to, so an old manifest stays readable.

use serde::{Deserialize, Serialize};
use strum::{EnumString, IntoStaticStr};

use crate::model::Run;
use chrono::{DateTime, Utc};

/// The `format` of every manifest this version writes.
pub const FORMAT: &str = "linkgate-manifest/1";

/// A run's manifest, in its run folder.
pub const MANIFEST_FILE: &str = "manifest.json";

/// Amendments are `amendment-<sequence>.json` beside the manifest.
pub const AMENDMENT_PREFIX: &str = "amendment-";

/// Where `prune` keeps the chain entries of the run folders it removes.
pub const PRUNED_DIR: &str = "pruned";

/// What an entry of the chain records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, IntoStaticStr, EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum EntryKind {
    /// A run, sealed when it completed.
    Run,
    /// A run's verdicts recomputed with newer signatures (`linkgate reclassify`).
    Reclassify,
}

/// Why an evidence file is part of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceRole {
    /// The raw body of a probe's final page.
    Body,
    /// A probe's screenshot (browser engine, manual import).
    Screenshot,
    /// The raw body of a page on the way (a gateway's page).
    Intermediate,
}

/// One evidence file. Evidence is content-addressed and shared between runs: `sha256` is the
/// hash of the uncompressed content, which is also the file's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceFile {
    pub sha256: String,
    pub role: EvidenceRole,
    /// The file's name in the evidence folder, when it was there at sealing time.
    pub file: Option<String>,
    /// SHA-256 of the file as stored (compressed, byte for byte): bytes appended to a `.gz`
    /// leave the page it holds unchanged, not the file. Absent in manifests sealed before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_sha256: Option<String>,
}

/// A file linkgate wrote into the run folder (observations.csv, the report).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputFile {
    /// Relative to the run folder.
    pub file: String,
    pub sha256: String,
    pub bytes: u64,
}

/// The chain link: the entry sealed just before this one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Previous {
    pub sequence: u64,
    pub run_id: String,
    pub kind: EntryKind,
    /// SHA-256 of that entry's file, byte for byte.
    pub sha256: String,
}

/// One entry of the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub kind: EntryKind,
    /// 1 for the first entry ever sealed beside this history, then one more each time.
    pub sequence: u64,
    pub written_at: DateTime<Utc>,
    /// The linkgate that wrote this entry (the run's own is in `run`).
    pub written_by: String,
    /// The run's facts: id, times, status, tool version, vantage, audits, scenario files with
    /// their hashes.
    pub run: Run,
    /// The signature set verdicts were recomputed with (amendments only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature_set: Option<String>,
    /// How many records (observations) the run holds.
    pub records: usize,
    pub evidence: Vec<EvidenceFile>,
    pub outputs: Vec<OutputFile>,
    pub previous: Option<Previous>,
    /// The time-stamping authority asked for a token over this manifest, if one was: a
    /// `.tsr` missing beside it then means the authority did not answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp_from: Option<String>,
    /// SHA-256 of this manifest's canonical JSON without this field: catches an edit of the
    /// newest entry, which no later entry vouches for yet.
    pub manifest_sha256: String,
}

impl Manifest {
    /// The file this entry is kept in, relative to its run folder.
    pub fn file_name(&self) -> String {
        match self.kind {
            EntryKind::Run => MANIFEST_FILE.to_string(),
            EntryKind::Reclassify => format!("{AMENDMENT_PREFIX}{}.json", self.sequence),
        }
    }
}

crate::model::word!(EntryKind);
