//! Per-host politeness: at most `per_host` requests in flight to one host:port, and at least
//! `interval` between the starts of two requests to it. Anti-bot pages and 429s are the main
//! source of false "blocked" results, so every hop of every probe passes through here, keyed
//! by the hop's own host (a gateway host and a target host are limited separately).
//!
//! A semaphore per host bounds concurrency; a "next free start" instant per host spaces the
//! starts. A request takes a permit first, then reserves the next start slot, so slots are
//! handed out in order and never to more requests than may be in flight.

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
    next_start: Mutex<Instant>,
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
        let start = {
            let mut next = slot
                .next_start
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let start = (*next).max(Instant::now());
            *next = start + self.interval;
            start
        };
        tokio::time::sleep_until(start).await;
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
            next_start: Mutex::new(Instant::now()),
        });
        hosts.insert(host.to_string(), slot.clone());
        slot
    }
}

impl HostSlot {
    fn is_busy(&self, now: Instant) -> bool {
        let next = *self
            .next_start
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        next > now
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
}
