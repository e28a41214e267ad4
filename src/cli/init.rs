//! `linkgate init [DIR]`: writes the bundled scenario pack out as files to edit (scenario
//! files and the fixture pages their signatures cite), into `./scenarios` by default, where
//! every command then finds it. Files already there are never overwritten without `--force`:
//! an analyst's edited pack is worth more than the bundled one.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;

use linkgate::catalog::bundle::{self, BundledFile};

use super::pack::DEFAULT_FOLDER;
use super::{Exit, InvalidArgs};

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
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_FOLDER));
    let files: Vec<BundledFile> = bundle::files().collect();
    if files.is_empty() {
        anyhow::bail!("this linkgate was built without a scenario pack: there is nothing to write");
    }
    let existing: Vec<PathBuf> = files
        .iter()
        .map(|f| dir.join(f.path))
        .filter(|p| p.symlink_metadata().is_ok())
        .collect();
    if !existing.is_empty() && !args.force {
        return Err(InvalidArgs(refusal(&dir, &existing)).into());
    }
    for file in &files {
        write(&dir.join(file.path), file.bytes)?;
    }
    let toml = files.iter().filter(|f| f.path.ends_with(".toml")).count();
    let overwritten = match existing.len() {
        0 => String::new(),
        n => format!(", {n} of them overwritten"),
    };
    println!(
        "wrote the bundled pack into {}: {} files ({toml} scenario files, {} fixture pages){overwritten}",
        dir.display(),
        files.len(),
        files.len() - toml,
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

/// Nothing is written when any file is there already: a half-written pack mixes two versions.
fn refusal(dir: &Path, existing: &[PathBuf]) -> String {
    let shown: Vec<String> = existing
        .iter()
        .take(3)
        .map(|p| p.display().to_string())
        .collect();
    let more = match existing.len() {
        n if n > 3 => format!(" and {} more", n - 3),
        _ => String::new(),
    };
    format!(
        "{} already holds files of the pack ({}{more}); nothing was written: pass --force to \
         overwrite them, or give another folder (`linkgate init DIR`)",
        dir.display(),
        shown.join(", ")
    )
}

fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create folder {}", parent.display()))?;
    }
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}
