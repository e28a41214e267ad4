//! `linkgate plan`: what a run would measure, as a table or JSON, without any network.

use std::collections::BTreeMap;

use clap::Args;

use linkgate::model::{ProbeRole, SameOwner};
use linkgate::plan::{PlanOptions, PlanRow, plan};

use super::select::SelectArgs;
use super::{Exit, InvalidArgs, ScenarioPaths, load_catalog};

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    scenarios: ScenarioPaths,
    /// Only this audit
    #[arg(long, value_name = "NAME")]
    audit: Option<String>,
    #[command(flatten)]
    select: SelectArgs,
    /// Same-owner pairs: control (measure, mark as control), exclude, include (as rivals)
    #[arg(long, value_name = "RULE")]
    same_owner: Option<String>,
    /// Print the probes as a JSON array
    #[arg(long)]
    json: bool,
}

/// The library options these flags describe.
pub fn options(
    audit: Option<String>,
    select: &SelectArgs,
    same_owner: Option<&str>,
) -> Result<PlanOptions, InvalidArgs> {
    let (contexts, links) = select.selectors()?;
    let same_owner = same_owner
        .map(|rule| match rule {
            "control" => Ok(SameOwner::Control),
            "exclude" => Ok(SameOwner::Exclude),
            "include" => Ok(SameOwner::Include),
            other => Err(InvalidArgs(format!(
                "unknown --same-owner rule `{other}`; use control, exclude or include"
            ))),
        })
        .transpose()?;
    Ok(PlanOptions {
        audit,
        contexts,
        links,
        same_owner,
    })
}

pub fn run(args: PlanArgs) -> anyhow::Result<Exit> {
    let catalog = load_catalog(&args.scenarios.paths)?;
    let options = options(args.audit, &args.select, args.same_owner.as_deref())?;
    let probes = plan(&catalog, &options)?;
    args.select.check(&catalog, &probes)?;
    let rows: Vec<PlanRow> = probes
        .iter()
        .filter_map(|p| PlanRow::new(&catalog, p))
        .collect();
    let text = if args.json {
        format!("{}\n", serde_json::to_string_pretty(&rows)?)
    } else {
        format!("{}{}\n", table(&rows), totals(&rows))
    };
    write_stdout(&text)?;
    Ok(Exit::Ok)
}

/// Writes to stdout; a reader that stops early (`linkgate plan | head`) is not an error.
fn write_stdout(text: &str) -> std::io::Result<()> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Aligned columns: role, context, link, engine, entry URL.
fn table(rows: &[PlanRow]) -> String {
    let header = ["AUDIT", "ROLE", "CONTEXT", "LINK", "ENGINE", "ENTRY URL"];
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|r| {
            [
                r.audit.clone(),
                r.role.to_string(),
                r.context.clone(),
                r.link.clone(),
                r.engine.clone(),
                r.entry_url.clone(),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &cells {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[&str]| {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                out.push_str(cell);
            } else {
                out.push_str(&format!("{cell:<width$}  ", width = widths[i]));
            }
        }
        out.push('\n');
        out
    };
    let mut out = line(&header);
    for row in &cells {
        out.push_str(&line(&row.each_ref().map(String::as_str)));
    }
    out
}

/// `42 probes: 30 rival, 6 same_owner, 6 control`
fn totals(rows: &[PlanRow]) -> String {
    let mut by_role: BTreeMap<ProbeRole, usize> = BTreeMap::new();
    for row in rows {
        *by_role.entry(row.role).or_default() += 1;
    }
    let parts: Vec<String> = by_role
        .iter()
        .map(|(role, n)| format!("{n} {role}"))
        .collect();
    format!("{} probes: {}", rows.len(), parts.join(", "))
}
