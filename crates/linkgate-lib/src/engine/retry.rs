//! When to try a probe again and how long to wait first, for every engine, and the one
//! attempt loop that records each try. The rules are pure (the clock and the random jitter
//! are passed in), so they are tested without sleeping.
//!
//! Link checkers drown in false "blocked" verdicts from rate limits; waiting as the server
//! asks (`Retry-After`) and backing off with jitter keeps an audit polite and its results
//! honest. A server that asks for more than `max_retry_after` is not waited for: the probe
//! ends with the wait it asked for recorded.

use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};
use tokio::time::Instant;

use super::millis;
use crate::model::{Attempt, Failure, FailureKind};

/// What to do after a failed attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RetryPlan {
    /// Wait this long, then try again.
    Wait(Duration),
    /// Do not retry; the reason is added to the attempt's failure message when there is one.
    Stop(Option<String>),
}

/// The facts of a failed attempt the plan depends on.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Failed {
    pub kind: FailureKind,
    /// 1-based number of the attempt that failed.
    pub number: u32,
    /// The server's `Retry-After`, already turned into a wait.
    pub retry_after: Option<Duration>,
}

/// The limits the plan obeys (from the engine's config).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub retries: u32,
    pub backoff: Duration,
    pub max_retry_after: Duration,
}

/// Which failures retrying may cure: a timeout, a reset, a connection refused by the site,
/// an overloaded server. Not what cannot heal within a probe: a name that does not resolve
/// (`dns`), a proxy that refuses the connection or the tunnel (`proxy`), a certificate
/// rejected (`tls`), a bad URL or a redirect loop. Backing off on those only made a run on a
/// machine without a route to the platforms take minutes to say nothing.
pub(crate) fn is_retryable(kind: FailureKind) -> bool {
    matches!(
        kind,
        FailureKind::Timeout | FailureKind::Connect | FailureKind::Reset | FailureKind::HttpStatus
    )
}

/// Whether a final status means "try again later".
pub(crate) fn is_retryable_status(status: u16) -> bool {
    status == 429 || (500..600).contains(&status)
}

/// `jitter` is a uniform random number in `[0, 1)`. A crashed browser is tried again at
/// once (on a fresh one): the wait would not make it healthier.
pub(crate) fn plan(failed: Failed, limits: Limits, jitter: f64) -> RetryPlan {
    if failed.kind == FailureKind::EngineCrashed && failed.number <= limits.retries {
        return RetryPlan::Wait(Duration::ZERO);
    }
    if !is_retryable(failed.kind) {
        return RetryPlan::Stop(None);
    }
    if let Some(wait) = failed.retry_after
        && wait > limits.max_retry_after
    {
        return RetryPlan::Stop(Some(format!(
            "the server asked to retry after {} s, longer than the {} s limit (max_retry_after): gave up",
            wait.as_secs(),
            limits.max_retry_after.as_secs()
        )));
    }
    if failed.number > limits.retries {
        return RetryPlan::Stop(None);
    }
    match failed.retry_after {
        Some(wait) => RetryPlan::Wait(wait),
        None => RetryPlan::Wait(backoff(limits, failed.number, jitter)),
    }
}

/// "Equal jitter": half the exponential delay fixed, half random, so concurrent probes that
/// failed together do not retry together. Capped at `max_retry_after`.
fn backoff(limits: Limits, number: u32, jitter: f64) -> Duration {
    let exponent = number.saturating_sub(1).min(16);
    let full = limits
        .backoff
        .saturating_mul(1 << exponent)
        .min(limits.max_retry_after);
    let half = full / 2;
    half + half.mul_f64(jitter.clamp(0.0, 1.0))
}

/// One attempt as the loop sees it: the engine's result and the facts the plan needs.
pub(crate) struct Tried<T> {
    pub value: T,
    pub status: Option<u16>,
    pub failure: Option<Failure>,
    /// The server's `Retry-After`, as a wait.
    pub retry_after: Option<Duration>,
}

/// Tries until an attempt succeeds or the plan says stop, recording every attempt (its
/// number, time, status, failure and the wait after it). `state` is handed from one attempt
/// to the next (the http engine's cookie jar, as a tab retrying would keep its cookies).
/// Returns the last attempt, its failure extended with why retrying stopped, if it says so.
pub(crate) async fn with_retries<T, S, F, Fut>(
    limits: Limits,
    mut state: S,
    mut attempt: F,
) -> (Tried<T>, Vec<Attempt>)
where
    F: FnMut(u32, S) -> Fut,
    Fut: Future<Output = (Tried<T>, S)>,
{
    let mut attempts = Vec::new();
    let mut number = 1;
    loop {
        let started_at = Utc::now();
        let clock = Instant::now();
        let (mut tried, next) = attempt(number, state).await;
        state = next;
        let mut record = Attempt {
            number,
            started_at,
            duration_ms: millis(clock.elapsed()),
            status: tried.status,
            failure: tried.failure.clone(),
            wait_ms: None,
        };
        let decision = match &tried.failure {
            None => RetryPlan::Stop(None),
            Some(failure) => {
                let failed = Failed {
                    kind: failure.kind,
                    number,
                    retry_after: tried.retry_after,
                };
                plan(failed, limits, rand::random_range(0.0..1.0))
            }
        };
        match decision {
            RetryPlan::Wait(wait) => {
                record.wait_ms = Some(millis(wait));
                attempts.push(record);
                tokio::time::sleep(wait).await;
                number += 1;
            }
            RetryPlan::Stop(reason) => {
                if let (Some(reason), Some(failure)) = (reason, tried.failure.as_mut()) {
                    failure.message = format!("{}; {reason}", failure.message);
                    record.failure = Some(failure.clone());
                }
                attempts.push(record);
                return (tried, attempts);
            }
        }
    }
}

