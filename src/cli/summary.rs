//! The summary a run prints: what happened, counts per verdict and per host, in a form that
//! reads at a glance in a terminal and in a cron mail.

use std::time::Duration;

use linkgate::model::VerdictKind;
use linkgate::run::{Outcome, VerdictCounts};

/// Several lines of text, ending with a newline.
pub fn text(outcome: &Outcome, elapsed: Duration) -> String {
    let run = &outcome.run;
    let mut out = format!(
        "run {} {} ({}): {} records, {} measured now, in {:.1} s\n",
        run.id,
        run.status,
        run.vantage,
        outcome.all.total(),
        outcome.measured_now,
        elapsed.as_secs_f64()
    );
    out.push_str(&format!("  {:<10} {}\n", "all", counts(&outcome.all)));
    for (host, counts_of_host) in &outcome.per_host {
        out.push_str(&format!("  {host:<10} {}\n", counts(counts_of_host)));
    }
    if run.status != linkgate::model::RunStatus::Completed {
        out.push_str(&format!(
            "the run is {}; finish it with: linkgate run --resume {}\n",
            run.status, run.id
        ));
    }
    out
}

/// `opened 3  interstitial 1  blocked 2  inconclusive 0`
fn counts(counts: &VerdictCounts) -> String {
    VerdictKind::ALL
        .iter()
        .map(|kind| format!("{kind} {}", counts.get(*kind)))
        .collect::<Vec<_>>()
        .join("  ")
}

/// With `LINKGATE_STORE_STATS=1`, one line on stderr saying how long the history writer was
/// busy storing this run's records and what share of the run that was (bench/run.sh reads
/// it). Off by default: it is a measurement, not part of the summary.
pub fn store_stats(outcome: &Outcome, elapsed: Duration) {
    if std::env::var_os("LINKGATE_STORE_STATS").is_none_or(|v| v.is_empty() || v == "0") {
        return;
    }
    eprintln!("{}", store_stats_line(outcome, elapsed));
}

fn store_stats_line(outcome: &Outcome, elapsed: Duration) -> String {
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
