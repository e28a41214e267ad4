//! Loading valid scenario sets: folders walked in path order, ids resolved across files,
//! every file hashed, and one broken table or file not turning into a cascade of problems
//! about everything that refers to it.

mod support;

use std::fs;
use std::path::PathBuf;

use linkgate::catalog::{Catalog, CatalogError, Diagnostics};
use linkgate::classify::Matcher;
use sha2::Digest;
use support::scenario::PLATFORMS;

const REST: &str = r#"
[[context]]
host = "wechat"
client = "android"
scenes = ["private_chat"]
user_agent = "Mozilla/5.0 MicroMessenger/8.0.47"
headers = { "X-Requested-With" = "com.tencent.mm", "Accept-Language" = "zh-CN" }

[[context]]
id = "neutral.android"
client = "android"
user_agent = "Mozilla/5.0 (Linux; Android 13; Pixel 7) Chrome/126.0 Mobile Safari/537.36"

[[link]]
id = "taobao.item"
platform = "taobao"
category = "ecommerce"
url = "https://item.taobao.com/item.htm?id=1"
landing = '^https://item\.taobao\.com/'

[[audit]]
id = "miit-2021"
title = "MIIT 2021"
control = "neutral.android"
deadlines = [{ date = 2021-09-17, label = "MIIT deadline" }]
"#;

fn problems(sources: &[(&str, &str)]) -> Diagnostics {
    let sources: Vec<(PathBuf, String)> = sources
        .iter()
        .map(|(name, text)| (PathBuf::from(name), text.to_string()))
        .collect();
    match Catalog::from_sources(&sources) {
        Err(CatalogError::Invalid(d)) => d,
        Err(other) => panic!("expected problems, got {other}"),
        Ok(_) => panic!("expected problems, but it loaded"),
    }
}

#[test]
fn folder_loads_in_path_order_with_references_across_files_and_hashes() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("more")).unwrap();
    // The link and audit refer to platforms declared in a file loaded after them.
    fs::write(dir.path().join("a-rest.toml"), REST).unwrap();
    fs::write(dir.path().join("more/platforms.toml"), PLATFORMS).unwrap();
    fs::write(dir.path().join("README.md"), "not a scenario").unwrap();

    let catalog = Catalog::load(&[dir.path()]).unwrap_or_else(|e| panic!("{e}"));

    let names: Vec<&str> = catalog.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(names.len(), 2);
    assert!(names[0].ends_with("a-rest.toml") && names[1].ends_with("platforms.toml"));
    let expected = hex::encode(sha2::Sha256::digest(REST.as_bytes()));
    assert_eq!(catalog.files[0].sha256, expected);
    assert_eq!(catalog.owner_of("taobao"), Some("alibaba"));
    assert_eq!(catalog.contexts.len(), 2);
    // Headers keep the order they are written in, not the parser's sorted order.
    let headers = &catalog
        .context("wechat.android.private_chat")
        .unwrap()
        .headers;
    assert_eq!(headers[0].0, "X-Requested-With");
    assert_eq!(headers[1].0, "Accept-Language");
}

#[test]
fn defaults_fill_optional_keys() {
    let catalog = Catalog::from_sources(&[(PathBuf::from("s.toml"), format!("{PLATFORMS}{REST}"))])
        .unwrap_or_else(|e| panic!("{e}"));
    let audit = catalog.audit("miit-2021").unwrap();
    assert_eq!(audit.policy, "same_treatment");
    assert_eq!(audit.timezone, "Asia/Shanghai");
    assert_eq!(audit.lang, "zh");
    assert_eq!(audit.schedule, None);
    assert_eq!(audit.politeness, Default::default());
    let context = catalog.context("wechat.android.private_chat").unwrap();
    assert_eq!(context.engine, linkgate::model::EngineKind::Http);
    assert!(context.gateway.is_none() && context.bridge.is_none());
}

#[test]
fn status_condition_accepts_a_bare_number() {
    let signature = r#"
[[signature]]
id = "gateway.redirect"
verdict = "inconclusive"
mechanism = "redirect"
actor = "none"
source = "test"
fixture = "docs/scenario-reference.toml"
when = [{ in = "status", exact = 302 }]
"#;
    let catalog = Catalog::from_sources(&[(PathBuf::from("s.toml"), signature.to_string())])
        .unwrap_or_else(|e| panic!("{e}"));
    let condition = &catalog.signatures[0].conditions[0];
    assert!(matches!(&condition.matcher, Some(Matcher::Exact(s)) if s == "302"));
}

#[test]
fn a_file_with_a_syntax_error_still_declares_its_ids_for_other_files() {
    let broken = format!("{PLATFORMS}\n[[platform]]\nid = \"jd\"\nowner = jd\n");
    let d = problems(&[("platforms.toml", &broken), ("rest.toml", REST)]);
    let messages: Vec<&str> = d.iter().map(|x| x.message.as_str()).collect();
    assert_eq!(
        messages,
        ["TOML syntax error: `jd` is not a value (text needs quotes)"]
    );
}

#[test]
fn a_broken_table_still_declares_its_id() {
    let without_name_zh = PLATFORMS.replace("name_zh = \"淘宝\"\n", "");
    let d = problems(&[("s.toml", &format!("{without_name_zh}{REST}"))]);
    let messages: Vec<&str> = d.iter().map(|x| x.message.as_str()).collect();
    assert_eq!(messages, ["missing key `name_zh` in platform `taobao`"]);
}

#[test]
fn a_duplicate_across_files_points_at_the_other_file() {
    let d = problems(&[("a.toml", PLATFORMS), ("b.toml", PLATFORMS)]);
    assert_eq!(d.len(), 2);
    assert!(d.iter().all(|x| x.file == std::path::Path::new("b.toml")));
    assert!(
        d.0[0]
            .hint
            .as_deref()
            .unwrap()
            .starts_with("first defined at a.toml:3:6")
    );
}

#[test]
fn gateway_scene_placeholder_is_filled_per_expanded_context() {
    let rest = REST.replace(
        "scenes = [\"private_chat\"]",
        "scenes = [\"private_chat\", \"group_chat\"]\ngateway = \"https://gw.example/check?url={url}&scene={scene}\"",
    );
    let sources = vec![
        (PathBuf::from("platforms.toml"), PLATFORMS.to_string()),
        (PathBuf::from("rest.toml"), rest),
    ];
    let catalog = Catalog::from_sources(&sources).unwrap_or_else(|e| panic!("{e}"));
    let gateway = |id: &str| {
        catalog
            .context(id)
            .unwrap()
            .gateway
            .clone()
            .unwrap()
            .template
    };
    assert_eq!(
        gateway("wechat.android.group_chat"),
        "https://gw.example/check?url={url}&scene=group_chat"
    );
    let entry = catalog
        .context("wechat.android.private_chat")
        .unwrap()
        .entry_url("https://item.taobao.com/");
    assert_eq!(
        entry,
        "https://gw.example/check?url=https%3A%2F%2Fitem.taobao.com%2F&scene=private_chat"
    );
}
