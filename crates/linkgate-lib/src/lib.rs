//! linkgate audits whether large Chinese platforms still block each other's links inside
//! their apps, as MIIT ordered by 17 September 2021. The library holds every stage of the data
//! flow in DESIGN.md (catalog, plan, engines, classify, store, render); the `linkgate` binary
//! is a thin command-line layer over it and the only place that knows about flags.

pub mod assess;
pub mod audit;
pub mod catalog;
pub mod charset;
pub mod classify;
pub mod diagnostic;
pub mod engine;
pub mod html;
pub mod import;
pub mod inspect;
pub mod lock;
pub mod manifest;
pub mod model;
pub mod plan;
pub mod prune;
pub mod reclassify;
pub mod render;
pub mod run;
pub mod schedule;
pub mod script;
pub mod sim;
pub mod store;
pub mod triage;

// The Rust examples of the README and the docs are compiled with the tests, so they cannot
// drift from the library they describe.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeExamples;
#[cfg(doctest)]
#[doc = include_str!("../../../docs/engines.md")]
struct EngineExamples;
#[cfg(doctest)]
#[doc = include_str!("../../../docs/simulator.md")]
struct SimulatorExamples;
