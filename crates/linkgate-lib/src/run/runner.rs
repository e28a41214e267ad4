//! The runner drives a run: first the preflight (a sample of controls, see
//! [`preflight`](super::preflight)), which stops a run that cannot reach the platforms; then
//! links are measured group by group (the link's control first, then every context that opens
//! it), under one global concurrency limit, and every record is handed to the history writer
//! the moment its verdict is known. Only a window of groups is in flight at a time, and the
//! end of a run counts verdicts in SQL, so a run's memory does not grow with its number of
//! links.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::assess::ControlFailures;
use crate::catalog::Catalog;
use crate::classify::with_control;
use crate::engine::Capture;
use crate::engine::frontier::Traffic;
use crate::model::{Failure, Link, Probe, ProbeRole, Record, Run, RunStatus, Verdict, VerdictKind};
use crate::plan::Shard;
use crate::store::{PreparedRecord, Store, StoreError};
use crate::triage::{Features, compare};

use super::measure::{capture, classification_of, note_way_on};
use super::preflight::{self, Preflight, Tally, Unreachable};
use super::writer::{self, WriterInbox, WriterStats};
use super::{Engines, Outcome, ShardEnd};

/// The time of a run, passed in: the demo runs at simulated dates.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// Called with every record as it is stored, and where the run's requests are then (what a
/// progress display shows).
pub type Observer = Arc<dyn Fn(&Record, &Traffic) + Send + Sync>;

/// Probes kept going per request slot: most of them wait for their host's turn (which costs
/// nothing but a task), so there is always one ready when a host and a slot are.
const PROBES_PER_SLOT: usize = 32;

/// Link groups kept going per request slot.
const GROUPS_PER_SLOT: usize = 8;

/// How a run is carried out.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Requests in flight at once over all hosts: the engines' frontier holds the limit; the
    /// runner keeps enough probes going (`PROBES_PER_SLOT` per slot) to use every slot.
    pub concurrency: usize,
    /// How long in-flight probes may go on after an interruption.
    pub grace: Duration,
    /// Measure a sample of controls first and stop when none can reach its site; `None`
    /// measures everything whatever happens (`--no-preflight`).
    pub preflight: Option<Preflight>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            concurrency: 8,
            grace: Duration::from_secs(5),
            preflight: Some(Preflight::default()),
        }
    }
}

/// What stops a run: only the history failing. Probes that fail are records.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot resume run {0}: it is not in the history database (see the run ids it holds)")]
    UnknownRun(String),
    #[error("the history writer stopped unexpectedly: {0}")]
    Writer(String),
    #[error(
        "cannot resume run {run}: it stopped before measuring its probes ({reason}), so there is \
         nothing of it to finish; start a new run with `linkgate run` once the platforms can be \
         reached"
    )]
    Stopped { run: String, reason: String },
}

/// Everything a run needs, built once.
pub struct Runner {
    pub catalog: Arc<Catalog>,
    pub engines: Arc<Engines>,
    pub store: Arc<Mutex<Store>>,
    pub clock: Clock,
    pub options: RunOptions,
    pub cancel: CancellationToken,
    pub observer: Observer,
}

/// The shared state of one run's tasks.
struct Shared {
    runner: Runner,
    run_id: String,
    permits: Semaphore,
    measured: HashSet<String>,
    /// Controls already measured (stored before a resume, or by the preflight), by (audit,
    /// link id): a link's group pairs with them instead of measuring its control again.
    controls: Mutex<HashMap<(String, String), Arc<Control>>>,
    history: WriterInbox,
    /// Positions in the catalog's links by id: `Catalog::link` searches the list, which
    /// made a run of many links quadratic.
    links: HashMap<String, usize>,
}

impl Shared {
    fn link(&self, id: &str) -> Option<&Link> {
        self.links
            .get(id)
            .and_then(|&at| self.runner.catalog.links.get(at))
    }
}

impl Runner {
    /// Starts `run` and measures `probes`.
    pub async fn start(self, run: Run, probes: Vec<Probe>) -> Result<Outcome, RunError> {
        let store = self.store.clone();
        let begin = run.clone();
        blocking(move || Ok(store.lock().map_err(poisoned)?.begin_run(&begin)?)).await?;
        self.execute(run.id, probes, None).await
    }

