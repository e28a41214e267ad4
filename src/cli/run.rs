//! `linkgate run`: plan, measure, classify, store, write the CSV, seal the run and print a
//! summary. Flags become an `HttpConfig`, a `BrowserConfig`, `PlanOptions` and `RunOptions`
//! here; the library never sees them. `--due` runs only the audits whose schedule has come due (for a crontab
//! line), and every run holds its audits' locks so two processes never run one audit at once.
//! The daemon drives the same [`Session`].

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use clap::Args;
use tokio_util::sync::CancellationToken;

use linkgate::catalog::Catalog;
use linkgate::engine::browser::{BrowserConfig, BrowserEngine};
use linkgate::engine::http::{HttpConfig, HttpEngine, Resolve};
use linkgate::model::{Audit, EngineKind, Probe, Run, RunStatus, VerdictKind};
use linkgate::plan::plan;
use linkgate::run::{Engines, Outcome, Preflight, RunOptions, Runner, new_run_id};
use linkgate::schedule::{Due, FileLock, LockError, holder_note};
use linkgate::store::Store;

use super::clock::{ClockArgs, SimClock};
use super::seal::Sealed;
use super::select::SelectArgs;
use super::{Exit, Global, InvalidArgs, ScenarioPaths, load_catalog};

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub(super) scenarios: ScenarioPaths,
    /// Only this audit (default: every audit in the scenarios)
    #[arg(long, value_name = "NAME")]
    pub(super) audit: Option<String>,
    #[command(flatten)]
    select: SelectArgs,
    /// Same-owner pairs: control (default: the audit's rule), exclude, include
    #[arg(long, value_name = "RULE")]
    same_owner: Option<String>,
    /// Output folder: run folders with their CSV and manifest, `latest`
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub(super) out: PathBuf,
    /// History database [default: OUT/linkgate.db]
    #[arg(long, value_name = "FILE")]
    pub(super) db: Option<PathBuf>,
    /// Where the measurements are made from, recorded with the run
    #[arg(long, value_name = "NAME", default_value = "local")]
    vantage: String,
    /// Measure only what the interrupted run RUN_ID is missing
    #[arg(long, value_name = "RUN_ID")]
    pub(super) resume: Option<String>,
    /// Only the audits whose schedule has come due since their last run, one run each (for a
    /// crontab line such as `*/15 * * * * linkgate run --due`)
    #[arg(long, conflicts_with = "resume")]
    pub(super) due: bool,
    #[command(flatten)]
    net: NetArgs,
    /// Measure every context with this engine: http or browser (default: each context's)
    #[arg(long, value_name = "ENGINE")]
    engine: Option<String>,
    #[command(flatten)]
    browser: BrowserArgs,
    /// Exit 2 when a rival or same-owner probe has one of these verdicts (comma-separated:
    /// blocked, interstitial, inconclusive, opened)
    #[arg(long, value_name = "VERDICTS", value_delimiter = ',')]
    fail_on: Vec<String>,
    /// Measure every probe even when the first controls all fail at the network level (by
    /// default such a run stops after a handful of them: the platforms cannot be reached)
    #[arg(long)]
    no_preflight: bool,
    #[command(flatten)]
    pub(super) clock: ClockArgs,
}

/// Network and politeness flags (they override the audit's politeness).
#[derive(Debug, Args, Clone)]
pub struct NetArgs {
    /// Probes in flight at once [default: the audit's, else 8]
    #[arg(long, value_name = "N")]
    concurrency: Option<usize>,
    /// Requests in flight per host [default: the audit's, else 2]
    #[arg(long, value_name = "N")]
    per_host: Option<usize>,
    /// Minimum time between requests to one host, e.g. 1s, 250ms, 0s [default: the audit's, else 1s]
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    interval: Option<Duration>,
    /// Time to connect [default: 10s]
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    connect_timeout: Option<Duration>,
    /// Time for one attempt at a probe, all hops [default: 30s]
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    timeout: Option<Duration>,
    /// Extra attempts after a timeout, reset, 5xx or 429 [default: 2]
    #[arg(long, value_name = "N")]
    retries: Option<u32>,
    /// Most redirects followed, of any kind [default: 15]
    #[arg(long, value_name = "N")]
    max_hops: Option<usize>,
    /// Largest body read, in bytes; longer bodies are cut and marked truncated [default: 5242880]
    #[arg(long, value_name = "BYTES")]
    body_cap: Option<usize>,
    /// Send every request through this proxy (http://, https://, socks5://)
    #[arg(long, value_name = "URL")]
    proxy: Option<String>,
    /// Also trust this root certificate (PEM), e.g. an intercepting proxy's CA
    #[arg(long, value_name = "FILE")]
    ca_cert: Vec<PathBuf>,
    /// Resolve HOST:PORT to ADDR, as curl's --resolve (repeatable)
    #[arg(long, value_name = "HOST:PORT:ADDR")]
    resolve: Vec<String>,
}

