//! The settle rule: when a page is done enough to be read. A gateway page often decides in
//! script, a few hundred milliseconds after it loaded, where to send the user; reading it at
//! the load event (or at headless_chrome's "network almost idle") reads the wrong page, and
//! waiting a fixed time wastes most of it. So a page is settled once its document loaded,
//! no navigation is requested, scheduled or loading, no request is young enough to matter,
//! and nothing at all happened for the quiet period; and whatever happens, the wait ends at
//! the cap. Pure: the activity and the times are passed in.

use std::time::Duration;

use super::config::Settle;
use super::recorder::Activity;

/// What to do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// The page is settled: read it.
    Settled,
    /// The cap passed first: read the page as it is.
    Capped,
    /// The tab's renderer crashed: nothing to read.
    Crashed,
    /// Look again after at most this long (or at the next event).
    Wait(Duration),
}

/// Shortest wait between two looks when nothing else bounds it.
const POLL: Duration = Duration::from_millis(50);

/// `began` is when settling started and `now` the current time, both measured from the
/// start of the attempt like the activity's times; `cap` is the rule's cap or less.
pub(crate) fn decide(
    activity: &Activity,
    began: Duration,
    now: Duration,
    rule: &Settle,
    cap: Duration,
) -> Decision {
    if activity.crashed {
        return Decision::Crashed;
    }
    let quiet_for = now.saturating_sub(activity.last_event);
    let ready = activity.committed
        && activity.loaded
        && !activity.navigating
        && activity.busy_requests == 0
        && quiet_for >= rule.quiet;
    if ready {
        return Decision::Settled;
    }
    let waited = now.saturating_sub(began);
    if waited >= cap {
        return Decision::Capped;
    }
    let until_quiet = rule.quiet.saturating_sub(quiet_for);
    let wait = if until_quiet.is_zero() {
        POLL
    } else {
        until_quiet
    };
    Decision::Wait(wait.min(cap - waited))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn rule() -> Settle {
        Settle {
            quiet: ms(500),
            cap: ms(5000),
            long_request: ms(2000),
        }
    }

    fn loaded(last_event: u64) -> Activity {
        Activity {
            committed: true,
            loaded: true,
            navigating: false,
            busy_requests: 0,
            last_event: ms(last_event),
            crashed: false,
        }
    }

    fn at(activity: &Activity, now: u64) -> Decision {
        decide(activity, ms(100), ms(now), &rule(), rule().cap)
    }

    #[test]
    fn a_loaded_quiet_page_settles_after_the_quiet_period() {
        let page = loaded(200);
        assert_eq!(at(&page, 400), Decision::Wait(ms(300)));
        assert_eq!(at(&page, 700), Decision::Settled);
    }

    #[test]
    fn a_pending_navigation_or_young_request_holds_the_page() {
        let mut page = loaded(200);
        page.navigating = true;
        assert_eq!(at(&page, 1000), Decision::Wait(POLL));
        let mut page = loaded(200);
        page.busy_requests = 1;
        assert!(matches!(at(&page, 1000), Decision::Wait(_)));
        let mut page = loaded(200);
        page.loaded = false;
        assert!(matches!(at(&page, 1000), Decision::Wait(_)));
    }

    #[test]
    fn the_cap_ends_every_wait() {
        let mut page = loaded(200);
        page.navigating = true;
        assert_eq!(at(&page, 5100), Decision::Capped);
        assert_eq!(at(&page, 5000), Decision::Wait(POLL));
        // Never waits past the cap.
        let busy = Activity {
            last_event: ms(4990),
            ..loaded(0)
        };
        assert_eq!(at(&busy, 5000), Decision::Wait(ms(100)));
    }

    #[test]
    fn a_crashed_tab_stops_at_once() {
        let mut page = loaded(0);
        page.crashed = true;
        assert_eq!(at(&page, 101), Decision::Crashed);
    }
}
