//! Turns the last attempt's outcome into the `Observation` the rest of linkgate reads, and
//! gathers the raw bodies it refers to by hash as artifacts. The final page is the last
//! response received; its body is decoded for the classifier and kept raw as evidence.

use chrono::{DateTime, Utc};

use super::chain::Outcome;
use crate::charset;
use crate::engine::{Capture, PageRequest};
use crate::model::{Artifact, ArtifactKind, Attempt, EngineKind, Observation};

/// The observation of a probe whose last attempt ended with `outcome`.
pub(crate) fn finished(
    request: &PageRequest,
    outcome: Outcome,
    attempts: Vec<Attempt>,
    started_at: DateTime<Utc>,
    duration_ms: u64,
) -> Capture {
    let mut artifacts: Vec<Artifact> = Vec::new();
    let evidence: Vec<String> = outcome.evidence.iter().map(|a| a.sha256.clone()).collect();
    for artifact in outcome.evidence {
        keep(&mut artifacts, artifact);
    }
    let mut observation = Observation {
        engine: EngineKind::Http,
        entry_url: request.entry_url.clone(),
        hops: outcome.hops,
        evidence,
        attempts,
        failure: outcome.failure,
        script_undecided: outcome.undecided,
        started_at: Some(started_at),
        duration_ms,
        ..Observation::default()
    };
    if let Some(head) = outcome.head {
        observation.final_url = head.url.to_string();
        observation.status = Some(head.status);
        if let Some(body) = outcome.body {
            let decoded = charset::decode(&body.bytes, head.content_type.as_deref(), None);
            observation.body = decoded.text;
            observation.charset = Some(decoded.charset.to_string());
            observation.truncated = body.truncated;
            let artifact = Artifact::new(ArtifactKind::Body, body.bytes);
            observation.body_sha256 = Some(artifact.sha256.clone());
            keep(&mut artifacts, artifact);
        }
        observation.headers = head.headers;
    }
    Capture {
        observation,
        artifacts,
    }
}

/// Adds an artifact unless the same bytes are already kept.
fn keep(artifacts: &mut Vec<Artifact>, artifact: Artifact) {
    if !artifacts.iter().any(|a| a.sha256 == artifact.sha256) {
        artifacts.push(artifact);
    }
}
