//! Reclassifying: recomputing a run's verdicts from its stored observations with the current
//! signatures, exactly as the runner does (classify, then pair each probe with its link's
//! control), so improved signatures can fix old verdicts without measuring again. Manual
//! observations are the analyst's verdicts and are left alone. Pure: the caller stores.

use std::collections::HashMap;

use crate::catalog::Catalog;
use crate::classify::with_control;
use crate::manifest::sha256_hex;
use crate::model::{EngineKind, ProbeRole, Record, ScenarioFile, Verdict, VerdictKind};
use crate::run::verdict_of;

/// The id of the set of scenario files a verdict was computed with: SHA-256 over the files'
/// paths and hashes, in load order. It covers every scenario file, not only the signatures,
/// because links' landing patterns and contexts' gateways decide verdicts too.
pub fn signature_set(files: &[ScenarioFile]) -> String {
    let listing: String = files
        .iter()
        .map(|f| format!("{}  {}\n", f.sha256, f.path))
        .collect();
    sha256_hex(listing.as_bytes())
}

/// A record's recomputed verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct Recomputed {
    /// [`Record::key`].
    pub key: String,
    pub verdict: Verdict,
    pub control_verdict: Option<VerdictKind>,
    /// The verdict that was stored, when it differs (kind, mechanism, actor or signature).
    pub before: Option<Verdict>,
}

/// A record left as it was, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    pub key: String,
    pub reason: String,
}

/// The outcome over one run's records.
#[derive(Debug, Clone, Default)]
pub struct Reclassification {
    pub recomputed: Vec<Recomputed>,
    pub kept: Vec<Kept>,
}

impl Reclassification {
    /// The records whose verdict changed.
    pub fn changed(&self) -> impl Iterator<Item = &Recomputed> {
        self.recomputed.iter().filter(|r| r.before.is_some())
    }
}

/// Recomputes the verdicts of one run's `records` with `catalog`.
pub fn reclassify(records: &[Record], catalog: &Catalog) -> Reclassification {
    let mut out = Reclassification::default();
    let mut raw: HashMap<String, Verdict> = HashMap::new();
    for record in records {
        match raw_verdict(record, catalog) {
            Ok(verdict) => {
                raw.insert(record.key(), verdict);
            }
            Err(reason) => out.kept.push(Kept {
                key: record.key(),
                reason,
            }),
        }
    }
    let controls: HashMap<(&str, &str), &Verdict> = records
        .iter()
        .filter(|r| r.role == ProbeRole::Control)
        .map(|r| {
            let verdict = raw.get(&r.key()).unwrap_or(&r.verdict);
            ((r.audit.as_str(), r.link_id.as_str()), verdict)
        })
        .collect();
    for record in records {
        let Some(probe_alone) = raw.get(&record.key()) else {
            continue;
        };
        let control = match record.role {
            ProbeRole::Control => None,
            _ => controls
                .get(&(record.audit.as_str(), record.link_id.as_str()))
                .copied(),
        };
        let verdict = match control {
            Some(control) => with_control(probe_alone.clone(), control),
            None => probe_alone.clone(),
        };
        let same = verdict.kind == record.verdict.kind
            && verdict.mechanism == record.verdict.mechanism
            && verdict.actor == record.verdict.actor
            && verdict.signature == record.verdict.signature;
        out.recomputed.push(Recomputed {
            key: record.key(),
            control_verdict: control.map(|c| c.kind),
            before: (!same).then(|| record.verdict.clone()),
            verdict,
        });
    }
    out
}

/// The verdict of a record's observation alone, or why it cannot be recomputed.
fn raw_verdict(record: &Record, catalog: &Catalog) -> Result<Verdict, String> {
    if record.observation.engine == EngineKind::Manual {
        return Err("recorded by hand: the analyst's verdict stands".into());
    }
    let context = catalog.context(&record.context).ok_or_else(|| {
        format!(
            "context {} is no longer in the scenarios: its verdict is kept",
            record.context
        )
    })?;
    let link = catalog.link(&record.link_id).ok_or_else(|| {
        format!(
            "link {} is no longer in the scenarios: its verdict is kept",
            record.link_id
        )
    })?;
    Ok(verdict_of(
        &record.observation,
        context,
        link,
        &catalog.signatures,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_set_changes_with_any_file() {
        let files = |sha: &str| {
            vec![ScenarioFile {
                path: "scenarios/signatures/wechat.toml".into(),
                sha256: sha.into(),
            }]
        };
        assert_eq!(signature_set(&files("a")), signature_set(&files("a")));
        assert_ne!(signature_set(&files("a")), signature_set(&files("b")));
        assert_eq!(signature_set(&files("a")).len(), 64);
    }
}
