//! The robustness corpus through the real binary: `linkgate classify PAGE --url URL` (and only
//! the flags an entry needs) gives every page its expected verdict, mechanism, deciding
//! signature, continue control and navigation. Nothing here is told how the page is built.

mod support;

use support::cli::{linkgate, stdout, text};
use support::corpus::pages;

#[tokio::test]
async fn linkgate_classify_gives_every_corpus_page_its_verdict() {
    let pages = pages();
    assert!(pages.len() >= 60, "the corpus has {} pages", pages.len());
    let dir = tempfile::tempdir().unwrap();
    let scenarios = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");
    let mut failures = Vec::new();
    for page in &pages {
        let path = page.path();
        let mut args = vec![
            "classify".to_string(),
            path.to_str().unwrap().to_string(),
            "--json".to_string(),
            "-s".to_string(),
            scenarios.to_string(),
        ];
        args.extend(page.flags());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = linkgate(dir.path(), &args).await;
        if !output.status.success() {
            failures.push(format!("{}: {}", page.file, text(&output)));
            continue;
        }
        let answer: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
        let wrong = page.mismatches(&answer);
        if !wrong.is_empty() {
            failures.push(format!(
                "{} ({}): {}\n    because: {}",
                page.file,
                page.form,
                wrong.join("; "),
                answer["reason"]
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} corpus pages are misclassified:\n{}",
        failures.len(),
        pages.len(),
        failures.join("\n")
    );
}
