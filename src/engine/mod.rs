//! Engines measure probes: they load an entry URL the way an in-app context would and return
//! an `Observation` with the raw bytes it refers to. The runner picks an engine per probe and
//! only ever sees this module's types; a probe that fails is an observation with a
//! `failure`, so engines never return errors once they are built.

pub mod browser;
pub mod http;

use crate::model::{Artifact, Observation};

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
