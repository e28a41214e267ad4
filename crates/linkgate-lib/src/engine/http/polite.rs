//! Per-host politeness: at most `per_host` requests in flight to one host:port, and at least
//! `interval` between the starts of two requests to it. Anti-bot pages and 429s are the main
//! source of false "blocked" results, so every hop of every probe passes through here, keyed
//! by the hop's own host (a gateway host and a target host are limited separately).
//!
//! A semaphore per host bounds concurrency; a "next free start" instant per host spaces the
//! starts. A request takes a permit first, then waits its turn on the host's clock (a fair
//! async mutex, held through the wait) and sets the next free start from the moment it
//! actually starts, so a late wake-up cannot bring two starts closer than `interval`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// Once the table holds this many hosts, idle ones are forgotten.
const FORGET_AFTER: usize = 4096;

#[derive(Debug)]
pub(crate) struct HostGate {
    per_host: usize,
    interval: Duration,
    hosts: Mutex<HashMap<String, Arc<HostSlot>>>,
}

#[derive(Debug)]
struct HostSlot {
    permits: Arc<Semaphore>,
    next_start: tokio::sync::Mutex<Instant>,
}

/// Held while a request to a host is in flight.
#[derive(Debug)]
pub(crate) struct Pass {
    _permit: Option<OwnedSemaphorePermit>,
}

impl HostGate {
    pub(crate) fn new(per_host: usize, interval: Duration) -> HostGate {
        HostGate {
            per_host: per_host.max(1),
            interval,
            hosts: Mutex::new(HashMap::new()),
        }
    }

    /// Waits until a request to `host` may start.
    pub(crate) async fn enter(&self, host: &str) -> Pass {
        let slot = self.slot(host);
        // Host semaphores are never closed, so this is always `Some`.
        let permit = slot.permits.clone().acquire_owned().await.ok();
        if self.interval.is_zero() {
            return Pass { _permit: permit };
        }
        let mut next = slot.next_start.lock().await;
        // A timer rounds up to the next millisecond even when its deadline has passed, and
        // this lock is held meanwhile: sleeping only when there is time to wait keeps a busy
        // host from being paced at one request per millisecond.
        if *next > Instant::now() {
            tokio::time::sleep_until(*next).await;
        }
        *next = Instant::now() + self.interval;
        drop(next);
        Pass { _permit: permit }
    }

    fn slot(&self, host: &str) -> Arc<HostSlot> {
        let mut hosts = self.hosts.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(slot) = hosts.get(host) {
            return slot.clone();
        }
        if hosts.len() >= FORGET_AFTER {
            let now = Instant::now();
            hosts.retain(|_, slot| Arc::strong_count(slot) > 1 || slot.is_busy(now));
        }
        let slot = Arc::new(HostSlot {
            permits: Arc::new(Semaphore::new(self.per_host)),
            next_start: tokio::sync::Mutex::new(Instant::now()),
        });
        hosts.insert(host.to_string(), slot.clone());
        slot
    }
}

impl HostSlot {
    /// A host whose clock is in use or still running is kept.
    fn is_busy(&self, now: Instant) -> bool {
        self.next_start.try_lock().map_or(true, |next| *next > now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Real time, but only lower bounds: a sleep never ends early, so these cannot flake.
    #[tokio::test]
    async fn starts_to_one_host_are_spaced_by_the_interval() {
        let interval = Duration::from_millis(100);
        let gate = HostGate::new(10, interval);
        let mut starts = Vec::new();
        for _ in 0..3 {
            let _pass = gate.enter("a.test:80").await;
            starts.push(Instant::now());
        }
        for pair in starts.windows(2) {
            assert!(pair[1] - pair[0] >= interval, "{:?}", pair[1] - pair[0]);
        }
        // Another host is not held back by the first: it starts without waiting a slot.
        let before = Instant::now();
        let _pass = gate.enter("b.test:80").await;
        assert!(before.elapsed() < interval);
    }

    #[tokio::test]
    async fn no_more_than_per_host_passes_at_once() {
        let gate = Arc::new(HostGate::new(2, Duration::ZERO));
        let first = gate.enter("a.test:80").await;
        let _second = gate.enter("a.test:80").await;
        let third = tokio::time::timeout(Duration::from_millis(200), gate.enter("a.test:80")).await;
        assert!(third.is_err(), "a third pass must wait");
        drop(first);
        let third = tokio::time::timeout(Duration::from_millis(200), gate.enter("a.test:80")).await;
        assert!(third.is_ok(), "a freed pass lets the next one in");
    }

    /// Regression: with no interval, every start still slept on a timer (a millisecond, the
    /// timer's resolution) while holding the host's lock, so a run against one fast host
    /// could not pass ~1,000 requests a second whatever its concurrency.
    #[tokio::test]
    async fn without_an_interval_a_host_is_not_paced_by_the_timer() {
        let gate = HostGate::new(64, Duration::ZERO);
        let started = std::time::Instant::now();
        for _ in 0..2000 {
            let _pass = gate.enter("a.test:80").await;
        }
        // Paced by the timer this takes at least 2 s; unpaced, a few milliseconds.
        let took = started.elapsed();
        assert!(took < Duration::from_millis(1000), "{took:?}");
    }
}
