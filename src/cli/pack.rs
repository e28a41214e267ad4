//! Which scenario pack a command uses: the paths given; else a `scenarios` folder in the
//! working directory; else the pack compiled into linkgate, which is said once on stderr so
//! nobody audits with the bundled pack believing it is their own. The one place the default
//! folder is named.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use linkgate::catalog::{Catalog, CatalogError, Tree};

/// The scenario folder looked for in the working directory.
pub const DEFAULT_FOLDER: &str = "scenarios";

/// The catalog of `given` paths, of `./scenarios`, or of the bundled pack, in that order.
pub fn load(given: &[PathBuf]) -> Result<Catalog, CatalogError> {
    if !given.is_empty() {
        return Catalog::load(given);
    }
    let folder = Path::new(DEFAULT_FOLDER);
    // Anything named `scenarios` wins, even a broken link: its error says what is wrong with
    // it, instead of the bundled pack being used behind the user's back.
    if folder.symlink_metadata().is_ok() {
        return Catalog::load(&[folder]);
    }
    let catalog = Catalog::load_bundled()?;
    announce(&catalog);
    Ok(catalog)
}

/// `using the bundled pack miit-2021 (33 files)`, once per process (the daemon reloads the
/// pack before every look at the schedules).
fn announce(catalog: &Catalog) {
    static SAID: AtomicBool = AtomicBool::new(false);
    if catalog.tree == Tree::Bundled && !SAID.swap(true, Ordering::Relaxed) {
        eprintln!("{}", notice(catalog));
    }
}

/// The pack is named after its audits.
pub fn notice(catalog: &Catalog) -> String {
    let names: Vec<&str> = catalog.audits.iter().map(|a| a.id.as_str()).collect();
    let name = match names.is_empty() {
        true => "without audits".to_string(),
        false => names.join(", "),
    };
    let n = catalog.files.len();
    format!(
        "using the bundled pack {name} ({n} file{}); `linkgate init` writes it out to edit",
        if n == 1 { "" } else { "s" }
    )
}
