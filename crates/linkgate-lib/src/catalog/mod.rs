//! The catalog is everything the scenario files declare, loaded, validated and compiled:
//! platforms, contexts, links, signatures and audits. Later stages only ever see this checked
//! form, never raw TOML, so a typo in a scenario file is caught once, with its line and column.

mod audit;
pub mod bundle;
mod checks;
mod condition;
mod context;
mod document;
mod draft;
mod error;
mod fields;
mod files;
mod glob;
mod link;
mod pack;
mod platform;
mod problems;
mod resolve;
mod selector;
mod signature;
mod suggest;

use std::path::{Path, PathBuf};

use crate::classify::Signature;
use crate::model::{Audit, Context, Link, Platform, ScenarioFile};

pub use crate::diagnostic::{Diagnostic, Diagnostics};
pub use error::CatalogError;
pub use files::Tree;
pub use glob::{GlobProblem, compile_glob};
pub use pack::DEFAULT_FOLDER;

use files::SourceFile;

use draft::Draft;
use problems::{Loc, Problems};

/// The checked contents of a set of scenario files.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub platforms: Vec<Platform>,
    /// Host contexts and neutral (control) contexts, in file order.
    pub contexts: Vec<Context>,
    pub links: Vec<Link>,
    /// In load order, which is the final tie-breaker of classification.
    pub signatures: Vec<Signature>,
    pub audits: Vec<Audit>,
    /// Every file loaded, with its SHA-256, in load order.
    pub files: Vec<ScenarioFile>,
    /// Where the files were read from (and the fixture pages signatures cite are).
    pub tree: Tree,
}

impl Catalog {
    /// Loads every `*.toml` below each path (files or folders, recursively, sorted by path
    /// within a folder), validates everything, compiles regexes and selectors once.
    ///
    /// Every problem of every file is reported at once in `CatalogError::Invalid`.
    pub fn load<P: AsRef<Path>>(paths: &[P]) -> Result<Catalog, CatalogError> {
        let found = Tree::Disk.discover(paths)?;
        if found.is_empty() {
            let names: Vec<String> = paths
                .iter()
                .map(|p| p.as_ref().display().to_string())
                .collect();
            let under = if names.is_empty() {
                "(no path given)".to_string()
            } else {
                names.join(", ")
            };
            return Err(CatalogError::Empty(under));
        }
        read(Tree::Disk, &found)
    }

    /// Loads the pack compiled into linkgate (`scenarios/` at build time), through the same
    /// checks as files on disk; its files are named `<bundled>/…` in diagnostics and in
    /// [`Catalog::files`].
    pub fn load_bundled() -> Result<Catalog, CatalogError> {
        let found = Tree::Bundled.discover::<&Path>(&[])?;
        if found.is_empty() {
            return Err(CatalogError::Empty(format!(
                "{} (this linkgate was built without a scenarios folder)",
                bundle::ROOT
            )));
        }
        read(Tree::Bundled, &found)
    }

    /// Same, from in-memory sources (name, text) — for tests and for the reference file.
    /// Fixture paths are resolved relative to the folder of each source's name, as if the
    /// source had been read from that path.
    pub fn from_sources(sources: &[(PathBuf, String)]) -> Result<Catalog, CatalogError> {
        if sources.is_empty() {
            return Err(CatalogError::Empty("(no sources given)".to_string()));
        }
        let sources: Vec<SourceFile> = sources
            .iter()
            .map(|(path, text)| SourceFile::from_bytes(path.clone(), text.as_bytes()))
            .collect();
        check(&sources, Tree::Disk)
    }

    /// The bytes of the fixture page `signature` cites, from the tree the catalog was read
    /// from (a bundled signature's page is bundled too).
    pub fn fixture_page(&self, signature: &Signature) -> Result<Vec<u8>, CatalogError> {
        self.tree.bytes(&signature.fixture)
    }

    pub fn platform(&self, id: &str) -> Option<&Platform> {
        self.platforms.iter().find(|p| p.id == id)
    }

    pub fn context(&self, id: &str) -> Option<&Context> {
        self.contexts.iter().find(|c| c.id == id)
    }

    pub fn link(&self, id: &str) -> Option<&Link> {
        self.links.iter().find(|l| l.id == id)
    }

    pub fn audit(&self, id: &str) -> Option<&Audit> {
        self.audits.iter().find(|a| a.id == id)
    }

    pub fn signature(&self, id: &str) -> Option<&Signature> {
        self.signatures.iter().find(|s| s.id == id)
    }

    /// The owner group of a platform, if the platform is known.
    pub fn owner_of(&self, platform: &str) -> Option<&str> {
        self.platform(platform).map(|p| p.owner.as_str())
    }
}

/// Reads the files `found` in `tree` and validates them.
fn read(tree: Tree, found: &[PathBuf]) -> Result<Catalog, CatalogError> {
    let sources = found
        .iter()
        .map(|path| tree.read(path))
        .collect::<Result<Vec<_>, _>>()?;
    check(&sources, tree)
}

/// Validates read files into a catalog, or every problem found in them.
fn check(sources: &[SourceFile], tree: Tree) -> Result<Catalog, CatalogError> {
    let problems = Problems::default();
    let mut draft = Draft {
        tree,
        ..Draft::default()
    };
    for (file, source) in sources.iter().enumerate() {
        match source.not_utf8_at {
            Some(at) => problems.error(
                Loc::new(file, at..at + 1),
                "scenario file is not UTF-8",
                Some("save it as UTF-8 (TOML files must be UTF-8)".to_string()),
            ),
            None => document::read(file, &source.path, &source.text, &problems, &mut draft),
        }
    }
    let texts: Vec<(PathBuf, &str)> = sources
        .iter()
        .map(|s| (s.path.clone(), s.text.as_str()))
        .collect();
    let scenario_files = sources
        .iter()
        .map(|s| ScenarioFile {
            path: s.path.display().to_string(),
            sha256: s.sha256.clone(),
        })
        .collect();
    match resolve::resolve(draft, &texts, scenario_files, &problems) {
        Some(catalog) => Ok(catalog),
        None => Err(CatalogError::Invalid(problems.into_diagnostics(&texts))),
    }
}
