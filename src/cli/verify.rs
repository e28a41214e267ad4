//! `linkgate verify [RUN_ID…]`: checks runs' evidence files, manifests and the manifest chain
//! (every run, oldest first, by default) and says exactly what does not match. Exit 0 when all
//! is well, 1 otherwise, so a cron job or a regulator's script can rely on it.

use anyhow::Context as _;
use clap::Args;

use linkgate::audit::verification_text;
use std::path::PathBuf;

use linkgate::manifest::sign::read_public_key;
use linkgate::manifest::{Trust, verify_with};

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
    /// Require every manifest to be signed with this key (an OpenSSH public key, FILE.pub)
    #[arg(long, value_name = "FILE")]
    trusted_key: Option<PathBuf>,
    /// Check timestamps' signatures with this TSA certificate (PEM)
    #[arg(long, value_name = "FILE")]
    tsa_cert: Option<PathBuf>,
}

pub fn run(args: VerifyArgs) -> anyhow::Result<Exit> {
    let store = args.history.open_to_read()?;
    let trust = Trust {
        key: args
            .trusted_key
            .as_deref()
            .map(read_public_key)
            .transpose()?,
        tsa_cert: (args.tsa_cert.as_ref())
            .map(|p| std::fs::read(p).with_context(|| format!("cannot read {}", p.display())))
            .transpose()?,
    };
    let found = verify_with(&args.history.out, &store, &args.runs, &trust)?;
    match args.json {
        true => println!("{}", serde_json::to_string_pretty(&found)?),
        false => print!("{}", verification_text(&found, &store)?),
    }
    Ok(match found.is_ok() {
        true => Exit::Ok,
        false => Exit::Failure,
    })
}
