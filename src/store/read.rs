//! Reading records back: the exact `Record` values that were stored, decoded body included,
//! so reports read the history and `reclassify` can recompute every verdict from it.

use rusqlite::{Row, params};
use std::collections::{HashMap, HashSet};

use super::codec::{
    from_json, gunzip_text, name, opt_name, opt_time, opt_unsigned, req_time, serde_name, unsigned,
};
use super::error::sqlite;
use super::{Store, StoreError};
use crate::model::{
    Actor, Attempt, Category, Client, EngineKind, Failure, FailureKind, Hop, Observation,
    ProbeRole, Record, Scene, StoredVerdict, VerdictKind,
};

impl Store {
    /// The records of a run, in the order they were stored (a replaced record counts as
    /// stored when it was replaced).
    pub fn records(&self, run_id: &str) -> Result<Vec<Record>, StoreError> {
        let action = "reading records";
        let fail = |e| sqlite(&self.path, action, e);
        let mut hops = self.hops(run_id)?;
        let mut attempts = self.attempts(run_id)?;
        let mut statement = self
            .conn
            .prepare(
                "SELECT o.*, v.kind, v.mechanism, v.actor, v.signature, v.reason,
                        v.control_verdict
                 FROM observations o JOIN verdicts v ON v.observation_id = o.id
                 WHERE o.run_id = ?1 ORDER BY o.id",
            )
            .map_err(fail)?;
        let rows = statement
            .query_map([run_id], |row| {
                Ok((row.get::<_, i64>("id")?, record_from_row(row)?))
            })
            .map_err(fail)?;
        let mut records = Vec::new();
        for row in rows {
            let (id, mut record) = row.map_err(fail)?;
            record.observation.hops = hops.remove(&id).unwrap_or_default();
            record.observation.attempts = attempts.remove(&id).unwrap_or_default();
            records.push(record);
        }
        Ok(records)
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

    /// Every hop of a run's observations, by observation id, in order.
    fn hops(&self, run_id: &str) -> Result<HashMap<i64, Vec<Hop>>, StoreError> {
        let fail = |e| sqlite(&self.path, "reading hops", e);
        let mut statement = self
            .conn
            .prepare(
                "SELECT h.* FROM hops h JOIN observations o ON o.id = h.observation_id
                 WHERE o.run_id = ?1 ORDER BY h.observation_id, h.n",
            )
            .map_err(fail)?;
        let rows = statement
            .query_map([run_id], |row| {
                let hop = Hop {
                    url: row.get("url")?,
                    status: opt_unsigned(row, "status", "a hop's status")?,
                    location: row.get("location")?,
                    via: name(row, "via", "how a hop was made", serde_name)?,
                    elapsed_ms: unsigned(row, "elapsed_ms", "a hop's time")?,
                };
                Ok((row.get::<_, i64>("observation_id")?, hop))
            })
            .map_err(fail)?;
        let mut by_observation: HashMap<i64, Vec<Hop>> = HashMap::new();
        for row in rows {
            let (id, hop) = row.map_err(fail)?;
            by_observation.entry(id).or_default().push(hop);
        }
        Ok(by_observation)
    }

    /// Every attempt of a run's observations, by observation id, in order.
    fn attempts(&self, run_id: &str) -> Result<HashMap<i64, Vec<Attempt>>, StoreError> {
        let fail = |e| sqlite(&self.path, "reading attempts", e);
        let mut statement = self
            .conn
            .prepare(
                "SELECT a.* FROM attempts a JOIN observations o ON o.id = a.observation_id
                 WHERE o.run_id = ?1 ORDER BY a.observation_id, a.n",
            )
            .map_err(fail)?;
        let rows = statement
            .query_map([run_id], |row| {
                let attempt = Attempt {
                    number: unsigned(row, "number", "an attempt's number")?,
                    started_at: req_time(row, "started_at", "an attempt's start time")?,
                    duration_ms: unsigned(row, "duration_ms", "an attempt's duration")?,
                    status: opt_unsigned(row, "status", "an attempt's status")?,
                    failure: failure(row, "an attempt's failure")?,
                    wait_ms: opt_unsigned(row, "wait_ms", "an attempt's wait")?,
                };
                Ok((row.get::<_, i64>("observation_id")?, attempt))
            })
            .map_err(fail)?;
        let mut by_observation: HashMap<i64, Vec<Attempt>> = HashMap::new();
        for row in rows {
            let (id, attempt) = row.map_err(fail)?;
            by_observation.entry(id).or_default().push(attempt);
        }
        Ok(by_observation)
    }
}

/// The `failure_kind` and `failure_message` columns of a row.
fn failure(row: &Row<'_>, what: &'static str) -> rusqlite::Result<Option<Failure>> {
    let kind = opt_name(row, "failure_kind", what, FailureKind::parse)?;
    let message: Option<String> = row.get("failure_message")?;
    Ok(kind.map(|kind| Failure {
        kind,
        message: message.unwrap_or_default(),
    }))
}

/// A record without its hops and attempts (read separately, a run at a time).
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
        verdict: StoredVerdict {
            kind: name(row, "kind", "a verdict", VerdictKind::parse)?,
            mechanism: row.get("mechanism")?,
            actor: name(row, "actor", "an actor", Actor::parse)?,
            signature: row.get("signature")?,
            reason: row.get("reason")?,
        },
        control_verdict: opt_name(
            row,
            "control_verdict",
            "a control verdict",
            VerdictKind::parse,
        )?,
    })
}