/// Flags of the browser engine (the network flags above apply to it too).
#[derive(Debug, Args, Clone)]
pub struct BrowserArgs {
    /// Chromium binary for browser contexts [default: $CHROME, else /usr/bin/chromium]
    #[arg(long, value_name = "PATH")]
    chrome: Option<PathBuf>,
    /// Browser tabs open at once [default: 4 per CPU core, at most 8]
    #[arg(long, value_name = "N")]
    tabs: Option<usize>,
}

pub fn run(args: RunArgs, global: &Global) -> anyhow::Result<Exit> {
    let session = Session::new(&args, global, args.clock.clock(), true)?;
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let cancel = CancellationToken::new();
        super::signals::stop_on_signal(cancel.clone(), global.quiet);
        if args.due {
            session.run_due(&cancel).await
        } else {
            session.run_chosen(&cancel).await
        }
    })
}

/// What the runs of one invocation share: the flags, the catalog, the history, the clock.
pub struct Session<'a> {
    pub args: &'a RunArgs,
    pub global: &'a Global,
    pub catalog: Arc<Catalog>,
    pub db: PathBuf,
    pub clock: SimClock,
    /// Print each run's summary and files on stdout (`run`), or only log (the daemon).
    summaries: bool,
}

impl<'a> Session<'a> {
    /// Loads the catalog and checks every flag once, so bad input fails before any run.
    pub fn new(
        args: &'a RunArgs,
        global: &'a Global,
        clock: SimClock,
        summaries: bool,
    ) -> anyhow::Result<Session<'a>> {
        let catalog = Arc::new(load_catalog(&args.scenarios.paths)?);
        let options =
            super::plan::options(args.audit.clone(), &args.select, args.same_owner.as_deref())?;
        if args.resume.is_none() {
            args.select.check(&catalog, &plan(&catalog, &options)?)?;
        }
        args.engine.as_deref().map(parse_engine).transpose()?;
        parse_verdicts(&args.fail_on)?;
        let http = http_config(&args.net, &chosen_audits(&catalog, args.audit.as_deref()))?;
        BrowserEngine::new(browser_config(&http, &args.browser))
            .map_err(|e| InvalidArgs(format!("cannot set up the browser engine: {e}")))?;
        if let Some(name) = &args.audit
            && catalog.audit(name).is_none()
        {
            return Err(InvalidArgs(format!(
                "no audit `{name}` in the scenarios (see `linkgate schedule`)"
            ))
            .into());
        }
        let db = args
            .db
            .clone()
            .unwrap_or_else(|| args.out.join("linkgate.db"));
        Ok(Session {
            args,
            global,
            catalog,
            db,
            clock,
            summaries,
        })
    }

    /// The audits the flags choose: `--audit`, or every audit.
    pub fn audits(&self) -> Vec<&Audit> {
        chosen_audits(&self.catalog, self.args.audit.as_deref())
    }

    /// Takes an audit's lock, or says who holds it.
    pub fn lock(&self, audit: &str, command: &str) -> Result<FileLock, LockError> {
        FileLock::try_acquire(
            &FileLock::dir_for(&self.db),
            audit,
            &format!("audit `{audit}`"),
            &holder_note(command, self.clock.now()),
        )
    }

    /// `linkgate run`: every chosen audit in one run, all locks held or none.
    async fn run_chosen(&self, cancel: &CancellationToken) -> anyhow::Result<Exit> {
        let _locks = self
            .audits()
            .iter()
            .map(|a| self.lock(&a.id, "linkgate run"))
            .collect::<Result<Vec<_>, _>>()?;
        let (exit, _) = self
            .measure(
                self.args.audit.as_deref(),
                self.args.resume.as_deref(),
                cancel,
            )
            .await?;
        Ok(exit)
    }

    /// `linkgate run --due`: one run per due audit; an audit another process is running is
    /// skipped with a warning, a failed run is logged and the next audit still runs.
    async fn run_due(&self, cancel: &CancellationToken) -> anyhow::Result<Exit> {
        let store = self.open_store()?;
        let audits = self.audits();
        let checked =
            super::due::History::default().check(Some(&store), &audits, self.clock.now())?;
        drop(store);
        if let Some(name) = &self.args.audit
            && checked.is_empty()
        {
            tracing::warn!(audit = %name, "the audit has no schedule, so it is never due");
        }
        let mut exit = Exit::Ok;
        for entry in &checked {
            let audit = &entry.audit.id;
            if let Due::NotUntil(next) = entry.due {
                let next = next.map_or("never".to_string(), |t| entry.schedule.local(t));
                tracing::debug!(audit = %audit, next = %next, "not due");
                continue;
            }
            if cancel.is_cancelled() {
                break;
            }
            let _lock = match self.lock(audit, "linkgate run --due") {
                Ok(lock) => lock,
                Err(held @ LockError::Held { .. }) => {
                    tracing::warn!(audit = %audit, "{held}; skipping it this time");
                    continue;
                }
                Err(other) => return Err(other.into()),
            };
            match self.measure(Some(audit), None, cancel).await {
                Ok((code, _)) => exit = worse(exit, code),
                Err(err) => {
                    tracing::error!(audit = %audit, "the run failed: {}", super::describe(&err));
                    exit = worse(exit, Exit::Failure);
                }
            }
        }
        Ok(exit)
    }

    fn open_store(&self) -> anyhow::Result<Store> {
        Store::open(&self.db)
            .with_context(|| format!("cannot open the history database {}", self.db.display()))
    }

    /// What one run of `audit` (every chosen audit when `None`) measures, and with what.
    fn prepare(&self, audit: Option<&str>) -> anyhow::Result<Prepared<'_>> {
        let args = self.args;
        let catalog = &self.catalog;
        let options = super::plan::options(
            audit.map(str::to_string),
            &args.select,
            args.same_owner.as_deref(),
        )?;
        let probes = plan(catalog, &options)?;
        let audits = chosen_audits(catalog, audit);
        let http = http_config(&args.net, &audits)?;
        let concurrency = args
            .net
            .concurrency
            .or_else(|| audits.iter().filter_map(|a| a.politeness.concurrency).min())
            .unwrap_or(8);
        let browser = browser_config(&http, &args.browser);
        let engines = Engines {
            http: HttpEngine::new(http).context("cannot set up the HTTP engine")?,
            browser: Some(BrowserEngine::new(browser).context("cannot set up the browser engine")?),
            force: args.engine.as_deref().map(parse_engine).transpose()?,
        };
        Ok(Prepared {
            probes,
            audits,
            engines,
            concurrency,
            fail_on: parse_verdicts(&args.fail_on)?,
        })
    }

    /// Measures one run (new, or the resume of `resume`) of `audit` (every chosen audit when
    /// `None`), then writes and seals its files. Returns the exit code and the run's id.
    pub async fn measure(
        &self,
        audit: Option<&str>,
        resume: Option<&str>,
        cancel: &CancellationToken,
    ) -> anyhow::Result<(Exit, String)> {
        let Prepared {
            probes,
            audits,
            engines,
            concurrency,
            fail_on,
        } = self.prepare(audit)?;
        if let Some(id) = resume
            && let Some(reason) = self.open_store()?.stop_reason(id)?
        {
            // Said before the run's first log line (the runner refuses it too).
            return Err(linkgate::run::RunError::Stopped {
                run: id.to_string(),
                reason,
            }
            .into());
        }
        let totals = engine_totals(&self.catalog, &engines, &probes);
        let new = resume
            .is_none()
            .then(|| new_run(&self.catalog, &self.args.vantage, &audits, self.clock.now()));
        let run_id = new
            .as_ref()
            .map_or(resume.unwrap_or_default(), |run| run.id.as_str())
            .to_string();
        log_start(&run_id, &audits, probes.len(), new.is_some());
        let started = Instant::now();
        let progress = super::progress::Progress::per_engine(&totals, !self.global.interactive());
        let runner = Runner {
            catalog: self.catalog.clone(),
            engines: Arc::new(engines),
            store: Arc::new(Mutex::new(self.open_store()?)),
            clock: self.clock.as_clock(),
            options: RunOptions {
                concurrency,
                preflight: (!self.args.no_preflight).then(Preflight::default),
                ..RunOptions::default()
            },
            cancel: cancel.clone(),
            observer: progress.observer(),
        };
        let result = match new {
            Some(run) => runner.start(run, probes).await,
            None => runner.resume(&run_id, probes).await,
        };
        progress.finish();
        let outcome = result?;
        let store = self.open_store()?;
        let measured = (started.elapsed(), super::summary::peak_rss_kb());
        let now = self.clock.now();
        let sealed =
            super::seal::finish_run(&self.catalog, &self.args.out, &store, &outcome.run, now)?;
        log_end(&outcome, started.elapsed());
        super::summary::store_stats(&outcome, started.elapsed());
        super::summary::phase_stats(measured, started.elapsed());
        match &outcome.stopped {
            Some(stopped) if self.summaries => eprintln!(
                "{}",
                super::summary::unreachable(
                    stopped,
                    &outcome.run.id,
                    &sealed.csv,
                    self.args.net.proxy.as_deref()
                )
            ),
            Some(stopped) => tracing::error!(run = %outcome.run.id, "{}", stopped.reason()),
            None => self.print(&outcome, started.elapsed(), &store, &sealed),
        }
        let mut exit = exit_for(&outcome, outcome.any(&fail_on));
        if let Some(error) = &sealed.report_error {
            eprintln!(
                "warning: run {} is stored and sealed, but its report was not written: {error}\n\
                 render it again with `linkgate report --db {} --run {}`",
                outcome.run.id,
                self.db.display(),
                outcome.run.id
            );
            exit = worse(exit, Exit::Failure);
        }
        Ok((exit, outcome.run.id))
    }

    /// The summary and the files written, on stdout.
    fn print(&self, outcome: &Outcome, elapsed: Duration, store: &Store, sealed: &Sealed) {
        if !self.summaries {
            return;
        }
        if !self.global.quiet {
            let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            print!(
                "{}",
                super::summary::text_in_colour(outcome, elapsed, colour)
            );
        }
        println!("history:  {}", self.db.display());
        println!("evidence: {}", store.evidence_dir().display());
        println!("csv:      {}", sealed.csv.display());
        for report in &sealed.report {
            println!("report:   {}", report.display());
        }
        if let Some(manifest) = &sealed.manifest {
            println!("manifest: {}", manifest.display());
        }
    }
}

