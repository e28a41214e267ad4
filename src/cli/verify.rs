//! `linkgate verify [RUN_ID…]`: checks runs' evidence files, manifests and the manifest chain
//! (every run, oldest first, by default) and says exactly what does not match. Exit 0 when all
//! is well, 1 otherwise, so a cron job or a regulator's script can rely on it.

use clap::Args;

use linkgate::audit::verification_text;
use linkgate::manifest::verify;

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
    match args.json {
        true => println!("{}", serde_json::to_string_pretty(&found)?),
        false => print!("{}", verification_text(&found, &store)?),
    }
    Ok(match found.is_ok() {
        true => Exit::Ok,
        false => Exit::Failure,
    })
}
