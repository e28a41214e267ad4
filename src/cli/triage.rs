//! `linkgate triage`: the inconclusive pages of the history grouped into families, each with
//! a drafted signature (see `linkgate::triage`); `--out DIR` writes each draft and its page.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Args;

use linkgate::render::table;
use linkgate::store::DEFAULT_DB;
use linkgate::triage::{Scope, triage, write_drafts};

use super::Exit;

#[derive(Debug, Args)]
pub struct TriageArgs {
    /// Only runs started on or after this day (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    since: Option<NaiveDate>,
    /// Only runs of this audit
    #[arg(long, value_name = "NAME")]
    audit: Option<String>,
    /// Only this run (repeatable)
    #[arg(long = "run", value_name = "RUN_ID")]
    runs: Vec<String>,
    /// History: an SQLite file, or postgres://USER@HOST/DB for a shared PostgreSQL history
    #[arg(long, value_name = "FILE|URL", default_value = DEFAULT_DB, env = "LINKGATE_DB", hide_env_values = true,
          value_parser = super::history::location)]
    db: linkgate::store::Location,
    /// Write each family's drafted signature and its representative page into DIR
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Print one JSON object
    #[arg(long)]
    json: bool,
}

pub fn run(args: TriageArgs) -> anyhow::Result<Exit> {
    if !args.db.may_exist() {
        let db = &args.db;
        let why =
            format!("there is no history database at {db}; run `linkgate run` first or pass --db");
        return Err(super::InvalidArgs(why).into());
    }
    let store = linkgate::audit::history::open_to_read(&args.db)?;
    let scope = Scope {
        since: args.since,
        audit: args.audit,
        runs: args.runs,
    };
    let found = triage(&store, &scope)?;
    match args.json {
        true => println!("{}", serde_json::to_string_pretty(&found)?),
        false => print!("{}", table::families(&found)),
    }
    if let Some(dir) = &args.out {
        for path in write_drafts(&found, dir)? {
            println!("wrote {}", path.display());
        }
    }
    Ok(Exit::Ok)
}
