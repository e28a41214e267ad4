//! Reading records back: the exact `Record` values that were stored, decoded body included,
//! so reports read the history and `reclassify` can recompute every verdict from it. Runs are
//! read one record at a time ([`Store::for_each_record`]) and counted in SQL
//! ([`Store::verdict_counts`]), so the end of a run of any size needs little memory.

use rusqlite::{OptionalExtension, Row, params};
use std::collections::{HashMap, HashSet};

use super::codec::{
    from_json, gunzip_text, name, opt_name, opt_time, opt_unsigned, req_time, serde_name, unsigned,
};
use super::error::sqlite;
use super::{Store, StoreError};
use crate::classify::page_title;
use crate::model::{
    Actor, Attempt, Category, Client, EngineKind, Failure, FailureKind, Hop, Observation,
    ProbeRole, Record, Scene, StoredVerdict, VerdictKind,
};

/// How much of each page a read decompresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyRead {
    /// The whole decoded page, as stored.
    Full,
    /// None: `observation.body` is left empty. For listings and the CSV, which need only the
    /// title ([`StoredRecord::title`]) and would otherwise decompress every page.
    Skip,
}

/// A record read back, with its page's title.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRecord {
    pub record: Record,
    /// The final page's `<title>`, whitespace collapsed; `None` when it has none.
    pub title: Option<String>,
}

/// How many records of a run have one verdict, per host (for summaries without reading
/// every record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerdictCount {
    /// Records of the neutral control context.
    pub control: bool,
    /// The host platform (`None` for controls).
    pub host: Option<String>,
    pub verdict: VerdictKind,
    pub count: usize,
}

/// How many records of a run have one role, verdict and mechanism (why pairs could not be
/// judged, without reading every record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MechanismCount {
    pub role: ProbeRole,
    pub verdict: VerdictKind,
    pub mechanism: String,
    pub count: usize,
}

/// The observation columns a read selects, the body last: `?2` says whether to read it.
const RECORD_COLUMNS: &str = "o.id, o.run_id, o.audit, o.context, o.host_platform, o.scene,
    o.client, o.link_id, o.link_platform, o.link_category, o.url, o.role, o.observed_at,
    o.engine, o.entry_url, o.final_url, o.status, o.charset, o.truncated, o.body_sha256,
    o.screenshot_sha256, o.rendered_text, o.dialogs, o.evidence, o.headers, o.failure_kind,
    o.failure_message, o.duration_ms, o.started_at, o.title, o.continue_url,
    o.continue_control, o.script_undecided, o.control_similarity,
    v.kind, v.mechanism, v.actor, v.signature, v.reason, v.control_verdict,
    CASE WHEN ?2 OR o.title IS NULL THEN o.body_gz END AS body_gz";

impl Store {
    /// The records of a run, in the order they were stored (a replaced record counts as
    /// stored when it was replaced). Holds every page in memory: for a whole run, prefer
    /// [`Store::for_each_record`].
    pub fn records(&self, run_id: &str) -> Result<Vec<Record>, StoreError> {
        self.collect_records(run_id, BodyRead::Full)
    }

    /// The records of a run as [`Store::records`] gives them, but with `observation.body`
    /// empty: for readers that need verdicts, keys and evidence hashes and not the page (a
    /// report's past runs, sealing, verifying, pruning), which would otherwise decompress
    /// every page of the history.
    pub fn records_without_bodies(&self, run_id: &str) -> Result<Vec<Record>, StoreError> {
        self.collect_records(run_id, BodyRead::Skip)
    }

    fn collect_records(&self, run_id: &str, body: BodyRead) -> Result<Vec<Record>, StoreError> {
        let mut records = Vec::new();
        self.for_each_record(run_id, body, |stored| {
            records.push(stored.record);
            Ok::<(), StoreError>(())
        })?;
        Ok(records)
    }

    /// The page of the record stored under `key` in `run_id` (empty when there is none), for
    /// a reader that went through a run without bodies and wants a few of them.
    pub fn body(&self, run_id: &str, key: &str) -> Result<String, StoreError> {
        let fail = |e| sqlite(&self.path, "reading a page", e);
        self.conn
            .prepare_cached("SELECT body_gz FROM observations WHERE run_id = ?1 AND key = ?2")
            .and_then(|mut s| {
                s.query_row(params![run_id, key], |row| {
                    gunzip_text(row, "body_gz", "an observation's body")
                })
                .optional()
            })
            .map(Option::unwrap_or_default)
            .map_err(fail)
    }

