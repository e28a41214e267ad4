//! Measuring one probe: build the page request its context implies, capture it under the
//! run's cancellation, and classify what came back. Pure except for the engine call.

use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;

use crate::classify::{Signature, Situation, classify};
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
    let situation = Situation {
        host: context.host.as_deref(),
        gateway: context.gateway.as_ref(),
        target: Some(&link.platform),
        landing: Some((&link.id, &link.landing)),
    };
    classify(observation, &situation, signatures).verdict
}
