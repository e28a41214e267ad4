//! Writing records to the PostgreSQL history: as `sqlite/write.rs`, each batch in one
//! transaction, and the evidence in the same transaction (content-addressed rows, each kept
//! once however many runs and vantages saw it), so a committed record never names missing
//! evidence.

use tokio_postgres::types::ToSql;
use tokio_postgres::{Statement, Transaction};

use super::{Postgres, big, block_on};
use crate::model::{StoredVerdict, VerdictKind};
use crate::store::codec::time;
use crate::store::error::postgres;
use crate::store::{PreparedRecord, StoreError};

impl Postgres {
    pub(super) fn record_batch(&mut self, batch: &[PreparedRecord]) -> Result<(), StoreError> {
        let shown = self.shown.clone();
        let fail = |e| postgres(&shown, "storing a record", e);
        let tx = block_on(self.client.transaction()).map_err(fail)?;
        let statements = Statements::prepare(&tx).map_err(fail)?;
        let mut known_run: Option<&str> = None;
        for prepared in batch {
            let run_id = prepared.record.run_id.as_str();
            if known_run != Some(run_id) {
                let exists: bool = block_on(tx.query_one(
                    "SELECT EXISTS (SELECT 1 FROM runs WHERE id = $1)",
                    &[&run_id],
                ))
                .map_err(fail)?
                .get(0);
                if !exists {
                    return Err(StoreError::UnknownRun {
                        path: shown.clone().into(),
                        run_id: run_id.to_string(),
                    });
                }
                known_run = Some(run_id);
            }
            insert_record(&tx, &statements, prepared).map_err(fail)?;
        }
        block_on(tx.commit()).map_err(fail)
    }

    pub(super) fn update_verdict(
        &mut self,
        run_id: &str,
        key: &str,
        verdict: &StoredVerdict,
        control_verdict: Option<VerdictKind>,
        signature_set: &str,
    ) -> Result<(), StoreError> {
        let changed = block_on(self.client.execute(
            "UPDATE verdicts SET kind = $3, mechanism = $4, actor = $5, signature = $6,
                 reason = $7, control_verdict = $8, signature_set = $9
             WHERE observation_id =
                 (SELECT id FROM observations WHERE run_id = $1 AND key = $2)",
            &[
                &run_id,
                &key,
                &verdict.kind.as_str(),
                &verdict.mechanism,
                &verdict.actor.as_str(),
                &verdict.signature,
                &verdict.reason,
                &control_verdict.map(VerdictKind::as_str),
                &signature_set,
            ],
        ))
        .map_err(|e| postgres(&self.shown, "replacing a verdict", e))?;
        if changed == 0 {
            return Err(StoreError::UnknownRecord {
                path: self.shown.clone().into(),
                run_id: run_id.to_string(),
                key: key.to_string(),
            });
        }
        Ok(())
    }
}

