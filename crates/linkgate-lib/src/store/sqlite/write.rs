//! Writing records: observations with their hops, attempts and verdicts in one transaction,
//! after their evidence files are written. Evidence first means a committed record never
//! points at a missing file; a crash in between leaves at worst an unreferenced file, which is
//! harmless because files are named by content.

use rusqlite::{Transaction, TransactionBehavior, params};

use super::Sqlite;
use crate::model::{Attempt, Hop, StoredVerdict, VerdictKind};
use crate::store::codec::{int, time};
use crate::store::error::sqlite;
use crate::store::{PreparedRecord, StoreError, evidence};

impl Sqlite {
    /// Stores prepared records in ONE transaction, after writing all their artifacts: a run's
    /// writer commits whatever records are waiting at once, so a busy run commits in batches
    /// and a quiet one record by record. All of them are stored, or none (the error says why).
    pub fn record_batch(&mut self, batch: &[PreparedRecord]) -> Result<(), StoreError> {
        let dir = self.evidence_dir();
        for prepared in batch {
            for artifact in &prepared.artifacts {
                evidence::write_prepared(&dir, artifact)?;
            }
        }
        let action = "storing a record";
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| sqlite(&self.path, action, e))?;
        let mut known_run: Option<&str> = None;
        for prepared in batch {
            let run_id = prepared.record.run_id.as_str();
            if known_run != Some(run_id) {
                let exists = tx
                    .query_row(
                        "SELECT EXISTS (SELECT 1 FROM runs WHERE id = ?1)",
                        [run_id],
                        |row| row.get::<_, bool>(0),
                    )
                    .map_err(|e| sqlite(&self.path, action, e))?;
                if !exists {
                    return Err(StoreError::UnknownRun {
                        path: self.path.clone(),
                        run_id: run_id.to_string(),
                    });
                }
                known_run = Some(run_id);
            }
            insert_record(&tx, prepared).map_err(|e| sqlite(&self.path, action, e))?;
        }
        tx.commit().map_err(|e| sqlite(&self.path, action, e))
    }

    /// Replaces the verdict of a stored record (for `reclassify`), noting `signature_set`: an
    /// id of the signature set that produced it (e.g. a hash of the signature files), so the
    /// history says which verdicts were recomputed and with what.
    pub fn update_verdict(
        &mut self,
        run_id: &str,
        key: &str,
        verdict: &StoredVerdict,
        control_verdict: Option<VerdictKind>,
        signature_set: &str,
    ) -> Result<(), StoreError> {
        let changed = self
            .conn
            .execute(
                "UPDATE verdicts SET kind = ?3, mechanism = ?4, actor = ?5, signature = ?6,
                     reason = ?7, control_verdict = ?8, signature_set = ?9
                 WHERE observation_id =
                     (SELECT id FROM observations WHERE run_id = ?1 AND key = ?2)",
                params![
                    run_id,
                    key,
                    verdict.kind.as_str(),
                    verdict.mechanism,
                    verdict.actor.as_str(),
                    verdict.signature,
                    verdict.reason,
                    control_verdict.map(VerdictKind::as_str),
                    signature_set,
                ],
            )
            .map_err(|e| sqlite(&self.path, "replacing a verdict", e))?;
        if changed == 0 {
            return Err(StoreError::UnknownRecord {
                path: self.path.clone(),
                run_id: run_id.to_string(),
                key: key.to_string(),
            });
        }
        Ok(())
    }
}

fn insert_record(tx: &Transaction<'_>, prepared: &PreparedRecord) -> rusqlite::Result<()> {
    let record = &prepared.record;
    let key = record.key();
    // Hops, attempts and the verdict of the replaced record go with it (ON DELETE CASCADE).
    tx.prepare_cached("DELETE FROM observations WHERE run_id = ?1 AND key = ?2")?
        .execute(params![record.run_id, key])?;
    let o = &record.observation;
    let failure = o.failure.as_ref();
    let mut insert = tx.prepare_cached(
        "INSERT INTO observations (
             run_id, key, audit, context, host_platform, scene, client, link_id,
             link_platform, link_category, url, role, observed_at, engine, entry_url,
             final_url, status, charset, truncated, body_sha256, screenshot_sha256, body_gz,
             rendered_text, dialogs, evidence, headers, failure_kind, failure_message,
             duration_ms, started_at, title, continue_url, continue_control, script_undecided,
             control_similarity)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                 ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32,
                 ?33, ?34, ?35)",
    )?;
    insert.execute(params![
        record.run_id,
        key,
        record.audit,
        record.context,
        record.host_platform,
        record.scene.map(|s| s.as_str()),
        record.client.as_str(),
        record.link_id,
        record.link_platform,
        record.link_category.as_str(),
        record.url,
        record.role.as_str(),
        time(&record.observed_at),
        o.engine.as_str(),
        o.entry_url,
        o.final_url,
        o.status,
        o.charset,
        o.truncated,
        o.body_sha256,
        o.screenshot_sha256,
        prepared.body_gz,
        o.rendered_text,
        prepared.dialogs,
        prepared.evidence,
        prepared.headers,
        failure.map(|f| f.kind.as_str()),
        failure.map(|f| f.message.as_str()),
        int(o.duration_ms),
        o.started_at.as_ref().map(time),
        prepared.title,
        o.continue_url,
        o.continue_control,
        o.script_undecided,
        o.control_similarity
            .as_ref()
            .and_then(|s| serde_json::to_string(s).ok()),
    ])?;
    let id = tx.last_insert_rowid();
    insert_hops(tx, id, &o.hops)?;
    insert_attempts(tx, id, &o.attempts)?;
    insert_verdict(tx, id, &record.verdict, record.control_verdict)
}

fn insert_hops(tx: &Transaction<'_>, id: i64, hops: &[Hop]) -> rusqlite::Result<()> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO hops (observation_id, n, url, status, location, via, elapsed_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for (n, hop) in hops.iter().enumerate() {
        insert.execute(params![
            id,
            n as i64,
            hop.url,
            hop.status,
            hop.location,
            hop.via.as_str(),
            int(hop.elapsed_ms),
        ])?;
    }
    Ok(())
}

fn insert_attempts(tx: &Transaction<'_>, id: i64, attempts: &[Attempt]) -> rusqlite::Result<()> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO attempts (observation_id, n, number, started_at, duration_ms, status,
             failure_kind, failure_message, wait_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for (n, attempt) in attempts.iter().enumerate() {
        let failure = attempt.failure.as_ref();
        insert.execute(params![
            id,
            n as i64,
            attempt.number,
            time(&attempt.started_at),
            int(attempt.duration_ms),
            attempt.status,
            failure.map(|f| f.kind.as_str()),
            failure.map(|f| f.message.as_str()),
            attempt.wait_ms.map(int),
        ])?;
    }
    Ok(())
}

fn insert_verdict(
    tx: &Transaction<'_>,
    id: i64,
    verdict: &StoredVerdict,
    control_verdict: Option<VerdictKind>,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO verdicts (observation_id, kind, mechanism, actor, signature, reason,
             control_verdict, signature_set)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL)",
    )?
    .execute(params![
        id,
        verdict.kind.as_str(),
        verdict.mechanism,
        verdict.actor.as_str(),
        verdict.signature,
        verdict.reason,
        control_verdict.map(VerdictKind::as_str),
    ])?;
    Ok(())
}
