//! The clock a run and the daemon read. Normally the system clock; tests can start it at a
//! chosen instant and run it faster, so a schedule like `* * * * *` comes due in a second
//! rather than a minute, without waiting or touching the system time.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::run::Clock;

/// A clock that may start elsewhere and run faster than real time.
#[derive(Debug, Clone, Copy)]
pub struct AuditClock {
    origin: Instant,
    start: Option<DateTime<Utc>>,
    rate: f64,
}

impl AuditClock {
    /// The system clock.
    pub fn system() -> AuditClock {
        AuditClock::starting(None, 1.0)
    }

    /// A clock reading `start` now (the system clock when `None`), running `rate` times
    /// faster than real time (a rate that is not positive is taken as 1).
    pub fn starting(start: Option<DateTime<Utc>>, rate: f64) -> AuditClock {
        AuditClock {
            origin: Instant::now(),
            start,
            rate: if rate > 0.0 { rate } else { 1.0 },
        }
    }

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
