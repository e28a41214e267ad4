//! Scheduling audits for unattended operation: an audit's cron schedule read in its time zone,
//! whether it has come due since the audit's last run (so a crontab line or the daemon runs
//! each audit once per slot, and once — not once per missed slot — after downtime), and the
//! per-audit lock that keeps two linkgate processes from running one audit at once.
//!
//! Everything but the lock is pure: the time is always passed in.

mod cron;
mod due;
mod line;

pub use cron::{Schedule, ScheduleError, parse_cron, parse_timezone};
pub use due::{Due, last_start, status};
pub use line::ScheduleLine;
