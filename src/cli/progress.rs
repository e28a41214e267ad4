//! Progress of a run on a terminal: a bar with probes done, the rate and an ETA. Without a
//! terminal (cron, CI) nothing is drawn, so logs stay clean.

use std::io::IsTerminal;
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use linkgate::model::Record;
use linkgate::run::Observer;

pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    pub fn new(total: usize, quiet: bool) -> Progress {
        let bar = ProgressBar::new(total as u64);
        if quiet || !std::io::stderr().is_terminal() {
            bar.set_draw_target(ProgressDrawTarget::hidden());
        }
        let style = ProgressStyle::with_template(
            "{spinner} {pos}/{len} probes [{bar:30}] {per_sec} eta {eta} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        bar.set_style(style);
        Progress { bar }
    }

    /// Advances the bar with every stored record.
    pub fn observer(&self) -> Observer {
        let bar = self.bar.clone();
        Arc::new(move |record: &Record| {
            bar.inc(1);
            bar.set_message(format!("{} {}", record.context, record.verdict.kind));
        })
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
