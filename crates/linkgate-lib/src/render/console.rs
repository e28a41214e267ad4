//! The text a run prints on a terminal: what happened, counts per verdict and per host, in a
//! form that reads at a glance in a terminal and in a cron mail, and the one paragraph a run
//! stopped by its preflight says. Pure: values in, text out; the binary prints it.

use crate::engine::frontier::Traffic;
use std::path::Path;
use std::time::Duration;

use crate::assess::ControlFailures;
use crate::model::{FailureKind, RunStatus, VerdictKind};
use crate::run::{Outcome, Unreachable, VerdictCounts};

/// Several lines of text, ending with a newline.
pub fn text(outcome: &Outcome, elapsed: Duration) -> String {
    text_in_colour(outcome, elapsed, false)
}

/// The same, with the status and the verdict counts in colour for a terminal.
pub fn text_in_colour(outcome: &Outcome, elapsed: Duration, colour: bool) -> String {
    let run = &outcome.run;
    let status = match run.status {
        RunStatus::Completed => GREEN,
        RunStatus::Interrupted => YELLOW,
        _ => RED,
    };
    let mut out = format!(
        "run {} {} ({}): {} records, {} measured now, in {:.1} s\n",
        run.id,
        paint(colour, status, run.status),
        run.vantage,
        outcome.all.total(),
        outcome.measured_now,
        elapsed.as_secs_f64()
    );
    out.push_str(&format!(
        "  {:<10} {}\n",
        "all",
        counts(&outcome.all, colour)
    ));
    for (host, counts_of_host) in &outcome.per_host {
        out.push_str(&format!(
            "  {host:<10} {}\n",
            counts(counts_of_host, colour)
        ));
    }
    if let Some(line) = unjudged(&outcome.unjudged) {
        out.push_str(&format!("{line}\n"));
    }
    if let Some(line) = outcome.traffic.as_ref().and_then(waits) {
        out.push_str(&format!("{line}\n"));
    }
    match &outcome.shard {
        Some(end) => out.push_str(&shard_line(&run.id, end.shard, &end.group)),
        None if run.status != RunStatus::Completed => out.push_str(&format!(
            "the run is {}; finish it with: linkgate run --resume {}\n",
            run.status, run.id
        )),
        None => {}
    }
    out
}

/// What a shard of a group run says at its end: how far the group is, and who seals it.
fn shard_line(group: &str, shard: crate::plan::Shard, state: &crate::store::GroupState) -> String {
    let done = format!(
        "shard {shard} of run group {group}: {} of {} shards completed",
        state.completed, shard.count
    );
    match state.status {
        RunStatus::Completed if state.completes_group => {
            format!("{done}; this shard completed the group and sealed the run\n")
        }
        RunStatus::Completed => format!("{done}; the run was completed before\n"),
        _ => format!(
            "{done}; the run is {} until every shard has completed (the last one seals it); \
             a shard that stopped is resumed by starting it again with the same --run-group\n",
            state.status
        ),
    }
}

/// `4012 requests: waiting for their host's turn (politeness) 3200 s, for a slot 12 s, on the
/// network 410 s (summed over requests)`: why a run took the time it did.
fn waits(traffic: &Traffic) -> Option<String> {
    (traffic.started > 0).then(|| {
        format!(
            "{} requests: waiting for their host's turn (politeness) {:.0} s, for a slot {:.0} s, \
             on the network {:.0} s (summed over requests)",
            traffic.started,
            traffic.host_wait.as_secs_f64(),
            traffic.slot_wait.as_secs_f64(),
            traffic.network.as_secs_f64()
        )
    })
}

/// Where requests are now, for a progress line: `12 waiting for their host, 1 for a slot, 8 on
/// the network`.
pub fn traffic_now(traffic: &Traffic) -> String {
    format!(
        "{} waiting for their host, {} for a slot, {} on the network",
        traffic.waiting_for_host, traffic.waiting_for_slot, traffic.in_flight
    )
}

