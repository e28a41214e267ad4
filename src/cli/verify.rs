//! `linkgate verify [RUN_ID…]`: checks runs' evidence files, manifests and the manifest chain
//! (every run, oldest first, by default) and says exactly what does not match. Exit 0 when all
//! is well, 1 otherwise, so a cron job or a regulator's script can rely on it.

use clap::Args;

use linkgate::manifest::{Note, verify};

use super::Exit;
use super::history::HistoryArgs;

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Runs to verify [default: every run, oldest first]
    #[arg(value_name = "RUN_ID")]
    runs: Vec<String>,
    #[command(flatten)]
    history: HistoryArgs,
    /// Print the result as one JSON object
    #[arg(long)]
    json: bool,
}

pub fn run(args: VerifyArgs) -> anyhow::Result<Exit> {
    let store = args.history.open_to_read()?;
    let found = verify(&args.history.out, &store, &args.runs)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&found)?);
    } else {
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
            println!("{mark} {run_id}  {}", describe(note, stopped.as_deref()));
        }
        for problem in &found.problems {
            println!("\n{problem}");
        }
        let n = found.problems.len();
        println!(
            "\n{} run{} checked: {}",
            found.runs.len(),
            if found.runs.len() == 1 { "" } else { "s" },
            match n {
                0 => "all is well".to_string(),
                1 => "1 problem".to_string(),
                n => format!("{n} problems"),
            }
        );
    }
    Ok(if found.is_ok() {
        Exit::Ok
    } else {
        Exit::Failure
    })
}

/// What a run's note means; `stopped`: why the run stopped itself, if it did.
fn describe(note: &Note, stopped: Option<&str>) -> String {
    if let (Note::NotSealed(status), Some(reason)) = (note, stopped) {
        let reason = linkgate::run::without_example(reason);
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
