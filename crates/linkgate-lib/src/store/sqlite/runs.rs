//! Runs in the history: their facts (who measured, when, with which scenario files) are
//! written when a run begins and its status when it ends, so a run that dies half-way is
//! still on record as `running` and can be resumed.

use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};

use super::Sqlite;
use crate::model::{Run, RunStatus, ScenarioFile};
use crate::store::StoreError;
use crate::store::codec::{json, time};
use crate::store::decode;
use crate::store::error::sqlite;
use chrono::{DateTime, Utc};

const RUN_COLUMNS: &str =
    "id, started_at, ended_at, status, tool_version, vantage, simulated, audits";

impl Sqlite {
    /// Stores a run's facts before its first record. Beginning a run id that is already
    /// stored (a resumed run) replaces its facts and scenario files with these and keeps its
    /// records.
    pub fn begin_run(&mut self, run: &Run) -> Result<(), StoreError> {
        let action = "storing the run";
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| sqlite(&self.path, action, e))?;
        insert_run(&tx, run).map_err(|e| sqlite(&self.path, action, e))?;
        tx.commit().map_err(|e| sqlite(&self.path, action, e))
    }

    /// Marks a run as ended with `status`.
    pub fn finish_run(
        &mut self,
        run_id: &str,
        status: RunStatus,
        ended_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let changed = self
            .conn
            .execute(
                "UPDATE runs SET status = ?2, ended_at = ?3 WHERE id = ?1",
                params![run_id, status.as_str(), time(&ended_at)],
            )
            .map_err(|e| sqlite(&self.path, "finishing the run", e))?;
        if changed == 0 {
            return Err(self.unknown_run(run_id));
        }
        Ok(())
    }

    /// Records that the run's seal was written at `at`.
    pub fn mark_sealed(&self, run_id: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        let changed = self
            .conn
            .execute(
                "UPDATE runs SET sealed_at = ?2 WHERE id = ?1 AND sealed_at IS NULL",
                params![run_id, time(&at)],
            )
            .map_err(|e| sqlite(&self.path, "recording the run's seal", e))?;
        if changed == 0 && self.run(run_id)?.is_none() {
            return Err(self.unknown_run(run_id));
        }
        Ok(())
    }

    /// Marks a run as failed because it stopped itself early, and why (see
    /// [`Sqlite::stop_reason`]).
    pub fn stop_run(
        &mut self,
        run_id: &str,
        reason: &str,
        ended_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let changed = self
            .conn
            .execute(
                "UPDATE runs SET status = ?2, ended_at = ?3, stop_reason = ?4 WHERE id = ?1",
                params![run_id, RunStatus::Failed.as_str(), time(&ended_at), reason],
            )
            .map_err(|e| sqlite(&self.path, "stopping the run", e))?;
        if changed == 0 {
            return Err(self.unknown_run(run_id));
        }
        Ok(())
    }

    /// Whether the run's seal was ever written (see [`Sqlite::mark_sealed`]).
    pub fn was_sealed(&self, run_id: &str) -> Result<bool, StoreError> {
        self.conn
            .query_row(
                "SELECT sealed_at IS NOT NULL FROM runs WHERE id = ?1",
                [run_id],
                |row| row.get(0),
            )
            .optional()
            .map(|found| found.unwrap_or(false))
            .map_err(|e| sqlite(&self.path, "reading whether the run was sealed", e))
    }

    /// Why a run stopped itself before measuring what it planned; `None` for a run that did
    /// not (or is not stored).
    pub fn stop_reason(&self, run_id: &str) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row(
                "SELECT stop_reason FROM runs WHERE id = ?1",
                [run_id],
                |row| row.get::<_, Option<String>>(0),
            )
            .optional()
            .map(Option::flatten)
            .map_err(|e| sqlite(&self.path, "reading why a run stopped", e))
    }

    /// The run with this id, if stored.
    pub fn run(&self, run_id: &str) -> Result<Option<Run>, StoreError> {
        let action = "reading a run";
        let sql = format!("SELECT {RUN_COLUMNS} FROM runs WHERE id = ?1");
        let run = self
            .conn
            .query_row(&sql, [run_id], |row| decode::run(row))
            .optional()
            .map_err(|e| sqlite(&self.path, action, e))?;
        match run {
            None => Ok(None),
            Some(mut run) => {
                run.scenario_files = self.scenario_files(&run.id)?;
                Ok(Some(run))
            }
        }
    }

    /// Every stored run, oldest first.
    pub fn runs(&self) -> Result<Vec<Run>, StoreError> {
        let action = "listing runs";
        let sql = format!("SELECT {RUN_COLUMNS} FROM runs ORDER BY started_at, id");
        let mut statement = self
            .conn
            .prepare(&sql)
            .map_err(|e| sqlite(&self.path, action, e))?;
        let mut runs = statement
            .query_map([], |row| decode::run(row))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<Run>>>())
            .map_err(|e| sqlite(&self.path, action, e))?;
        for run in &mut runs {
            run.scenario_files = self.scenario_files(&run.id)?;
        }
        Ok(runs)
    }

    fn scenario_files(&self, run_id: &str) -> Result<Vec<ScenarioFile>, StoreError> {
        let action = "reading a run's scenario files";
        let mut statement = self
            .conn
            .prepare_cached("SELECT path, sha256 FROM run_files WHERE run_id = ?1 ORDER BY n")
            .map_err(|e| sqlite(&self.path, action, e))?;
        statement
            .query_map([run_id], |row| {
                Ok(ScenarioFile {
                    path: row.get("path")?,
                    sha256: row.get("sha256")?,
                })
            })
            .and_then(|rows| rows.collect())
            .map_err(|e| sqlite(&self.path, action, e))
    }

    pub(super) fn unknown_run(&self, run_id: &str) -> StoreError {
        StoreError::UnknownRun {
            path: self.path.clone(),
            run_id: run_id.to_string(),
        }
    }
}

pub(super) fn insert_run(tx: &Transaction<'_>, run: &Run) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO runs (id, started_at, ended_at, status, tool_version, vantage, simulated, audits)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (id) DO UPDATE SET
             started_at = excluded.started_at, ended_at = excluded.ended_at,
             status = excluded.status, tool_version = excluded.tool_version,
             vantage = excluded.vantage, simulated = excluded.simulated,
             audits = excluded.audits",
        params![
            run.id,
            time(&run.started_at),
            run.ended_at.as_ref().map(time),
            run.status.as_str(),
            run.tool_version,
            run.vantage,
            run.simulated,
            json(&run.audits)?,
        ],
    )?;
    tx.execute("DELETE FROM run_files WHERE run_id = ?1", [&run.id])?;
    let mut insert =
        tx.prepare("INSERT INTO run_files (run_id, n, path, sha256) VALUES (?1, ?2, ?3, ?4)")?;
    for (n, file) in run.scenario_files.iter().enumerate() {
        insert.execute(params![run.id, n as i64, file.path, file.sha256])?;
    }
    Ok(())
}
