//! The frontier: every request of a run waits here for its turn, as a crawler's scheduler
//! does. Two limits apply, in this order:
//!
//! 1. **Its host's turn** (politeness): at most `per_host` requests in flight to one host:port,
//!    and at least `interval` between the starts of two of them. Anti-bot pages and 429s are
//!    the main source of false "blocked" results, so every hop of every probe passes here,
//!    keyed by the hop's own host (a gateway host and a target host are limited separately).
//! 2. **A slot** among the run's `concurrency` requests in flight over all hosts.
//!
//! A request takes its slot only once its host is ready, and gives it back when its answer has
//! been read, so a probe waiting for its host's interval, or backing off before a retry, holds
//! no slot, and a multi-hop probe takes one per hop: one slow or unreachable host cannot keep
//! the others waiting. Before, a probe held its slot from its first hop to its last, waits
//! included, and a run at the pack's politeness took five times the time its busiest host
//! needed.
//!
//! A host's "next free start" is set from the moment a request actually starts (slot in
//! hand), under a fair async mutex held through the waits, so a late wake-up cannot bring two
//! starts closer than `interval`. The frontier counts what waits where ([`Traffic`]), so a
//! user sees why a run takes the time it does.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// Once the table holds this many hosts, idle ones are forgotten.
const FORGET_AFTER: usize = 4096;

/// See the module documentation. Shared by the engines of a run.
#[derive(Debug)]
pub struct Frontier {
    per_host: usize,
    interval: Duration,
    slots: Arc<Semaphore>,
    hosts: Mutex<HashMap<String, Arc<HostSlot>>>,
    counts: Arc<Counts>,
}

#[derive(Debug)]
struct HostSlot {
    permits: Arc<Semaphore>,
    next_start: tokio::sync::Mutex<Instant>,
}

/// Where the requests of a run are, now and in all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Traffic {
    /// Requests waiting for their host's turn (politeness).
    pub waiting_for_host: usize,
    /// Requests whose host is ready, waiting for a slot.
    pub waiting_for_slot: usize,
    /// Requests on the network.
    pub in_flight: usize,
    /// Requests started so far.
    pub started: u64,
    /// Time requests spent waiting for their host's turn, summed.
    pub host_wait: Duration,
    /// Time requests spent waiting for a slot, summed.
    pub slot_wait: Duration,
    /// Time requests spent on the network, summed.
    pub network: Duration,
}

#[derive(Debug, Default)]
struct Counts {
    waiting_for_host: AtomicUsize,
    waiting_for_slot: AtomicUsize,
    in_flight: AtomicUsize,
    started: AtomicU64,
    host_wait_us: AtomicU64,
    slot_wait_us: AtomicU64,
    network_us: AtomicU64,
}

/// Held while a request is in flight: its host's permit and its slot.
#[derive(Debug)]
pub struct Pass {
    _host: Option<OwnedSemaphorePermit>,
    _slot: Option<OwnedSemaphorePermit>,
    started: Instant,
    counts: Arc<Counts>,
}

impl Drop for Pass {
    fn drop(&mut self) {
        self.counts.in_flight.fetch_sub(1, Ordering::Relaxed);
        add(&self.counts.network_us, self.started.elapsed());
    }
}

/// Counts one request in a waiting state while it lives, and its time there when it ends
/// (also when the request is dropped while waiting: an interrupted probe).
struct Waiting<'a> {
    count: &'a AtomicUsize,
    total: &'a AtomicU64,
    since: Instant,
}

impl<'a> Waiting<'a> {
    fn new(count: &'a AtomicUsize, total: &'a AtomicU64) -> Waiting<'a> {
        count.fetch_add(1, Ordering::Relaxed);
        Waiting {
            count,
            total,
            since: Instant::now(),
        }
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.count.fetch_sub(1, Ordering::Relaxed);
        add(self.total, self.since.elapsed());
    }
}

fn add(total: &AtomicU64, spent: Duration) {
    let us = u64::try_from(spent.as_micros()).unwrap_or(u64::MAX);
    total.fetch_add(us, Ordering::Relaxed);
}

impl Frontier {
    /// `concurrency` requests in flight over all hosts, `per_host` to one host, starts to one
    /// host `interval` apart.
    pub fn new(concurrency: usize, per_host: usize, interval: Duration) -> Frontier {
        Frontier {
            per_host: per_host.max(1),
            interval,
            slots: Arc::new(Semaphore::new(concurrency.max(1))),
            hosts: Mutex::new(HashMap::new()),
            counts: Arc::default(),
        }
    }

