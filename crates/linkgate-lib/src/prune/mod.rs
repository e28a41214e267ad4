//! Pruning old runs: `linkgate prune --keep N` or `--older-than 90d` removes old run folders
//! and the evidence files no kept run refers to, and says what it removed and how many bytes.
//! Evidence is content-addressed and shared between runs, so a file goes only when no kept run
//! refers to it. The history rows (observations, verdicts) are never touched: trends over years
//! stay in the database after the raw pages are gone. The chain entries of a removed run folder
//! are kept under `pruned/<run-id>/`, so `verify` can still walk the whole chain.

mod policy;
mod sweep;

pub use policy::{Keep, select};
pub use sweep::{EVIDENCE_GRACE, PruneError, Pruned, PrunedRun, prune};
