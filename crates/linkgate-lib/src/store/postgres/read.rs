//! Reading records back from the PostgreSQL history: the same values `sqlite/read.rs` gives,
//! decoded by the same code ([`crate::store::decode`]). A run is read a record at a time; its
//! hops and attempts are read in one query each, held by observation.

use std::collections::{HashMap, HashSet};

use super::{PgRow, Postgres, block_on};
use crate::model::{FailureKind, ProbeRole, StoredVerdict, VerdictKind};
use crate::store::codec::{gunzip_text, name, unsigned};
use crate::store::decode::RECORD_COLUMNS;
use crate::store::{BodyRead, MechanismCount, StoreError, StoredRecord, VerdictCount, decode};

/// The columns of a record, the body last: `$2` says whether to read it.
fn record_columns() -> String {
    format!("{RECORD_COLUMNS}, CASE WHEN $2 OR o.title IS NULL THEN o.body_gz END AS body_gz")
}

impl Postgres {
    fn rows(
        &self,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
        action: &'static str,
    ) -> Result<Vec<tokio_postgres::Row>, StoreError> {
        block_on(self.client.query(sql, params))
            .map_err(|e| crate::store::error::postgres(&self.shown, action, e))
    }

    fn cells<'a>(&'a self, row: &'a tokio_postgres::Row) -> PgRow<'a> {
        PgRow {
            row,
            shown: &self.shown,
        }
    }

    pub(super) fn body(&self, run_id: &str, key: &str) -> Result<String, StoreError> {
        let rows = self.rows(
            "SELECT body_gz FROM observations WHERE run_id = $1 AND key = $2",
            &[&run_id, &key],
            "reading a page",
        )?;
        match rows.first() {
            Some(row) => gunzip_text(&self.cells(row), "body_gz", "an observation's body"),
            None => Ok(String::new()),
        }
    }

    pub(super) fn for_each_record(
        &self,
        run_id: &str,
        body: BodyRead,
        each: &mut dyn FnMut(StoredRecord) -> bool,
    ) -> Result<(), StoreError> {
        let action = "reading records";
        let ids: Vec<i64> = self
            .rows(
                "SELECT id FROM observations WHERE run_id = $1 ORDER BY id",
                &[&run_id],
                action,
            )?
            .iter()
            .map(|row| row.get(0))
            .collect();
        let mut hops = self.by_observation(
            "SELECT h.observation_id, h.url, h.status, h.location, h.via, h.elapsed_ms
             FROM hops h JOIN observations o ON o.id = h.observation_id
             WHERE o.run_id = $1 ORDER BY h.observation_id, h.n",
            run_id,
            |row| decode::hop(row),
        )?;
        let mut attempts = self.by_observation(
            "SELECT a.observation_id, a.number, a.started_at, a.duration_ms, a.status,
                    a.failure_kind, a.failure_message, a.wait_ms
             FROM attempts a JOIN observations o ON o.id = a.observation_id
             WHERE o.run_id = $1 ORDER BY a.observation_id, a.n",
            run_id,
            |row| decode::attempt(row),
        )?;
        let sql = format!(
            "SELECT {} FROM observations o
             JOIN verdicts v ON v.observation_id = o.id WHERE o.id = $1",
            record_columns()
        );
        let statement = block_on(self.client.prepare(&sql))
            .map_err(|e| crate::store::error::postgres(&self.shown, action, e))?;
        let full = body == BodyRead::Full;
        for id in ids {
            let row = block_on(self.client.query_opt(&statement, &[&id, &full]))
                .map_err(|e| crate::store::error::postgres(&self.shown, action, e))?;
            // A record replaced since the ids were read is read where it now stands.
            let Some(row) = row else { continue };
            let mut stored = decode::stored(&self.cells(&row), body)?;
            stored.record.observation.hops = hops.remove(&id).unwrap_or_default();
            stored.record.observation.attempts = attempts.remove(&id).unwrap_or_default();
            if !each(stored) {
                break;
            }
        }
        Ok(())
    }

    /// The rows of a run-wide query (hops, attempts), decoded and held by observation, in
    /// order.
    fn by_observation<T>(
        &self,
        sql: &str,
        run_id: &str,
        decode: impl Fn(&PgRow<'_>) -> Result<(i64, T), StoreError>,
    ) -> Result<HashMap<i64, Vec<T>>, StoreError> {
        let mut by_id: HashMap<i64, Vec<T>> = HashMap::new();
        for row in self.rows(sql, &[&run_id], "reading records")? {
            let (id, item) = decode(&self.cells(&row))?;
            by_id.entry(id).or_default().push(item);
        }
        Ok(by_id)
    }

    pub(super) fn verdict_counts(&self, run_id: &str) -> Result<Vec<VerdictCount>, StoreError> {
        let rows = self.rows(
            "SELECT o.role = $2 AS control, o.host_platform, v.kind, count(*) AS n
             FROM observations o JOIN verdicts v ON v.observation_id = o.id
             WHERE o.run_id = $1 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
            &[&run_id, &ProbeRole::Control.as_str()],
            "counting verdicts",
        )?;
        rows.iter()
            .map(|row| {
                let cells = self.cells(row);
                let control: bool = row.get("control");
                Ok(VerdictCount {
                    control,
                    host: if control {
                        None
                    } else {
                        row.get("host_platform")
                    },
                    verdict: name(&cells, "kind", "a verdict", VerdictKind::parse)?,
                    count: unsigned(&cells, "n", "a count")?,
                })
            })
            .collect()
    }

    pub(super) fn mechanism_counts(&self, run_id: &str) -> Result<Vec<MechanismCount>, StoreError> {
        let rows = self.rows(
            "SELECT o.role, v.kind, v.mechanism, count(*) AS n
             FROM observations o JOIN verdicts v ON v.observation_id = o.id
             WHERE o.run_id = $1 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
            &[&run_id],
            "counting mechanisms",
        )?;
        rows.iter()
            .map(|row| {
                let cells = self.cells(row);
                Ok(MechanismCount {
                    role: name(&cells, "role", "a probe role", ProbeRole::parse)?,
                    verdict: name(&cells, "kind", "a verdict", VerdictKind::parse)?,
                    mechanism: row.get("mechanism"),
                    count: unsigned(&cells, "n", "a count")?,
                })
            })
            .collect()
    }

    pub(super) fn control_verdicts(
        &self,
        run_id: &str,
    ) -> Result<HashMap<(String, String), StoredVerdict>, StoreError> {
        let rows = self.rows(
            "SELECT o.audit, o.link_id, v.kind, v.mechanism, v.actor, v.signature, v.reason
             FROM observations o JOIN verdicts v ON v.observation_id = o.id
             WHERE o.run_id = $1 AND o.role = $2
               AND (o.failure_kind IS NULL OR o.failure_kind != $3)",
            &[
                &run_id,
                &ProbeRole::Control.as_str(),
                &FailureKind::Interrupted.as_str(),
            ],
            "reading the controls",
        )?;
        rows.iter()
            .map(|row| {
                let key = (row.get("audit"), row.get("link_id"));
                Ok((key, decode::verdict(&self.cells(row))?))
            })
            .collect()
    }

    pub(super) fn measured_keys(&self, run_id: &str) -> Result<HashSet<String>, StoreError> {
        let rows = self.rows(
            "SELECT key FROM observations
             WHERE run_id = $1 AND (failure_kind IS NULL OR failure_kind != $2)",
            &[&run_id, &FailureKind::Interrupted.as_str()],
            "reading the measured keys",
        )?;
        Ok(rows.iter().map(|row| row.get(0)).collect())
    }
}
