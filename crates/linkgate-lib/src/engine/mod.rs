//! Engines measure probes: they load an entry URL the way an in-app context would and return
//! an `Observation` with the raw bytes it refers to. The runner picks an engine per probe and
//! only ever sees this module's types; a probe that fails is an observation with a
//! `failure`, so engines never return errors once they are built.

pub mod browser;
pub mod frontier;
pub mod http;
mod retry;

use std::time::Duration;

use chrono::{DateTime, Utc};
use url::Url;

use crate::model::{Artifact, Attempt, EngineKind, Failure, FailureKind, Observation};

/// What to load and how the context looks to servers.
#[derive(Debug, Clone)]
pub struct PageRequest {
    /// The gateway URL, or the link itself when the context has no gateway.
    pub entry_url: String,
    pub user_agent: String,
    /// The context's extra headers (e.g. `X-Requested-With`).
    pub headers: Vec<(String, String)>,
    /// JS bridge stubs for the browser engine; the http engine ignores them.
    pub bridge: Option<String>,
}

/// An observation and the raw bytes it refers to by hash.
#[derive(Debug, Clone)]
pub struct Capture {
    pub observation: Observation,
    pub artifacts: Vec<Artifact>,
}

impl Capture {
    /// A probe that never made a request (bad entry URL, unsendable header, no browser): one
    /// attempt, recorded with its failure.
    pub(crate) fn not_started(
        engine: EngineKind,
        request: &PageRequest,
        failure: Failure,
        started_at: DateTime<Utc>,
    ) -> Capture {
        let mut observation =
            Observation::failed(engine, &request.entry_url, failure.kind, &failure.message);
        observation.attempts = vec![Attempt {
            number: 1,
            started_at,
            duration_ms: 0,
            status: None,
            failure: Some(failure),
            wait_ms: None,
        }];
        observation.started_at = Some(started_at);
        Capture {
            observation,
            artifacts: Vec::new(),
        }
    }
}

/// The entry URL, if it is one an engine can request (http or https).
pub(crate) fn entry_url(text: &str) -> Result<Url, Failure> {
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

/// A duration as the whole milliseconds observations record.
pub(crate) fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The key politeness is kept by: `host:port`, the port explicit (`a.test:443`).
pub(crate) fn host_key(url: &Url) -> String {
    format!(
        "{}:{}",
        url.host_str().unwrap_or(""),
        url.port_or_known_default().unwrap_or(0)
    )
}
