//! Triage on a world where WeChat's gateway starts serving a page no signature knows (in
//! three wordings) for some links, while a shop serves ordinary pages nobody has a landing
//! pattern for: `triage` puts the unknown pages in one family and keeps every shop page out,
//! and its drafted signature, with the verdict chosen, added to a copy of the pack, makes a
//! reclassify give that verdict to every member and change nothing else.

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use support::site::{LANDING, gateway};
use support::{Reply, Server, cli::*, history::*, scenario::*};

/// The gateway's new page, in three wordings of one template.
fn warning(n: usize, target: &str) -> String {
    let (heading, advice) = [
        (
            "您即将访问的网站可能存在风险",
            "该链接未通过平台安全检测，请谨慎访问",
        ),
        (
            "您将要访问的网页可能存在风险",
            "该链接暂未通过平台安全检测，请谨慎访问",
        ),
        (
            "即将访问的网站可能存在安全风险",
            "该链接未通过平台的安全检测，请谨慎访问",
        ),
    ][n % 3];
    format!(
        "<!DOCTYPE html><html><head><meta charset=utf-8><title>安全提示</title></head><body>\
         <div class=\"risk-box\"><h3>{heading}</h3><p class=\"advice\">{advice}</p>\
         <p class=\"url\">{target}</p><a class=\"go-on\" href=\"{target}\">继续访问</a></div></body></html>"
    )
}

fn shop_page(path: &str) -> String {
    let n: usize = path.trim_start_matches("/shop/").parse().unwrap_or(0);
    let items: String = (0..6)
        .map(|i| {
            format!(
                "<li class=\"item\">商品 {n}{i} 售价 {} 元，已售 {} 件</li>",
                10 + n * 3 + i,
                100 + n * i
            )
        })
        .collect();
    format!(
        "<html><head><title>好物小店 {n}</title></head><body><ul class=\"goods\">{items}</ul><p>店铺 {n} 号 · 客服在线</p></body></html>"
    )
}

fn verdicts(dir: &Path) -> BTreeMap<(String, String), String> {
    only_run(dir)
        .1
        .into_iter()
        .map(|r| {
            (
                (r.context, r.link_id),
                format!("{}/{}", r.verdict.kind, r.verdict.mechanism),
            )
        })
        .collect()
}

#[tokio::test]
async fn unknown_pages_become_one_family_whose_draft_classifies_them_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let site = Server::start(|r| match r.route() {
        "/gw" if r.path.contains("warn") => {
            let n = r
                .path
                .chars()
                .rev()
                .find_map(|c| c.to_digit(10))
                .unwrap_or(0) as usize;
            Reply::html(&warning(n, "https://item.example.test/"))
        }
        "/gw" => gateway(r),
        _ => Reply::html(LANDING),
    })
    .await;
    let shop = Server::start(|r| Reply::html(&shop_page(r.route()))).await;
    let mut links: Vec<(String, String)> = Vec::new();
    links.extend((0..6).map(|i| (format!("warn.{i}"), site.url(&format!("/item/warn{i}")))));
    links.extend((0..4).map(|i| (format!("shop.{i}"), shop.url(&format!("/shop/{i}")))));
    links.extend((0..2).map(|i| (format!("open.{i}"), site.url(&format!("/item/open{i}")))));
    let links: Vec<(&str, String)> = links
        .iter()
        .map(|(id, url)| (id.as_str(), url.clone()))
        .collect();
    let root = scenarios(dir, &site.url("/gw"), &links, UNSCHEDULED);
    let output = run(dir, &root, &[]).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let before = verdicts(dir);
    // Every probe not opened says how its page compares with its control's; opened ones
    // and controls do not.
    for record in only_run(dir).1 {
        let similarity = record.observation.control_similarity;
        match (record.link_id.starts_with("warn."), record.context.as_str()) {
            (true, "wechat.android.private_chat") => {
                let s = similarity.expect("a warning page compared with its control's");
                assert!(!s.same_title && s.text_percent < 30, "{s:?}");
            }
            _ if record.verdict.kind.as_str() == "opened" => assert_eq!(similarity, None),
            _ => {}
        }
    }
    // The run's report lists the family, with a link to its most central page.
    let run_id = only_run(dir).0.id;
    let report =
        std::fs::read_to_string(dir.join("reports").join(&run_id).join("index.html")).unwrap();
    let section = &report[report.find("id=\"families\"").expect("a families section")..];
    assert!(
        section.contains("draft.wechat.family1") && section.contains(".html.gz"),
        "{section}"
    );

    let output = linkgate(
        dir,
        &[
            "triage",
            "--db",
            "reports/linkgate.db",
            "--out",
            "drafts",
            "--json",
        ],
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let json = stdout(&output);
    let json = &json[..json.rfind('}').unwrap() + 1];
    let found: serde_json::Value = serde_json::from_str(json).unwrap();
    let families = found["families"].as_array().unwrap();
    let links_of = |f: &serde_json::Value| -> Vec<String> {
        f["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["link"].as_str().unwrap().to_string())
            .collect()
    };
    let first = links_of(&families[0]);
    let mut expected: Vec<String> = (0..6).map(|i| format!("warn.{i}")).collect();
    let mut got = first.clone();
    got.sort();
    expected.sort();
    assert_eq!(
        got, expected,
        "the unknown pages are one family, and only they"
    );
    for family in &families[1..] {
        assert!(
            links_of(family).iter().all(|l| l.starts_with("shop.")),
            "{family}"
        );
    }
    let id = families[0]["id"].as_str().unwrap().to_string();

    // The analyst chooses the verdict and adds the draft and its page to a copy of the pack.
    let pack = dir.join("pack2");
    let copied = std::process::Command::new("cp")
        .arg("-r")
        .arg(&root)
        .arg(&pack)
        .status()
        .unwrap();
    assert!(copied.success());
    let draft = std::fs::read_to_string(dir.join("drafts").join(format!("{id}.toml"))).unwrap();
    assert!(draft.contains("verdict = \"CHOOSE\""), "{draft}");
    assert!(
        draft.contains("{ in = \"selector\"") && draft.contains("{ in = \"any_text\""),
        "{draft}"
    );
    std::fs::write(
        pack.join(format!("{id}.toml")),
        draft.replace("\"CHOOSE\"", "\"interstitial\""),
    )
    .unwrap();
    std::fs::create_dir_all(pack.join("fixtures/draft")).unwrap();
    std::fs::copy(
        dir.join("drafts/fixtures/draft").join(format!("{id}.html")),
        pack.join("fixtures/draft").join(format!("{id}.html")),
    )
    .unwrap();
    let output = linkgate(
        dir,
        &[
            "reclassify",
            "--scenarios",
            pack.to_str().unwrap(),
            "--out",
            "reports",
        ],
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let after = verdicts(dir);
    for (key, verdict) in &before {
        let now = &after[key];
        if key.0 != "neutral.android" && key.1.starts_with("warn.") {
            assert!(now.starts_with("interstitial/"), "{key:?}: {now}");
        } else {
            assert_eq!(now, verdict, "{key:?} must not change");
        }
    }
}

/// Regression: without a history, triage pointed at `--out`, which for triage is where the
/// drafts go.
#[tokio::test]
async fn triage_without_a_history_names_the_database_flag() {
    let dir = tempfile::tempdir().unwrap();
    let output = linkgate(dir.path(), &["triage"]).await;
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    assert!(stderr(&output).contains("pass --db"), "{}", text(&output));
}
