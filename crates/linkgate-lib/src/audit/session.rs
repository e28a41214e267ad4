//! A session is what the runs of one invocation (`run`, `run --due`, the daemon) share: the
//! settings, the catalog and the clock. It measures a run end to end — plan, engines, runner,
//! then the run's files and its seal — and hands the binary a [`Measured`] to print; it holds
//! every audit's lock while that audit runs, so two processes never run one audit at once.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use super::seal::{Sealed, finish_run};
use super::{AuditClock, AuditError, RunSettings};
use crate::catalog::Catalog;
use crate::engine::browser::BrowserEngine;
use crate::engine::http::HttpEngine;
use crate::lock::{FileLock, LockError, holder_note};
use crate::model::{Audit, EngineKind, Probe, Run, RunStatus};
use crate::plan::Shard;
use crate::plan::{PlanOptions, plan};
use crate::run::{Engines, Observer, Outcome, Preflight, RunError, RunOptions, Runner};
use crate::store::{AdvisoryLock, Location, Store};

/// A run group measured by one process: the whole plan is its one shard.
const WHOLE: Shard = Shard { index: 0, count: 1 };

/// How a run shows its progress (the binary draws bars on a terminal).
pub trait RunProgress {
    /// Called with every record as it is stored.
    fn observer(&self) -> Observer;
    /// The run has ended.
    fn finish(&self);
}

/// Makes a run's progress display from its probes per engine.
pub type ProgressFor<'a> = &'a dyn Fn(&BTreeMap<EngineKind, usize>) -> Box<dyn RunProgress>;

/// A progress display that shows nothing.
pub struct NoProgress;

impl RunProgress for NoProgress {
    fn observer(&self) -> Observer {
        Arc::new(|_, _| {})
    }
    fn finish(&self) {}
}

/// One run, measured and sealed.
pub struct Measured {
    pub outcome: Outcome,
    pub sealed: Sealed,
    /// How long measuring took and the process's peak memory (kB) then, before sealing.
    pub measuring: (Duration, Option<u64>),
    /// How long the whole run took, sealing included.
    pub elapsed: Duration,
}

/// See the module documentation.
pub struct Session {
    pub settings: RunSettings,
    pub catalog: Arc<Catalog>,
    pub clock: AuditClock,
}

impl Session {
    /// Checks the settings against the catalog once, so bad input fails before any run.
    pub fn new(
        settings: RunSettings,
        catalog: Arc<Catalog>,
        clock: AuditClock,
    ) -> Result<Session, AuditError> {
        if let Some(name) = &settings.audit
            && catalog.audit(name).is_none()
        {
            return Err(AuditError::Invalid(format!(
                "no audit `{name}` in the scenarios (see `linkgate schedule`)"
            )));
        }
        if let Some(group) = &settings.run_group {
            check_run_group(group)?;
        }
        let session = Session {
            settings,
            catalog,
            clock,
        };
        let http = session.settings.http_config(&session.audits());
        BrowserEngine::new(session.settings.browser_config(&http))
            .map_err(|e| AuditError::Invalid(format!("cannot set up the browser engine: {e}")))?;
        Ok(session)
    }

    /// The audits the settings choose: one, or every audit.
    pub fn audits(&self) -> Vec<&Audit> {
        chosen_audits(&self.catalog, self.settings.audit.as_deref())
    }

    /// Takes an audit's lock for `command` (with a shard, the lock of that shard of the run
    /// group or of the audit), or says who holds it: a file lock beside an SQLite history, an
    /// advisory lock in a PostgreSQL one, so two machines sharing it never run the same shard.
    pub fn lock(&self, audit: &str, command: &str) -> Result<HeldLock, LockError> {
        let (name, what) = lock_name(
            audit,
            self.settings.run_group.as_deref(),
            self.settings.plan.shard,
        );
        match &self.settings.db {
            Location::Sqlite(db) => FileLock::try_acquire(
                &FileLock::dir_for(db),
                &name,
                &what,
                &holder_note(command, self.clock.now()),
            )
            .map(HeldLock::File),
            Location::Postgres(url) => match AdvisoryLock::try_acquire(url, &name) {
                Ok(Some(lock)) => Ok(HeldLock::Database(lock)),
                Ok(None) => Err(LockError::Held {
                    what,
                    holder: "a process connected to the same database".to_string(),
                    path: format!("advisory lock `{name}` in {}", self.settings.db).into(),
                }),
                Err(err) => Err(LockError::Unavailable {
                    what,
                    reason: err.to_string(),
                }),
            },
        }
    }

    /// Opens the history the session writes.
    pub fn open_store(&self) -> Result<Store, AuditError> {
        Ok(Store::open(&self.settings.db)?)
    }

    /// `linkgate run`: every chosen audit in one run (or the resume of `resume`), all their
    /// locks held or none.
    pub async fn run_chosen(
        &self,
        resume: Option<&str>,
        cancel: &CancellationToken,
        progress: ProgressFor<'_>,
    ) -> Result<Measured, AuditError> {
        let _locks = self
            .audits()
            .iter()
            .map(|a| self.lock(&a.id, "linkgate run"))
            .collect::<Result<Vec<_>, _>>()?;
        let audit = self.settings.audit.clone();
        self.measure(audit.as_deref(), resume, cancel, progress)
            .await
    }

    /// Measures one run (new, or the resume of `resume`) of `audit` (every chosen audit when
    /// `None`), then writes and seals its files. The caller holds the audits' locks.
    pub async fn measure(
        &self,
        audit: Option<&str>,
        resume: Option<&str>,
        cancel: &CancellationToken,
        progress: ProgressFor<'_>,
    ) -> Result<Measured, AuditError> {
        let group = self.settings.run_group.clone();
        self.measure_in(audit, resume, group.as_deref(), cancel, progress)
            .await
    }

