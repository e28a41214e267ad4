//! `linkgate verify` as a reader sees it: each run's line (`ok`/`FAIL`, what was checked or
//! why it was never sealed), every problem, and the count.

use super::AuditError;
use crate::manifest::{Note, Verification};
use crate::store::Store;

/// The text of a verification; `store` tells why a run that was never sealed stopped.
pub fn verification_text(found: &Verification, store: &Store) -> Result<String, AuditError> {
    let mut out = String::new();
    for (run_id, note) in &found.runs {
        let bad = found
            .problems
            .iter()
            .any(|p| p.run_id.as_deref() == Some(run_id.as_str()));
        let mark = if bad { "FAIL" } else { "ok  " };
        let stopped = match note {
            Note::NotSealed(_) => store.stop_reason(run_id)?,
            _ => None,
        };
        out.push_str(&format!(
            "{mark} {run_id}  {}\n",
            note_text(note, stopped.as_deref())
        ));
    }
    for problem in &found.problems {
        out.push_str(&format!("\n{problem}\n"));
    }
    let count = match found.problems.len() {
        0 => "all is well".to_string(),
        1 => "1 problem".to_string(),
        n => format!("{n} problems"),
    };
    let runs = found.runs.len();
    let s = if runs == 1 { "" } else { "s" };
    out.push_str(&format!("\n{runs} run{s} checked: {count}\n"));
    Ok(out)
}

/// What a run's note means; `stopped`: why the run stopped itself, if it did.
fn note_text(note: &Note, stopped: Option<&str>) -> String {
    if let (Note::NotSealed(status), Some(reason)) = (note, stopped) {
        let reason = crate::run::without_example(reason);
        return format!(
            "{status}: stopped before measuring ({reason}), never sealed, nothing to resume"
        );
    }
    match note {
        Note::Sealed {
            evidence,
            amendments,
        } => {
            let s = if *evidence == 1 { "" } else { "s" };
            let mut text = format!("sealed, {evidence} evidence file{s} checked");
            if *amendments > 0 {
                text.push_str(&format!(", {amendments} amendment(s)"));
            }
            text
        }
        Note::Pruned => "sealed, then pruned: chain checked, files removed on purpose".into(),
        Note::NotSealed(status) => format!("{status}, never sealed (resume it to seal it)"),
        Note::Missing => "seal or history rows missing".into(),
    }
}
