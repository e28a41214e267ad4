//! `linkgate run`: flags become one [`RunSettings`] here (the only place that reads them),
//! then the library's [`Session`] measures, stores and seals; this prints what it returns.
//! `--due` runs only the audits whose schedule has come due (for a crontab line). The daemon
//! builds its session with [`session`] too.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use clap::Args;
use tokio_util::sync::CancellationToken;

use linkgate::audit::{
    DueRunner, Looker, Measured, NetSettings, RunSettings, Session, engine_named, read_ca_certs,
    resolves_named, verdicts_named,
};
use linkgate::render::console;

use super::clock::ClockArgs;
use super::evidence::AttestArgs;
use super::progress::Progress;
use super::select::SelectArgs;
use super::{Exit, Global, ScenarioPaths, load_catalog};

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub(super) scenarios: ScenarioPaths,
    /// Only this audit (default: every audit in the scenarios)
    #[arg(long, value_name = "NAME")]
    pub(super) audit: Option<String>,
    #[command(flatten)]
    select: SelectArgs,
    /// Output folder: run folders with their CSV and manifest, `latest`
    #[arg(long, value_name = "DIR", default_value = linkgate::audit::DEFAULT_OUT)]
    pub(super) out: PathBuf,
    /// History: an SQLite file [default: OUT/linkgate.db], or postgres://USER@HOST/DB for a
    /// PostgreSQL history shared by many machines
    #[arg(long, value_name = "FILE|URL", env = "LINKGATE_DB", hide_env_values = true, value_parser = super::history::location)]
    pub(super) db: Option<linkgate::store::Location>,
    /// Join the run group ID: the processes started with the same ID (and each its own
    /// --shard I/N) write one run, named ID, sealed by the last shard to complete; starting a
    /// shard again resumes it
    #[arg(long, value_name = "ID", conflicts_with_all = ["resume", "due"])]
    pub(super) run_group: Option<String>,
    /// Where the measurements are made from, recorded with the run
    #[arg(long, value_name = "NAME", default_value = linkgate::audit::DEFAULT_VANTAGE)]
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
    /// Exit 2 when a rival or same-owner probe has one of these verdicts (comma-separated:
    /// blocked, interstitial, inconclusive, opened)
    #[arg(long, value_name = "VERDICTS", value_delimiter = ',')]
    fail_on: Vec<String>,
    /// Measure every probe even when the first controls all fail at the network level (by
    /// default such a run stops after a handful of them: the platforms cannot be reached)
    #[arg(long)]
    no_preflight: bool,
    #[command(flatten)]
    attest: AttestArgs,
    #[command(flatten)]
    pub(super) clock: ClockArgs,
}

/// Network, politeness and browser flags (they override the audit's politeness).
#[derive(Debug, Args, Clone)]
pub struct NetArgs {
    /// Requests on the network at once, over all hosts [default: the audit's, else 8]
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
    /// Chromium binary for browser contexts [default: $CHROME, else /usr/bin/chromium]
    #[arg(long, value_name = "PATH")]
    chrome: Option<PathBuf>,
    /// Browser tabs open at once [default: 4 per CPU core, at most 8]
    #[arg(long, value_name = "N")]
    tabs: Option<usize>,
    /// Run Chromium without its sandbox even when not root: for containers, where the
    /// sandbox's user namespaces are not allowed and the container is the isolation
    #[arg(long, env = "LINKGATE_NO_SANDBOX")]
    no_sandbox: bool,
}

pub fn run(args: RunArgs, global: &Global) -> anyhow::Result<Exit> {
    let session = session(&args)?;
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let cancel = CancellationToken::new();
        linkgate::audit::signals::stop_on_signal(cancel.clone(), global.quiet);
        let progress = |totals: &_| Progress::boxed(totals, !global.interactive());
        if args.due {
            return run_due(&session, &cancel, &progress, global).await;
        }
        let measured = session
            .run_chosen(args.resume.as_deref(), &cancel, &progress)
            .await?;
        Ok(report(&session, &measured, global, true))
    })
}