    /// Waits until a request to `host` may start: its host's turn, then a slot.
    pub async fn enter(&self, host: &str) -> Pass {
        let slot = self.slot(host);
        let counts = &self.counts;
        let for_host = Waiting::new(&counts.waiting_for_host, &counts.host_wait_us);
        // Host semaphores are never closed, so this is always `Some`.
        let permit = slot.permits.clone().acquire_owned().await.ok();
        let mut next = match self.interval.is_zero() {
            true => None,
            false => Some(slot.next_start.lock().await),
        };
        // A timer rounds up to the next millisecond even when its deadline has passed, and
        // the lock is held meanwhile: sleeping only when there is time to wait keeps a busy
        // host from being paced at one request per millisecond.
        if let Some(next) = &next
            && **next > Instant::now()
        {
            tokio::time::sleep_until(**next).await;
        }
        drop(for_host);
        let for_slot = Waiting::new(&counts.waiting_for_slot, &counts.slot_wait_us);
        // The run's semaphore is never closed either.
        let taken = self.slots.clone().acquire_owned().await.ok();
        drop(for_slot);
        let started = Instant::now();
        if let Some(next) = next.as_mut() {
            **next = started + self.interval;
        }
        drop(next);
        counts.in_flight.fetch_add(1, Ordering::Relaxed);
        counts.started.fetch_add(1, Ordering::Relaxed);
        Pass {
            _host: permit,
            _slot: taken,
            started,
            counts: counts.clone(),
        }
    }

    /// Where the requests are, now and in all.
    pub fn traffic(&self) -> Traffic {
        let c = &self.counts;
        let time = |total: &AtomicU64| Duration::from_micros(total.load(Ordering::Relaxed));
        Traffic {
            waiting_for_host: c.waiting_for_host.load(Ordering::Relaxed),
            waiting_for_slot: c.waiting_for_slot.load(Ordering::Relaxed),
            in_flight: c.in_flight.load(Ordering::Relaxed),
            started: c.started.load(Ordering::Relaxed),
            host_wait: time(&c.host_wait_us),
            slot_wait: time(&c.slot_wait_us),
            network: time(&c.network_us),
        }
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
        let gate = Frontier::new(64, 10, interval);
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
        let gate = Arc::new(Frontier::new(64, 2, Duration::ZERO));
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
        let gate = Frontier::new(64, 64, Duration::ZERO);
        let started = std::time::Instant::now();
        for _ in 0..2000 {
            let _pass = gate.enter("a.test:80").await;
        }
        // Paced by the timer this takes at least 2 s; unpaced, a few milliseconds.
        let took = started.elapsed();
        assert!(took < Duration::from_millis(1000), "{took:?}");
    }

    #[tokio::test]
    async fn a_request_waiting_for_its_host_holds_no_slot() {
        // One slot for the run; host a is busy until its interval has passed.
        let frontier = Arc::new(Frontier::new(1, 1, Duration::from_secs(60)));
        drop(frontier.enter("a.test:80").await);
        let waiting = tokio::spawn({
            let frontier = frontier.clone();
            async move { frontier.enter("a.test:80").await }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(frontier.traffic().waiting_for_host, 1);
        // The slot is free for host b meanwhile.
        let b = tokio::time::timeout(Duration::from_millis(200), frontier.enter("b.test:80")).await;
        assert!(b.is_ok(), "host b must not wait for host a's interval");
        waiting.abort();
        let _ = waiting.await;
        assert_eq!(
            frontier.traffic().waiting_for_host,
            0,
            "an abandoned wait is not counted"
        );
    }

    #[tokio::test]
    async fn slots_bound_the_requests_in_flight_over_all_hosts() {
        let frontier = Frontier::new(2, 8, Duration::ZERO);
        let _a = frontier.enter("a.test:80").await;
        let _b = frontier.enter("b.test:80").await;
        let third =
            tokio::time::timeout(Duration::from_millis(100), frontier.enter("c.test:80")).await;
        assert!(third.is_err(), "a third request waits for a slot");
        let traffic = frontier.traffic();
        assert_eq!(
            (traffic.in_flight, traffic.started, traffic.waiting_for_slot),
            (2, 2, 0)
        );
    }
}