/// What [`Session::prepare`] gives a run.
struct Prepared<'c> {
    probes: Vec<Probe>,
    audits: Vec<&'c Audit>,
    engines: Engines,
    concurrency: usize,
    fail_on: Vec<VerdictKind>,
}

/// The one log line a run starts with.
fn log_start(run_id: &str, audits: &[&Audit], probes: usize, new: bool) {
    let names: Vec<&str> = audits.iter().map(|a| a.id.as_str()).collect();
    tracing::info!(
        run = %run_id,
        audits = %names.join(","),
        probes,
        "{}",
        if new { "run started" } else { "run resumed" }
    );
}

/// The one log line a run ends with; a run that did not complete is a warning.
fn log_end(outcome: &Outcome, elapsed: Duration) {
    let run = &outcome.run;
    let seconds = (elapsed.as_secs_f64() * 10.0).round() / 10.0;
    let counts = &outcome.all;
    macro_rules! end {
        ($level:ident) => {
            tracing::$level!(
                run = %run.id,
                status = %run.status,
                records = counts.total(),
                measured_now = outcome.measured_now,
                opened = counts.opened,
                interstitial = counts.interstitial,
                blocked = counts.blocked,
                inconclusive = counts.inconclusive,
                seconds,
                "run ended"
            )
        };
    }
    match run.status {
        RunStatus::Completed => end!(info),
        _ => end!(warn),
    }
}

