//! What a run is asked to do, as values: the ripgrep way, flags are parsed by the binary and
//! turned into one `RunSettings` in one place, and nothing below sees a flag. The rules that
//! combine a setting with the audits' own politeness and the defaults live here, once.

use crate::manifest::Attest;
use crate::store::Location;
use std::path::PathBuf;
use std::time::Duration;

use crate::engine::browser::BrowserConfig;
use crate::engine::http::{HttpConfig, Resolve};
use crate::model::{Audit, EngineKind, VerdictKind};
use crate::plan::PlanOptions;

/// Probes in flight at once when neither the flags nor an audit say.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// The output folder when none is given: run folders, the history, `latest`.
pub const DEFAULT_OUT: &str = "reports";

/// The history database's file name in the output folder.
pub const DB_FILE: &str = "linkgate.db";

/// The vantage a run is recorded with when none is given.
pub const DEFAULT_VANTAGE: &str = "local";

/// Network and politeness settings that override an audit's politeness and the engines'
/// defaults; `None` leaves the audit's (or the default) in force.
#[derive(Debug, Clone, Default)]
pub struct NetSettings {
    pub concurrency: Option<usize>,
    pub per_host: Option<usize>,
    pub interval: Option<Duration>,
    pub connect_timeout: Option<Duration>,
    pub timeout: Option<Duration>,
    pub retries: Option<u32>,
    pub max_hops: Option<usize>,
    pub body_cap: Option<usize>,
    pub proxy: Option<String>,
    /// Extra trusted roots, as PEM bytes (read by the caller, which names the files).
    pub ca_certs: Vec<Vec<u8>>,
    pub resolve: Vec<Resolve>,
    /// The Chromium binary; `None` means `CHROME`, else the system's.
    pub chrome: Option<PathBuf>,
    pub tabs: Option<usize>,
    /// Chromium without its sandbox even when not root (containers; see docs/engines.md).
    pub no_sandbox: bool,
}

/// Everything one invocation of `run` (or the daemon) asks for.
#[derive(Debug, Clone)]
pub struct RunSettings {
    /// Only this audit; `None` is every audit of the catalog.
    pub audit: Option<String>,
    /// Which contexts and links (the audit is set per run from `audit`).
    pub plan: PlanOptions,
    pub out: PathBuf,
    /// The history: an SQLite file, or a PostgreSQL database shared by many machines.
    pub db: Location,
    /// Join this run group (`--run-group`): with a shard, this process measures its shard of
    /// the group's one run, which the last shard to complete seals.
    pub run_group: Option<String>,
    pub vantage: String,
    pub net: NetSettings,
    /// Every context measured with this engine; `None` follows each context.
    pub engine: Option<EngineKind>,
    /// Verdicts of rival or same-owner probes that make the run "fail on".
    pub fail_on: Vec<VerdictKind>,
    /// Stop a run early when its first controls all fail at the network level.
    pub preflight: bool,
    /// How sealed runs are attested besides the chain: signed, timestamped.
    pub attest: Attest,
}

impl RunSettings {
    /// Settings with every default: all audits, `reports/`, the history in it.
    pub fn new(out: PathBuf) -> RunSettings {
        RunSettings {
            audit: None,
            plan: PlanOptions::default(),
            db: Location::Sqlite(out.join(DB_FILE)),
            run_group: None,
            out,
            vantage: DEFAULT_VANTAGE.to_string(),
            net: NetSettings::default(),
            engine: None,
            fail_on: Vec::new(),
            preflight: true,
            attest: Attest::default(),
        }
    }

