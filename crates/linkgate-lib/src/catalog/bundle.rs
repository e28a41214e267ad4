//! The scenario pack compiled into linkgate: every file of `scenarios/` at build time (see
//! `build.rs`), so the binary audits, validates and classifies from any folder. Bundled files
//! are named `<bundled>/…` in messages and in a run's record of its scenario files, so a
//! diagnostic or a manifest says which pack was used without pointing at a file that is not
//! there.

use std::path::{Component, Path, PathBuf};

include!(concat!(env!("OUT_DIR"), "/bundle.rs"));

/// The folder bundled files seem to live in.
pub const ROOT: &str = "<bundled>";

/// One file of the bundled pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BundledFile {
    /// Below the pack's root, `/`-separated: `signatures/wechat.toml`.
    pub path: &'static str,
    pub bytes: &'static [u8],
}

/// Every file of the bundled pack (scenario files and fixture pages), in the order the loader
/// walks a folder.
pub fn files() -> impl ExactSizeIterator<Item = BundledFile> {
    FILES
        .iter()
        .map(|&(path, bytes)| BundledFile { path, bytes })
}

/// The bundled file at `path` below the pack's root (`signatures/wechat.toml`).
pub fn file(path: &str) -> Option<&'static [u8]> {
    FILES
        .iter()
        .find(|(p, _)| *p == path)
        .map(|&(_, bytes)| bytes)
}

/// The bundled file a shown path names (`<bundled>/signatures/../signatures/wechat.toml`), if
/// the path is below [`ROOT`] once `.` and `..` are resolved.
pub(super) fn at(path: &Path) -> Option<&'static [u8]> {
    let mut parts: Vec<&str> = Vec::new();
    let mut components = path.components();
    if components.next()?.as_os_str() != ROOT {
        return None;
    }
    for part in components {
        match part {
            Component::Normal(name) => parts.push(name.to_str()?),
            Component::CurDir => {}
            // Above the root is outside the pack.
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    file(&parts.join("/"))
}

/// The path a bundled file is shown with: `<bundled>/signatures/wechat.toml`.
pub(super) fn shown(path: &str) -> std::path::PathBuf {
    Path::new(ROOT).join(path)
}

/// What [`write_out`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenPack {
    pub files: usize,
    /// Of them, scenario files (the rest are fixture pages).
    pub scenario_files: usize,
    /// Of them, files that were there before (only with `force`).
    pub overwritten: usize,
}

/// Why the pack was not written out.
#[derive(Debug, thiserror::Error)]
pub enum WriteOutError {
    #[error("this linkgate was built without a scenario pack: there is nothing to write")]
    Empty,
    /// Nothing is written when any file is there already: a half-written pack mixes two
    /// versions, and an analyst's edited pack is worth more than the bundled one.
    #[error(
        "{} already holds files of the pack ({}); nothing was written: pass --force to \
         overwrite them, or give another folder (`linkgate init DIR`)",
        .dir.display(), listed(.existing)
    )]
    Exists {
        dir: PathBuf,
        existing: Vec<PathBuf>,
    },
    #[error("cannot write {}: {source}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl WriteOutError {
    /// Whether the user can fix it by asking differently (exit code 3).
    pub fn is_invalid_input(&self) -> bool {
        matches!(self, WriteOutError::Exists { .. })
    }
}

fn listed(paths: &[PathBuf]) -> String {
    let shown: Vec<String> = paths
        .iter()
        .take(3)
        .map(|p| p.display().to_string())
        .collect();
    match paths.len() {
        n if n > 3 => format!("{} and {} more", shown.join(", "), n - 3),
        _ => shown.join(", "),
    }
}

/// Writes every bundled file below `dir`; refuses to touch a folder holding any of them
/// unless `force`.
pub fn write_out(dir: &Path, force: bool) -> Result<WrittenPack, WriteOutError> {
    let files: Vec<BundledFile> = files().collect();
    if files.is_empty() {
        return Err(WriteOutError::Empty);
    }
    let existing: Vec<PathBuf> = files
        .iter()
        .map(|f| dir.join(f.path))
        .filter(|p| p.symlink_metadata().is_ok())
        .collect();
    if !existing.is_empty() && !force {
        return Err(WriteOutError::Exists {
            dir: dir.to_path_buf(),
            existing,
        });
    }
    for file in &files {
        let path = dir.join(file.path);
        let io = |source| WriteOutError::Io {
            path: path.clone(),
            source,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        std::fs::write(&path, file.bytes).map_err(io)?;
    }
    Ok(WrittenPack {
        files: files.len(),
        scenario_files: files.iter().filter(|f| f.path.ends_with(".toml")).count(),
        overwritten: existing.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pack_is_bundled_with_its_fixture_pages() {
        assert!(files().any(|f| f.path == "audits.toml"));
        assert!(files().any(|f| f.path.starts_with("signatures/fixtures/")));
        let on_disk = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../scenarios/audits.toml"
        ))
        .unwrap();
        assert_eq!(file("audits.toml"), Some(on_disk.as_slice()));
    }

    /// The bundled sources, with one file's text changed by `edit`.
    fn bundled_with(file: &str, edit: impl Fn(&str) -> String) -> Vec<super::super::SourceFile> {
        let tree = super::super::Tree::Bundled;
        let found = tree.discover::<&Path>(&[]).unwrap();
        found
            .iter()
            .map(|path| {
                let mut source = tree.read(path).unwrap();
                if path == &shown(file) {
                    source.text = edit(&source.text);
                }
                source
            })
            .collect()
    }

    #[test]
    fn problems_in_bundled_files_name_them_under_the_bundled_root() {
        let sources = bundled_with("signatures/wechat.toml", |text| {
            text.replacen("mechanism = \"stop_page\"", "mechanizm = \"stop_page\"", 1)
                .replacen("fixtures/wechat/stop.html", "fixtures/wechat/gone.html", 1)
        });
        let err = super::super::check(&sources, super::super::Tree::Bundled).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("--> <bundled>/signatures/wechat.toml:"),
            "{text}"
        );
        assert!(text.contains("unknown key `mechanizm`"), "{text}");
        assert!(
            text.contains("looked for <bundled>/signatures/fixtures/wechat/gone.html"),
            "{text}"
        );
    }

    #[test]
    fn bundled_fixture_pages_are_found_and_read_from_the_bundle() {
        let catalog = super::super::Catalog::load_bundled().unwrap();
        let stop = catalog.signature("wechat.stop").unwrap();
        assert_eq!(
            stop.fixture,
            Path::new("<bundled>/signatures/fixtures/wechat/stop.html")
        );
        let page = catalog.fixture_page(stop).unwrap();
        assert_eq!(
            Some(page.as_slice()),
            file("signatures/fixtures/wechat/stop.html")
        );
        assert!(
            catalog
                .files
                .iter()
                .all(|f| f.path.starts_with("<bundled>/"))
        );
    }

    #[test]
    fn shown_paths_resolve_dots_and_stay_inside_the_pack() {
        let audits = file("audits.toml");
        assert_eq!(at(Path::new("<bundled>/audits.toml")), audits);
        assert_eq!(at(Path::new("<bundled>/signatures/../audits.toml")), audits);
        assert_eq!(at(Path::new("<bundled>/./audits.toml")), audits);
        assert_eq!(at(Path::new("<bundled>/../audits.toml")), None);
        assert_eq!(at(Path::new("audits.toml")), None);
        assert_eq!(at(Path::new("/<bundled>/audits.toml")), None);
        assert_eq!(at(Path::new("<bundled>/signatures")), None);
    }
}