    /// Measures shard `shard` of the group run `run.id`: stores the run if no shard has yet,
    /// measures what this shard of it is still missing (so starting a shard again resumes it),
    /// and ends the shard; the run completes when its last shard does.
    pub async fn join(
        self,
        run: Run,
        shard: Shard,
        probes: Vec<Probe>,
    ) -> Result<Outcome, RunError> {
        let store = self.store.clone();
        let begin = run.clone();
        blocking(move || Ok(store.lock().map_err(poisoned)?.join_group(&begin, shard)?)).await?;
        self.execute(run.id, probes, Some(shard)).await
    }

    /// Measures what `run_id` is still missing of `probes`.
    pub async fn resume(self, run_id: &str, probes: Vec<Probe>) -> Result<Outcome, RunError> {
        let store = self.store.clone();
        let id = run_id.to_string();
        let (known, stopped) = blocking(move || {
            let store = store.lock().map_err(poisoned)?;
            Ok((store.run(&id)?, store.stop_reason(&id)?))
        })
        .await?;
        if known.is_none() {
            return Err(RunError::UnknownRun(run_id.to_string()));
        }
        if let Some(reason) = stopped {
            return Err(RunError::Stopped {
                run: run_id.to_string(),
                reason,
            });
        }
        self.execute(run_id.to_string(), probes, None).await
    }

    async fn execute(
        self,
        run_id: String,
        probes: Vec<Probe>,
        shard: Option<Shard>,
    ) -> Result<Outcome, RunError> {
        let store = self.store.clone();
        let id = run_id.clone();
        let (measured, stored_controls) = blocking(move || {
            let store = store.lock().map_err(poisoned)?;
            Ok((store.measured_keys(&id)?, store.control_verdicts(&id)?))
        })
        .await?;
        let concurrency = self.options.concurrency.max(1);
        let stored: writer::Stored = Arc::new({
            let (observer, engines) = (self.observer.clone(), self.engines.clone());
            move |record| {
                tracing::debug!(
                    run = %record.run_id,
                    context = %record.context,
                    link = %record.link_id,
                    verdict = %record.verdict.kind,
                    mechanism = %record.verdict.mechanism,
                    "probe measured"
                );
                observer(record, &engines.traffic())
            }
        });
        let (history, writer) = writer::start(self.store.clone(), stored, concurrency.max(16))?;
        let links = index_links(&self.catalog);
        let preflight = self.options.preflight;
        let shared = Arc::new(Shared {
            links,
            permits: Semaphore::new(concurrency * PROBES_PER_SLOT),
            runner: self,
            run_id: run_id.clone(),
            measured,
            // Measured by an earlier invocation: their verdicts, not their pages.
            controls: Mutex::new(
                stored_controls
                    .into_iter()
                    .map(|(key, verdict)| {
                        (
                            key,
                            Arc::new(Control {
                                verdict,
                                page: None,
                            }),
                        )
                    })
                    .collect(),
            ),
            history,
        });
        let (mut measured_now, mut stopped, mut failure) = (0, None, None);
        if let Some(preflight) = preflight {
            match check_controls(&shared, &probes, preflight).await {
                Ok((n, unreachable)) => (measured_now, stopped) = (n, unreachable),
                Err(err) => failure = Some(err),
            }
        }
        if stopped.is_none() && failure.is_none() {
            let (n, error) = measure_all(&shared, probes, concurrency * GROUPS_PER_SLOT).await;
            (measured_now, failure) = (measured_now + n, error);
        }
        let ending = Ending {
            store: shared.runner.store.clone(),
            clock: shared.runner.clock.clone(),
            run_id,
            shard,
            interrupted: shared.runner.cancel.is_cancelled(),
            measured_now,
            stopped,
            traffic: shared.runner.engines.traffic(),
        };
        // The last inbox goes with the shared state: the writer stores what is queued and ends.
        drop(shared);
        match writer.finish().await {
            // The writer's own error says why probes could not hand it their records.
            Err(err) => finish(ending, Some(err), WriterStats::default()).await,
            Ok(stats) => finish(ending, failure, stats).await,
        }
    }
}

/// Positions in the catalog's links, by id.
fn index_links(catalog: &Catalog) -> HashMap<String, usize> {
    catalog
        .links
        .iter()
        .enumerate()
        .map(|(at, link)| (link.id.clone(), at))
        .collect()
}

