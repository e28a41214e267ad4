//! The http engine: measures a probe with plain HTTP requests, the way an in-app WebView
//! would load the entry URL; a page's inline scripts run in a sandbox only to learn where the
//! page navigates on its own (`crate::script`). It records every hop and every
//! attempt, keeps the raw bodies as evidence, and stays polite per host. Building it can
//! fail (a bad proxy or CA certificate); measuring cannot: a failed probe is an observation
//! with a `failure`.

mod chain;
mod client;
mod config;
mod cookies;
mod failure;
mod fetch;
mod in_page;
mod observe;
mod page_scan;
mod polite;
mod retry;

use std::sync::Arc;

use chrono::Utc;
use tokio::time::Instant;
use url::Url;

pub use client::EngineError;
pub use config::{HttpConfig, Resolve, ResolveError};

use crate::engine::{Capture, PageRequest};
use crate::model::{Attempt, Failure, FailureKind};
use client::Clients;
use cookies::Jar;
use polite::HostGate;
use retry::{Failed, Limits, RetryPlan};

/// What every probe of a run shares: the clients (connection pools) and the per-host gate.
#[derive(Debug)]
struct Shared {
    config: HttpConfig,
    clients: Clients,
    gate: HostGate,
}

/// The http engine. Built once per run; clones share everything.
#[derive(Debug, Clone)]
pub struct HttpEngine {
    shared: Arc<Shared>,
}

impl HttpEngine {
    pub fn new(config: HttpConfig) -> Result<HttpEngine, EngineError> {
        let clients = Clients::build(&config)?;
        let gate = HostGate::new(config.per_host, config.interval);
        Ok(HttpEngine {
            shared: Arc::new(Shared {
                config,
                clients,
                gate,
            }),
        })
    }

    /// Measures one probe. Never fails: problems are recorded in the observation.
    pub async fn capture(&self, request: &PageRequest) -> Capture {
        let started_at = Utc::now();
        let clock = Instant::now();
        let prepared = fetch::probe_headers(request).and_then(|headers| {
            let entry = entry_url(&request.entry_url)?;
            Ok((entry, headers))
        });
        let (entry, headers) = match prepared {
            Ok(prepared) => prepared,
            Err(failure) => {
                return Capture::not_started(
                    crate::model::EngineKind::Http,
                    request,
                    failure,
                    started_at,
                );
            }
        };
        // One jar per probe, shared by its attempts, as a browser tab retrying would.
        let mut jar = Jar::default();
        let mut attempts = Vec::new();
        let mut number = 1;
        let outcome = loop {
            let attempt_started = Utc::now();
            let attempt_clock = Instant::now();
            let mut outcome = chain::walk(&self.shared, &entry, &headers, &mut jar).await;
            let mut attempt = Attempt {
                number,
                started_at: attempt_started,
                duration_ms: chain::millis(attempt_clock.elapsed()),
                status: outcome.head.as_ref().map(|h| h.status),
                failure: outcome.failure.clone(),
                wait_ms: None,
            };
            match self.plan(&outcome, number) {
                RetryPlan::Wait(wait) => {
                    attempt.wait_ms = Some(chain::millis(wait));
                    attempts.push(attempt);
                    tokio::time::sleep(wait).await;
                    number += 1;
                }
                RetryPlan::Stop(reason) => {
                    if let (Some(reason), Some(failure)) = (reason, outcome.failure.as_mut()) {
                        failure.message = format!("{}; {reason}", failure.message);
                        attempt.failure = Some(failure.clone());
                    }
                    attempts.push(attempt);
                    break outcome;
                }
            }
        };
        observe::finished(
            request,
            outcome,
            attempts,
            started_at,
            chain::millis(clock.elapsed()),
        )
    }

    fn plan(&self, outcome: &chain::Outcome, number: u32) -> RetryPlan {
        let Some(failure) = &outcome.failure else {
            return RetryPlan::Stop(None);
        };
        let config = &self.shared.config;
        let failed = Failed {
            kind: failure.kind,
            number,
            retry_after: outcome
                .retry_after()
                .and_then(|v| retry::parse_retry_after(v, Utc::now())),
        };
        let limits = Limits {
            retries: config.retries,
            backoff: config.backoff,
            max_retry_after: config.max_retry_after,
        };
        retry::plan(failed, limits, rand::random_range(0.0..1.0))
    }
}

/// The entry URL, if it is one the engine can request.
fn entry_url(text: &str) -> Result<Url, Failure> {
    let bad = |why: String| Failure {
        kind: FailureKind::BadUrl,
        message: format!("entry URL `{text}` {why}"),
    };
    let url = Url::parse(text.trim()).map_err(|e| bad(format!("is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad(format!(
            "has scheme `{}`; only http and https can be requested",
            url.scheme()
        )));
    }
    Ok(url)
}