    /// Calls `each` with every record of a run, in the order they were stored, reading one
    /// record at a time: memory stays the same however large the run. Stops at the first
    /// error, the store's or `each`'s.
    pub fn for_each_record<E: From<StoreError>>(
        &self,
        run_id: &str,
        body: BodyRead,
        mut each: impl FnMut(StoredRecord) -> Result<(), E>,
    ) -> Result<(), E> {
        let action = "reading records";
        let fail = |e| sqlite(&self.path, action, e);
        let ids: Vec<i64> = self
            .conn
            .prepare("SELECT id FROM observations WHERE run_id = ?1 ORDER BY id")
            .and_then(|mut s| s.query_map([run_id], |row| row.get(0))?.collect())
            .map_err(fail)?;
        let sql = format!(
            "SELECT {RECORD_COLUMNS} FROM observations o
             JOIN verdicts v ON v.observation_id = o.id WHERE o.id = ?1"
        );
        let mut statement = self.conn.prepare(&sql).map_err(fail)?;
        let full = body == BodyRead::Full;
        let run_wide = |columns: &str, table: &str, alias: &str| {
            format!(
                "SELECT {columns} FROM {table} {alias} JOIN observations o ON o.id = {alias}.observation_id
                 WHERE o.run_id = ?1 ORDER BY {alias}.observation_id, {alias}.n"
            )
        };
        let mut hop_rows = self
            .conn
            .prepare(&run_wide(HOP_COLUMNS, "hops", "h"))
            .map_err(fail)?;
        let mut hops =
            ByObservation::new(hop_rows.query_map([run_id], hop_from_row).map_err(fail)?);
        let mut attempt_rows = self
            .conn
            .prepare(&run_wide(ATTEMPT_COLUMNS, "attempts", "a"))
            .map_err(fail)?;
        let mut attempts = ByObservation::new(
            attempt_rows
                .query_map([run_id], attempt_from_row)
                .map_err(fail)?,
        );
        for id in ids {
            let row = statement
                .query_row(params![id, full], |row| stored_from_row(row, body))
                .optional()
                .map_err(fail)?;
            // A record replaced since the ids were read is read where it now stands.
            let Some(mut stored) = row else { continue };
            stored.record.observation.hops = hops.of(id).map_err(fail)?;
            stored.record.observation.attempts = attempts.of(id).map_err(fail)?;
            each(stored)?;
        }
        Ok(())
    }

    /// How many records of a run have each verdict, per host.
    pub fn verdict_counts(&self, run_id: &str) -> Result<Vec<VerdictCount>, StoreError> {
        let fail = |e| sqlite(&self.path, "counting verdicts", e);
        let mut statement = self
            .conn
            .prepare(
                "SELECT o.role = ?2 AS control, o.host_platform, v.kind, count(*) AS n
                 FROM observations o JOIN verdicts v ON v.observation_id = o.id
                 WHERE o.run_id = ?1 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
            )
            .map_err(fail)?;
        statement
            .query_map(params![run_id, ProbeRole::Control.as_str()], |row| {
                let control: bool = row.get("control")?;
                Ok(VerdictCount {
                    control,
                    host: if control {
                        None
                    } else {
                        row.get("host_platform")?
                    },
                    verdict: name(row, "kind", "a verdict", VerdictKind::parse)?,
                    count: unsigned(row, "n", "a count")?,
                })
            })
            .and_then(|rows| rows.collect())
            .map_err(fail)
    }

    /// The records of a run counted by role, verdict and mechanism.
    pub fn mechanism_counts(&self, run_id: &str) -> Result<Vec<MechanismCount>, StoreError> {
        let fail = |e| sqlite(&self.path, "counting mechanisms", e);
        let mut statement = self
            .conn
            .prepare(
                "SELECT o.role, v.kind, v.mechanism, count(*) AS n
                 FROM observations o JOIN verdicts v ON v.observation_id = o.id
                 WHERE o.run_id = ?1 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
            )
            .map_err(fail)?;
        statement
            .query_map(params![run_id], |row| {
                Ok(MechanismCount {
                    role: name(row, "role", "a probe role", ProbeRole::parse)?,
                    verdict: name(row, "kind", "a verdict", VerdictKind::parse)?,
                    mechanism: row.get("mechanism")?,
                    count: unsigned(row, "n", "a count")?,
                })
            })
            .and_then(|rows| rows.collect())
            .map_err(fail)
    }

