//! The run stage: measure every planned probe, classify it, pair it with its link's control,
//! and commit each record to the history as soon as it is known (through one writer thread,
//! in small batches when probes finish faster than one commit). A probe that fails is an
//! `inconclusive` record, never an error; only the store failing stops a run. Interruption
//! (Ctrl-C, SIGTERM) stops new probes, lets in-flight ones finish within a grace period or
//! records them as interrupted, and marks the run interrupted so `--resume` can finish it. A
//! run whose controls all fail at the network level stops after a handful of them, failed,
//! with the reason stored (see `preflight`).

mod engines;
mod measure;
mod outcome;
mod preflight;
mod runner;
mod writer;

pub use engines::Engines;
pub use measure::verdict_of;
pub use outcome::{Outcome, ShardEnd, VerdictCounts};
pub use preflight::{Preflight, Tally, Unreachable, network_failure, without_example};
pub use runner::{Clock, Observer, RunError, RunOptions, Runner};
pub use writer::WriterStats;
