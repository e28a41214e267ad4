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

use std::sync::Arc;

use chrono::Utc;
use tokio::time::Instant;

pub use client::EngineError;
pub use config::{HttpConfig, Resolve, ResolveError};

use crate::engine::frontier::Frontier;
use crate::engine::retry::{self, Limits, Tried};
use crate::engine::{Capture, PageRequest, entry_url, millis};
use client::Clients;
use cookies::Jar;

/// What every probe of a run shares: the clients (connection pools) and the frontier.
#[derive(Debug)]
struct Shared {
    config: HttpConfig,
    clients: Clients,
    gate: Arc<Frontier>,
}

/// The http engine. Built once per run; clones share everything.
#[derive(Debug, Clone)]
pub struct HttpEngine {
    shared: Arc<Shared>,
}

impl HttpEngine {
    /// An engine with its own frontier, of the config's concurrency and politeness.
    pub fn new(config: HttpConfig) -> Result<HttpEngine, EngineError> {
        let frontier = Frontier::new(config.concurrency, config.per_host, config.interval);
        HttpEngine::sharing(config, Arc::new(frontier))
    }

    /// An engine whose requests wait their turn in `frontier` (shared with the run's other
    /// engine, so both keep one politeness per host).
    pub fn sharing(config: HttpConfig, gate: Arc<Frontier>) -> Result<HttpEngine, EngineError> {
        let clients = Clients::build(&config)?;
        Ok(HttpEngine {
            shared: Arc::new(Shared {
                config,
                clients,
                gate,
            }),
        })
    }

    /// The frontier the engine's requests wait in.
    pub fn frontier(&self) -> &Arc<Frontier> {
        &self.shared.gate
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
        let config = &self.shared.config;
        let limits = Limits {
            retries: config.retries,
            backoff: config.backoff,
            max_retry_after: config.max_retry_after,
        };
        let (tried, attempts) = retry::with_retries(limits, Jar::default(), |_, mut jar| {
            let (shared, entry, headers) = (&self.shared, &entry, &headers);
            async move {
                let outcome = chain::walk(shared, entry, headers, &mut jar).await;
                let tried = Tried {
                    status: outcome.head.as_ref().map(|h| h.status),
                    failure: outcome.failure.clone(),
                    retry_after: outcome
                        .retry_after()
                        .and_then(|v| retry::parse_retry_after(v, Utc::now())),
                    value: outcome,
                };
                (tried, jar)
            }
        })
        .await;
        let mut outcome = tried.value;
        outcome.failure = tried.failure;
        observe::finished(
            request,
            outcome,
            attempts,
            started_at,
            millis(clock.elapsed()),
        )
    }
}