    /// The verdicts of a run's measured controls (interrupted ones are measured again), by
    /// (audit, link id): what a resumed run pairs its remaining probes with.
    pub fn control_verdicts(
        &self,
        run_id: &str,
    ) -> Result<HashMap<(String, String), StoredVerdict>, StoreError> {
        let fail = |e| sqlite(&self.path, "reading the controls", e);
        let mut statement = self
            .conn
            .prepare(
                "SELECT o.audit, o.link_id, v.kind, v.mechanism, v.actor, v.signature, v.reason
                 FROM observations o JOIN verdicts v ON v.observation_id = o.id
                 WHERE o.run_id = ?1 AND o.role = ?2
                   AND (o.failure_kind IS NULL OR o.failure_kind != ?3)",
            )
            .map_err(fail)?;
        let params = params![
            run_id,
            ProbeRole::Control.as_str(),
            FailureKind::Interrupted.as_str()
        ];
        statement
            .query_map(params, |row| {
                Ok(((row.get("audit")?, row.get("link_id")?), verdict(row)?))
            })
            .and_then(|rows| rows.collect())
            .map_err(fail)
    }

    /// Keys ([`Record::key`]) already measured in this run, leaving out records whose
    /// observation failed with [`FailureKind::Interrupted`]: those are measured again on resume.
    pub fn measured_keys(&self, run_id: &str) -> Result<HashSet<String>, StoreError> {
        let fail = |e| sqlite(&self.path, "reading the measured keys", e);
        let mut statement = self
            .conn
            .prepare(
                "SELECT key FROM observations
                 WHERE run_id = ?1 AND (failure_kind IS NULL OR failure_kind != ?2)",
            )
            .map_err(fail)?;
        statement
            .query_map(params![run_id, FailureKind::Interrupted.as_str()], |row| {
                row.get(0)
            })
            .and_then(|rows| rows.collect())
            .map_err(fail)
    }
}

/// The `failure_kind` and `failure_message` columns of a row.
const HOP_COLUMNS: &str = "h.observation_id, h.url, h.status, h.location, h.via, h.elapsed_ms";

const ATTEMPT_COLUMNS: &str = "a.observation_id, a.number, a.started_at, a.duration_ms, a.status,
     a.failure_kind, a.failure_message, a.wait_ms";

fn hop_from_row(row: &Row<'_>) -> rusqlite::Result<(i64, Hop)> {
    let hop = Hop {
        url: row.get("url")?,
        status: opt_unsigned(row, "status", "a hop's status")?,
        location: row.get("location")?,
        via: name(row, "via", "how a hop was made", serde_name)?,
        elapsed_ms: unsigned(row, "elapsed_ms", "a hop's time")?,
    };
    Ok((row.get("observation_id")?, hop))
}

fn attempt_from_row(row: &Row<'_>) -> rusqlite::Result<(i64, Attempt)> {
    let attempt = Attempt {
        number: unsigned(row, "number", "an attempt's number")?,
        started_at: req_time(row, "started_at", "an attempt's start time")?,
        duration_ms: unsigned(row, "duration_ms", "an attempt's duration")?,
        status: opt_unsigned(row, "status", "an attempt's status")?,
        failure: failure(row, "an attempt's failure")?,
        wait_ms: opt_unsigned(row, "wait_ms", "an attempt's wait")?,
    };
    Ok((row.get("observation_id")?, attempt))
}

/// The rows of a run-wide query in observation order, handed out an observation at a time,
/// so reading a run's records costs three queries, not two more per record.
struct ByObservation<T, I: Iterator<Item = rusqlite::Result<(i64, T)>>> {
    rows: std::iter::Peekable<I>,
}

impl<T, I: Iterator<Item = rusqlite::Result<(i64, T)>>> ByObservation<T, I> {
    fn new(rows: I) -> Self {
        ByObservation {
            rows: rows.peekable(),
        }
    }

