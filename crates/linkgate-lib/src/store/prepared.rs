//! A record made ready for the history before the database is touched: its page compressed,
//! its JSON columns encoded, its title found and its evidence checked and compressed. This is
//! most of the work of storing a record, and none of it needs the database, so a run does it
//! on the thread that measured the probe, in parallel, and the one writer thread that holds
//! the connection only writes files and rows ([`super::Store::record_batch`]).

use super::StoreError;
use super::codec::{gzip, json};
use super::evidence::{self, PreparedArtifact};
use crate::classify::page_title;
use crate::model::{Artifact, ArtifactKind, Record};

/// A record and its artifacts, encoded for storing.
#[derive(Debug, Clone)]
pub struct PreparedRecord {
    pub(super) record: Record,
    pub(super) body_gz: Option<Vec<u8>>,
    /// The page title ("" when the page has none), kept so listings and the CSV need not
    /// decompress every page.
    pub(super) title: String,
    pub(super) dialogs: String,
    pub(super) evidence: String,
    pub(super) headers: String,
    pub(super) artifacts: Vec<PreparedArtifact>,
}

impl PreparedRecord {
    /// Encodes `record` and checks and compresses `artifacts` (a misnamed artifact is
    /// [`StoreError::ArtifactMismatch`]). Pure CPU work: no file or database is touched.
    pub fn new(record: Record, artifacts: &[Artifact]) -> Result<PreparedRecord, StoreError> {
        let observation = &record.observation;
        let encoding = |e: rusqlite::Error| StoreError::Encoding {
            what: "a record",
            reason: e.to_string(),
        };
        let body_gz = gzip(observation.body.as_bytes()).map_err(encoding)?;
        let mut prepared = Vec::with_capacity(artifacts.len());
        for artifact in artifacts {
            // A UTF-8 page's raw bytes are its decoded text: compress them once.
            let same_as_body = artifact.kind == ArtifactKind::Body
                && artifact.bytes == observation.body.as_bytes();
            let compressed = body_gz.as_deref().filter(|_| same_as_body);
            prepared.push(evidence::prepare(artifact, compressed)?);
        }
        Ok(PreparedRecord {
            title: page_title(&observation.body).unwrap_or_default(),
            dialogs: json(&observation.dialogs).map_err(encoding)?,
            evidence: json(&observation.evidence).map_err(encoding)?,
            headers: json(&observation.headers).map_err(encoding)?,
            body_gz,
            artifacts: prepared,
            record,
        })
    }

    /// The record this was prepared from.
    pub fn record(&self) -> &Record {
        &self.record
    }
}
