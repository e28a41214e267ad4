//! Mutation tests of the two readers of untrusted text: the scenario loader (every bundled
//! scenario file, mutated) and the page readers (every fixture page under
//! `scenarios/signatures/fixtures/` and `tests/fixtures/pages/`, mutated, through
//! classification, the report's gist and the title extractor). Whatever the mutation, nothing
//! panics, nothing takes a second, and a scenario file that no longer validates is answered
//! with diagnostics that name a file of the load and a line in it.
//!
//! The runs are reproducible: a fixed seed and a fixed number of cases (64 per test). For a
//! larger run, set `LINKGATE_PROPTEST_CASES` (e.g. 5000) and optionally
//! `LINKGATE_PROPTEST_SEED` (any u64) — see docs/faults.md.

mod support;

use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use linkgate::catalog::{Catalog, CatalogError};
use linkgate::classify::page_title;
use linkgate::classify::{Situation, classify};
use linkgate::model::Observation;
use linkgate::render::html::PageGist;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestRunner};
use support::fixtures::observation_of;

/// Per case: far more than any case takes, far less than a hang.
const CASE_LIMIT: Duration = Duration::from_secs(1);

fn runner() -> TestRunner {
    let env = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
    TestRunner::new(Config {
        cases: env("LINKGATE_PROPTEST_CASES").map_or(64, |n| n as u32),
        rng_seed: RngSeed::Fixed(env("LINKGATE_PROPTEST_SEED").unwrap_or(0x11_4c_47)),
        failure_persistence: None,
        max_shrink_iters: 200,
        ..Config::default()
    })
}

/// One edit of a text; positions are taken modulo the text's length.
#[derive(Debug, Clone)]
enum Mutation {
    Delete { at: usize, len: usize },
    Insert { at: usize, text: String },
    Repeat { at: usize, len: usize, times: usize },
    Replace { at: usize, with: char },
    Truncate { at: usize },
}

fn mutation(tokens: &'static [&'static str]) -> impl Strategy<Value = Mutation> {
    let text = prop_oneof![
        proptest::sample::select(tokens).prop_map(str::to_string),
        "\\PC{0,12}",
        any::<String>().prop_map(|s| s.chars().take(12).collect()),
    ];
    prop_oneof![
        (any::<usize>(), 1usize..200).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), text).prop_map(|(at, text)| Mutation::Insert { at, text }),
        (any::<usize>(), 1usize..64, 2usize..2000).prop_map(|(at, len, times)| Mutation::Repeat {
            at,
            len,
            times
        }),
        (any::<usize>(), any::<char>()).prop_map(|(at, with)| Mutation::Replace { at, with }),
        any::<usize>().prop_map(|at| Mutation::Truncate { at }),
    ]
}

/// The char boundary at or before `at % (len + 1)`.
fn boundary(text: &str, at: usize) -> usize {
    let mut at = at % (text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn apply(text: &str, mutations: &[Mutation]) -> String {
    let mut text = text.to_string();
    for m in mutations {
        match m {
            Mutation::Delete { at, len } => {
                let start = boundary(&text, *at);
                let end = boundary(&text, start + len.min(&(text.len() - start)));
                text.replace_range(start..end.max(start), "");
            }
            Mutation::Insert { at, text: new } => {
                let at = boundary(&text, *at);
                text.insert_str(at, new);
            }
            Mutation::Repeat { at, len, times } => {
                let start = boundary(&text, *at);
                let end = boundary(&text, start + len.min(&(text.len() - start)));
                let slice = text[start..end.max(start)].to_string();
                text.insert_str(start, &slice.repeat(*times));
            }
            Mutation::Replace { at, with } => {
                let at = boundary(&text, *at);
                if let Some(old) = text[at..].chars().next() {
                    text.replace_range(at..at + old.len_utf8(), &with.to_string());
                }
            }
            Mutation::Truncate { at } => {
                let at = boundary(&text, *at);
                text.truncate(at);
            }
        }
    }
    text
}

fn files_under(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files_under(&path, ext));
        } else if path.extension().is_some_and(|e| e == ext) {
            found.push(path);
        }
    }
    found.sort();
    found
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

