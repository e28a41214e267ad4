//! Rows back into the model: a run, a record, its hops, attempts and verdict, decoded from
//! their columns the same way whichever database holds them ([`Cells`]), so SQLite and
//! PostgreSQL histories give back the same values.

use super::cells::{Cells, flag, required, text};
use super::codec::{
    from_json, gunzip_text, name, opt_name, opt_time, opt_unsigned, req_time, serde_name, unsigned,
};
use super::{BodyRead, StoredRecord};
use crate::classify::page_title;
use crate::model::{
    Actor, Attempt, Category, Client, EngineKind, Failure, FailureKind, Hop, Observation,
    ProbeRole, Record, Run, RunStatus, Scene, StoredVerdict, VerdictKind,
};

/// The columns [`stored`] reads, but the body (each history selects it its own way): the same
/// names in both histories.
pub(super) const RECORD_COLUMNS: &str = "o.id, o.run_id, o.audit, o.context, o.host_platform,
    o.scene, o.client, o.link_id, o.link_platform, o.link_category, o.url, o.role,
    o.observed_at, o.engine, o.entry_url, o.final_url, o.status, o.charset, o.truncated,
    o.body_sha256, o.screenshot_sha256, o.rendered_text, o.dialogs, o.evidence, o.headers,
    o.failure_kind, o.failure_message, o.duration_ms, o.started_at, o.title, o.continue_url,
    o.continue_control, o.script_undecided, o.control_similarity,
    v.kind, v.mechanism, v.actor, v.signature, v.reason, v.control_verdict";

/// A run without its scenario files (read separately).
pub(super) fn run<R: Cells>(row: &R) -> Result<Run, R::Error> {
    Ok(Run {
        id: text(row, "id")?,
        started_at: req_time(row, "started_at", "a run's start time")?,
        ended_at: opt_time(row, "ended_at", "a run's end time")?,
        status: name(row, "status", "a run's status", RunStatus::parse)?,
        tool_version: text(row, "tool_version")?,
        vantage: text(row, "vantage")?,
        audits: from_json(row, "audits", "a run's audit list")?,
        scenario_files: Vec::new(),
        simulated: flag(row, "simulated")?,
    })
}

/// The observation a hop row belongs to, and the hop.
pub(super) fn hop<R: Cells>(row: &R) -> Result<(i64, Hop), R::Error> {
    let hop = Hop {
        url: text(row, "url")?,
        status: opt_unsigned(row, "status", "a hop's status")?,
        location: row.text("location")?,
        via: name(row, "via", "how a hop was made", serde_name)?,
        elapsed_ms: unsigned(row, "elapsed_ms", "a hop's time")?,
    };
    Ok((
        required(row, "observation_id", row.int("observation_id"))?,
        hop,
    ))
}

/// The observation an attempt row belongs to, and the attempt.
pub(super) fn attempt<R: Cells>(row: &R) -> Result<(i64, Attempt), R::Error> {
    let attempt = Attempt {
        number: unsigned(row, "number", "an attempt's number")?,
        started_at: req_time(row, "started_at", "an attempt's start time")?,
        duration_ms: unsigned(row, "duration_ms", "an attempt's duration")?,
        status: opt_unsigned(row, "status", "an attempt's status")?,
        failure: failure(row, "an attempt's failure")?,
        wait_ms: opt_unsigned(row, "wait_ms", "an attempt's wait")?,
    };
    Ok((
        required(row, "observation_id", row.int("observation_id"))?,
        attempt,
    ))
}

fn failure<R: Cells>(row: &R, what: &'static str) -> Result<Option<Failure>, R::Error> {
    let kind = opt_name(row, "failure_kind", what, FailureKind::parse)?;
    let message = row.text("failure_message")?;
    Ok(kind.map(|kind| Failure {
        kind,
        message: message.unwrap_or_default(),
    }))
}

/// A record without its hops and attempts (read separately), with its title. A row written
/// before schema version 2 has no stored title: its body was read to find it.
pub(super) fn stored<R: Cells>(row: &R, body: BodyRead) -> Result<StoredRecord, R::Error> {
    let mut record = record(row)?;
    let title = match row.text("title")? {
        Some(title) => Some(title).filter(|t| !t.is_empty()),
        None => page_title(&record.observation.body),
    };
    if body == BodyRead::Skip {
        record.observation.body = String::new();
    }
    Ok(StoredRecord { record, title })
}

/// The verdict columns of a row.
pub(super) fn verdict<R: Cells>(row: &R) -> Result<StoredVerdict, R::Error> {
    Ok(StoredVerdict {
        kind: name(row, "kind", "a verdict", VerdictKind::parse)?,
        mechanism: text(row, "mechanism")?,
        actor: name(row, "actor", "an actor", Actor::parse)?,
        signature: row.text("signature")?,
        reason: text(row, "reason")?,
    })
}

/// A record without its hops and attempts; its body is empty when it was not selected.
fn record<R: Cells>(row: &R) -> Result<Record, R::Error> {
    Ok(Record {
        run_id: text(row, "run_id")?,
        observed_at: req_time(row, "observed_at", "an observation's time")?,
        audit: text(row, "audit")?,
        context: text(row, "context")?,
        host_platform: row.text("host_platform")?,
        scene: opt_name(row, "scene", "a scene", Scene::parse)?,
        client: name(row, "client", "a client", Client::parse)?,
        link_id: text(row, "link_id")?,
        link_platform: text(row, "link_platform")?,
        link_category: name(row, "link_category", "a link category", Category::parse)?,
        url: text(row, "url")?,
        role: name(row, "role", "a probe role", ProbeRole::parse)?,
        observation: observation(row)?,
        verdict: verdict(row)?,
        control_verdict: opt_name(
            row,
            "control_verdict",
            "a control verdict",
            VerdictKind::parse,
        )?,
    })
}

fn observation<R: Cells>(row: &R) -> Result<Observation, R::Error> {
    Ok(Observation {
        engine: name(row, "engine", "an observation's engine", EngineKind::parse)?,
        entry_url: text(row, "entry_url")?,
        hops: Vec::new(),
        final_url: text(row, "final_url")?,
        status: opt_unsigned(row, "status", "an observation's status")?,
        headers: from_json(row, "headers", "an observation's headers")?,
        body: gunzip_text(row, "body_gz", "an observation's body")?,
        charset: row.text("charset")?,
        truncated: flag(row, "truncated")?,
        body_sha256: row.text("body_sha256")?,
        screenshot_sha256: row.text("screenshot_sha256")?,
        rendered_text: row.text("rendered_text")?,
        dialogs: from_json(row, "dialogs", "an observation's dialogs")?,
        evidence: from_json(row, "evidence", "an observation's evidence list")?,
        continue_url: row.text("continue_url")?,
        continue_control: row.text("continue_control")?,
        script_undecided: row.text("script_undecided")?,
        control_similarity: row
            .text("control_similarity")?
            .and_then(|text| serde_json::from_str(&text).ok()),
        attempts: Vec::new(),
        failure: failure(row, "an observation's failure")?,
        started_at: opt_time(row, "started_at", "an observation's start time")?,
        duration_ms: unsigned(row, "duration_ms", "an observation's duration")?,
    })
}
