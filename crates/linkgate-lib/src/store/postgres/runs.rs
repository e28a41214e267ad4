//! Runs, run groups and evidence in the PostgreSQL history: the same operations as
//! `sqlite/runs.rs` and `sqlite/groups.rs`. A shard's ending locks its run's row (`FOR
//! UPDATE`) before it counts the shards, so of shards ending at once exactly one sees the
//! group complete.

use chrono::{DateTime, Utc};
use tokio_postgres::Transaction;

use super::{PgRow, Postgres, big, block_on};
use crate::model::{Run, RunStatus, ScenarioFile};
use crate::plan::Shard;
use crate::store::codec::{json, time};
use crate::store::error::postgres;
use crate::store::groups::{check_joinable, group_state};
use crate::store::{GroupState, StoreError, StoredEvidence, decode};

const RUN_COLUMNS: &str =
    "id, started_at, ended_at, status, tool_version, vantage, simulated, audits";

impl Postgres {
    fn fail(&self, action: &'static str) -> impl Fn(tokio_postgres::Error) -> StoreError + '_ {
        move |e| postgres(&self.shown, action, e)
    }

    fn unknown_run(&self, run_id: &str) -> StoreError {
        StoreError::UnknownRun {
            path: self.shown.clone().into(),
            run_id: run_id.to_string(),
        }
    }

    pub(super) fn begin_run(&mut self, run: &Run) -> Result<(), StoreError> {
        let shown = self.shown.clone();
        let fail = |e| postgres(&shown, "storing the run", e);
        let tx = block_on(self.client.transaction()).map_err(fail)?;
        insert_run(&tx, run, true).map_err(fail)?;
        block_on(tx.commit()).map_err(fail)
    }

    pub(super) fn join_group(&mut self, run: &Run, shard: Shard) -> Result<bool, StoreError> {
        let shown = self.shown.clone();
        let fail = |e| postgres(&shown, "joining the run group", e);
        let tx = block_on(self.client.transaction()).map_err(fail)?;
        // The first shard stores the run; the others find it (and wait for its commit).
        let inserted = insert_run(&tx, run, false).map_err(fail)?;
        let exists = !inserted;
        if exists {
            let row = block_on(tx.query_one(
                "SELECT vantage, (SELECT max(shards) FROM run_shards WHERE run_id = $1)
                 FROM runs WHERE id = $1",
                &[&run.id],
            ))
            .map_err(fail)?;
            check_joinable(shown.clone().into(), run, shard, row.get(0), row.get(1))?;
            block_on(tx.execute(
                "UPDATE runs SET status = $2, ended_at = NULL WHERE id = $1",
                &[&run.id, &RunStatus::Running.as_str()],
            ))
            .map_err(fail)?;
        }
        block_on(tx.execute(
            "INSERT INTO run_shards (run_id, shard, shards, status, started_at, ended_at)
             VALUES ($1, $2, $3, $4, $5, NULL)
             ON CONFLICT (run_id, shard) DO UPDATE SET shards = excluded.shards,
                 status = excluded.status, started_at = excluded.started_at, ended_at = NULL",
            &[
                &run.id,
                &i64::from(shard.index),
                &i64::from(shard.count),
                &RunStatus::Running.as_str(),
                &time(&run.started_at),
            ],
        ))
        .map_err(fail)?;
        block_on(tx.commit()).map_err(fail)?;
        Ok(exists)
    }

    pub(super) fn finish_shard(
        &mut self,
        run_id: &str,
        shard: Shard,
        status: RunStatus,
        ended_at: DateTime<Utc>,
    ) -> Result<GroupState, StoreError> {
        let shown = self.shown.clone();
        let fail = |e| postgres(&shown, "ending a shard of the run group", e);
        let tx = block_on(self.client.transaction()).map_err(fail)?;
        let before = block_on(tx.query_opt(
            "SELECT status FROM runs WHERE id = $1 FOR UPDATE",
            &[&run_id],
        ))
        .map_err(fail)?;
        let Some(before) = before else {
            return Err(StoreError::UnknownRun {
                path: shown.clone().into(),
                run_id: run_id.to_string(),
            });
        };
        let before = RunStatus::parse(before.get(0)).unwrap_or(RunStatus::Running);
        block_on(tx.execute(
            "UPDATE run_shards SET status = $3, ended_at = $4 WHERE run_id = $1 AND shard = $2",
            &[
                &run_id,
                &i64::from(shard.index),
                &status.as_str(),
                &time(&ended_at),
            ],
        ))
        .map_err(fail)?;
        let shards: Vec<(u32, RunStatus)> = block_on(tx.query(
            "SELECT shard, status FROM run_shards WHERE run_id = $1",
            &[&run_id],
        ))
        .map_err(fail)?
        .iter()
        .map(|row| {
            let index: i64 = row.get(0);
            let status: &str = row.get(1);
            (
                u32::try_from(index).unwrap_or(u32::MAX),
                RunStatus::parse(status).unwrap_or(RunStatus::Running),
            )
        })
        .collect();
        let state = group_state(shard.count, &shards, before);
        let ended = (state.status != RunStatus::Running).then(|| time(&ended_at));
        block_on(tx.execute(
            "UPDATE runs SET status = $2, ended_at = $3 WHERE id = $1",
            &[&run_id, &state.status.as_str(), &ended],
        ))
        .map_err(fail)?;
        block_on(tx.commit()).map_err(fail)?;
        Ok(state)
    }

    pub(super) fn shards(&self, run_id: &str) -> Result<Vec<(Shard, RunStatus)>, StoreError> {
        let rows = block_on(self.client.query(
            "SELECT shard, shards, status FROM run_shards WHERE run_id = $1 ORDER BY shard",
            &[&run_id],
        ))
        .map_err(self.fail("reading the run group's shards"))?;
        Ok(rows
            .iter()
            .map(|row| {
                let (index, count): (i64, i64) = (row.get(0), row.get(1));
                let status: &str = row.get(2);
                (
                    Shard {
                        index: u32::try_from(index).unwrap_or(u32::MAX),
                        count: u32::try_from(count).unwrap_or(u32::MAX),
                    },
                    RunStatus::parse(status).unwrap_or(RunStatus::Running),
                )
            })
            .collect())
    }

    fn update_run(
        &self,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
        action: &'static str,
    ) -> Result<u64, StoreError> {
        block_on(self.client.execute(sql, params)).map_err(self.fail(action))
    }

    pub(super) fn finish_run(
        &mut self,
        run_id: &str,
        status: RunStatus,
        ended_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let changed = self.update_run(
            "UPDATE runs SET status = $2, ended_at = $3 WHERE id = $1",
            &[&run_id, &status.as_str(), &time(&ended_at)],
            "finishing the run",
        )?;
        if changed == 0 {
            return Err(self.unknown_run(run_id));
        }
        Ok(())
    }

    pub(super) fn mark_sealed(&self, run_id: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        let changed = self.update_run(
            "UPDATE runs SET sealed_at = $2 WHERE id = $1 AND sealed_at IS NULL",
            &[&run_id, &time(&at)],
            "recording the run's seal",
        )?;
        if changed == 0 && self.run(run_id)?.is_none() {
            return Err(self.unknown_run(run_id));
        }
        Ok(())
    }

    pub(super) fn stop_run(
        &mut self,
        run_id: &str,
        reason: &str,
        ended_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let changed = self.update_run(
            "UPDATE runs SET status = $2, ended_at = $3, stop_reason = $4 WHERE id = $1",
            &[
                &run_id,
                &RunStatus::Failed.as_str(),
                &time(&ended_at),
                &reason,
            ],
            "stopping the run",
        )?;
        if changed == 0 {
            return Err(self.unknown_run(run_id));
        }
        Ok(())
    }

    pub(super) fn was_sealed(&self, run_id: &str) -> Result<bool, StoreError> {
        let row = block_on(self.client.query_opt(
            "SELECT sealed_at IS NOT NULL FROM runs WHERE id = $1",
            &[&run_id],
        ))
        .map_err(self.fail("reading whether the run was sealed"))?;
        Ok(row.is_some_and(|row| row.get(0)))
    }

    pub(super) fn stop_reason(&self, run_id: &str) -> Result<Option<String>, StoreError> {
        let row = block_on(
            self.client
                .query_opt("SELECT stop_reason FROM runs WHERE id = $1", &[&run_id]),
        )
        .map_err(self.fail("reading why a run stopped"))?;
        Ok(row.and_then(|row| row.get(0)))
    }

    pub(super) fn run(&self, run_id: &str) -> Result<Option<Run>, StoreError> {
        let sql = format!("SELECT {RUN_COLUMNS} FROM runs WHERE id = $1");
        let rows =
            block_on(self.client.query(&sql, &[&run_id])).map_err(self.fail("reading a run"))?;
        Ok(self.runs_from(rows)?.pop())
    }

    pub(super) fn runs(&self) -> Result<Vec<Run>, StoreError> {
        let sql = format!("SELECT {RUN_COLUMNS} FROM runs ORDER BY started_at, id");
        let rows = block_on(self.client.query(&sql, &[])).map_err(self.fail("listing runs"))?;
        self.runs_from(rows)
    }

    fn runs_from(&self, rows: Vec<tokio_postgres::Row>) -> Result<Vec<Run>, StoreError> {
        let mut runs = Vec::with_capacity(rows.len());
        for row in &rows {
            let mut run = decode::run(&PgRow {
                row,
                shown: &self.shown,
            })?;
            run.scenario_files = self.scenario_files(&run.id)?;
            runs.push(run);
        }
        Ok(runs)
    }

    fn scenario_files(&self, run_id: &str) -> Result<Vec<ScenarioFile>, StoreError> {
        let rows = block_on(self.client.query(
            "SELECT path, sha256 FROM run_files WHERE run_id = $1 ORDER BY n",
            &[&run_id],
        ))
        .map_err(self.fail("reading a run's scenario files"))?;
        Ok(rows
            .iter()
            .map(|row| ScenarioFile {
                path: row.get(0),
                sha256: row.get(1),
            })
            .collect())
    }

    pub(super) fn stored_evidence(
        &self,
        sha256: &str,
    ) -> Result<Option<StoredEvidence>, StoreError> {
        let row = block_on(self.client.query_opt(
            "SELECT name, contents FROM evidence WHERE sha256 = $1",
            &[&sha256],
        ))
        .map_err(self.fail("reading evidence"))?;
        Ok(row.map(|row| StoredEvidence {
            name: row.get(0),
            stored: row.get(1),
        }))
    }

    pub(super) fn has_evidence(&self, sha256: &str) -> bool {
        block_on(self.client.query_one(
            "SELECT EXISTS (SELECT 1 FROM evidence WHERE sha256 = $1)",
            &[&sha256],
        ))
        .is_ok_and(|row| row.get(0))
    }
}

/// Stores a run's facts and scenario files. With `replace`, a stored run's facts are replaced
/// (a resumed run); without, a stored run is left as it is. Answers whether a row was written.
fn insert_run(
    tx: &Transaction<'_>,
    run: &Run,
    replace: bool,
) -> Result<bool, tokio_postgres::Error> {
    let conflict = if replace {
        "ON CONFLICT (id) DO UPDATE SET
             started_at = excluded.started_at, ended_at = excluded.ended_at,
             status = excluded.status, tool_version = excluded.tool_version,
             vantage = excluded.vantage, simulated = excluded.simulated,
             audits = excluded.audits"
    } else {
        "ON CONFLICT (id) DO NOTHING"
    };
    let sql = format!(
        "INSERT INTO runs (id, started_at, ended_at, status, tool_version, vantage, simulated, audits)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) {conflict}"
    );
    let audits = json(&run.audits).unwrap_or_else(|_| "[]".to_string());
    let written = block_on(tx.execute(
        &sql,
        &[
            &run.id,
            &time(&run.started_at),
            &run.ended_at.as_ref().map(time),
            &run.status.as_str(),
            &run.tool_version,
            &run.vantage,
            &run.simulated,
            &audits,
        ],
    ))?;
    if written == 0 {
        return Ok(false);
    }
    block_on(tx.execute("DELETE FROM run_files WHERE run_id = $1", &[&run.id]))?;
    let insert = block_on(
        tx.prepare("INSERT INTO run_files (run_id, n, path, sha256) VALUES ($1, $2, $3, $4)"),
    )?;
    for (n, file) in run.scenario_files.iter().enumerate() {
        block_on(tx.execute(&insert, &[&run.id, &big(n), &file.path, &file.sha256]))?;
    }
    Ok(true)
}
