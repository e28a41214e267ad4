//! The hidden flags that start the run's clock elsewhere and run it faster, for tests: a
//! schedule like `* * * * *` comes due in a second rather than a minute, without waiting or
//! touching the system time (see `linkgate::audit::AuditClock`).

use chrono::{DateTime, Utc};
use clap::Args;

use linkgate::audit::AuditClock;

#[derive(Debug, Args, Clone)]
pub struct ClockArgs {
    /// Start the clock at this instant (RFC 3339) instead of now: for tests
    #[arg(long, hide = true, value_name = "TIME", value_parser = parse_time)]
    clock_start: Option<DateTime<Utc>>,
    /// Clock seconds per real second: for tests
    #[arg(long, hide = true, value_name = "RATE", default_value_t = 1.0)]
    clock_rate: f64,
}

fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("not an RFC 3339 time: {e}"))
}

impl ClockArgs {
    pub fn clock(&self) -> AuditClock {
        AuditClock::starting(self.clock_start, self.clock_rate)
    }
}
