//! Compiles the scenario pack into linkgate. Every file below `scenarios/` (TOML files and
//! fixture pages alike, whatever is there at build time) becomes an entry of a generated list
//! of `include_bytes!`, so the binary works from any folder and a new file needs no code
//! change. A build script rather than `include_dir!`: that macro cannot tell Cargo about a
//! file added to the folder on stable Rust (include_dir#120), so a build script watching the
//! folder would be needed anyway, and the list it writes is all the crate would give.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

fn main() {
    let root = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    // The pack lives at the workspace's root, beside the crates.
    let pack = root.join("../../scenarios");
    // A folder given to rerun-if-changed is scanned whole: an added, edited or removed file
    // anywhere below it runs this script again and rebuilds the crate.
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=../../scenarios");
    let mut files = Vec::new();
    if pack.is_dir() {
        walk(&pack, &mut files);
    }
    // Sorted as paths (component by component), the order the loader walks a folder in.
    files.sort();
    let mut code = String::from(
        "/// Every file of `scenarios/` at build time: its path below that folder, `/`-separated,\n\
         /// and its bytes, sorted by path.\n\
         pub(super) static FILES: &[(&str, &[u8])] = &[\n",
    );
    for path in &files {
        let relative = path
            .strip_prefix(&pack)
            .expect("walked below the pack")
            .components()
            .map(|c| text(Path::new(c.as_os_str())))
            .collect::<Vec<_>>()
            .join("/");
        writeln!(
            code,
            "    ({relative:?}, include_bytes!({:?})),",
            text(path)
        )
        .expect("writing to a string");
    }
    code.push_str("];\n");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets it")).join("bundle.rs");
    fs::write(&out, code).unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
}

/// Every file below `dir`, hidden entries (`.gitkeep`, editor files) left out as the loader
/// leaves them out.
fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
    let entries =
        fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    for entry in entries {
        let path = entry
            .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
            .path();
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            walk(&path, found);
        } else {
            found.push(path);
        }
    }
}

fn text(path: &Path) -> &str {
    path.to_str().unwrap_or_else(|| {
        panic!(
            "scenario file name {} is not UTF-8; rename it",
            path.display()
        )
    })
}