/// Measures every link group, `window` groups at a time: enough to keep every permit busy
/// (a group waits for its control before its other probes) without a task per link of the
/// whole run. Returns the records handed to the history and the first error, which cancels
/// the run.
async fn measure_all(
    shared: &Arc<Shared>,
    probes: Vec<Probe>,
    window: usize,
) -> (usize, Option<RunError>) {
    let groups = link_groups(probes);
    let mut waiting = interleaved(groups, |probe| {
        shared.link(&probe.link).map(|link| link.platform.clone())
    })
    .into_iter();
    let mut groups = JoinSet::new();
    let mut measured_now = 0;
    let mut failure = None;
    loop {
        while groups.len() < window && !shared.runner.cancel.is_cancelled() {
            let Some(group) = waiting.next() else { break };
            groups.spawn(measure_group(shared.clone(), group));
        }
        let Some(joined) = groups.join_next().await else {
            break;
        };
        let error = match joined {
            Ok(Ok(n)) => {
                measured_now += n;
                continue;
            }
            Ok(Err(err)) => err,
            Err(join) => RunError::Writer(join.to_string()),
        };
        shared.runner.cancel.cancel();
        failure.get_or_insert(error);
    }
    (measured_now, failure)
}

/// Measures the preflight's sample of controls (see [`preflight`]) before anything else.
/// Returns the records stored and, when every control tried (at least a handful) failed at
/// the network level, why the run must stop. Once a handful have failed, the controls still
/// in flight get the preflight's grace to answer (one answer lets the run go on), then are
/// dropped unrecorded.
async fn check_controls(
    shared: &Arc<Shared>,
    probes: &[Probe],
    settings: Preflight,
) -> Result<(usize, Option<Unreachable>), RunError> {
    let site = |probe: &Probe| {
        let link = shared.link(&probe.link)?;
        let url = url::Url::parse(&link.url).ok()?;
        url.host_str().map(str::to_string)
    };
    let todo = |probe: &Probe| {
        !shared.measured.contains(&probe.key())
            && !lock(&shared.controls).contains_key(&(probe.audit.clone(), probe.link.clone()))
    };
    let chosen = preflight::sample(probes, settings.sample, site, todo);
    let enough = CancellationToken::new();
    let mut tasks = JoinSet::new();
    for probe in chosen {
        let (shared, enough) = (shared.clone(), enough.clone());
        tasks.spawn(async move {
            // Biased: a probe whose record was handed to the history in this poll returns
            // it, so every control stored is counted.
            let measured = tokio::select! {
                biased;
                measured = measure_probe(&shared, &probe, None) => measured,
                () = enough.cancelled() => Ok(None),
            };
            (probe, measured)
        });
    }
    let mut tally = Tally::default();
    let mut stored = 0;
    // Set once a handful have failed: the others get the grace to answer, then are dropped.
    let mut deadline = None;
    loop {
        let joined = match deadline {
            Some(at) if !enough.is_cancelled() => tokio::select! {
                joined = tasks.join_next() => joined,
                () = tokio::time::sleep_until(at) => {
                    enough.cancel();
                    continue;
                }
            },
            _ => tasks.join_next().await,
        };
        let Some(joined) = joined else {
            break;
        };
        stored += count_control(shared, &mut tally, joined)?;
        deadline = match (deadline, tally.verdict(settings)) {
            (None, Some(_)) => Some(tokio::time::Instant::now() + settings.grace),
            // One answered: the run goes on, and the rest of the sample with it.
            (_, None) => None,
            (kept, Some(_)) => kept,
        };
    }
    Ok((stored, tally.verdict(settings)))
}

type ControlTask = Result<(Probe, Result<Option<Measured>, RunError>), tokio::task::JoinError>;

/// Counts a measured control of the preflight and keeps its verdict for its link's group.
fn count_control(
    shared: &Shared,
    tally: &mut Tally,
    joined: ControlTask,
) -> Result<usize, RunError> {
    let (probe, measured) = joined.map_err(|e| RunError::Writer(e.to_string()))?;
    let Some(measured) = measured? else {
        return Ok(0);
    };
    tally.count(measured.network.as_ref());
    let control = Control {
        verdict: measured.verdict,
        page: measured.page,
    };
    lock(&shared.controls).insert((probe.audit, probe.link), Arc::new(control));
    Ok(1)
}

