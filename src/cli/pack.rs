//! The scenario pack a command uses ([`Catalog::load_default`]), and the one notice on stderr
//! when it is the bundled pack, so nobody audits with it believing it is their own.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use linkgate::catalog::{Catalog, CatalogError, Tree};

/// The catalog of `given` paths, of `./scenarios`, or of the bundled pack, in that order.
pub fn load(given: &[PathBuf]) -> Result<Catalog, CatalogError> {
    let catalog = Catalog::load_default(given)?;
    // Once per process: the daemon reloads the pack before every look at the schedules.
    static SAID: AtomicBool = AtomicBool::new(false);
    if catalog.tree == Tree::Bundled && !SAID.swap(true, Ordering::Relaxed) {
        eprintln!("{}", catalog.bundled_notice());
    }
    Ok(catalog)
}
