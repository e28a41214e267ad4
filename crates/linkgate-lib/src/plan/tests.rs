//! Planning counts, selectors and the same-owner rule, on a hand-built catalog.

use super::*;
use crate::model::{Category, Client, Deadline, EngineKind, Platform, Politeness, Scene};
use globset::Glob;

fn platform(id: &str, owner: &str) -> Platform {
    Platform {
        id: id.into(),
        owner: owner.into(),
        name: id.into(),
        name_zh: id.into(),
    }
}

fn context(host: Option<&str>, scene: Option<Scene>, client: Client) -> Context {
    let id = match (host, scene) {
        (Some(h), Some(s)) => format!("{h}.{client}.{s}"),
        _ => format!("neutral.{client}"),
    };
    Context {
        id,
        host: host.map(str::to_string),
        scene,
        client,
        user_agent: "UA".into(),
        headers: vec![],
        gateway: None,
        bridge: None,
        engine: EngineKind::Http,
        note: None,
    }
}

fn link(id: &str, platform: &str, category: Category) -> Link {
    Link {
        id: id.into(),
        platform: platform.into(),
        category,
        url: format!("https://{platform}.example/{id}"),
        landing: std::sync::Arc::new(regex::Regex::new(".*").unwrap()),
        landing_marker: None,
        note: None,
    }
}

fn audit() -> Audit {
    Audit {
        id: "a".into(),
        title: "A".into(),
        contexts: Selector::default(),
        links: Selector::default(),
        control: "neutral.android".into(),
        same_owner: SameOwner::Control,
        deadlines: vec![Deadline {
            date: chrono::NaiveDate::from_ymd_opt(2021, 9, 17).unwrap(),
            label: "d".into(),
        }],
        policy: "same_treatment".into(),
        schedule: None,
        timezone: "Asia/Shanghai".into(),
        lang: "zh".into(),
        politeness: Politeness::default(),
    }
}

/// wechat (tencent) × 2 scenes × 2 clients, qq (tencent) × 1; links: taobao, jd, qq.
fn catalog() -> Catalog {
    use Scene::*;
    Catalog {
        platforms: vec![
            platform("wechat", "tencent"),
            platform("qq", "tencent"),
            platform("taobao", "alibaba"),
            platform("jd", "jd"),
        ],
        contexts: vec![
            context(None, None, Client::Android),
            context(Some("wechat"), Some(PrivateChat), Client::Android),
            context(Some("wechat"), Some(GroupChat), Client::Android),
            context(Some("wechat"), Some(PrivateChat), Client::Ios),
            context(Some("wechat"), Some(GroupChat), Client::Ios),
            context(Some("qq"), Some(PrivateChat), Client::Android),
        ],
        links: vec![
            link("taobao.item", "taobao", Category::Ecommerce),
            link("jd.item", "jd", Category::Ecommerce),
            link("qq.article", "qq", Category::Article),
        ],
        audits: vec![audit()],
        ..Catalog::default()
    }
}

fn count(probes: &[Probe], role: ProbeRole) -> usize {
    probes.iter().filter(|p| p.role == role).count()
}

#[test]
fn every_context_by_every_link_plus_one_control_per_link() {
    let probes = plan(&catalog(), &PlanOptions::default()).unwrap();
    // 5 host contexts × 3 links, 3 controls.
    assert_eq!(probes.len(), 18);
    assert_eq!(count(&probes, ProbeRole::Control), 3);
    // qq.article is same-owner for all five tencent contexts.
    assert_eq!(count(&probes, ProbeRole::SameOwner), 5);
    assert_eq!(count(&probes, ProbeRole::Rival), 10);
    assert_eq!(probes[0].role, ProbeRole::Control);
    assert_eq!(probes[0].context, "neutral.android");
}

#[test]
fn same_owner_pairs_can_be_left_out_or_included() {
    let options = PlanOptions {
        same_owner: Some(SameOwner::Exclude),
        ..PlanOptions::default()
    };
    let probes = plan(&catalog(), &options).unwrap();
    assert_eq!(
        (probes.len(), count(&probes, ProbeRole::SameOwner)),
        (12, 0)
    );
    let options = PlanOptions {
        same_owner: Some(SameOwner::Include),
        ..PlanOptions::default()
    };
    let probes = plan(&catalog(), &options).unwrap();
    assert_eq!(
        (
            count(&probes, ProbeRole::Rival),
            count(&probes, ProbeRole::SameOwner)
        ),
        (15, 0)
    );
}

#[test]
fn selectors_by_platform_scene_client_category_and_glob() {
    let cat = catalog();
    let run = |contexts: Selector, links: Selector| {
        let options = PlanOptions {
            contexts,
            links,
            ..PlanOptions::default()
        };
        plan(&cat, &options).unwrap()
    };
    let by_scene = run(
        Selector {
            scenes: vec![Scene::GroupChat],
            ..Selector::default()
        },
        Selector::default(),
    );
    assert_eq!(by_scene.len(), 2 * 3 + 3);
    let by_client = run(
        Selector {
            clients: vec![Client::Ios],
            ..Selector::default()
        },
        Selector::default(),
    );
    assert_eq!(by_client.len(), 2 * 3 + 3);
    let by_host = run(
        Selector {
            platforms: vec!["qq".into()],
            ..Selector::default()
        },
        Selector::default(),
    );
    assert_eq!(by_host.len(), 3 + 3);
    let by_category = run(
        Selector::default(),
        Selector {
            categories: vec![Category::Ecommerce],
            ..Selector::default()
        },
    );
    assert_eq!(by_category.len(), 5 * 2 + 2);
    let glob = Glob::new("wechat.*.private_chat")
        .unwrap()
        .compile_matcher();
    let by_glob = run(
        Selector {
            ids: vec![glob],
            ..Selector::default()
        },
        Selector::default(),
    );
    assert_eq!(by_glob.len(), 2 * 3 + 3);
    let by_target = run(
        Selector::default(),
        Selector {
            platforms: vec!["jd".into()],
            ..Selector::default()
        },
    );
    assert_eq!(by_target.len(), 5 + 1);
}

#[test]
fn a_link_with_no_selected_context_gets_no_control() {
    let options = PlanOptions {
        contexts: Selector {
            platforms: vec!["nobody".into()],
            ..Selector::default()
        },
        ..PlanOptions::default()
    };
    assert!(plan(&catalog(), &options).unwrap().is_empty());
}

#[test]
fn unknown_audit_names_the_known_ones() {
    let options = PlanOptions {
        audit: Some("nope".into()),
        ..PlanOptions::default()
    };
    let err = plan(&catalog(), &options).unwrap_err();
    assert_eq!(
        err.to_string(),
        "no audit named `nope`; the scenarios define: a (pass one of them to --audit)"
    );
}

#[test]
fn plan_rows_carry_the_entry_url() {
    let mut cat = catalog();
    cat.contexts[1].gateway = Some(crate::model::Gateway {
        template: "https://gw.example/?u={url}".into(),
    });
    let probes = plan(&cat, &PlanOptions::default()).unwrap();
    let row = PlanRow::new(&cat, &probes[1]).unwrap();
    assert_eq!(row.context, "wechat.android.private_chat");
    assert_eq!(
        row.entry_url,
        "https://gw.example/?u=https%3A%2F%2Ftaobao.example%2Ftaobao.item"
    );
}