fn insert_record(
    tx: &Transaction<'_>,
    statements: &Statements,
    prepared: &PreparedRecord,
) -> Result<(), tokio_postgres::Error> {
    for artifact in &prepared.artifacts {
        let name = artifact.name();
        let sha256 = name.split('.').next().unwrap_or(name);
        block_on(tx.execute(
            &statements.evidence,
            &[&sha256, &name, &artifact.contents()],
        ))?;
    }
    let record = &prepared.record;
    let key = record.key();
    // Hops, attempts and the verdict of the replaced record go with it (ON DELETE CASCADE).
    block_on(tx.execute(&statements.delete, &[&record.run_id, &key]))?;
    let o = &record.observation;
    let failure = o.failure.as_ref();
    let similarity = o
        .control_similarity
        .as_ref()
        .and_then(|s| serde_json::to_string(s).ok());
    let values: [&(dyn ToSql + Sync); 35] = [
        &record.run_id,
        &key,
        &record.audit,
        &record.context,
        &record.host_platform,
        &record.scene.map(|s| s.as_str()),
        &record.client.as_str(),
        &record.link_id,
        &record.link_platform,
        &record.link_category.as_str(),
        &record.url,
        &record.role.as_str(),
        &time(&record.observed_at),
        &o.engine.as_str(),
        &o.entry_url,
        &o.final_url,
        &o.status.map(big),
        &o.charset,
        &o.truncated,
        &o.body_sha256,
        &o.screenshot_sha256,
        &prepared.body_gz,
        &o.rendered_text,
        &prepared.dialogs,
        &prepared.evidence,
        &prepared.headers,
        &failure.map(|f| f.kind.as_str()),
        &failure.map(|f| f.message.as_str()),
        &big(o.duration_ms),
        &o.started_at.as_ref().map(time),
        &prepared.title,
        &o.continue_url,
        &o.continue_control,
        &o.script_undecided,
        &similarity,
    ];
    let id: i64 = block_on(tx.query_one(&statements.observation, &values))?.get(0);
    for (n, hop) in o.hops.iter().enumerate() {
        block_on(tx.execute(
            &statements.hop,
            &[
                &id,
                &big(n),
                &hop.url,
                &hop.status.map(big),
                &hop.location,
                &hop.via.as_str(),
                &big(hop.elapsed_ms),
            ],
        ))?;
    }
    for (n, attempt) in o.attempts.iter().enumerate() {
        let failure = attempt.failure.as_ref();
        block_on(tx.execute(
            &statements.attempt,
            &[
                &id,
                &big(n),
                &big(attempt.number),
                &time(&attempt.started_at),
                &big(attempt.duration_ms),
                &attempt.status.map(big),
                &failure.map(|f| f.kind.as_str()),
                &failure.map(|f| f.message.as_str()),
                &attempt.wait_ms.map(big),
            ],
        ))?;
    }
    let verdict = &record.verdict;
    block_on(tx.execute(
        &statements.verdict,
        &[
            &id,
            &verdict.kind.as_str(),
            &verdict.mechanism,
            &verdict.actor.as_str(),
            &verdict.signature,
            &verdict.reason,
            &record.control_verdict.map(VerdictKind::as_str),
        ],
    ))?;
    Ok(())
}

/// The statements a batch runs for every record, prepared once per batch: an unprepared
/// statement costs a second round trip to the server each time it runs.
struct Statements {
    evidence: Statement,
    delete: Statement,
    observation: Statement,
    hop: Statement,
    attempt: Statement,
    verdict: Statement,
}

impl Statements {
    fn prepare(tx: &Transaction<'_>) -> Result<Statements, tokio_postgres::Error> {
        let prepare = |sql: &str| block_on(tx.prepare(sql));
        Ok(Statements {
            evidence: prepare(
                "INSERT INTO evidence (sha256, name, contents) VALUES ($1, $2, $3)
                 ON CONFLICT (sha256) DO NOTHING",
            )?,
            delete: prepare("DELETE FROM observations WHERE run_id = $1 AND key = $2")?,
            observation: prepare(
                "INSERT INTO observations (
                     run_id, key, audit, context, host_platform, scene, client, link_id,
                     link_platform, link_category, url, role, observed_at, engine, entry_url,
                     final_url, status, charset, truncated, body_sha256, screenshot_sha256,
                     body_gz, rendered_text, dialogs, evidence, headers, failure_kind,
                     failure_message, duration_ms, started_at, title, continue_url,
                     continue_control, script_undecided, control_similarity)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                         $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30,
                         $31, $32, $33, $34, $35)
                 RETURNING id",
            )?,
            hop: prepare(
                "INSERT INTO hops (observation_id, n, url, status, location, via, elapsed_ms)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )?,
            attempt: prepare(
                "INSERT INTO attempts (observation_id, n, number, started_at, duration_ms,
                     status, failure_kind, failure_message, wait_ms)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )?,
            verdict: prepare(
                "INSERT INTO verdicts (observation_id, kind, mechanism, actor, signature, reason,
                     control_verdict, signature_set)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)",
            )?,
        })
    }
}
