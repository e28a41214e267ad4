//! Reading records back: the exact `Record` values that were stored, decoded body included,
//! so reports read the history and `reclassify` can recompute every verdict from it. Runs are
//! read one record at a time ([`Sqlite::for_each_record`]) and counted in SQL
//! ([`Sqlite::verdict_counts`]), so the end of a run of any size needs little memory.

use rusqlite::{OptionalExtension, params};
use std::collections::{HashMap, HashSet};

use super::Sqlite;
use crate::model::{FailureKind, ProbeRole, StoredVerdict, VerdictKind};
use crate::store::codec::{gunzip_text, name, unsigned};
use crate::store::decode::{self, RECORD_COLUMNS};
use crate::store::error::sqlite;
use crate::store::{BodyRead, MechanismCount, StoreError, StoredRecord, VerdictCount};

/// The columns of a record, the body last: `?2` says whether to read it.
fn record_columns() -> String {
    format!("{RECORD_COLUMNS}, CASE WHEN ?2 OR o.title IS NULL THEN o.body_gz END AS body_gz")
}

impl Sqlite {
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
    pub fn for_each_record(
        &self,
        run_id: &str,
        body: BodyRead,
        each: &mut dyn FnMut(StoredRecord) -> bool,
    ) -> Result<(), StoreError> {
        let action = "reading records";
        let fail = |e| sqlite(&self.path, action, e);
        let ids: Vec<i64> = self
            .conn
            .prepare("SELECT id FROM observations WHERE run_id = ?1 ORDER BY id")
            .and_then(|mut s| s.query_map([run_id], |row| row.get(0))?.collect())
            .map_err(fail)?;
        let sql = format!(
            "SELECT {} FROM observations o
             JOIN verdicts v ON v.observation_id = o.id WHERE o.id = ?1",
            record_columns()
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
        let mut hops = ByObservation::new(
            hop_rows
                .query_map([run_id], |row| decode::hop(row))
                .map_err(fail)?,
        );
        let mut attempt_rows = self
            .conn
            .prepare(&run_wide(ATTEMPT_COLUMNS, "attempts", "a"))
            .map_err(fail)?;
        let mut attempts = ByObservation::new(
            attempt_rows
                .query_map([run_id], |row| decode::attempt(row))
                .map_err(fail)?,
        );
        for id in ids {
            let row = statement
                .query_row(params![id, full], |row| decode::stored(row, body))
                .optional()
                .map_err(fail)?;
            // A record replaced since the ids were read is read where it now stands.
            let Some(mut stored) = row else { continue };
            stored.record.observation.hops = hops.of(id).map_err(fail)?;
            stored.record.observation.attempts = attempts.of(id).map_err(fail)?;
            if !each(stored) {
                break;
            }
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
                Ok((
                    (row.get("audit")?, row.get("link_id")?),
                    decode::verdict(row)?,
                ))
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

const HOP_COLUMNS: &str = "h.observation_id, h.url, h.status, h.location, h.via, h.elapsed_ms";

const ATTEMPT_COLUMNS: &str = "a.observation_id, a.number, a.started_at, a.duration_ms, a.status,
     a.failure_kind, a.failure_message, a.wait_ms";

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
