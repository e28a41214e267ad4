//! Progress of a run on a terminal: a bar per engine with probes done, the rate and an ETA.
//! Without a terminal (cron, CI) nothing is drawn, so logs stay clean. The bars are
//! registered while drawn, so log lines can hide them for a moment instead of tearing them.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use linkgate::audit::RunProgress;
use linkgate::engine::frontier::Traffic;
use linkgate::model::{EngineKind, Record};
use linkgate::render::console;
use linkgate::run::Observer;

/// The bars being drawn, if any.
static DRAWN: Mutex<Option<MultiProgress>> = Mutex::new(None);

/// Runs `write` with the bars hidden (log lines go through here).
pub fn suspend<R>(write: impl FnOnce() -> R) -> R {
    let drawn = DRAWN.lock().ok().and_then(|d| d.clone());
    match drawn {
        Some(bars) => bars.suspend(write),
        None => write(),
    }
}

pub struct Progress {
    bars: MultiProgress,
    per_engine: BTreeMap<EngineKind, ProgressBar>,
}

impl Progress {
    /// The bars as the library's runs take them.
    pub fn boxed(totals: &BTreeMap<EngineKind, usize>, quiet: bool) -> Box<dyn RunProgress> {
        Box::new(Progress::per_engine(totals, quiet))
    }

    /// One bar per engine, with its number of probes.
    pub fn per_engine(totals: &BTreeMap<EngineKind, usize>, quiet: bool) -> Progress {
        let bars = MultiProgress::new();
        let visible = !quiet && std::io::stderr().is_terminal();
        if !visible {
            bars.set_draw_target(ProgressDrawTarget::hidden());
        }
        let style = ProgressStyle::with_template(
            "{spinner} {prefix:>7} {pos}/{len} probes [{bar:30}] {per_sec} eta {eta} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        let per_engine = totals
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(engine, n)| {
                let bar = bars.add(ProgressBar::new(*n as u64));
                bar.set_style(style.clone());
                bar.set_prefix(engine.as_str());
                (*engine, bar)
            })
            .collect();
        if visible && let Ok(mut drawn) = DRAWN.lock() {
            *drawn = Some(bars.clone());
        }
        Progress { bars, per_engine }
    }
}

impl RunProgress for Progress {
    /// Advances the record's engine's bar with every stored record.
    fn observer(&self) -> Observer {
        let bars = self.per_engine.clone();
        Arc::new(move |record: &Record, traffic: &Traffic| {
            let bar = bars
                .get(&record.observation.engine)
                .or_else(|| bars.values().next());
            if let Some(bar) = bar {
                bar.inc(1);
                let (context, kind) = (&record.context, record.verdict.kind);
                let waits = console::traffic_now(traffic);
                bar.set_message(format!("{context} {kind} · {waits}"));
            }
        })
    }

    fn finish(&self) {
        for bar in self.per_engine.values() {
            bar.finish_and_clear();
        }
        let _ = self.bars.clear();
        if let Ok(mut drawn) = DRAWN.lock() {
            *drawn = None;
        }
    }
}
