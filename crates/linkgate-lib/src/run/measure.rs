//! Measuring one probe: build the page request its context implies, capture it under the
//! run's cancellation, and classify what came back. Pure except for the engine call.

use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;

use crate::classify::{Classification, Signature, Situation, classify};
use crate::engine::{Capture, PageRequest};
use crate::model::{Context, FailureKind, Link, Observation, Verdict};

use super::Engines;

/// The request a tap on `link` inside `context` makes.
pub fn page_request(context: &Context, link: &Link) -> PageRequest {
    PageRequest {
        entry_url: context.entry_url(&link.url),
        user_agent: context.user_agent.clone(),
        headers: context.headers.clone(),
        bridge: context.bridge.clone(),
    }
}

/// Captures `link` in `context`. Once the run is cancelled, an in-flight capture gets `grace`
/// to finish; after that it is recorded as interrupted.
pub async fn capture(
    engines: &Engines,
    context: &Context,
    link: &Link,
    cancel: &CancellationToken,
    grace: Duration,
    now: DateTime<Utc>,
) -> Capture {
    let request = page_request(context, link);
    let deadline = async {
        cancel.cancelled().await;
        tokio::time::sleep(grace).await;
    };
    tokio::select! {
        capture = engines.capture(context, &request) => capture,
        () = deadline => {
            let mut observation = Observation::failed(
                engines.kind_for(context),
                &request.entry_url,
                FailureKind::Interrupted,
                "the run was stopped before this probe finished",
            );
            observation.started_at = Some(now);
            Capture { observation, artifacts: Vec::new() }
        }
    }
}

/// The verdict of an observation of `link` in `context`, before pairing with the control.
pub fn verdict_of(
    observation: &Observation,
    context: &Context,
    link: &Link,
    signatures: &[Signature],
) -> Verdict {
    classification_of(observation, context, link, signatures).verdict
}

/// The full classification of an observation of `link` in `context`.
pub fn classification_of(
    observation: &Observation,
    context: &Context,
    link: &Link,
    signatures: &[Signature],
) -> Classification {
    let landing = [link];
    let situation = Situation {
        host: context.host.as_deref(),
        gateway: context.gateway.as_ref(),
        target: Some(&link.platform),
        landing: &landing,
        user_agent: Some(&context.user_agent),
    };
    classify(observation, &situation, signatures)
}

/// Records on the observation the continue control its classification read from the page.
pub fn note_way_on(observation: &mut Observation, classification: &Classification) {
    if let Some(control) = &classification.way_on {
        observation.continue_url = control.target.clone();
        observation.continue_control = Some(control.describe());
    }
}
