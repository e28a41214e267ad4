//! Which scenario pack a command uses: the paths given; else a `scenarios` folder in the
//! working directory; else the pack compiled into linkgate (which the front end should say,
//! so nobody audits with the bundled pack believing it is their own). The one place the
//! default folder is named.

use std::path::{Path, PathBuf};

use super::{Catalog, CatalogError};

/// The scenario folder looked for in the working directory (and written by `linkgate init`).
pub const DEFAULT_FOLDER: &str = "scenarios";

impl Catalog {
    /// The catalog of `given` paths, of `./scenarios`, or of the bundled pack, in that order.
    pub fn load_default(given: &[PathBuf]) -> Result<Catalog, CatalogError> {
        if !given.is_empty() {
            return Catalog::load(given);
        }
        let folder = Path::new(DEFAULT_FOLDER);
        // Anything named `scenarios` wins, even a broken link: its error says what is wrong
        // with it, instead of the bundled pack being used behind the user's back.
        if folder.symlink_metadata().is_ok() {
            return Catalog::load(&[folder]);
        }
        Catalog::load_bundled()
    }

    /// `using the bundled pack miit-2021 (33 files); …`: the pack is named after its audits.
    pub fn bundled_notice(&self) -> String {
        let names: Vec<&str> = self.audits.iter().map(|a| a.id.as_str()).collect();
        let name = match names.is_empty() {
            true => "without audits".to_string(),
            false => names.join(", "),
        };
        let n = self.files.len();
        format!(
            "using the bundled pack {name} ({n} file{}); `linkgate init` writes it out to edit",
            if n == 1 { "" } else { "s" }
        )
    }
}
