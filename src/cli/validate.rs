//! `linkgate validate`: load scenario files and either list every problem (exit 3) or print a
//! one-line summary of what they declare (exit 0).

use clap::Args;

use linkgate::catalog::{Catalog, CatalogError};

use super::{Exit, ScenarioPaths};

#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    scenarios: ScenarioPaths,
}

pub fn run(args: ValidateArgs) -> anyhow::Result<Exit> {
    match super::pack::load(&args.scenarios.paths) {
        Ok(catalog) => {
            println!("{}", summary(&catalog));
            Ok(Exit::Ok)
        }
        Err(CatalogError::Invalid(diagnostics)) => {
            eprintln!("{diagnostics}");
            Ok(Exit::Invalid)
        }
        Err(other) => Err(other.into()),
    }
}

/// `ok: 15 platforms, 14 contexts, 8 links, 12 signatures, 1 audit (9 files)`
pub fn summary(catalog: &Catalog) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "ok: {}, {}, {}, {}, {} ({})",
        plural(catalog.platforms.len(), "platform"),
        plural(catalog.contexts.len(), "context"),
        plural(catalog.links.len(), "link"),
        plural(catalog.signatures.len(), "signature"),
        plural(catalog.audits.len(), "audit"),
        plural(catalog.files.len(), "file"),
    )
}