/// `1698 rival pairs could not be judged: their controls failed too, most often with dns (32 of
/// 32 controls)`, when some could not.
fn unjudged(failures: &ControlFailures) -> Option<String> {
    let (cause, n) = failures.dominant()?;
    let pairs = failures.pairs;
    Some(format!(
        "{pairs} rival pair{} could not be judged: their controls failed too, most often with \
         {cause} ({n} of {} controls)",
        if pairs == 1 { "" } else { "s" },
        failures.controls
    ))
}

/// The one paragraph a run stopped by its preflight prints: what failed, what it means, what
/// to do.
pub fn unreachable(stopped: &Unreachable, run_id: &str, csv: &Path, proxy: Option<&str>) -> String {
    let failed = match (stopped.main_cause(), proxy) {
        (Some(FailureKind::Dns), _) => "no platform's name could be resolved".to_string(),
        (Some(FailureKind::Proxy), Some(proxy)) => {
            format!("the proxy {proxy} refused every connection or tunnel")
        }
        (Some(FailureKind::Tls), _) => "no TLS session could be set up".to_string(),
        (Some(FailureKind::Timeout), _) => "nothing answered in time".to_string(),
        (Some(FailureKind::Reset), _) => "every connection was cut".to_string(),
        _ => "no connection could be made".to_string(),
    };
    let tls = match stopped.main_cause() {
        Some(FailureKind::Tls) => " (an intercepting proxy also needs `--ca-cert FILE`)",
        _ => "",
    };
    format!(
        "Stopped: {what} failed at the network level ({failed}). This machine cannot reach the \
         platforms, so every other probe would have been inconclusive too, and run {run_id} \
         stopped after {tried} controls instead of measuring them; it is recorded as failed, \
         with the controls' errors in {csv}. To measure, send the probes through a proxy that \
         can reach the platforms (`--proxy http://HOST:PORT`{tls}) or give their addresses \
         (`--resolve HOST:443:ADDR`); to see what a report looks like without a network, run \
         `linkgate demo`; `--no-preflight` measures every probe anyway.",
        what = stopped.what_failed(),
        tried = stopped.tried,
        csv = csv.display(),
    )
}

/// `opened 3  interstitial 1  blocked 2  inconclusive 0`; a count above zero in its verdict's
/// colour when `colour`.
fn counts(counts: &VerdictCounts, colour: bool) -> String {
    VerdictKind::ALL
        .iter()
        .map(|kind| {
            let n = counts.get(*kind);
            let text = format!("{kind} {n}");
            match (n, *kind) {
                (0, _) => text,
                (_, VerdictKind::Opened) => paint(colour, GREEN, text),
                (_, VerdictKind::Interstitial) => paint(colour, YELLOW, text),
                (_, VerdictKind::Blocked) => paint(colour, RED, text),
                (_, VerdictKind::Inconclusive) => paint(colour, GREY, text),
            }
        })
        .collect::<Vec<_>>()
        .join("  ")
}

const GREEN: &str = "32";
const YELLOW: &str = "33";
const RED: &str = "31";
const GREY: &str = "90";

/// `text` in an ANSI colour, or as it is.
fn paint(colour: bool, code: &str, text: impl std::fmt::Display) -> String {
    if colour {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

/// How long the history writer was busy storing this run's records and what share of the run
/// that was (bench/run.sh reads it, with `LINKGATE_STORE_STATS=1`).
pub fn store_stats_line(outcome: &Outcome, elapsed: Duration) -> String {
    let h = &outcome.history;
    let share = match elapsed.as_secs_f64() {
        0.0 => 0.0,
        total => 100.0 * h.busy.as_secs_f64() / total,
    };
    format!(
        "store-stats: {} records in {} transactions, writer busy {:.3} s of {:.3} s ({share:.1}%)",
        h.records,
        h.batches,
        h.busy.as_secs_f64(),
        elapsed.as_secs_f64()
    )
}
