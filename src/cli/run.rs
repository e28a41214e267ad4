//! `linkgate run`: plan, measure, classify, store, write the CSV and print a summary. Flags
//! become an `HttpConfig`, `PlanOptions` and `RunOptions` here; the library never sees them.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::Args;
use tokio_util::sync::CancellationToken;

use linkgate::catalog::Catalog;
use linkgate::engine::http::{HttpConfig, HttpEngine, Resolve};
use linkgate::model::{Audit, EngineKind, Run, RunStatus, VerdictKind};
use linkgate::plan::plan;
use linkgate::run::{Clock, Engines, Outcome, RunOptions, Runner, new_run_id};
use linkgate::store::Store;

use super::select::SelectArgs;
use super::{Exit, InvalidArgs, ScenarioPaths, load_catalog};

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    scenarios: ScenarioPaths,
    /// Only this audit (default: every audit in the scenarios)
    #[arg(long, value_name = "NAME")]
    audit: Option<String>,
    #[command(flatten)]
    select: SelectArgs,
    /// Same-owner pairs: control (default: the audit's rule), exclude, include
    #[arg(long, value_name = "RULE")]
    same_owner: Option<String>,
    /// Output folder: run folders with their CSV
    #[arg(long, value_name = "DIR", default_value = "reports")]
    out: PathBuf,
    /// History database [default: OUT/linkgate.db]
    #[arg(long, value_name = "FILE")]
    db: Option<PathBuf>,
    /// Where the measurements are made from, recorded with the run
    #[arg(long, value_name = "NAME", default_value = "local")]
    vantage: String,
    /// Measure only what the interrupted run RUN_ID is missing
    #[arg(long, value_name = "RUN_ID")]
    resume: Option<String>,
    #[command(flatten)]
    net: NetArgs,
    /// Measure every context with this engine: http or browser (default: each context's)
    #[arg(long, value_name = "ENGINE")]
    engine: Option<String>,
    /// Exit 2 when a rival or same-owner probe has one of these verdicts (comma-separated:
    /// blocked, interstitial, inconclusive, opened)
    #[arg(long, value_name = "VERDICTS", value_delimiter = ',')]
    fail_on: Vec<String>,
    /// Print only errors and the files written
    #[arg(long, short)]
    quiet: bool,
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

pub fn run(args: RunArgs) -> anyhow::Result<Exit> {
    let catalog = Arc::new(load_catalog(&args.scenarios.or_default())?);
    let options =
        super::plan::options(args.audit.clone(), &args.select, args.same_owner.as_deref())?;
    let probes = plan(&catalog, &options)?;
    let audits = chosen_audits(&catalog, args.audit.as_deref());
    let http = http_config(&args.net, &audits)?;
    let force = args.engine.as_deref().map(parse_engine).transpose()?;
    let fail_on = parse_verdicts(&args.fail_on)?;
    let concurrency = args
        .net
        .concurrency
        .or_else(|| audits.iter().filter_map(|a| a.politeness.concurrency).min())
        .unwrap_or(8);
    let db = args
        .db
        .clone()
        .unwrap_or_else(|| args.out.join("linkgate.db"));
    let store = Store::open(&db)
        .with_context(|| format!("cannot open the history database {}", db.display()))?;
    let engines = Engines {
        http: HttpEngine::new(http).context("cannot set up the HTTP engine")?,
        force,
    };
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let started = Instant::now();
    let outcome = runtime.block_on(async {
        let cancel = CancellationToken::new();
        super::signals::stop_on_signal(cancel.clone(), args.quiet);
        let progress = super::progress::Progress::new(probes.len(), args.quiet);
        let runner = Runner {
            catalog: catalog.clone(),
            engines: Arc::new(engines),
            store: Arc::new(Mutex::new(store)),
            clock: system_clock(),
            options: RunOptions {
                concurrency,
                ..RunOptions::default()
            },
            cancel,
            observer: progress.observer(),
        };
        let result = match &args.resume {
            Some(id) => runner.resume(id, probes).await,
            None => {
                let run = new_run(&catalog, &args, &audits);
                runner.start(run, probes).await
            }
        };
        progress.finish();
        result
    })?;
    let db_store = Store::open(&db)?;
    let csv = super::files::write_csv(&args.out, &outcome.run.id, &db_store)?;
    if !args.quiet {
        print!("{}", super::summary::text(&outcome, started.elapsed()));
    }
    super::summary::store_stats(&outcome, started.elapsed());
    println!("history:  {}", db.display());
    println!("evidence: {}", db_store.evidence_dir().display());
    println!("csv:      {}", csv.display());
    Ok(exit_for(&outcome, outcome.any(&fail_on)))
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

fn new_run(catalog: &Catalog, args: &RunArgs, audits: &[&Audit]) -> Run {
    let now = chrono::Utc::now();
    Run {
        id: new_run_id(now),
        started_at: now,
        ended_at: None,
        status: RunStatus::Running,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        vantage: args.vantage.clone(),
        audits: audits.iter().map(|a| a.id.clone()).collect(),
        scenario_files: catalog.files.clone(),
        simulated: false,
    }
}

fn system_clock() -> Clock {
    Arc::new(chrono::Utc::now)
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
