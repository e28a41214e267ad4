//! `linkgate report`: render the HTML report, summary.csv and summary.json of one audit from
//! the history database alone (any past run can be shown again), and the function `run`
//! calls at its end to leave a report beside the run's CSV.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use chrono::NaiveDate;
use clap::Args;

use linkgate::assess::Directory;
use linkgate::catalog::Catalog;
use linkgate::render::html::Lang;
use linkgate::render::report::{self, Request, Style};
use linkgate::store::{DEFAULT_DB, Store};

use super::{Exit, InvalidArgs, ScenarioPaths, load_catalog};

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    scenarios: ScenarioPaths,
    /// History database
    #[arg(long, value_name = "FILE", default_value = DEFAULT_DB)]
    db: PathBuf,
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

/// What to report, as library values.
pub struct ReportJob<'a> {
    pub catalog: &'a Catalog,
    pub db: &'a Path,
    pub out: Option<&'a Path>,
    pub audit: Option<&'a str>,
    pub run: Option<&'a str>,
    pub since: Option<NaiveDate>,
    pub lang: Option<Lang>,
}

pub fn run(args: ReportArgs) -> anyhow::Result<Exit> {
    let catalog = load_catalog(&args.scenarios.paths)?;
    let lang = args.lang.as_deref().map(parse_lang).transpose()?;
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

fn parse_lang(word: &str) -> Result<Lang, InvalidArgs> {
    Lang::parse(word).ok_or_else(|| InvalidArgs(format!("unknown --lang `{word}`; use zh or en")))
}

/// Renders and writes one report; returns the path of its index.html.
pub fn write_report(job: &ReportJob<'_>) -> anyhow::Result<PathBuf> {
    if !job.db.exists() {
        return Err(InvalidArgs(format!(
            "there is no history database at {}; run `linkgate run` first or pass --db",
            job.db.display()
        ))
        .into());
    }
    let store = Store::open_to_read(job.db)?;
    let audit_id = choose_audit(&store, job)?;
    let audit = job.catalog.audit(&audit_id).ok_or_else(|| {
        InvalidArgs(format!(
            "audit `{audit_id}` is not in the scenario files given; pass the scenario files that define it (its deadline and policy come from there)"
        ))
    })?;
    let directory = Directory::new(&job.catalog.platforms);
    let history = report::load(
        &store,
        &Request {
            audit,
            directory: &directory,
            run: job.run,
            since: job.since,
        },
    )
    .map_err(|err| explain_stopped(&store, job.run, &audit_id, err))?;
    let cwd = std::env::current_dir().context("cannot read the working folder")?;
    let default_out = store.evidence_dir().with_file_name(&history.run.id);
    let out = report::absolute(job.out.unwrap_or(&default_out), &cwd);
    let evidence_dir = report::absolute(&store.evidence_dir(), &cwd);
    let present = report::evidence_present(&store, &history.records);
    let lang = job
        .lang
        .or_else(|| Lang::parse(&audit.lang))
        .unwrap_or(Lang::Zh);
    let generator = format!("linkgate {}", env!("CARGO_PKG_VERSION"));
    let files = report::render(
        &history,
        &directory,
        &Style {
            lang,
            evidence: &report::relative_url(&out, &evidence_dir),
            evidence_present: Some(&present),
            generator: &generator,
        },
    )?;
    report::write(&out, &files)?;
    Ok(out.join("index.html"))
}

/// `--audit`, else the first audit of `--run`, else of the last run stored.
fn choose_audit(store: &Store, job: &ReportJob<'_>) -> anyhow::Result<String> {
    if let Some(audit) = job.audit {
        return Ok(audit.to_string());
    }
    let runs = store.runs()?;
    let run = match job.run {
        Some(id) => runs.iter().find(|r| r.id == id),
        None => runs.last(),
    };
    run.and_then(|r| r.audits.first().cloned()).ok_or_else(|| {
        InvalidArgs(match job.run {
            Some(id) => format!("there is no run `{id}` in {}", job.db.display()),
            None => format!("the history {} has no runs yet", job.db.display()),
        })
        .into()
    })
}

/// A run that stopped itself before measuring (it could not reach the platforms) has nothing
/// to report: when the run asked for, or the last run of the audit, is one, the error says so
/// and why, instead of only that nothing was found.
fn explain_stopped(
    store: &Store,
    run: Option<&str>,
    audit: &str,
    err: report::ReportError,
) -> anyhow::Error {
    use report::ReportError::{NoRuns, UnknownRun};
    if !matches!(err, NoRuns { .. } | UnknownRun { .. }) {
        return err.into();
    }
    let runs = store.runs().unwrap_or_default();
    let shown = match run {
        Some(id) => runs.iter().find(|r| r.id == id),
        None => runs
            .iter()
            .rev()
            .find(|r| r.audits.iter().any(|a| a == audit)),
    };
    let stopped = shown.and_then(|r| Some((r, store.stop_reason(&r.id).ok()??)));
    match stopped {
        Some((r, reason)) => {
            let reason = linkgate::run::without_example(&reason);
            anyhow::Error::new(err).context(format!(
                "run {} stopped before measuring ({reason}), so it has nothing to report",
                r.id
            ))
        }
        None => err.into(),
    }
}