// ---- the scenario loader -------------------------------------------------------------------

const TOML_TOKENS: &[&str] = &[
    "[",
    "]",
    "[[",
    "]]",
    "{",
    "}",
    "\"",
    "'",
    "=",
    "\n",
    "#",
    ",",
    "\\",
    "\"\"\"",
    "'''",
    "1979-05-27",
    "\u{0}",
    "\r\n",
    "\t",
    ".",
    "-",
    "+inf",
    "nan",
    "0x",
    "[[signature]]\n",
    "[[audit]]\n",
    "[[link]]\n",
    "[[context]]\n",
    "[[platform]]\n",
    "id = \"wechat\"\n",
    "when = []\n",
    "{ in = \"selector\", selector = \"(\" }",
    "regex = \"(\"",
    "contexts = { ids = [\"{{{{{{{{{{{{a}}}}}}}}}}}}\"] }",
    "user_agent = \"a\\u0000b\"",
    "headers = { \"X-A\" = \"b\\nc\" }",
    "schedule = \"* * *\"",
    "timezone = \"Mars/Base\"",
    "fixture = \"/etc/passwd\"",
    "fixture = \"../../../../x\"",
    "landing = '('",
];

static PACK: LazyLock<Vec<(PathBuf, String)>> = LazyLock::new(|| {
    files_under(&root().join("scenarios"), "toml")
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            (path, text)
        })
        .collect()
});

