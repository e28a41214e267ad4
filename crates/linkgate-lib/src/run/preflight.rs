//! The preflight: before a run measures anything else, it measures a sample of its controls
//! (the neutral context, one link per site as far as the plan allows). When every control
//! so far failed at the network level (no name resolved, no connection, no TLS session, a
//! proxy that refuses, no answer at all) and at least a handful were tried, this machine
//! cannot reach the platforms: every other probe would be `inconclusive` too, after minutes of
//! politeness waits. The run stops there and says why. One control that gets any answer is
//! enough to go on, so a partial outage is measured as before (as is every run with
//! `--no-preflight`).
//!
//! The decision is pure: a [`Tally`] of the controls' observations, and the sample chosen from
//! the plan.

use std::collections::HashSet;
use std::time::Duration;

use serde::Serialize;

use crate::model::{Failure, FailureKind, Observation, Probe, ProbeRole};

/// How the preflight decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preflight {
    /// Controls measured before anything else, at most.
    pub sample: usize,
    /// The fewest controls that must have been tried, every one failed at the network level,
    /// to stop the run.
    pub handful: usize,
    /// How long controls still in flight may take to answer once a handful have failed: a
    /// name that does not exist fails in milliseconds, a site that is up may take a second.
    pub grace: Duration,
}

impl Default for Preflight {
    fn default() -> Self {
        Preflight {
            sample: 12,
            handful: 5,
            grace: Duration::from_secs(3),
        }
    }
}

/// Why a run stopped: none of the controls it tried could reach its site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unreachable {
    /// Controls tried.
    pub tried: usize,
    /// Their failures by kind, the most common first.
    pub causes: Vec<(FailureKind, usize)>,
    /// The message of one failure of the most common kind, as the engine recorded it.
    pub example: String,
}

impl Unreachable {
    /// `dns: 12 of 12 controls`, or `dns: 10 of 12 controls, proxy: 2 of 12 controls`.
    pub fn what_failed(&self) -> String {
        self.causes
            .iter()
            .map(|(kind, n)| format!("{kind}: {n} of {} controls", self.tried))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The most common kind of failure.
    pub fn main_cause(&self) -> Option<FailureKind> {
        self.causes.first().map(|(kind, _)| *kind)
    }

    /// The reason stored with the run: what failed, then one failure's message as the engine
    /// recorded it (see [`without_example`]).
    pub fn reason(&self) -> String {
        format!(
            "this machine cannot reach the platforms: every control tried failed at the \
             network level ({}){EXAMPLE}{}",
            self.what_failed(),
            self.example
        )
    }
}

/// What separates a stored reason from its example message.
const EXAMPLE: &str = "; e.g. ";

/// A stored reason without its example message, for a one-line listing.
pub fn without_example(reason: &str) -> &str {
    reason.split(EXAMPLE).next().unwrap_or(reason)
}

/// The kind of a network-level failure: the probe got no answer at all, because no name
/// resolved, no connection or TLS session was made, the proxy refused, or nothing came back in
/// time. `None` for anything that got an answer, and for failures that are not the network's
/// (a bad URL, a missing browser, an interrupted run).
pub fn network_failure(observation: &Observation) -> Option<FailureKind> {
    let failure = observation.failure.as_ref()?;
    let answered =
        observation.status.is_some() || observation.hops.iter().any(|h| h.status.is_some());
    let network = matches!(
        failure.kind,
        FailureKind::Dns
            | FailureKind::Connect
            | FailureKind::Tls
            | FailureKind::Proxy
            | FailureKind::Timeout
            | FailureKind::Reset
    );
    (network && !answered).then_some(failure.kind)
}

/// The controls measured so far.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    tried: usize,
    /// Network-level failures by kind, in the order first seen, with one message each.
    failed: Vec<(FailureKind, usize, String)>,
}

impl Tally {
    /// Counts one control's observation.
    pub fn add(&mut self, observation: &Observation) {
        let network = network_failure(observation).and(observation.failure.as_ref());
        self.count(network);
    }

    /// Counts one control, given its network-level failure (`None`: it got an answer, or
    /// failed for another reason).
    pub fn count(&mut self, network: Option<&Failure>) {
        self.tried += 1;
        let Some(failure) = network else {
            return;
        };
        match self.failed.iter_mut().find(|(k, _, _)| *k == failure.kind) {
            Some((_, n, _)) => *n += 1,
            None => self.failed.push((failure.kind, 1, failure.message.clone())),
        }
    }

    /// Whether the run should stop: at least `handful` controls tried, every one of them
    /// failed at the network level.
    pub fn verdict(&self, preflight: Preflight) -> Option<Unreachable> {
        let failed: usize = self.failed.iter().map(|(_, n, _)| n).sum();
        if self.tried < preflight.handful.max(1) || failed < self.tried {
            return None;
        }
        let mut causes: Vec<(FailureKind, usize, String)> = self.failed.clone();
        // Most common first; ties keep the order first seen.
        causes.sort_by_key(|(_, n, _)| std::cmp::Reverse(*n));
        Some(Unreachable {
            tried: self.tried,
            example: causes[0].2.clone(),
            causes: causes.into_iter().map(|(k, n, _)| (k, n)).collect(),
        })
    }
}

