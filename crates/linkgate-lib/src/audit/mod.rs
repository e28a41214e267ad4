//! The orchestration layer, on top of every stage of the data flow: what a command does from
//! settings to files. A run session (plan, engines, runner, seal), the due loop that `run
//! --due` and the daemon share, the report job, the demo through the simulator, importing
//! manual observations and reclassifying stored ones. The binary turns flags into these
//! settings and prints what they return; it holds no orchestration of its own.

mod clock;
mod daemon;
pub mod demo;
mod due;
mod error;
mod files;
pub mod history;
mod measured;
pub mod report;
mod seal;
mod session;
mod settings;
pub mod signals;
pub mod timestamp;
mod verify;

pub use clock::AuditClock;
pub use daemon::{Look, Looker, describe, serve};
pub use due::{AuditDue, DueRun, DueRunner, History};
pub use error::{AuditError, is_invalid_input};
pub use files::{CSV_FILE, write_csv};
pub use report::{ReportJob, write_report};
pub use seal::{Sealed, amend_run, finish_run};
pub use session::{
    Measured, NoProgress, ProgressFor, RunProgress, Session, chosen_audits, peak_rss_kb,
};
pub use settings::{
    DB_FILE, DEFAULT_CONCURRENCY, DEFAULT_OUT, DEFAULT_VANTAGE, NetSettings, RunSettings,
    engine_named, read_ca_certs, resolves_named, verdicts_named,
};
pub use verify::verification_text;
