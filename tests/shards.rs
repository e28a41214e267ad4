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

/// Four links of the test site: by the shards' hash of the test audit, shard 0/2 holds a, b
/// and c; of three shards, 0/3 holds none.
fn four_links(site: &support::Server) -> Vec<(&'static str, String)> {
    [
        ("a.item", "/item/a"),
        ("b.item", "/item/b"),
        ("c.item", "/item/c"),
        ("d.item", "/item/d"),
    ]
    .into_iter()
    .map(|(id, path)| (id, site.url(path)))
    .collect()
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

/// Shards started by `run --due` in the same scheduled slot, with no `--run-group`, join one
/// run named after the audit and the slot; the audit is due until the last shard completes it.
#[tokio::test]
async fn shards_of_one_due_slot_join_one_run() {
    use support::history::runs;
    use support::scenario::{Timing, scenarios};
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let site = support::site::site().await;
    let links = four_links(&site);
    let hourly = Timing {
        schedule: Some("0 * * * *"),
        timezone: "Asia/Shanghai",
    };
    let root = scenarios(dir, &site.url("/gw"), &links, hourly);
    let first = run(dir, &root, &["--due", "--shard", "0/2"]).await;
    assert_eq!(first.status.code(), Some(0), "{}", text(&first));
    assert!(
        text(&first).contains("1 of 2 shards completed"),
        "{}",
        text(&first)
    );
    let second = run(dir, &root, &["--due", "--shard", "1/2"]).await;
    assert_eq!(second.status.code(), Some(0), "{}", text(&second));
    assert!(
        text(&second).contains("this shard completed the group and sealed the run"),
        "{}",
        text(&second)
    );
    let stored = runs(dir);
    assert_eq!(stored.len(), 1, "one run for the slot");
    let (group, records) = &stored[0];
    assert!(group.id.starts_with("test-audit-"), "{}", group.id);
    assert!(
        group.id.ends_with("00Z"),
        "named after the slot: {}",
        group.id
    );
    assert_eq!(group.status, linkgate::model::RunStatus::Completed);
    let links: BTreeSet<&str> = records.iter().map(|r| r.link_id.as_str()).collect();
    assert_eq!(links.len(), 4, "every link once: {links:?}");
    let again = run(dir, &root, &["--due", "--shard", "0/2"]).await;
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    assert_eq!(runs(dir).len(), 1, "not due again in the same slot");
}

/// A shard whose vantage (or shard count) is not its group's is a wrong command line: exit 3,
/// saying which flag, and the group's run is left as it was.
#[tokio::test]
async fn a_shard_from_another_vantage_is_refused_as_invalid_input() {
    use support::scenario::{UNSCHEDULED, scenarios};
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let site = support::site::site().await;
    let links = four_links(&site);
    let root = scenarios(dir, &site.url("/gw"), &links, UNSCHEDULED);
    let group = ["--run-group", "gg", "--shard"];
    let first = run(dir, &root, &[&group[..], &["0/2"]].concat()).await;
    assert_eq!(first.status.code(), Some(0), "{}", text(&first));
    let other = run(
        dir,
        &root,
        &[&group[..], &["1/2", "--vantage", "elsewhere"]].concat(),
    )
    .await;
    assert_eq!(other.status.code(), Some(3), "{}", text(&other));
    assert!(stderr(&other).contains("--vantage"), "{}", text(&other));
    // Shard 1/3 has links of its own (2/3 too; 0/3 has none).
    let count = run(dir, &root, &[&group[..], &["1/3"]].concat()).await;
    assert_eq!(count.status.code(), Some(3), "{}", text(&count));
    assert!(stderr(&count).contains("--shard I/N"), "{}", text(&count));
}

/// Regression: a shard with no links of its own (more shards than links) was refused as "the
/// selection matches nothing", so its run group could never complete. It reports in, measuring
/// nothing, and the group completes when the others do.
#[tokio::test]
async fn a_shard_without_links_still_completes_its_part_of_the_group() {
    use support::history::runs;
    use support::scenario::{UNSCHEDULED, scenarios};
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let site = support::site::site().await;
    let links = four_links(&site);
    let root = scenarios(dir, &site.url("/gw"), &links, UNSCHEDULED);
    // Shard 0/3 of these links is empty (see the test above).
    let plan = linkgate(
        dir,
        &["plan", root.to_str().unwrap(), "--shard", "0/3", "--json"],
    )
    .await;
    assert_eq!(plan.status.code(), Some(0), "{}", text(&plan));
    assert_eq!(stdout(&plan).trim(), "[]");
    for shard in ["0/3", "1/3", "2/3"] {
        let output = run(dir, &root, &["--run-group", "three", "--shard", shard]).await;
        assert_eq!(
            output.status.code(),
            Some(0),
            "shard {shard}: {}",
            text(&output)
        );
    }
    let stored = runs(dir);
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].0.status, linkgate::model::RunStatus::Completed);
    assert_eq!(stored[0].1.len(), 8, "4 links, each with its control");
    let nothing = run(dir, &root, &["--host", "nobody"]).await;
    assert_eq!(
        nothing.status.code(),
        Some(3),
        "a selection of nothing is still refused"
    );
}
