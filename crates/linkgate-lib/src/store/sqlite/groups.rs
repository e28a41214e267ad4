//! Run groups in the SQLite history (see [`crate::store::groups`]): each shard's state in
//! `run_shards`, changed in IMMEDIATE transactions so shards ending at once are serialized.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::Sqlite;
use super::runs::insert_run;
use crate::model::{Run, RunStatus};
use crate::plan::Shard;
use crate::store::codec::time;
use crate::store::error::sqlite;
use crate::store::groups::{check_joinable, group_state};
use crate::store::{GroupState, StoreError};

impl Sqlite {
    pub(super) fn join_group(&mut self, run: &Run, shard: Shard) -> Result<bool, StoreError> {
        let action = "joining the run group";
        let fail = |e| sqlite(&self.path, action, e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(fail)?;
        let exists: bool = tx
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM runs WHERE id = ?1)",
                [&run.id],
                |r| r.get(0),
            )
            .map_err(fail)?;
        if exists {
            let (vantage, count): (String, Option<i64>) = tx
                .query_row(
                    "SELECT vantage, (SELECT max(shards) FROM run_shards WHERE run_id = ?1)
                     FROM runs WHERE id = ?1",
                    [&run.id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .map_err(fail)?;
            check_joinable(self.path.clone(), run, shard, vantage, count)?;
            tx.execute(
                "UPDATE runs SET status = ?2, ended_at = NULL WHERE id = ?1",
                params![run.id, RunStatus::Running.as_str()],
            )
            .map_err(fail)?;
        } else {
            insert_run(&tx, run).map_err(fail)?;
        }
        tx.execute(
            "INSERT INTO run_shards (run_id, shard, shards, status, started_at, ended_at)
             VALUES (?1, ?2, ?3, ?4, ?5, NULL)
             ON CONFLICT (run_id, shard) DO UPDATE SET shards = excluded.shards,
                 status = excluded.status, started_at = excluded.started_at, ended_at = NULL",
            params![
                run.id,
                shard.index,
                shard.count,
                RunStatus::Running.as_str(),
                time(&run.started_at)
            ],
        )
        .map_err(fail)?;
        tx.commit().map_err(fail)?;
        Ok(exists)
    }

    pub(super) fn finish_shard(
        &mut self,
        run_id: &str,
        shard: Shard,
        status: RunStatus,
        ended_at: DateTime<Utc>,
    ) -> Result<GroupState, StoreError> {
        let action = "ending a shard of the run group";
        let path = self.path.clone();
        let fail = |e| sqlite(&path, action, e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(fail)?;
        let before: Option<String> = tx
            .query_row("SELECT status FROM runs WHERE id = ?1", [run_id], |r| {
                r.get(0)
            })
            .optional()
            .map_err(fail)?;
        let Some(before) = before else {
            return Err(StoreError::UnknownRun {
                path,
                run_id: run_id.to_string(),
            });
        };
        tx.execute(
            "UPDATE run_shards SET status = ?3, ended_at = ?4 WHERE run_id = ?1 AND shard = ?2",
            params![run_id, shard.index, status.as_str(), time(&ended_at)],
        )
        .map_err(fail)?;
        let shards = read_shards(&tx, run_id).map_err(fail)?;
        let before = RunStatus::parse(&before).unwrap_or(RunStatus::Running);
        let state = group_state(shard.count, &shards, before);
        let ended = (state.status != RunStatus::Running).then(|| time(&ended_at));
        tx.execute(
            "UPDATE runs SET status = ?2, ended_at = ?3 WHERE id = ?1",
            params![run_id, state.status.as_str(), ended],
        )
        .map_err(fail)?;
        tx.commit().map_err(fail)?;
        Ok(state)
    }

    pub(super) fn shards(&self, run_id: &str) -> Result<Vec<(Shard, RunStatus)>, StoreError> {
        let fail = |e| sqlite(&self.path, "reading the run group's shards", e);
        let mut statement = self
            .conn
            .prepare(
                "SELECT shard, shards, status FROM run_shards WHERE run_id = ?1 ORDER BY shard",
            )
            .map_err(fail)?;
        let rows = statement
            .query_map([run_id], |row| {
                let status: String = row.get(2)?;
                Ok((
                    Shard {
                        index: row.get(0)?,
                        count: row.get(1)?,
                    },
                    RunStatus::parse(&status).unwrap_or(RunStatus::Running),
                ))
            })
            .and_then(|rows| rows.collect())
            .map_err(fail)?;
        Ok(rows)
    }
}

fn read_shards(
    tx: &rusqlite::Transaction<'_>,
    run_id: &str,
) -> rusqlite::Result<Vec<(u32, RunStatus)>> {
    let mut statement = tx.prepare("SELECT shard, status FROM run_shards WHERE run_id = ?1")?;
    statement
        .query_map([run_id], |row| {
            let status: String = row.get(1)?;
            Ok((
                row.get(0)?,
                RunStatus::parse(&status).unwrap_or(RunStatus::Running),
            ))
        })?
        .collect()
}