    /// [`Session::measure`], as shard `settings.plan.shard` of the run group `group` when
    /// there is one (a due slot's group, or `--run-group`).
    pub async fn measure_in(
        &self,
        audit: Option<&str>,
        resume: Option<&str>,
        group: Option<&str>,
        cancel: &CancellationToken,
        progress: ProgressFor<'_>,
    ) -> Result<Measured, AuditError> {
        let settings = &self.settings;
        let options = PlanOptions {
            audit: audit.map(str::to_string),
            ..settings.plan.clone()
        };
        let probes = plan(&self.catalog, &options)?;
        let audits = chosen_audits(&self.catalog, audit);
        let http = settings.http_config(&audits);
        let browser = settings.browser_config(&http);
        // One frontier for both engines: one politeness per host, one limit of requests.
        let http = HttpEngine::new(http)?;
        let browser = BrowserEngine::sharing(browser, http.frontier().clone())?;
        let engines = Engines {
            http,
            browser: Some(browser),
            force: settings.engine,
        };
        if let Some(id) = resume
            && let Some(reason) = self.open_store()?.stop_reason(id)?
        {
            // Said before the run's first log line (the runner refuses it too).
            return Err(RunError::Stopped {
                run: id.to_string(),
                reason,
            }
            .into());
        }
        let shown = progress(&engine_totals(&self.catalog, &engines, &probes));
        let new = resume.is_none().then(|| {
            let mut run = Run::begin(
                self.clock.now(),
                &settings.vantage,
                audits.iter().map(|a| a.id.clone()).collect(),
                self.catalog.files.clone(),
            );
            if let Some(group) = group {
                run.id = group.to_string();
            }
            run
        });
        let run_id = new
            .as_ref()
            .map_or(resume.unwrap_or_default(), |run| run.id.as_str())
            .to_string();
        log_start(&run_id, &audits, probes.len(), new.is_some());
        let started = Instant::now();
        let runner = Runner {
            catalog: self.catalog.clone(),
            engines: Arc::new(engines),
            store: Arc::new(Mutex::new(self.open_store()?)),
            clock: self.clock.as_clock(),
            options: RunOptions {
                concurrency: settings.concurrency(&audits),
                preflight: settings.preflight.then(Preflight::default),
                ..RunOptions::default()
            },
            cancel: cancel.clone(),
            observer: shown.observer(),
        };
        let group = group.map(|_| settings.plan.shard.unwrap_or(WHOLE));
        let result = match (new, group) {
            (Some(run), Some(shard)) => runner.join(run, shard, probes).await,
            (Some(run), None) => runner.start(run, probes).await,
            (None, _) => runner.resume(&run_id, probes).await,
        };
        shown.finish();
        let outcome = result?;
        let measuring = (started.elapsed(), peak_rss_kb());
        let store = self.open_store()?;
        let sealed = finish_run(
            &self.catalog,
            &settings.out,
            &store,
            &outcome.run,
            self.clock.now(),
            &settings.attest,
        )?;
        if let (Some(tsa), Some(manifest)) = (&settings.attest.tsa, &sealed.manifest) {
            super::timestamp::stamp_or_warn(tsa, &outcome.run.id, manifest).await;
        }
        log_end(&outcome, started.elapsed());
        Ok(Measured {
            outcome,
            sealed,
            measuring,
            elapsed: started.elapsed(),
        })
    }
}

/// A run group's id is the run's id: it names the run's folder and appears in URLs, so it is
/// kept to letters, digits, `.`, `_` and `-` (a Kubernetes Job's name is such a name).
pub fn check_run_group(group: &str) -> Result<(), AuditError> {
    let fine = (1..=100).contains(&group.len())
        && !group.starts_with('.')
        && group
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if fine {
        Ok(())
    } else {
        Err(AuditError::Invalid(format!(
            "--run-group `{group}` is not a run id: use 1 to 100 letters, digits, `.`, `_` or `-`, \
             not starting with `.` (e.g. the Kubernetes Job's name, or 2026-12-05-daily)"
        )))
    }
}

/// A lock a run holds while it measures (see [`Session::lock`]); dropping it releases it.
#[derive(Debug)]
pub enum HeldLock {
    File(FileLock),
    Database(AdvisoryLock),
}

/// The lock's name and what it is said to guard: the audit, or one shard of it (of one run
/// group). Shards of one audit run side by side; the same shard twice does not.
fn lock_name(audit: &str, group: Option<&str>, shard: Option<Shard>) -> (String, String) {
    match (group, shard) {
        (_, None) => (audit.to_string(), format!("audit `{audit}`")),
        (None, Some(s)) => (
            format!("{audit}.shard-{}-of-{}", s.index, s.count),
            format!("shard {s} of audit `{audit}`"),
        ),
        (Some(group), Some(s)) => (
            format!("{audit}.{group}.shard-{}-of-{}", s.index, s.count),
            format!("shard {s} of run group `{group}` (audit `{audit}`)"),
        ),
    }
}

/// The audits `name` chooses: that one, or every audit.
pub fn chosen_audits<'c>(catalog: &'c Catalog, name: Option<&str>) -> Vec<&'c Audit> {
    catalog
        .audits
        .iter()
        .filter(|a| name.is_none_or(|n| a.id == n))
        .collect()
}

/// The process's peak resident memory so far (`VmHWM`), where the system says it.
pub fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
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

/// Probes per engine, for the progress display.
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
