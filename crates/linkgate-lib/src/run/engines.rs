//! The engines a run measures with, built once per run and chosen per context (or for the
//! whole run). A context that asks for an engine the run does not have gets an observation
//! that says so (`engine_unavailable`), and the rest of the run goes on.

use crate::engine::browser::BrowserEngine;
use crate::engine::frontier::Traffic;
use crate::engine::{Capture, PageRequest, http::HttpEngine};
use crate::model::{Context, EngineKind, FailureKind, Observation};

/// The engines of one run.
pub struct Engines {
    pub http: HttpEngine,
    /// `None` when the run has no browser engine: browser contexts then get an
    /// `engine_unavailable` observation.
    pub browser: Option<BrowserEngine>,
    /// Forces one engine for every context (`--engine`); `None` follows each context.
    pub force: Option<EngineKind>,
}

impl Engines {
    /// Where the run's requests are, now and in all (the engines share one frontier).
    pub fn traffic(&self) -> Traffic {
        self.http.frontier().traffic()
    }

    /// The engine a context is measured with.
    pub fn kind_for(&self, context: &Context) -> EngineKind {
        self.force.unwrap_or(context.engine)
    }

    /// Measures one page request in `context`.
    pub async fn capture(&self, context: &Context, request: &PageRequest) -> Capture {
        match (self.kind_for(context), &self.browser) {
            (EngineKind::Http, _) => self.http.capture(request).await,
            (EngineKind::Browser, Some(browser)) => browser.capture(request).await,
            (other, _) => unavailable(context, other, request),
        }
    }
}

fn unavailable(context: &Context, kind: EngineKind, request: &PageRequest) -> Capture {
    let fix = match kind {
        EngineKind::Browser => "this run has no browser engine",
        _ => "linkgate has no such engine",
    };
    Capture {
        observation: Observation::failed(
            kind,
            &request.entry_url,
            FailureKind::EngineUnavailable,
            &format!(
                "context {} needs the {kind} engine and {fix}; measure it with `--engine http` \
                 or import a manual observation",
                context.id
            ),
        ),
        artifacts: Vec::new(),
    }
}
