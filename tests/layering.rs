//! The library's modules form layers along the data flow (ARCHITECTURE.md): a module may use
//! the ones before it in [`ORDER`], never one after it. The compiler cannot say so within one
//! crate, so this test reads every `crate::…` path of the library's non-test code and names
//! each arrow that points the wrong way, with its file and line.

use std::path::{Path, PathBuf};

/// The library's top-level modules, lowest layer first.
const ORDER: &[&str] = &[
    "diagnostic",
    "model",
    "charset",
    "lock",
    "schedule",
    "html",
    "script",
    "engine",
    "classify",
    "catalog",
    "plan",
    "store",
    "triage",
    "assess",
    "run",
    "render",
    "manifest",
    "prune",
    "import",
    "reclassify",
    "inspect",
    "sim",
    "audit",
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/linkgate-lib/src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to (`classify/page.rs` → `classify`).
fn module_of(path: &Path) -> Option<String> {
    let rel = path.strip_prefix(src()).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    Some(first.trim_end_matches(".rs").to_string())
}

/// Every module named by a `crate::` path in `line` (`crate::a::b`, `crate::{a, b::c}`).
fn used_modules(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (at, _) in line.match_indices("crate::") {
        let rest = &line[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = group.split('}').next().unwrap_or("");
            for item in group.split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                out.push(name);
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            out.push(name);
        }
    }
    out.retain(|n| !n.is_empty());
    out
}

/// Arrows that point up the flow: `file:line: a uses b, a later stage`.
fn backward_arrows() -> Vec<String> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    files.sort();
    let rank = |m: &str| ORDER.iter().position(|o| *o == m);
    let mut found = Vec::new();
    for file in files {
        let Some(module) = module_of(&file) else {
            continue;
        };
        if module == "lib" || file.file_name().is_some_and(|n| n == "tests.rs") {
            continue;
        }
        let Some(own) = rank(&module) else {
            found.push(format!(
                "{}: module `{module}` is not in ORDER; place it in its layer",
                file.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            if line.starts_with("#[cfg(test)]") {
                break;
            }
            if line.trim_start().starts_with("//") {
                continue;
            }
            for used in used_modules(line) {
                match rank(&used) {
                    Some(r) if r > own => found.push(format!(
                        "{}:{}: `{module}` uses `{used}`, a later stage",
                        file.display(),
                        n + 1
                    )),
                    None => found.push(format!(
                        "{}:{}: `{used}` is not in ORDER",
                        file.display(),
                        n + 1
                    )),
                    _ => {}
                }
            }
        }
    }
    found
}

#[test]
fn no_module_uses_a_later_stage() {
    let found = backward_arrows();
    assert!(
        found.is_empty(),
        "arrows that point up the data flow:\n{}",
        found.join("\n")
    );
}

#[test]
fn every_module_of_the_library_is_in_a_layer() {
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    for line in lib.lines() {
        if let Some(name) = line
            .strip_prefix("pub mod ")
            .and_then(|l| l.strip_suffix(';'))
        {
            assert!(
                ORDER.contains(&name),
                "lib.rs declares `{name}`; add it to ORDER and ARCHITECTURE.md"
            );
        }
    }
}

#[test]
fn the_checker_sees_grouped_and_plain_paths() {
    assert_eq!(
        used_modules("use crate::{model::Run, store};"),
        ["model", "store"]
    );
    assert_eq!(
        used_modules("let x = crate::html::parse_page(a, &crate::html::L);"),
        ["html", "html"]
    );
}

#[test]
fn the_library_names_neither_clap_nor_anyhow() {
    let manifest = std::fs::read_to_string(src().join("../Cargo.toml")).unwrap();
    let deps = manifest.split("[dev-dependencies]").next().unwrap();
    for banned in ["clap", "anyhow", "indicatif", "tracing-subscriber"] {
        assert!(
            !deps
                .lines()
                .any(|l| l.trim_start().starts_with(&format!("{banned} "))),
            "the library depends on {banned}: that belongs to the binary"
        );
    }
}
