//! `linkgate init [DIR]`: writes the bundled scenario pack out as files to edit (scenario
//! files and the fixture pages their signatures cite), into `./scenarios` by default, where
//! every command then finds it. Files already there are never overwritten without `--force`.

use std::path::{Path, PathBuf};

use clap::Args;

use linkgate::catalog::{DEFAULT_FOLDER, bundle};

use super::Exit;

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Folder to write the pack into [default: scenarios]
    #[arg(value_name = "DIR")]
    dir: Option<PathBuf>,
    /// Overwrite files of the pack that are already there
    #[arg(long)]
    force: bool,
}

pub fn run(args: InitArgs) -> anyhow::Result<Exit> {
    let dir = args.dir.unwrap_or_else(|| PathBuf::from(DEFAULT_FOLDER));
    let written = bundle::write_out(&dir, args.force)?;
    let overwritten = match written.overwritten {
        0 => String::new(),
        n => format!(", {n} of them overwritten"),
    };
    println!(
        "wrote the bundled pack into {}: {} files ({} scenario files, {} fixture pages){overwritten}",
        dir.display(),
        written.files,
        written.scenario_files,
        written.files - written.scenario_files,
    );
    if dir == Path::new(DEFAULT_FOLDER) {
        println!(
            "edit them; every command run in this folder now uses them (check with `linkgate validate`)"
        );
    } else {
        println!(
            "edit them, then pass the folder to commands: `linkgate validate {0}`, `linkgate run {0}`",
            dir.display()
        );
    }
    Ok(Exit::Ok)
}
