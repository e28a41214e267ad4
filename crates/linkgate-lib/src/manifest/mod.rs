//! Evidence that holds: every completed run is sealed with `reports/<run-id>/manifest.json`,
//! which lists the tool version, the vantage, the scenario files' hashes, every evidence file
//! of the run with its SHA-256, the SHA-256 of the files written for it (observations.csv, the
//! report), and the SHA-256 of the previous manifest. The manifests form one hash chain, in the
//! order they were sealed, so a changed evidence file, an edited manifest or a deleted run all
//! show when `linkgate verify` walks the chain.
//!
//! A later change to a sealed run (reclassification rewrites its CSV) is not an edit: it is a
//! new entry in the chain, an *amendment* (`amendment-<sequence>.json` beside the manifest),
//! so the history says what changed and when, and the chain still holds.
//!
//! Building a manifest is pure ([`build`] then [`to_bytes`]); [`seal`] is the one place that
//! reads the chain's head and writes the file, under a lock beside the history database so two
//! processes never seal the same place in the chain.

mod attested;
mod build;
mod chain;
mod error;
mod latest;
mod model;
pub mod sign;
pub mod timestamp;
mod verify;

pub use build::{
    Attest, Draft, RunEvidence, UNATTESTED, build, digest, evidence_of, sha256_hex, to_bytes,
};
pub use chain::{Entry, lock_chain, scan, seal};
pub use error::ManifestError;
pub use latest::{LATEST, latest, point_latest};
pub use model::{
    AMENDMENT_PREFIX, EntryKind, EvidenceFile, EvidenceRole, FORMAT, MANIFEST_FILE, Manifest,
    OutputFile, PRUNED_DIR, Previous,
};
pub use verify::{Note, Problem, Trust, Verification, verify, verify_with};