/// A `Retry-After` value (delay seconds or an HTTP date) as a wait from `now`. A date in the
/// past means no wait; an unreadable value is ignored.
pub(crate) fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = http_date(value)?;
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}

/// IMF-fixdate, and the obsolete RFC 850 and asctime forms HTTP still allows.
fn http_date(value: &str) -> Option<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc2822(value) {
        return Some(at.with_timezone(&Utc));
    }
    ["%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(value, format).ok())
        .map(|naive| naive.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const LIMITS: Limits = Limits {
        retries: 2,
        backoff: Duration::from_secs(1),
        max_retry_after: Duration::from_secs(60),
    };

    fn failed(kind: FailureKind, number: u32, retry_after: Option<u64>) -> Failed {
        Failed {
            kind,
            number,
            retry_after: retry_after.map(Duration::from_secs),
        }
    }

    #[test]
    fn backoff_doubles_and_jitter_stays_between_half_and_full() {
        let wait = |n, j| plan(failed(FailureKind::Timeout, n, None), LIMITS, j);
        assert_eq!(wait(1, 0.0), RetryPlan::Wait(Duration::from_millis(500)));
        assert_eq!(wait(1, 0.5), RetryPlan::Wait(Duration::from_millis(750)));
        assert_eq!(wait(1, 1.0), RetryPlan::Wait(Duration::from_secs(1)));
        assert_eq!(wait(2, 0.0), RetryPlan::Wait(Duration::from_secs(1)));
        assert_eq!(wait(2, 0.5), RetryPlan::Wait(Duration::from_millis(1500)));
    }

    #[test]
    fn a_crash_is_tried_again_at_once_within_the_retries() {
        let crash = |n| plan(failed(FailureKind::EngineCrashed, n, None), LIMITS, 0.7);
        assert_eq!(crash(1), RetryPlan::Wait(Duration::ZERO));
        assert_eq!(crash(3), RetryPlan::Stop(None));
    }

    #[test]
    fn retries_stop_after_the_configured_count() {
        let p = plan(failed(FailureKind::Reset, 3, None), LIMITS, 0.0);
        assert_eq!(p, RetryPlan::Stop(None));
    }

    #[test]
    fn permanent_failures_are_not_retried() {
        for kind in [
            FailureKind::Tls,
            FailureKind::Dns,
            FailureKind::Proxy,
            FailureKind::BadUrl,
            FailureKind::RedirectLoop,
            FailureKind::TooManyHops,
        ] {
            assert_eq!(
                plan(failed(kind, 1, None), LIMITS, 0.0),
                RetryPlan::Stop(None)
            );
        }
    }

    #[test]
    fn retry_after_is_honoured_exactly() {
        let p = plan(failed(FailureKind::HttpStatus, 1, Some(7)), LIMITS, 0.9);
        assert_eq!(p, RetryPlan::Wait(Duration::from_secs(7)));
    }

    #[test]
    fn retry_after_beyond_the_limit_gives_up_and_says_so() {
        let RetryPlan::Stop(Some(why)) =
            plan(failed(FailureKind::HttpStatus, 1, Some(3600)), LIMITS, 0.0)
        else {
            panic!("expected a stop with a reason");
        };
        assert!(
            why.contains("3600 s") && why.contains("60 s limit"),
            "{why}"
        );
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap();
        let secs = |v| parse_retry_after(v, now).map(|d| d.as_secs());
        assert_eq!(secs(" 120 "), Some(120));
        assert_eq!(secs("Tue, 24 Nov 2026 10:00:30 GMT"), Some(30));
        assert_eq!(secs("Tuesday, 24-Nov-26 10:01:00 GMT"), Some(60));
        assert_eq!(secs("Tue Nov 24 10:00:05 2026"), Some(5));
        assert_eq!(secs("Mon, 23 Nov 2026 10:00:00 GMT"), Some(0));
        assert_eq!(secs("soon"), None);
    }

    #[test]
    fn only_throttling_and_server_errors_are_retryable_statuses() {
        assert!(is_retryable_status(429) && is_retryable_status(503));
        assert!(!is_retryable_status(404) && !is_retryable_status(403));
    }
}