    /// The HTTP engine's configuration for a run of `audits`: settings over the audits'
    /// politeness over the defaults. With several audits, the strictest politeness holds.
    pub fn http_config(&self, audits: &[&Audit]) -> HttpConfig {
        let net = &self.net;
        let mut config = HttpConfig::default();
        let strictest_per_host = audits.iter().filter_map(|a| a.politeness.per_host).min();
        let strictest_interval = audits.iter().filter_map(|a| a.politeness.interval).max();
        config.per_host = net
            .per_host
            .or(strictest_per_host)
            .unwrap_or(config.per_host);
        config.interval = net
            .interval
            .or(strictest_interval)
            .unwrap_or(config.interval);
        config.connect_timeout = net.connect_timeout.unwrap_or(config.connect_timeout);
        config.total_timeout = net.timeout.unwrap_or(config.total_timeout);
        config.retries = net.retries.unwrap_or(config.retries);
        config.max_hops = net.max_hops.unwrap_or(config.max_hops);
        config.body_cap = net.body_cap.unwrap_or(config.body_cap);
        config.proxy = net.proxy.clone();
        config.ca_certs = net.ca_certs.clone();
        config.resolve = net.resolve.clone();
        config.concurrency = self.concurrency(audits);
        config
    }

    /// The browser engine shares the network settings of the HTTP engine.
    pub fn browser_config(&self, http: &HttpConfig) -> BrowserConfig {
        let mut config = BrowserConfig {
            chrome: self.net.chrome.clone(),
            timeout: http.total_timeout,
            retries: http.retries,
            body_cap: http.body_cap,
            proxy: http.proxy.clone(),
            ca_certs: http.ca_certs.clone(),
            resolve: http.resolve.clone(),
            ..BrowserConfig::default()
        };
        if let Some(tabs) = self.net.tabs {
            config.tabs = tabs;
        }
        if self.net.no_sandbox {
            config.sandbox = false;
        }
        config
    }

    /// Requests in flight over all hosts: the setting, else the strictest audit's, else the
    /// default.
    pub fn concurrency(&self, audits: &[&Audit]) -> usize {
        self.net
            .concurrency
            .or_else(|| audits.iter().filter_map(|a| a.politeness.concurrency).min())
            .unwrap_or(DEFAULT_CONCURRENCY)
    }
}

/// The PEM bytes of extra trusted roots, each file named if it cannot be read.
pub fn read_ca_certs(paths: &[PathBuf]) -> Result<Vec<Vec<u8>>, super::AuditError> {
    paths
        .iter()
        .map(|path| {
            std::fs::read(path).map_err(|e| super::AuditError::io("read --ca-cert", path, e))
        })
        .collect()
}

/// `HOST:PORT:ADDR` overrides of name resolution, as curl's `--resolve`.
pub fn resolves_named(words: &[String]) -> Result<Vec<Resolve>, super::AuditError> {
    words
        .iter()
        .map(|text| {
            text.parse::<Resolve>()
                .map_err(|e| super::AuditError::Invalid(format!("bad --resolve `{text}`: {e}")))
        })
        .collect()
}

/// The engine a `--engine` word names: `http` or `browser` (`manual` is only imported).
pub fn engine_named(word: &str) -> Result<EngineKind, super::AuditError> {
    match EngineKind::parse(word) {
        Some(kind @ (EngineKind::Http | EngineKind::Browser)) => Ok(kind),
        _ => Err(super::AuditError::Invalid(format!(
            "unknown --engine `{word}`; use http or browser"
        ))),
    }
}

/// The verdicts a `--fail-on` list names.
pub fn verdicts_named(words: &[String]) -> Result<Vec<VerdictKind>, super::AuditError> {
    words
        .iter()
        .map(|w| {
            VerdictKind::parse(w.trim()).ok_or_else(|| {
                super::AuditError::Invalid(format!(
                    "unknown verdict `{w}` in --fail-on; use blocked, interstitial, inconclusive or opened"
                ))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_win_over_audits_and_the_strictest_audit_over_defaults() {
        let mut settings = RunSettings::new(PathBuf::from("reports"));
        assert_eq!(
            settings.db,
            Location::Sqlite(PathBuf::from("reports/linkgate.db"))
        );
        let none: Vec<&Audit> = Vec::new();
        let http = settings.http_config(&none);
        assert_eq!(http.per_host, HttpConfig::default().per_host);
        assert_eq!(settings.concurrency(&none), DEFAULT_CONCURRENCY);
        settings.net.per_host = Some(9);
        settings.net.concurrency = Some(3);
        assert_eq!(settings.http_config(&none).per_host, 9);
        assert_eq!(settings.concurrency(&none), 3);
    }
}