/// Probes per engine, for the progress bars.
fn engine_totals(
    catalog: &Catalog,
    engines: &Engines,
    probes: &[Probe],
) -> BTreeMap<EngineKind, usize> {
    let mut totals = BTreeMap::new();
    for probe in probes {
        if let Some(context) = catalog.context(&probe.context) {
            *totals.entry(engines.kind_for(context)).or_insert(0) += 1;
        }
    }
    totals
}

/// The more serious of two exit codes: a failure over a `--fail-on` hit over success.
pub fn worse(a: Exit, b: Exit) -> Exit {
    let rank = |e: Exit| match e {
        Exit::Ok => 0,
        Exit::FailOn => 1,
        Exit::Invalid => 2,
        Exit::Failure => 3,
    };
    if rank(b) > rank(a) { b } else { a }
}

fn exit_for(outcome: &Outcome, failed_condition: bool) -> Exit {
    match outcome.run.status {
        RunStatus::Completed if failed_condition => Exit::FailOn,
        RunStatus::Completed => Exit::Ok,
        _ => Exit::Failure,
    }
}

fn chosen_audits<'c>(catalog: &'c Catalog, name: Option<&str>) -> Vec<&'c Audit> {
    catalog
        .audits
        .iter()
        .filter(|a| name.is_none_or(|n| a.id == n))
        .collect()
}

