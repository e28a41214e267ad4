//! The demo: a real report, offline. The simulator starts in-process, the bundled audit runs
//! through it unmodified at several simulated dates around the deadline, and everything is
//! stored under its own folder, marked as simulated.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use tokio_util::sync::CancellationToken;

use super::report::{ReportJob, write_report};
use super::session::RunProgress;
use super::{AuditError, DB_FILE, write_csv};
use crate::catalog::Catalog;
use crate::engine::http::{HttpConfig, HttpEngine};
use crate::model::{Probe, Run};
use crate::plan::{PlanOptions, plan};
use crate::run::{Clock, Engines, Outcome, RunOptions, Runner};
use crate::sim::{SimConfig, Simulator, World};
use crate::store::Store;

/// MIIT's deadline: links unblocked from this day.
pub const DEADLINE: NaiveDate = match NaiveDate::from_ymd_opt(2021, 9, 17) {
    Some(date) => date,
    None => panic!("a valid date"),
};

/// Before, on, after and months after the deadline.
pub const DATES: [(i32, u32, u32); 4] =
    [(2021, 9, 10), (2021, 9, 17), (2021, 10, 15), (2022, 3, 15)];

/// The audit the demo runs unless told otherwise.
pub const DEMO_AUDIT: &str = "miit-2021";

/// The demo's folder unless told otherwise.
pub const DEMO_OUT: &str = "reports/demo";

/// Probes in flight: the simulator is local, so no politeness is needed.
pub const DEMO_CONCURRENCY: usize = 16;

/// What the demo runs.
pub struct DemoSettings {
    pub out: PathBuf,
    pub audit: String,
    /// Empty: [`DATES`].
    pub dates: Vec<NaiveDate>,
    pub concurrency: usize,
}

/// What the demo left.
pub struct Demo {
    pub db: PathBuf,
    /// Each date's run and its CSV.
    pub runs: Vec<(Outcome, PathBuf)>,
    /// The last run's report.
    pub report: Option<PathBuf>,
    /// Whether every date was run to completion.
    pub complete: bool,
}

impl Demo {
    /// Each date's CSV, the report and the history, every one marked simulated where it
    /// could be mistaken for a measurement.
    pub fn files_text(&self) -> String {
        let mut out = String::new();
        for (outcome, csv) in &self.runs {
            let date = outcome.run.started_at.date_naive();
            out.push_str(&format!("{date}  csv: {}\n", csv.display()));
        }
        if let Some(index) = &self.report {
            out.push_str(&format!("report:   {} (simulated)\n", index.display()));
        }
        out.push_str(&format!("history:  {} (simulated)\n", self.db.display()));
        out
    }
}

/// What the demo tells its caller as it goes.
pub trait DemoDisplay {
    /// The simulator is listening at `addr`.
    fn started(&self, addr: std::net::SocketAddr);
    /// A progress display for one date's run of `total` probes.
    fn progress(&self, total: usize) -> Box<dyn RunProgress>;
    /// One date's run ended.
    fn ran(&self, outcome: &Outcome, elapsed: Duration);
}

/// Runs the demo (see the module documentation).
pub async fn run_demo(
    catalog: Arc<Catalog>,
    settings: &DemoSettings,
    cancel: &CancellationToken,
    display: &dyn DemoDisplay,
) -> Result<Demo, AuditError> {
    let options = PlanOptions {
        audit: Some(settings.audit.clone()),
        ..PlanOptions::default()
    };
    let probes = plan(&catalog, &options)?;
    let dates: Vec<NaiveDate> = match settings.dates.is_empty() {
        true => DATES
            .iter()
            .filter_map(|&(y, m, d)| NaiveDate::from_ymd_opt(y, m, d))
            .collect(),
        false => settings.dates.clone(),
    };
    let db = settings.out.join(DB_FILE);
    let sim = Simulator::start(SimConfig {
        listen: ([127, 0, 0, 1], 0).into(),
        world: World::bundled(),
        date: dates[0],
    })
    .await?;
    display.started(sim.addr());
    let store = Arc::new(Mutex::new(Store::open(&db)?));
    let mut outcomes = Vec::new();
    for date in &dates {
        if cancel.is_cancelled() {
            break;
        }
        sim.set_date(*date);
        let at = simulated_start(*date);
        let began = Instant::now();
        let outcome = run_at(
            &catalog, settings, &probes, &sim, &store, cancel, at, display,
        )
        .await;
        let outcome = match outcome {
            Ok(outcome) => outcome,
            Err(err) => {
                sim.shutdown().await;
                return Err(err);
            }
        };
        display.ran(&outcome, began.elapsed());
        outcomes.push(outcome);
    }
    sim.shutdown().await;
    let store = Store::open(&db)?;
    let mut runs = Vec::new();
    for outcome in outcomes {
        let csv = write_csv(&settings.out, &outcome.run.id, &store)?;
        runs.push((outcome, csv));
    }
    let report = match runs.last() {
        Some((last, _)) => Some(write_report(&ReportJob {
            catalog: &catalog,
            db: &crate::store::Location::from(&db),
            out: Some(&settings.out.join(&last.run.id)),
            audit: Some(&settings.audit),
            run: Some(&last.run.id),
            since: None,
            lang: None,
        })?),
        None => None,
    };
    let complete = runs.len() == dates.len()
        && runs
            .iter()
            .all(|(o, _)| o.run.status == crate::model::RunStatus::Completed);
    Ok(Demo {
        db,
        runs,
        report,
        complete,
    })
}

/// One run of the audit with the simulator's clock set to `start`'s day.
#[allow(clippy::too_many_arguments)]
async fn run_at(
    catalog: &Arc<Catalog>,
    settings: &DemoSettings,
    probes: &[Probe],
    sim: &Simulator,
    store: &Arc<Mutex<Store>>,
    cancel: &CancellationToken,
    start: DateTime<Utc>,
    display: &dyn DemoDisplay,
) -> Result<Outcome, AuditError> {
    let http = HttpConfig {
        proxy: Some(sim.proxy_url()),
        ca_certs: vec![sim.ca_pem().as_bytes().to_vec()],
        interval: Duration::ZERO,
        per_host: settings.concurrency,
        concurrency: settings.concurrency,
        retries: 0,
        ..HttpConfig::default()
    };
    let engines = Engines {
        http: HttpEngine::new(http)?,
        // The bundled contexts are all measured over HTTP; no browser is started for the demo.
        browser: None,
        force: None,
    };
    let run = Run::begin(
        start,
        "simulator",
        vec![settings.audit.clone()],
        catalog.files.clone(),
    )
    .simulated();
    let progress = display.progress(probes.len());
    let runner = Runner {
        catalog: catalog.clone(),
        engines: Arc::new(engines),
        store: store.clone(),
        clock: simulated_clock(start),
        options: RunOptions {
            concurrency: settings.concurrency,
            ..RunOptions::default()
        },
        cancel: cancel.clone(),
        observer: progress.observer(),
    };
    let outcome = runner.start(run, probes.to_vec()).await;
    progress.finish();
    Ok(outcome?)
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