    /// The rows of observation `id`; observations before it are passed over.
    fn of(&mut self, id: i64) -> rusqlite::Result<Vec<T>> {
        let mut found = Vec::new();
        loop {
            match self.rows.peek() {
                Some(Ok((at, _))) if *at <= id => {
                    if let Some(Ok((at, item))) = self.rows.next()
                        && at == id
                    {
                        found.push(item);
                    }
                }
                Some(Err(_)) => {
                    if let Some(Err(e)) = self.rows.next() {
                        return Err(e);
                    }
                }
                _ => return Ok(found),
            }
        }
    }
}

fn failure(row: &Row<'_>, what: &'static str) -> rusqlite::Result<Option<Failure>> {
    let kind = opt_name(row, "failure_kind", what, FailureKind::parse)?;
    let message: Option<String> = row.get("failure_message")?;
    Ok(kind.map(|kind| Failure {
        kind,
        message: message.unwrap_or_default(),
    }))
}

/// A record without its hops and attempts (read separately), with its title. A row written
/// before schema version 2 has no stored title: its body was read to find it.
fn stored_from_row(row: &Row<'_>, body: BodyRead) -> rusqlite::Result<StoredRecord> {
    let mut record = record_from_row(row)?;
    let title = match row.get::<_, Option<String>>("title")? {
        Some(title) => Some(title).filter(|t| !t.is_empty()),
        None => page_title(&record.observation.body),
    };
    if body == BodyRead::Skip {
        record.observation.body = String::new();
    }
    Ok(StoredRecord { record, title })
}

/// The verdict columns of a row.
fn verdict(row: &Row<'_>) -> rusqlite::Result<StoredVerdict> {
    Ok(StoredVerdict {
        kind: name(row, "kind", "a verdict", VerdictKind::parse)?,
        mechanism: row.get("mechanism")?,
        actor: name(row, "actor", "an actor", Actor::parse)?,
        signature: row.get("signature")?,
        reason: row.get("reason")?,
    })
}

/// A record without its hops and attempts; its body is empty when it was not selected.
fn record_from_row(row: &Row<'_>) -> rusqlite::Result<Record> {
    let observation = Observation {
        engine: name(row, "engine", "an observation's engine", EngineKind::parse)?,
        entry_url: row.get("entry_url")?,
        hops: Vec::new(),
        final_url: row.get("final_url")?,
        status: opt_unsigned(row, "status", "an observation's status")?,
        headers: from_json(row, "headers", "an observation's headers")?,
        body: gunzip_text(row, "body_gz", "an observation's body")?,
        charset: row.get("charset")?,
        truncated: row.get("truncated")?,
        body_sha256: row.get("body_sha256")?,
        screenshot_sha256: row.get("screenshot_sha256")?,
        rendered_text: row.get("rendered_text")?,
        dialogs: from_json(row, "dialogs", "an observation's dialogs")?,
        evidence: from_json(row, "evidence", "an observation's evidence list")?,
        continue_url: row.get("continue_url")?,
        continue_control: row.get("continue_control")?,
        script_undecided: row.get("script_undecided")?,
        control_similarity: row
            .get::<_, Option<String>>("control_similarity")?
            .and_then(|text| serde_json::from_str(&text).ok()),
        attempts: Vec::new(),
        failure: failure(row, "an observation's failure")?,
        started_at: opt_time(row, "started_at", "an observation's start time")?,
        duration_ms: unsigned(row, "duration_ms", "an observation's duration")?,
    };
    Ok(Record {
        run_id: row.get("run_id")?,
        observed_at: req_time(row, "observed_at", "an observation's time")?,
        audit: row.get("audit")?,
        context: row.get("context")?,
        host_platform: row.get("host_platform")?,
        scene: opt_name(row, "scene", "a scene", Scene::parse)?,
        client: name(row, "client", "a client", Client::parse)?,
        link_id: row.get("link_id")?,
        link_platform: row.get("link_platform")?,
        link_category: name(row, "link_category", "a link category", Category::parse)?,
        url: row.get("url")?,
        role: name(row, "role", "a probe role", ProbeRole::parse)?,
        observation,
        verdict: verdict(row)?,
        control_verdict: opt_name(
            row,
            "control_verdict",
            "a control verdict",
            VerdictKind::parse,
        )?,
    })
}
