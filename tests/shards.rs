//! `--shard I/N`: N machines measuring one audit each take a deterministic 1/N of its links,
//! every link whole (its control with its contexts), and together exactly the whole plan.

mod support;

use std::collections::{BTreeMap, BTreeSet};

use support::cli::*;

/// The (context, link) pairs of `linkgate plan --json ARGS`, by link.
async fn planned(dir: &std::path::Path, extra: &[&str]) -> BTreeMap<String, BTreeSet<String>> {
    let mut args = vec!["plan", "--json"];
    args.extend(extra);
    let output = linkgate(dir, &args).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout(&output)).unwrap();
    let mut by_link: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for row in rows {
        let link = row["link"].as_str().unwrap().to_string();
        by_link
            .entry(link)
            .or_default()
            .insert(row["context"].as_str().unwrap().to_string());
    }
    by_link
}

#[tokio::test]
async fn four_shards_are_the_whole_plan_each_link_whole_and_once() {
    let dir = tempfile::tempdir().unwrap();
    let whole = planned(dir.path(), &[]).await;
    let mut seen: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for shard in ["0/4", "1/4", "2/4", "3/4"] {
        for (link, contexts) in planned(dir.path(), &["--shard", shard]).await {
            assert!(
                contexts.iter().any(|c| c.starts_with("neutral")),
                "{link}: its control comes along"
            );
            assert_eq!(contexts, whole[&link], "{link} is whole in shard {shard}");
            assert!(
                seen.insert(link.clone(), contexts).is_none(),
                "{link} is in two shards"
            );
        }
    }
    assert_eq!(seen, whole);
    let refused = linkgate(dir.path(), &["plan", "--shard", "4/4"]).await;
    assert_eq!(refused.status.code(), Some(3), "{}", text(&refused));
    assert!(
        stderr(&refused).contains("I from 0 to N−1"),
        "{}",
        text(&refused)
    );
}
