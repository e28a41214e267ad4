//! The commented reference file in docs/ must stay loadable and complete: this test loads it
//! as a user would and checks what it declares, so the documentation cannot drift from the
//! loader.

use std::path::PathBuf;

use linkgate::catalog::Catalog;
use linkgate::classify::{Matcher, Place};
use linkgate::model::{Client, EngineKind, SameOwner, Scene, VerdictKind};

const REFERENCE: &str = "docs/scenario-reference.toml";

fn reference() -> Catalog {
    Catalog::load(&[REFERENCE]).unwrap_or_else(|e| panic!("the reference file must load:\n{e}"))
}

#[test]
fn reference_file_loads_with_every_table() {
    let c = reference();
    assert_eq!(c.platforms.len(), 3);
    assert_eq!(c.contexts.len(), 5);
    assert_eq!(c.links.len(), 2);
    assert_eq!(c.signatures.len(), 2);
    assert_eq!(c.audits.len(), 1);
    assert_eq!(c.files.len(), 1);
    assert_eq!(c.files[0].path, REFERENCE);
    assert_eq!(c.files[0].sha256.len(), 64);
}

#[test]
fn reference_host_context_expands_to_one_context_per_scene() {
    let c = reference();
    let ids: Vec<&str> = c.contexts.iter().map(|x| x.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "wechat.android.private_chat",
            "wechat.android.group_chat",
            "wechat.android.moments",
            "wechat.ios.private_chat",
            "neutral.android",
        ]
    );
    let group = c.context("wechat.android.group_chat").unwrap();
    assert_eq!(group.host.as_deref(), Some("wechat"));
    assert_eq!(group.scene, Some(Scene::GroupChat));
    assert_eq!(group.client, Client::Android);
    assert_eq!(
        group.headers,
        [("X-Requested-With".to_string(), "com.tencent.mm".to_string())]
    );
    assert!(group.gateway.as_ref().unwrap().template.contains("{url}"));
    assert!(group.bridge.is_some() && group.note.is_some());
    assert_eq!(group.engine, EngineKind::Http);
    assert_eq!(
        c.context("wechat.ios.private_chat").unwrap().engine,
        EngineKind::Browser
    );
    assert!(c.context("neutral.android").unwrap().is_neutral());
}

#[test]
fn reference_signatures_are_compiled_in_load_order_with_fixtures_beside_the_file() {
    let c = reference();
    let stop = c.signature("reference.wechat.stop").unwrap();
    assert_eq!(stop.verdict, VerdictKind::Blocked);
    assert!(stop.by_continue);
    assert_eq!(stop.fixture_verdict, Some(VerdictKind::Blocked));
    assert_eq!((stop.priority, stop.order), (10, 0));
    assert_eq!(stop.targets.0, ["taobao", "tmall"]);
    let places: Vec<&str> = stop.conditions.iter().map(|x| x.place.as_str()).collect();
    assert_eq!(
        places,
        [
            "final_url",
            "title",
            "text",
            "selector",
            "selector",
            "body",
            "any_text",
            "script",
            "json"
        ]
    );
    assert!(matches!(&stop.conditions[8].place, Place::Json(key) if key == "cgiData.type"));
    let kinds: Vec<Option<&str>> = stop
        .conditions
        .iter()
        .map(|x| x.matcher.as_ref().map(Matcher::kind))
        .collect();
    assert_eq!(
        kinds,
        [
            Some("prefix"),
            Some("exact"),
            Some("contains"),
            None,
            Some("contains"),
            Some("regex"),
            Some("contains"),
            Some("contains"),
            Some("exact")
        ]
    );
    assert_eq!(
        stop.fixture,
        PathBuf::from("docs/../tests/fixtures/pages/reference/stop.html")
    );
    assert!(stop.fixture.is_file());

    let intercepted = c.signature("reference.wechat.intercepted").unwrap();
    assert_eq!((intercepted.priority, intercepted.order), (-10, 1));
    assert!(matches!(intercepted.conditions[0].place, Place::HopUrl));
    assert!(matches!(intercepted.conditions[1].place, Place::Body));
    assert!(intercepted.fixture.is_file());
    assert!(intercepted.fixture_url.is_some());
}

#[test]
fn reference_audit_keeps_every_setting() {
    let c = reference();
    let audit = c.audit("reference-miit-2021").unwrap();
    assert_eq!(audit.control, "neutral.android");
    assert_eq!(audit.same_owner, SameOwner::Control);
    assert_eq!(audit.deadlines.len(), 2);
    assert_eq!(audit.deadlines[0].date.to_string(), "2021-09-17");
    assert_eq!(audit.policy, "same_treatment");
    assert_eq!(audit.schedule.as_deref(), Some("0 3 * * *"));
    assert_eq!(
        (audit.timezone.as_str(), audit.lang.as_str()),
        ("Asia/Shanghai", "zh")
    );
    assert_eq!(audit.politeness.per_host, Some(2));
    assert_eq!(
        audit.politeness.interval,
        Some(std::time::Duration::from_millis(500))
    );
    let picked: Vec<&str> = c
        .contexts
        .iter()
        .filter(|x| !x.is_neutral() && audit.contexts.picks_context(x))
        .map(|x| x.id.as_str())
        .collect();
    assert_eq!(
        picked,
        ["wechat.android.private_chat", "wechat.android.group_chat"]
    );
    assert!(c.links.iter().all(|l| audit.links.picks_link(l)));
}

#[test]
fn reference_loads_the_same_from_memory() {
    let text = std::fs::read_to_string(REFERENCE).unwrap();
    let c = Catalog::from_sources(&[(PathBuf::from(REFERENCE), text)]).unwrap();
    assert_eq!(c.contexts.len(), 5);
    assert_eq!(c.files[0].sha256, reference().files[0].sha256);
    assert!(c.signatures.iter().all(|s| s.fixture.is_file()));
}