fn new_run(catalog: &Catalog, vantage: &str, audits: &[&Audit], now: DateTime<Utc>) -> Run {
    Run {
        id: new_run_id(now),
        started_at: now,
        ended_at: None,
        status: RunStatus::Running,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        vantage: vantage.to_string(),
        audits: audits.iter().map(|a| a.id.clone()).collect(),
        scenario_files: catalog.files.clone(),
        simulated: false,
    }
}

/// Flags over the audits' politeness over the defaults. With several audits, the strictest
/// politeness of any of them holds.
fn http_config(net: &NetArgs, audits: &[&Audit]) -> anyhow::Result<HttpConfig> {
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
    if let Some(v) = net.connect_timeout {
        config.connect_timeout = v;
    }
    if let Some(v) = net.timeout {
        config.total_timeout = v;
    }
    if let Some(v) = net.retries {
        config.retries = v;
    }
    if let Some(v) = net.max_hops {
        config.max_hops = v;
    }
    if let Some(v) = net.body_cap {
        config.body_cap = v;
    }
    config.proxy = net.proxy.clone();
    for path in &net.ca_cert {
        let pem = std::fs::read(path)
            .with_context(|| format!("cannot read --ca-cert {}", path.display()))?;
        config.ca_certs.push(pem);
    }
    for text in &net.resolve {
        let resolve: Resolve = text
            .parse()
            .map_err(|e| InvalidArgs(format!("bad --resolve `{text}`: {e}")))?;
        config.resolve.push(resolve);
    }
    Ok(config)
}

/// The browser engine shares the network flags with the http engine (as parsed there).
fn browser_config(http: &HttpConfig, args: &BrowserArgs) -> BrowserConfig {
    let mut config = BrowserConfig {
        chrome: args.chrome.clone(),
        timeout: http.total_timeout,
        retries: http.retries,
        body_cap: http.body_cap,
        proxy: http.proxy.clone(),
        ca_certs: http.ca_certs.clone(),
        resolve: http.resolve.clone(),
        ..BrowserConfig::default()
    };
    if let Some(tabs) = args.tabs {
        config.tabs = tabs;
    }
    config
}

fn parse_engine(word: &str) -> Result<EngineKind, InvalidArgs> {
    match EngineKind::parse(word) {
        Some(kind @ (EngineKind::Http | EngineKind::Browser)) => Ok(kind),
        _ => Err(InvalidArgs(format!(
            "unknown --engine `{word}`; use http or browser"
        ))),
    }
}

fn parse_verdicts(words: &[String]) -> Result<Vec<VerdictKind>, InvalidArgs> {
    words
        .iter()
        .map(|w| {
            VerdictKind::parse(w.trim()).ok_or_else(|| {
                InvalidArgs(format!(
                    "unknown verdict `{w}` in --fail-on; use blocked, interstitial, inconclusive or opened"
                ))
            })
        })
        .collect()
}
