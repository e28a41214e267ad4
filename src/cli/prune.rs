//! `linkgate prune --keep N | --older-than 90d`: removes old run folders and the evidence no
//! kept run refers to, leaves the history's rows alone, and says what it removed and how many
//! bytes.

use std::time::Duration;

use clap::{ArgGroup, Args};

use linkgate::prune::{Keep, prune};

use super::history::HistoryArgs;
use super::{Exit, InvalidArgs};

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("limit").required(true).multiple(true).args(["keep", "older_than"])))]
pub struct PruneArgs {
    /// Keep the newest N runs (at least 1)
    #[arg(long, value_name = "N")]
    keep: Option<usize>,
    /// Remove runs that started longer ago than this, e.g. 90d, 12w
    #[arg(long, value_name = "AGE", value_parser = humantime::parse_duration)]
    older_than: Option<Duration>,
    #[command(flatten)]
    history: HistoryArgs,
    /// Say what would be removed, remove nothing
    #[arg(long)]
    dry_run: bool,
}

pub fn run(args: PruneArgs) -> anyhow::Result<Exit> {
    if args.keep == Some(0) {
        return Err(InvalidArgs(
            "--keep 0 would remove the newest report too; keep at least 1".into(),
        )
        .into());
    }
    let younger_than = args
        .older_than
        .map(chrono::Duration::from_std)
        .transpose()
        .map_err(|_| InvalidArgs("--older-than is too long".into()))?;
    let keep = Keep {
        newest: args.keep,
        younger_than,
    };
    let store = args.history.open(true)?;
    let chain = linkgate::manifest::lock_chain(&store.lock_dir(&args.history.out))?;
    let removed = prune(
        &args.history.out,
        &store,
        &keep,
        chrono::Utc::now(),
        args.dry_run,
        &chain,
    )?;
    print!("{}", removed.text(args.dry_run));
    Ok(Exit::Ok)
}
