//! The global output flags (`--quiet`, `-v`/`-vv`, `--log-format`) and the log they shape.
//! A person at a terminal gets progress bars and a coloured summary, and the log shows only
//! warnings; cron, systemd and CI get no bars but one log line per run start and end, plus
//! warnings, as text or as JSON lines for a log collector. The log goes to stderr, through the
//! progress bars so a warning never tears a bar apart.

use std::io::{IsTerminal, Write};

use clap::{Args, ValueEnum};
use tracing::Level;

/// Flags that apply to every command.
#[derive(Debug, Args, Clone, Default)]
pub struct Global {
    /// Print only warnings, errors and the files written
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Log more: -v for each probe's verdict, -vv for everything
    #[arg(long, short, action = clap::ArgAction::Count, global = true, conflicts_with = "quiet")]
    pub verbose: u8,
    /// Log lines as plain text or as JSON objects (one per line, for log collectors)
    #[arg(long, value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

impl Global {
    /// Whether a person is watching: progress bars and colours are for them.
    pub fn interactive(&self) -> bool {
        !self.quiet && std::io::stderr().is_terminal()
    }

    /// The most detailed level logged. At a terminal, bars and the summary say what the
    /// start and end lines would.
    pub fn level(&self) -> Level {
        match (self.quiet, self.verbose) {
            (true, _) => Level::WARN,
            (false, 0) if std::io::stderr().is_terminal() => Level::WARN,
            (false, 0) => Level::INFO,
            (false, 1) => Level::DEBUG,
            (false, _) => Level::TRACE,
        }
    }
}

/// Sets up the log for this process. Other crates log only their warnings.
pub fn init(global: &Global) {
    let filter = tracing_subscriber::EnvFilter::new(format!("warn,linkgate={}", global.level()));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(|| BarSafeStderr)
        .with_target(false);
    // A second init (tests calling twice) keeps the first subscriber: nothing to report.
    let _ = match global.log_format {
        LogFormat::Text => builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .try_init(),
    };
}

/// Stderr, written while the progress bars are hidden.
struct BarSafeStderr;

impl Write for BarSafeStderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        super::progress::suspend(|| std::io::stderr().write_all(buf))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}
