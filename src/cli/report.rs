//! `linkgate report`: render the HTML report, summary.csv and summary.json of one audit from
//! the history database alone (any past run can be shown again).

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Args;

use linkgate::audit::report::lang_named;
use linkgate::audit::{ReportJob, write_report};
use linkgate::store::DEFAULT_DB;

use super::{Exit, ScenarioPaths, load_catalog};

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    scenarios: ScenarioPaths,
    /// History: an SQLite file, or postgres://USER@HOST/DB for a shared PostgreSQL history
    #[arg(long, value_name = "FILE|URL", default_value = DEFAULT_DB, env = "LINKGATE_DB", hide_env_values = true,
          value_parser = super::history::location)]
    db: linkgate::store::Location,
    /// Report folder [default: RUN_ID beside the database, e.g. reports/RUN_ID]
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// The audit to report on [default: the first audit of the run shown]
    #[arg(long, value_name = "NAME")]
    audit: Option<String>,
    /// The run to show [default: the last run measured]
    #[arg(long, value_name = "RUN_ID")]
    run: Option<String>,
    /// Leave out runs measured before this date (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    since: Option<NaiveDate>,
    /// Language of the report: zh or en [default: the audit's `lang`]
    #[arg(long, value_name = "LANG")]
    lang: Option<String>,
}

pub fn run(args: ReportArgs) -> anyhow::Result<Exit> {
    let catalog = load_catalog(&args.scenarios.paths)?;
    let lang = args.lang.as_deref().map(lang_named).transpose()?;
    let index = write_report(&ReportJob {
        catalog: &catalog,
        db: &args.db,
        out: args.out.as_deref(),
        audit: args.audit.as_deref(),
        run: args.run.as_deref(),
        since: args.since,
        lang,
    })?;
    println!("report:   {}", index.display());
    Ok(Exit::Ok)
}
