//! Finds and reads scenario files: every `*.toml` below the given paths, folders walked in
//! path order so the load order (and with it signature order) never depends on the file
//! system, each file hashed as read so a run can record exactly which files it used. The pack
//! compiled into linkgate is read through the same functions as a folder on disk ([`Tree`]),
//! so it is checked, ordered and hashed the same way.

use std::fs;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::bundle;
use super::error::CatalogError;

/// Where scenario files and the fixture pages they cite are read from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Tree {
    /// The file system.
    #[default]
    Disk,
    /// The pack compiled into linkgate, its files named `<bundled>/…`.
    Bundled,
}

impl Tree {
    /// Every scenario file: below `paths` on disk (see [`discover`]), or every `*.toml` of
    /// the bundled pack, in the same order a folder on disk is walked in.
    pub(super) fn discover<P: AsRef<Path>>(
        self,
        paths: &[P],
    ) -> Result<Vec<PathBuf>, CatalogError> {
        match self {
            Tree::Disk => discover(paths),
            Tree::Bundled => {
                let mut found: Vec<PathBuf> = bundle::files()
                    .map(|f| bundle::shown(f.path))
                    .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                    .collect();
                found.sort();
                Ok(found)
            }
        }
    }

    pub(super) fn read(self, path: &Path) -> Result<SourceFile, CatalogError> {
        match self {
            Tree::Disk => SourceFile::read(path),
            Tree::Bundled => match bundle::at(path) {
                Some(bytes) => Ok(SourceFile::from_bytes(path.to_path_buf(), bytes)),
                None => Err(io(path, std::io::ErrorKind::NotFound.into())),
            },
        }
    }

    /// Whether `path` (a fixture page a signature cites) is a file of this tree.
    pub(super) fn is_file(self, path: &Path) -> bool {
        match self {
            Tree::Disk => path.is_file(),
            Tree::Bundled => bundle::at(path).is_some(),
        }
    }

    /// The bytes of a file of this tree.
    pub(super) fn bytes(self, path: &Path) -> Result<Vec<u8>, CatalogError> {
        match self {
            Tree::Disk => fs::read(path).map_err(|source| io(path, source)),
            Tree::Bundled => bundle::at(path)
                .map(<[u8]>::to_vec)
                .ok_or_else(|| io(path, std::io::ErrorKind::NotFound.into())),
        }
    }
}

/// One scenario file's text, as the checks see it.
#[derive(Debug, Clone)]
pub(super) struct SourceFile {
    pub path: PathBuf,
    /// The text (lossily decoded when the file is not UTF-8; a leading BOM removed).
    pub text: String,
    /// SHA-256 (hex) of the bytes as read.
    pub sha256: String,
    /// Byte offset of the first byte that is not UTF-8, if any.
    pub not_utf8_at: Option<usize>,
}

impl SourceFile {
    pub fn from_bytes(path: PathBuf, bytes: &[u8]) -> SourceFile {
        let sha256 = hex::encode(Sha256::digest(bytes));
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let (text, not_utf8_at) = match std::str::from_utf8(bytes) {
            Ok(text) => (text.to_string(), None),
            Err(e) => (
                String::from_utf8_lossy(bytes).into_owned(),
                Some(e.valid_up_to()),
            ),
        };
        SourceFile {
            path,
            text,
            sha256,
            not_utf8_at,
        }
    }

    pub fn read(path: &Path) -> Result<SourceFile, CatalogError> {
        let bytes = fs::read(path).map_err(|source| CatalogError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(SourceFile::from_bytes(path.to_path_buf(), &bytes))
    }
}

/// Every scenario file below `paths`: a file is taken as given (whatever its extension), a
/// folder is walked for `*.toml`, entries sorted by path, hidden entries skipped. A file
/// reached twice is loaded once, at its first place.
pub(super) fn discover<P: AsRef<Path>>(paths: &[P]) -> Result<Vec<PathBuf>, CatalogError> {
    let mut found = Vec::new();
    for path in paths {
        let path = path.as_ref();
        let meta = fs::metadata(path).map_err(|source| io(path, source))?;
        if meta.is_dir() {
            walk(path, &mut found)?;
        } else {
            found.push(path.to_path_buf());
        }
    }
    let mut seen = std::collections::HashSet::new();
    let mut unique = Vec::new();
    for path in found {
        let canonical = fs::canonicalize(&path).map_err(|source| io(&path, source))?;
        if seen.insert(canonical) {
            unique.push(path);
        }
    }
    Ok(unique)
}

fn walk(dir: &Path, found: &mut Vec<PathBuf>) -> Result<(), CatalogError> {
    let mut entries = fs::read_dir(dir)
        .map_err(|source| io(dir, source))?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|source| io(dir, source))?;
    entries.sort();
    for path in entries {
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            walk(&path, found)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            found.push(path);
        }
    }
    Ok(())
}

fn io(path: &Path, source: std::io::Error) -> CatalogError {
    CatalogError::Io {
        path: path.to_path_buf(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_folders_in_path_order_and_skips_other_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("b/deeper")).unwrap();
        fs::create_dir_all(root.join(".hidden")).unwrap();
        for name in [
            "c.toml",
            "a.toml",
            "b/deeper/z.toml",
            "b/y.toml",
            "notes.md",
            ".hidden/x.toml",
        ] {
            fs::write(root.join(name), "").unwrap();
        }
        let found = discover(&[root]).unwrap();
        let relative: Vec<_> = found
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            relative,
            ["a.toml", "b/deeper/z.toml", "b/y.toml", "c.toml"]
        );
    }

    #[test]
    fn a_file_given_twice_is_loaded_once() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.toml");
        fs::write(&file, "").unwrap();
        let found = discover(&[file.clone(), dir.path().to_path_buf()]).unwrap();
        assert_eq!(found, [file]);
    }

    #[test]
    fn a_missing_path_is_an_io_error_naming_it() {
        let err = discover(&["/nonexistent/linkgate-scenarios"]).unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("/nonexistent/linkgate-scenarios"),
            "{message}"
        );
    }

    #[test]
    fn the_bundled_pack_is_walked_in_the_order_of_the_folder_it_was_built_from() {
        let on_disk = discover(&[concat!(env!("CARGO_MANIFEST_DIR"), "/../../scenarios")]).unwrap();
        let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../scenarios"));
        let on_disk: Vec<PathBuf> = on_disk
            .iter()
            .map(|p| Path::new(bundle::ROOT).join(p.strip_prefix(root).unwrap()))
            .collect();
        let bundled = Tree::Bundled.discover::<&str>(&[]).unwrap();
        assert_eq!(bundled, on_disk);
        let first = Tree::Bundled.read(&bundled[0]).unwrap();
        assert_eq!(first.path, bundled[0]);
        assert_eq!(
            first.sha256,
            SourceFile::read(&root.join(bundled[0].strip_prefix(bundle::ROOT).unwrap()))
                .unwrap()
                .sha256
        );
    }

    #[test]
    fn hashes_the_bytes_and_finds_the_first_non_utf8_byte() {
        let file = SourceFile::from_bytes(PathBuf::from("x.toml"), b"a = \"\xd6\xd0\"\n");
        assert_eq!(file.not_utf8_at, Some(5));
        assert_eq!(
            SourceFile::from_bytes(PathBuf::from("x.toml"), b"").sha256,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