/// `--due`: one run per due audit; an audit another process is running is skipped with a
/// warning, a failed run is logged and the next audit still runs.
async fn run_due(
    session: &Session,
    cancel: &CancellationToken,
    progress: linkgate::audit::ProgressFor<'_>,
    global: &Global,
) -> anyhow::Result<Exit> {
    let mut exit = Exit::Ok;
    let mut on_run = |measured: &_| exit = exit.worse(report(session, measured, global, true));
    let look = DueRunner::default()
        .look(Looker::Once, session, cancel, progress, &mut on_run)
        .await?;
    if look.failed > 0 {
        exit = exit.worse(Exit::Failure);
    }
    Ok(exit)
}

/// The session of these flags: the catalog loaded and every flag checked once, so bad input
/// fails before any run.
pub fn session(args: &RunArgs) -> anyhow::Result<Session> {
    let catalog = Arc::new(load_catalog(&args.scenarios.paths)?);
    let settings = settings(args)?;
    if args.resume.is_none() {
        args.select.check(&catalog, &settings.plan)?;
    }
    Ok(Session::new(settings, catalog, args.clock.clock())?)
}

/// The one place `run`'s flags become settings.
fn settings(args: &RunArgs) -> anyhow::Result<RunSettings> {
    let mut settings = RunSettings::new(args.out.clone());
    settings.audit = args.audit.clone();
    settings.plan = args.select.options(args.audit.clone())?;
    if let Some(db) = &args.db {
        settings.db = db.clone();
    }
    settings.run_group = args.run_group.clone();
    settings.vantage = args.vantage.clone();
    settings.net = net_settings(&args.net)?;
    settings.engine = args.engine.as_deref().map(engine_named).transpose()?;
    settings.fail_on = verdicts_named(&args.fail_on)?;
    settings.preflight = !args.no_preflight;
    settings.attest = args.attest.attest()?;
    Ok(settings)
}

fn net_settings(net: &NetArgs) -> anyhow::Result<NetSettings> {
    Ok(NetSettings {
        concurrency: net.concurrency,
        per_host: net.per_host,
        interval: net.interval,
        connect_timeout: net.connect_timeout,
        timeout: net.timeout,
        retries: net.retries,
        max_hops: net.max_hops,
        body_cap: net.body_cap,
        proxy: net.proxy.clone(),
        ca_certs: read_ca_certs(&net.ca_cert)?,
        resolve: resolves_named(&net.resolve)?,
        chrome: net.chrome.clone(),
        tabs: net.tabs,
        no_sandbox: net.no_sandbox,
    })
}

/// Prints a measured run (its summary and files, when `summaries`; the daemon only logs)
/// and says what it means for the exit code.
pub fn report(session: &Session, measured: &Measured, global: &Global, summaries: bool) -> Exit {
    let Measured {
        outcome, sealed, ..
    } = measured;
    stats(measured);
    let settings = &session.settings;
    match &outcome.stopped {
        Some(stopped) if summaries => eprintln!(
            "{}",
            console::unreachable(
                stopped,
                &outcome.run.id,
                &sealed.csv,
                settings.net.proxy.as_deref()
            )
        ),
        Some(stopped) => tracing::error!(run = %outcome.run.id, "{}", stopped.reason()),
        None if summaries => {
            if !global.quiet {
                let colour =
                    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
                print!(
                    "{}",
                    console::text_in_colour(outcome, measured.elapsed, colour)
                );
            }
            print!("{}", measured.files_text(&settings.db));
        }
        None => {}
    }
    // A shard that measured all of its part exits 0 while the group's run still waits for
    // other shards: its job is done.
    let mut exit = match outcome.completed() {
        true if outcome.any(&settings.fail_on) => Exit::FailOn,
        true => Exit::Ok,
        false => Exit::Failure,
    };
    if let Some(warning) = measured.report_failure(&settings.db) {
        eprintln!("{warning}");
        exit = exit.worse(Exit::Failure);
    }
    exit
}

/// With `LINKGATE_STORE_STATS=1`, timings and peak memory on stderr for the benchmark.
fn stats(measured: &Measured) {
    if std::env::var_os("LINKGATE_STORE_STATS").is_some_and(|v| !v.is_empty() && v != "0") {
        eprint!("{}", measured.stats_text());
    }
}
