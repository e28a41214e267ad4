//! `linkgate demo`: a real report, offline. It starts the simulator in-process, runs the
//! bundled `miit-2021` audit through it unmodified at several simulated dates around the
//! deadline, and stores everything under `reports/demo/`, marked as simulated.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use clap::Args;
use tokio_util::sync::CancellationToken;

use linkgate::catalog::Catalog;
use linkgate::engine::http::{HttpConfig, HttpEngine};
use linkgate::model::{Run, RunStatus};
use linkgate::plan::{PlanOptions, plan};
use linkgate::run::{Clock, Engines, Outcome, RunOptions, Runner, new_run_id};
use linkgate::sim::{SimConfig, Simulator, World};
use linkgate::store::Store;

use super::{Exit, Global, ScenarioPaths, load_catalog};

/// MIIT's deadline: links unblocked from this day.
pub const DEADLINE: NaiveDate = match NaiveDate::from_ymd_opt(2021, 9, 17) {
    Some(date) => date,
    None => panic!("a valid date"),
};

/// Before, on, after and months after the deadline.
const DATES: [(i32, u32, u32); 4] = [(2021, 9, 10), (2021, 9, 17), (2021, 10, 15), (2022, 3, 15)];

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    scenarios: ScenarioPaths,
    /// Where the demo's history and files go
    #[arg(long, value_name = "DIR", default_value = "reports/demo")]
    out: PathBuf,
    /// The audit to run
    #[arg(long, value_name = "NAME", default_value = "miit-2021")]
    audit: String,
    /// Simulated dates to run at (repeatable) [default: 2021-09-10, 2021-09-17, 2021-10-15, 2022-03-15]
    #[arg(long = "date", value_name = "YYYY-MM-DD")]
    dates: Vec<NaiveDate>,
    /// Probes in flight at once (the simulator is local: no politeness needed)
    #[arg(long, value_name = "N", default_value_t = 16)]
    concurrency: usize,
    /// Print only the files written: the global `--quiet`, copied in by `run`.
    #[arg(skip)]
    quiet: bool,
}

pub fn run(mut args: DemoArgs, global: &Global) -> anyhow::Result<Exit> {
    args.quiet = global.quiet;
    let catalog = Arc::new(load_catalog(&args.scenarios.paths)?);
    let options = PlanOptions {
        audit: Some(args.audit.clone()),
        ..PlanOptions::default()
    };
    let probes = plan(&catalog, &options)?;
    let dates = if args.dates.is_empty() {
        DATES
            .iter()
            .filter_map(|&(y, m, d)| NaiveDate::from_ymd_opt(y, m, d))
            .collect()
    } else {
        args.dates.clone()
    };
    let db = args.out.join("linkgate.db");
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let outcomes = runtime.block_on(async {
        let sim = Simulator::start(SimConfig {
            listen: "127.0.0.1:0".parse().expect("a valid address"),
            world: World::bundled(),
            date: dates[0],
        })
        .await?;
        if !args.quiet {
            println!(
                "simulator on {} — everything below is SIMULATED, not measured on real apps",
                sim.addr()
            );
        }
        let store = Arc::new(Mutex::new(Store::open(&db)?));
        let cancel = CancellationToken::new();
        super::signals::stop_on_signal(cancel.clone(), args.quiet);
        let mut outcomes = Vec::new();
        for date in &dates {
            if cancel.is_cancelled() {
                break;
            }
            sim.set_date(*date);
            let outcome = run_at(&args, &catalog, &probes, &sim, &store, &cancel, *date).await?;
            outcomes.push(outcome);
        }
        sim.shutdown().await;
        anyhow::Ok(outcomes)
    })?;
    let store = Store::open(&db)?;
    for outcome in &outcomes {
        let csv = super::files::write_csv(&args.out, &outcome.run.id, &store)?;
        println!(
            "{}  csv: {}",
            outcome.run.started_at.date_naive(),
            csv.display()
        );
    }
    if let Some(last) = outcomes.last() {
        let index = super::report::write_report(&super::report::ReportJob {
            catalog: &catalog,
            db: &db,
            out: Some(&args.out.join(&last.run.id)),
            audit: Some(&args.audit),
            run: Some(&last.run.id),
            since: None,
            lang: None,
        })?;
        println!("report:   {} (simulated)", index.display());
    }
    println!("history:  {} (simulated)", db.display());
    let all_completed = outcomes
        .iter()
        .all(|o| o.run.status == RunStatus::Completed);
    Ok(if all_completed && outcomes.len() == dates.len() {
        Exit::Ok
    } else {
        Exit::Failure
    })
}

/// One run of the audit with the simulator's clock set to `date`.
async fn run_at(
    args: &DemoArgs,
    catalog: &Arc<Catalog>,
    probes: &[linkgate::model::Probe],
    sim: &Simulator,
    store: &Arc<Mutex<Store>>,
    cancel: &CancellationToken,
    date: NaiveDate,
) -> anyhow::Result<Outcome> {
    let start = simulated_start(date);
    let http = HttpConfig {
        proxy: Some(sim.proxy_url()),
        ca_certs: vec![sim.ca_pem().as_bytes().to_vec()],
        interval: Duration::ZERO,
        per_host: args.concurrency,
        retries: 0,
        ..HttpConfig::default()
    };
    let engines = Engines {
        http: HttpEngine::new(http)?,
        // The bundled contexts are all measured over HTTP; no browser is started for the demo.
        browser: None,
        force: None,
    };
    let run = Run {
        id: new_run_id(start),
        started_at: start,
        ended_at: None,
        status: RunStatus::Running,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        vantage: "simulator".to_string(),
        audits: vec![args.audit.clone()],
        scenario_files: catalog.files.clone(),
        simulated: true,
    };
    let progress = super::progress::Progress::new(probes.len(), args.quiet);
    let runner = Runner {
        catalog: catalog.clone(),
        engines: Arc::new(engines),
        store: store.clone(),
        clock: simulated_clock(start),
        options: RunOptions {
            concurrency: args.concurrency,
            ..RunOptions::default()
        },
        cancel: cancel.clone(),
        observer: progress.observer(),
    };
    let began = Instant::now();
    let outcome = runner.start(run, probes.to_vec()).await?;
    progress.finish();
    if !args.quiet {
        print!("{}", super::summary::text(&outcome, began.elapsed()));
    }
    Ok(outcome)
}

/// 10:00 in Beijing on the simulated day.
fn simulated_start(date: NaiveDate) -> DateTime<Utc> {
    let beijing = chrono::FixedOffset::east_opt(8 * 3600).expect("a valid offset");
    let local = date.and_hms_opt(10, 0, 0).expect("a valid time");
    beijing
        .from_local_datetime(&local)
        .single()
        .map_or_else(|| Utc.from_utc_datetime(&local), |t| t.with_timezone(&Utc))
}

/// The simulated day's clock: the start time plus the real time elapsed since.
fn simulated_clock(start: DateTime<Utc>) -> Clock {
    let began = Instant::now();
    Arc::new(move || start + chrono::Duration::from_std(began.elapsed()).unwrap_or_default())
}