/// The controls to measure first: up to `n` of `probes`' controls that `todo` keeps, one per
/// site (`site` of a probe: the host its link opens) before a second of any site, in plan
/// order, so one dead site cannot stop a run.
pub fn sample<'p>(
    probes: impl IntoIterator<Item = &'p Probe>,
    n: usize,
    site: impl Fn(&Probe) -> Option<String>,
    todo: impl Fn(&Probe) -> bool,
) -> Vec<Probe> {
    let controls: Vec<&Probe> = probes
        .into_iter()
        .filter(|p| p.role == ProbeRole::Control && todo(p))
        .collect();
    let mut seen = HashSet::new();
    let mut chosen: Vec<&Probe> = Vec::new();
    let mut rest: Vec<&Probe> = Vec::new();
    for probe in controls {
        let new_site = site(probe).is_some_and(|host| seen.insert(host));
        match new_site {
            true => chosen.push(probe),
            false => rest.push(probe),
        }
    }
    chosen.extend(rest);
    chosen.into_iter().take(n).cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Hop, HopVia};

    fn failed(kind: FailureKind) -> Observation {
        Observation {
            failure: Some(Failure {
                kind,
                message: format!("{kind} went wrong"),
            }),
            ..Observation::default()
        }
    }

    fn answered(status: u16) -> Observation {
        Observation {
            status: Some(status),
            hops: vec![Hop {
                url: "https://a.test/".into(),
                status: Some(status),
                location: None,
                via: HopVia::Start,
                elapsed_ms: 1,
            }],
            ..Observation::default()
        }
    }

    fn tally(observations: &[Observation]) -> Tally {
        let mut tally = Tally::default();
        for o in observations {
            tally.add(o);
        }
        tally
    }

    #[test]
    fn a_handful_of_controls_all_failing_at_the_network_level_stop_the_run() {
        let mut all = vec![failed(FailureKind::Dns); 10];
        all.extend([failed(FailureKind::Proxy), failed(FailureKind::Proxy)]);
        let stop = tally(&all).verdict(Preflight::default()).unwrap();
        assert_eq!(stop.tried, 12);
        assert_eq!(
            stop.what_failed(),
            "dns: 10 of 12 controls, proxy: 2 of 12 controls"
        );
        assert_eq!(stop.main_cause(), Some(FailureKind::Dns));
        assert_eq!(stop.example, "dns went wrong");
        assert!(
            stop.reason()
                .starts_with("this machine cannot reach the platforms")
        );
        assert_eq!(
            without_example(&stop.reason()),
            "this machine cannot reach the platforms: every control tried failed at the \
             network level (dns: 10 of 12 controls, proxy: 2 of 12 controls)"
        );
    }

    #[test]
    fn fewer_than_a_handful_never_stop_the_run() {
        let all = vec![failed(FailureKind::Dns); 4];
        assert_eq!(tally(&all).verdict(Preflight::default()), None);
    }

    #[test]
    fn one_control_with_any_answer_lets_the_run_go_on() {
        let mut all = vec![failed(FailureKind::Dns); 11];
        all.push(answered(503));
        assert_eq!(tally(&all).verdict(Preflight::default()), None);
        // A timeout after the site answered (a redirect, then nothing) is the site's.
        let mut late = failed(FailureKind::Timeout);
        late.hops = answered(302).hops;
        let mut all = vec![failed(FailureKind::Connect); 5];
        all.push(late);
        assert_eq!(tally(&all).verdict(Preflight::default()), None);
    }

    #[test]
    fn failures_that_are_not_the_networks_let_the_run_go_on() {
        for kind in [
            FailureKind::EngineUnavailable,
            FailureKind::BadUrl,
            FailureKind::Interrupted,
            FailureKind::HttpStatus,
        ] {
            let mut all = vec![failed(FailureKind::Dns); 6];
            all.push(failed(kind));
            assert_eq!(tally(&all).verdict(Preflight::default()), None, "{kind}");
        }
    }

    #[test]
    fn the_sample_takes_one_control_per_site_first_in_plan_order() {
        let probe = |link: &str, role| Probe {
            audit: "a".into(),
            context: "c".into(),
            link: link.into(),
            role,
        };
        let probes = [
            probe("taobao.item", ProbeRole::Control),
            probe("taobao.item", ProbeRole::Rival),
            probe("taobao.shop", ProbeRole::Control),
            probe("jd.item", ProbeRole::Control),
            probe("done.x", ProbeRole::Control),
            probe("weibo.post", ProbeRole::Control),
        ];
        let site = |p: &Probe| p.link.split('.').next().map(str::to_string);
        let todo = |p: &Probe| p.link != "done.x";
        let links = |chosen: Vec<Probe>| chosen.into_iter().map(|p| p.link).collect::<Vec<_>>();
        assert_eq!(
            links(sample(&probes, 3, site, todo)),
            ["taobao.item", "jd.item", "weibo.post"]
        );
        assert_eq!(
            links(sample(&probes, 12, site, todo)),
            ["taobao.item", "jd.item", "weibo.post", "taobao.shop"]
        );
    }
}
