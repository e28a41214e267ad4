//! `verify`'s checks of what attests a chain entry besides the chain: its signature (with
//! the trusted key, when one is given: then an unsigned entry is a problem too) and its
//! timestamp (always, when a token is there: it must vouch for the entry's bytes, at a time
//! not before the run started and not in the future; with the TSA's certificate, its
//! signature too).

use chrono::{Duration, Utc};

use super::chain::Entry;
use super::model::Manifest;
use super::sign::{self, signature_path};
use super::timestamp::{self, token_path};
use super::verify::{Trust, Verification};

/// How far a TSA's clock and ours may disagree before a token's time is a problem.
const CLOCK_SLACK: Duration = Duration::minutes(5);

/// Checks `entry`'s signature and timestamp; every problem goes into `found`.
pub(super) fn check(entry: &Entry, m: &Manifest, trust: &Trust, found: &mut Verification) {
    let id = Some(m.run.id.as_str());
    let Ok(bytes) = std::fs::read(&entry.path) else {
        return; // The chain checks already said the manifest cannot be read.
    };
    if let Some(key) = &trust.key {
        let path = signature_path(&entry.path);
        match std::fs::read_to_string(&path) {
            Err(_) => found.problem(
                id,
                entry.path.display(),
                "not signed: no signature beside the manifest",
                Some(path.display().to_string()),
                Some("missing".into()),
            ),
            Ok(armored) => {
                if let Err(reason) = sign::check(key, &bytes, &armored) {
                    found.problem(id, path.display(), reason, None, None);
                }
            }
        }
    }
    let path = token_path(&entry.path);
    let Ok(response) = std::fs::read(&path) else {
        if let Some(tsa) = m
            .timestamp_from
            .as_ref()
            .filter(|_| trust.tsa_cert.is_some())
        {
            found.problem(
                id,
                entry.path.display(),
                format!(
                    "no timestamp: {tsa} did not answer when the run was sealed; ask again with \
                     `linkgate timestamp {}`",
                    m.run.id
                ),
                Some(path.display().to_string()),
                Some("missing".into()),
            );
        }
        return;
    };
    match timestamp::read_token(&response, &bytes) {
        Err(reason) => found.problem(id, path.display(), reason, None, None),
        Ok(token) => {
            if token.time + CLOCK_SLACK < m.run.started_at {
                found.problem(
                    id,
                    path.display(),
                    "the timestamp is older than the run it vouches for",
                    Some(format!("after {}", m.run.started_at.to_rfc3339())),
                    Some(token.time.to_rfc3339()),
                );
            }
            if token.time > Utc::now() + CLOCK_SLACK {
                found.problem(
                    id,
                    path.display(),
                    "the timestamp is in the future",
                    None,
                    None,
                );
            }
        }
    }
    if let Some(cert) = &trust.tsa_cert
        && let Err(reason) = timestamp::check_signature(&response, cert)
    {
        found.problem(id, path.display(), reason, None, None);
    }
}
