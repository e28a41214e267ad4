//! The clock a run and the daemon read. Normally the system clock; tests can start it at a
//! chosen instant and run it faster (hidden flags), so a schedule like `* * * * *` comes due
//! in a second rather than a minute, without waiting or touching the system time.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use clap::Args;

use linkgate::run::Clock;

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

/// A clock that may start elsewhere and run faster than real time.
#[derive(Debug, Clone, Copy)]
pub struct SimClock {
    origin: Instant,
    start: Option<DateTime<Utc>>,
    rate: f64,
}

impl ClockArgs {
    pub fn clock(&self) -> SimClock {
        SimClock {
            origin: Instant::now(),
            start: self.clock_start,
            rate: if self.clock_rate > 0.0 {
                self.clock_rate
            } else {
                1.0
            },
        }
    }
}

impl SimClock {
    pub fn now(&self) -> DateTime<Utc> {
        let Some(start) = self.start else {
            return Utc::now();
        };
        let elapsed = self.origin.elapsed().as_secs_f64() * self.rate;
        start + chrono::Duration::milliseconds((elapsed * 1000.0) as i64)
    }

    /// The clock as the runner takes it.
    pub fn as_clock(&self) -> Clock {
        let clock = *self;
        Arc::new(move || clock.now())
    }

    /// How long to sleep, in real time, until the clock reads `at`.
    pub fn real_wait(&self, at: DateTime<Utc>) -> Duration {
        let ahead = (at - self.now()).to_std().unwrap_or(Duration::ZERO);
        ahead.div_f64(self.rate)
    }
}