/// A map's lock; a panic while holding it cannot leave it half-updated (one insert), so a
/// poisoned lock is still read.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// What the end of a run needs once its probes are done.
struct Ending {
    store: Arc<Mutex<Store>>,
    clock: Clock,
    run_id: String,
    /// The shard of a group run this process measured.
    shard: Option<Shard>,
    interrupted: bool,
    measured_now: usize,
    /// Why the preflight stopped the run, if it did.
    stopped: Option<Unreachable>,
    traffic: Traffic,
}

/// Marks the run's end and counts what it holds.
async fn finish(
    ending: Ending,
    failure: Option<RunError>,
    history: WriterStats,
) -> Result<Outcome, RunError> {
    let status = match (&failure, ending.interrupted) {
        (Some(_), _) => RunStatus::Failed,
        _ if ending.stopped.is_some() => RunStatus::Failed,
        (None, true) => RunStatus::Interrupted,
        (None, false) => RunStatus::Completed,
    };
    let store = ending.store;
    let id = ending.run_id;
    let ended = (ending.clock)();
    let reason = ending.stopped.as_ref().map(Unreachable::reason);
    let (run, counts) = blocking(move || {
        let mut store = store.lock().map_err(poisoned)?;
        let group = match (&reason, ending.shard) {
            // A shard ends itself, not the group's run: the run ends with its last shard.
            (_, Some(shard)) => Some(ShardEnd {
                shard,
                status,
                group: store.finish_shard(&id, shard, status, ended)?,
            }),
            (Some(reason), None) => store.stop_run(&id, reason, ended).map(|()| None)?,
            (None, None) => store.finish_run(&id, status, ended).map(|()| None)?,
        };
        let run = store
            .run(&id)?
            .ok_or_else(|| RunError::UnknownRun(id.clone()))?;
        let mechanisms = store.mechanism_counts(&id)?;
        Ok((run, (store.verdict_counts(&id)?, mechanisms, group)))
    })
    .await?;
    let (counts, mechanisms, group) = counts;
    if let Some(err) = failure {
        return Err(err);
    }
    let mut outcome = Outcome::new(run, &counts, ending.measured_now, history);
    outcome.stopped = ending.stopped;
    outcome.traffic = Some(ending.traffic);
    outcome.shard = group;
    outcome.unjudged = ControlFailures::from_counts(
        mechanisms
            .iter()
            .map(|m| (m.role, m.verdict, m.mechanism.as_str(), m.count)),
    );
    Ok(outcome)
}

/// The groups one target platform after another (the first group of each, then the second
/// of each, …), so the run's first minutes reach every platform's hosts instead of draining
/// one platform's links while the others wait. Within a platform, the plan's order is kept.
fn interleaved(
    groups: Vec<Vec<Probe>>,
    platform: impl Fn(&Probe) -> Option<String>,
) -> Vec<Vec<Probe>> {
    let mut queues: Vec<(Option<String>, std::collections::VecDeque<Vec<Probe>>)> = Vec::new();
    for group in groups {
        let key = group.first().and_then(&platform);
        match queues.iter_mut().find(|(k, _)| *k == key) {
            Some((_, queue)) => queue.push_back(group),
            None => queues.push((key, std::collections::VecDeque::from([group]))),
        }
    }
    let mut out = Vec::new();
    while queues.iter().any(|(_, q)| !q.is_empty()) {
        for (_, queue) in &mut queues {
            out.extend(queue.pop_front());
        }
    }
    out
}

/// Consecutive probes of one (audit, link): the plan puts the control first.
fn link_groups(probes: Vec<Probe>) -> Vec<Vec<Probe>> {
    let mut groups: Vec<Vec<Probe>> = Vec::new();
    for probe in probes {
        match groups.last_mut() {
            Some(group) if group[0].audit == probe.audit && group[0].link == probe.link => {
                group.push(probe)
            }
            _ => groups.push(vec![probe]),
        }
    }
    groups
}

