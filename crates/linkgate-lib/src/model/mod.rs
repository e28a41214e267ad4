//! The vocabulary of DESIGN.md as plain Rust values: platforms, contexts, links, audits,
//! probes, observations and verdicts. Every later stage speaks in these types, so the words a
//! scenario author writes in TOML are the words the code, the CSV and the report use.

mod audit;
mod context;
mod link;
mod observation;
mod platform;
mod probe;
mod record;
mod run;
mod verdict;

pub use audit::{Audit, Deadline, Politeness, SameOwner, Selector};
pub use context::{Client, Context, EngineKind, Gateway, Scene, encode_uri_component};
pub use link::{Category, Link};
pub use observation::{Attempt, Failure, FailureKind, Hop, HopVia, Observation};
pub use platform::Platform;
pub use probe::{Probe, ProbeRole};
pub use record::{Record, StoredVerdict};
pub use run::{Artifact, ArtifactKind, Run, RunStatus, ScenarioFile, new_run_id};
pub use verdict::{Actor, Mechanism, Verdict, VerdictKind};
