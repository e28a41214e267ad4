//! The history writer: one thread that owns a run's writes to the history database. Probes
//! hand it records already prepared (compressed, encoded: the costly part, done in parallel
//! where they were measured) and go on measuring; it commits whatever records are waiting in
//! one transaction. A quiet run is thus committed record by record, and a busy one in small
//! batches, each committed as soon as the previous one is: a record is never held back to fill
//! a batch, and a batch is capped so it commits within milliseconds.

use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::mpsc;

use crate::store::{PreparedRecord, Store};

use super::RunError;

/// Called with every record once it is stored.
pub(crate) type Stored = Arc<dyn Fn(&crate::model::Record) + Send + Sync>;
/// Most records committed in one transaction: with pages of tens of KB this is a few
/// milliseconds of writing, so no record waits long behind a batch.
const MAX_BATCH: usize = 64;

/// What the writer did: how many records and transactions, and how long it spent storing
/// (the history database's share of a run; `LINKGATE_STORE_STATS=1 linkgate run` prints it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct WriterStats {
    pub records: usize,
    pub batches: usize,
    /// Time spent in `Store::record_batch`: writing evidence files and rows, committing.
    pub busy: Duration,
}

/// The sending side, shared by the run's probes. Dropping every clone ends the writer.
#[derive(Debug, Clone)]
pub(super) struct WriterInbox {
    sender: mpsc::Sender<PreparedRecord>,
}

/// The writer thread, joined at the end of the run.
pub(super) struct WriterThread {
    thread: JoinHandle<Result<WriterStats, RunError>>,
}

/// Starts the writer. `capacity` records may wait; a probe that finds the queue full waits
/// for room, so a slow disk slows the run down instead of filling memory.
pub(super) fn start(
    store: Arc<Mutex<Store>>,
    observer: Stored,
    capacity: usize,
) -> Result<(WriterInbox, WriterThread), RunError> {
    let (sender, receiver) = mpsc::channel(capacity.max(1));
    let thread = std::thread::Builder::new()
        .name("linkgate-history".into())
        .spawn(move || write_all(&store, &observer, receiver))
        .map_err(|e| RunError::Writer(format!("cannot start the history writer thread: {e}")))?;
    Ok((WriterInbox { sender }, WriterThread { thread }))
}

impl WriterInbox {
    /// Queues a record for the history. Fails only when the writer has stopped (its error is
    /// what [`WriterThread::finish`] returns).
    pub(super) async fn send(&self, record: PreparedRecord) -> Result<(), RunError> {
        self.sender
            .send(record)
            .await
            .map_err(|_| RunError::Writer("the history writer stopped".into()))
    }
}

impl WriterThread {
    /// Waits for the writer to store everything queued (every inbox must be dropped first).
    pub(super) async fn finish(self) -> Result<WriterStats, RunError> {
        let thread = self.thread;
        tokio::task::spawn_blocking(move || thread.join())
            .await
            .map_err(|e| RunError::Writer(e.to_string()))?
            .map_err(|_| RunError::Writer("the history writer thread panicked".into()))?
    }
}

fn write_all(
    store: &Mutex<Store>,
    observer: &Stored,
    mut receiver: mpsc::Receiver<PreparedRecord>,
) -> Result<WriterStats, RunError> {
    let mut stats = WriterStats::default();
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = receiver.blocking_recv() {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match receiver.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let began = Instant::now();
        store
            .lock()
            .map_err(|_| RunError::Writer("a thread panicked while holding the history".into()))?
            .record_batch(&batch)?;
        stats.busy += began.elapsed();
        stats.records += batch.len();
        stats.batches += 1;
        for prepared in batch.drain(..) {
            observer(prepared.record());
        }
    }
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        Actor, Category, Client, Observation, ProbeRole, Record, Run, RunStatus, Verdict,
        VerdictKind,
    };
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn run(id: &str) -> Run {
        Run {
            id: id.into(),
            started_at: chrono::DateTime::UNIX_EPOCH,
            ended_at: None,
            status: RunStatus::Running,
            tool_version: "0".into(),
            vantage: "local".into(),
            audits: vec![],
            scenario_files: vec![],
            simulated: false,
        }
    }

    fn prepared(run_id: &str, link: usize) -> PreparedRecord {
        let record = Record {
            run_id: run_id.into(),
            observed_at: chrono::DateTime::UNIX_EPOCH,
            audit: "a".into(),
            context: "neutral.android".into(),
            host_platform: None,
            scene: None,
            client: Client::Android,
            link_id: format!("l{link}"),
            link_platform: "taobao".into(),
            link_category: Category::Ecommerce,
            url: "https://item.taobao.com/".into(),
            role: ProbeRole::Control,
            observation: Observation::default(),
            verdict: Verdict::inconclusive("unrecognized_page", Actor::None, "test"),
            control_verdict: None::<VerdictKind>,
        };
        PreparedRecord::new(record, &[]).unwrap()
    }

    fn store(dir: &tempfile::TempDir) -> Arc<Mutex<Store>> {
        let mut store = Store::open(dir.path().join("linkgate.db")).unwrap();
        store.begin_run(&run("r1")).unwrap();
        Arc::new(Mutex::new(store))
    }

    #[tokio::test]
    async fn every_queued_record_is_stored_and_observed_in_batches_of_at_most_max() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir);
        let seen = Arc::new(AtomicUsize::new(0));
        let counter = seen.clone();
        let observer: Stored = Arc::new(move |_: &Record| {
            counter.fetch_add(1, Ordering::Relaxed);
        });
        let (inbox, thread) = start(store.clone(), observer, 8).unwrap();
        for link in 0..200 {
            inbox.send(prepared("r1", link)).await.unwrap();
        }
        drop(inbox);
        let stats = thread.finish().await.unwrap();
        assert_eq!(stats.records, 200);
        assert!(stats.batches >= 200 / MAX_BATCH, "{stats:?}");
        assert_eq!(seen.load(Ordering::Relaxed), 200);
        assert_eq!(store.lock().unwrap().records("r1").unwrap().len(), 200);
    }

    #[tokio::test]
    async fn a_store_error_stops_the_writer_and_is_what_finish_returns() {
        let dir = tempfile::tempdir().unwrap();
        let observer: Stored = Arc::new(|_: &Record| {});
        let (inbox, thread) = start(store(&dir), observer, 1).unwrap();
        inbox.send(prepared("no-such-run", 1)).await.unwrap();
        // Once the writer has stopped, sending fails instead of waiting forever.
        let mut refused = false;
        for link in 2..100 {
            if inbox.send(prepared("r1", link)).await.is_err() {
                refused = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(
            refused,
            "the inbox must refuse records once the writer stopped"
        );
        drop(inbox);
        let err = thread.finish().await.unwrap_err();
        assert!(matches!(err, RunError::Store(_)), "{err}");
    }
}