#[test]
fn the_bundled_pack_loads_unmutated() {
    assert!(PACK.len() > 20);
    Catalog::from_sources(&PACK).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn mutated_scenario_files_never_panic_and_errors_carry_a_file_and_line() {
    let strategy = (
        0..PACK.len(),
        proptest::collection::vec(mutation(TOML_TOKENS), 1..6),
    );
    runner()
        .run(&strategy, |(file, mutations)| {
            let mut sources = PACK.clone();
            sources[file].1 = apply(&sources[file].1, &mutations);
            let began = Instant::now();
            let loaded = Catalog::from_sources(&sources);
            prop_assert!(began.elapsed() < CASE_LIMIT, "took {:?}", began.elapsed());
            match loaded {
                Ok(_) => {}
                Err(CatalogError::Invalid(diagnostics)) => {
                    prop_assert!(!diagnostics.is_empty());
                    for d in diagnostics.iter() {
                        prop_assert!(
                            sources.iter().any(|(path, _)| *path == d.file),
                            "a diagnostic names a file of the load: {d}"
                        );
                        let lines = sources
                            .iter()
                            .find(|(path, _)| *path == d.file)
                            .map_or(0, |(_, text)| text.lines().count().max(1));
                        prop_assert!(
                            d.line >= 1 && d.line <= lines + 1,
                            "a diagnostic names a line of its file: {d}"
                        );
                    }
                }
                Err(other) => prop_assert!(false, "not a validation error: {other}"),
            }
            Ok(())
        })
        .unwrap();
}

// ---- the page readers ----------------------------------------------------------------------

const HTML_TOKENS: &[&str] = &[
    "<div>",
    "</div>",
    "<span>",
    "<table>",
    "<tr>",
    "<td>",
    "</table>",
    "<b>",
    "</b>",
    "<i>",
    "<a href=x>",
    "</a>",
    "<p>",
    "</p>",
    "<script>",
    "</script>",
    "<style>",
    "<!--",
    "-->",
    "<svg>",
    "<math>",
    "<template>",
    "</template>",
    "&amp;",
    "&#0;",
    "&#x10FFFF;",
    "\u{0}",
    "<title>",
    "</title>",
    "<meta charset=gbk>",
    "<meta http-equiv=refresh content='0;url=/'>",
    "<select>",
    "<option>",
    "<frameset>",
    "<noscript>",
    "<![CDATA[",
    "]]>",
    "<plaintext>",
    "<h2 class=\"weui-msg__title\">已停止访问该网页</h2>",
    "<form>",
    "<textarea>",
    "<iframe>",
    "<font>",
    "<nobr>",
    "<li>",
    "<dd>",
    "<ruby>",
    "<image>",
    "<isindex>",
    "<body>",
    "<html>",
    "hidden",
    "<x y=\"",
    "\"",
];

/// Every fixture page with the URL it is classified at: a signature's own `fixture_url`
/// (so its conditions on the page run), else a landing page's.
static PAGES: LazyLock<Vec<(String, String)>> = LazyLock::new(|| {
    let catalog = Catalog::load(&[root().join("scenarios")]).unwrap();
    let mut pages = Vec::new();
    for dir in ["scenarios/signatures/fixtures", "tests/fixtures/pages"] {
        for path in files_under(&root().join(dir), "html") {
            let url = catalog
                .signatures
                .iter()
                .find(|s| s.fixture.canonicalize().ok() == path.canonicalize().ok())
                .and_then(|s| s.fixture_url.clone())
                .unwrap_or_else(|| "https://item.taobao.com/item.htm?id=1".to_string());
            let bytes = std::fs::read(&path).unwrap();
            pages.push((url, linkgate::charset::decode(&bytes, None, None).text));
        }
    }
    pages
});

static SIGNATURES: LazyLock<Catalog> =
    LazyLock::new(|| Catalog::load(&[root().join("scenarios")]).unwrap());

#[test]
fn mutated_pages_never_panic_and_read_within_a_second() {
    assert!(PAGES.len() > 20);
    let strategy = (
        0..PAGES.len(),
        proptest::collection::vec(mutation(HTML_TOKENS), 1..6),
        prop_oneof![Just(Some("wechat")), Just(Some("weibo")), Just(None)],
    );
    runner()
        .run(&strategy, |(page, mutations, host)| {
            let (url, body) = &PAGES[page];
            let body = apply(body, &mutations);
            let mut observation: Observation = observation_of(url, b"");
            observation.body = body;
            let situation = Situation {
                host,
                ..Situation::default()
            };
            let began = Instant::now();
            let verdict = classify(&observation, &situation, &SIGNATURES.signatures).verdict;
            let gist = PageGist::of(&observation);
            let title = page_title(&observation.body);
            prop_assert!(began.elapsed() < CASE_LIMIT, "took {:?}", began.elapsed());
            prop_assert!(!verdict.reason.is_empty());
            prop_assert!(gist.text.chars().count() <= 401);
            prop_assert!(title.is_none_or(|t| !t.is_empty()));
            Ok(())
        })
        .unwrap();
}

/// Regression, found by the test above: a file with thousands of syntax errors (a comment
/// line repeated 1,964 times after a stray `[[`) took 1.7 s to load, because each error's line
/// was counted from the start of the file.
#[test]
fn thousands_of_syntax_errors_load_within_a_second() {
    let mutations = [
        Mutation::Insert {
            at: 3969279389329966740,
            text: "[[".into(),
        },
        Mutation::Repeat {
            at: 8496772104076041357,
            len: 8,
            times: 133,
        },
        Mutation::Insert {
            at: 143984018,
            text: "timezone = \"Mars/Base\"".into(),
        },
        Mutation::Repeat {
            at: 12904416946483603429,
            len: 24,
            times: 1964,
        },
    ];
    let file = PACK
        .iter()
        .position(|(path, _)| path.ends_with("signatures/wechat.toml"))
        .unwrap();
    let mut sources = PACK.clone();
    sources[file].1 = apply(&sources[file].1, &mutations);
    let began = Instant::now();
    let loaded = Catalog::from_sources(&sources);
    assert!(began.elapsed() < CASE_LIMIT, "took {:?}", began.elapsed());
    assert!(matches!(loaded, Err(CatalogError::Invalid(_))));
}
