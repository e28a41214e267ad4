//! The engines a run measures with, built once per run and chosen per context (or for the
//! whole run). A context that asks for an engine the run does not have gets an observation
//! that says so (`engine_unavailable`), and the rest of the run goes on.

use crate::engine::{Capture, PageRequest, http::HttpEngine};
use crate::model::{Context, EngineKind, FailureKind, Observation};

/// The engines of one run.
pub struct Engines {
    pub http: HttpEngine,
    /// Forces one engine for every context (`--engine`); `None` follows each context.
    pub force: Option<EngineKind>,
}

impl Engines {
    /// The engine a context is measured with.
    pub fn kind_for(&self, context: &Context) -> EngineKind {
        self.force.unwrap_or(context.engine)
    }

    /// Measures one page request in `context`.
    pub async fn capture(&self, context: &Context, request: &PageRequest) -> Capture {
        match self.kind_for(context) {
            EngineKind::Http => self.http.capture(request).await,
            other => Capture {
                observation: Observation::failed(
                    other,
                    &request.entry_url,
                    FailureKind::EngineUnavailable,
                    &format!(
                        "context {} needs the {other} engine, which this build of linkgate \
                         does not have; measure it with `--engine http` or import a manual \
                         observation",
                        context.id
                    ),
                ),
                artifacts: Vec::new(),
            },
        }
    }
}