/// Measures one link's group: its control, then every context at once. Returns how many
/// records it stored.
async fn measure_group(shared: Arc<Shared>, group: Vec<Probe>) -> Result<usize, RunError> {
    let (controls, others): (Vec<Probe>, Vec<Probe>) = group
        .into_iter()
        .partition(|p| p.role == ProbeRole::Control);
    let mut stored = 0;
    let mut control_verdict = None;
    if let Some(control) = controls.first() {
        let group_key = (control.audit.clone(), control.link.clone());
        let known = lock(&shared.controls).get(&group_key).cloned();
        control_verdict = match known {
            // Measured before: by the preflight, or by the run this one resumes.
            Some(control) => Some(control),
            None => match measure_probe(&shared, control, None).await? {
                Some(measured) => {
                    stored += 1;
                    Some(Arc::new(Control {
                        verdict: measured.verdict,
                        page: measured.page,
                    }))
                }
                None => return Ok(stored),
            },
        };
    }
    let mut tasks = JoinSet::new();
    for probe in others {
        let shared = shared.clone();
        let control = control_verdict.clone();
        tasks.spawn(async move { measure_probe(&shared, &probe, control.as_deref()).await });
    }
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(result) => stored += usize::from(result?.is_some()),
            Err(join) => return Err(RunError::Writer(join.to_string())),
        }
    }
    Ok(stored)
}

/// A link's control, as its group's other probes are judged against it.
struct Control {
    verdict: Verdict,
    page: Option<Arc<Features>>,
}

/// What [`measure_probe`] tells its caller of a probe it stored.
struct Measured {
    /// The verdict it was stored with, before control pairing: what the group's other probes
    /// compare against.
    verdict: Verdict,
    /// Its failure, when it failed at the network level (what the preflight counts).
    network: Option<Failure>,
    /// Its page, as triage compares pages (a control's, for its group's other probes).
    page: Option<Arc<Features>>,
}

/// Measures, classifies and stores one probe. `None` when it was skipped (already measured,
/// or the run was stopped before it started).
async fn measure_probe(
    shared: &Shared,
    probe: &Probe,
    control: Option<&Control>,
) -> Result<Option<Measured>, RunError> {
    if shared.measured.contains(&probe.key()) {
        return Ok(None);
    }
    let runner = &shared.runner;
    let (Some(context), Some(link)) = (
        runner.catalog.context(&probe.context),
        shared.link(&probe.link),
    ) else {
        return Ok(None);
    };
    let permit = tokio::select! {
        permit = shared.permits.acquire() => permit.map_err(|e| RunError::Writer(e.to_string()))?,
        () = runner.cancel.cancelled() => return Ok(None),
    };
    let observed_at = (runner.clock)();
    let Capture {
        mut observation,
        artifacts,
    } = capture(
        &runner.engines,
        context,
        link,
        &runner.cancel,
        runner.options.grace,
        observed_at,
    )
    .await;
    drop(permit);
    let classified = classification_of(&observation, context, link, &runner.catalog.signatures);
    note_way_on(&mut observation, &classified);
    let raw = classified.verdict;
    let network = preflight::network_failure(&observation).and(observation.failure.clone());
    let verdict = match control {
        Some(control) => with_control(raw.clone(), &control.verdict),
        None => raw.clone(),
    };
    // A control's page is kept for its group; a probe not opened is compared with it.
    let page = (probe.role == ProbeRole::Control && !observation.body.is_empty())
        .then(|| Arc::new(Features::of(&observation.body)));
    if let Some(control_page) = control.and_then(|c| c.page.as_deref())
        && verdict.kind != VerdictKind::Opened
        && !observation.body.is_empty()
    {
        let features = Features::of(&observation.body);
        observation.control_similarity = Some(compare(&features, control_page));
    }
    let record = Record {
        run_id: shared.run_id.clone(),
        observed_at,
        audit: probe.audit.clone(),
        context: context.id.clone(),
        host_platform: context.host.clone(),
        scene: context.scene,
        client: context.client,
        link_id: link.id.clone(),
        link_platform: link.platform.clone(),
        link_category: link.category,
        url: link.url.clone(),
        role: probe.role,
        observation,
        verdict,
        control_verdict: control.map(|c| c.verdict.kind),
    };
    shared
        .history
        .send(PreparedRecord::new(record, &artifacts)?)
        .await?;
    Ok(Some(Measured {
        verdict: raw,
        network,
        page,
    }))
}

fn poisoned<T>(_: std::sync::PoisonError<T>) -> RunError {
    RunError::Writer("a thread panicked while holding the history database".into())
}

/// Runs store work on a blocking thread: SQLite calls never stall the async workers.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, RunError> + Send + 'static,
) -> Result<T, RunError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| RunError::Writer(e.to_string()))?
}
