//! Tests of world loading and of the bundled world's story.

use super::*;
use std::path::Path;

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn problems(text: &str) -> String {
    match World::from_toml(text, Path::new("w.toml")) {
        Err(SimError::InvalidWorld(p)) => p.to_string(),
        other => panic!("expected problems, got {other:?}"),
    }
}

#[test]
fn bundled_world_is_valid() {
    let world = World::bundled();
    assert_eq!(world.name, "miit-2021");
    assert_eq!(world.platforms.len(), 15);
}

#[test]
fn wechat_opens_taobao_in_chats_from_2022_01_but_not_in_moments() {
    let world = World::bundled();
    let decide = |scene, day| world.decide("wechat", Some("taobao"), Some(scene), date(day));
    let before = decide(Scene::PrivateChat, "2021-12-31");
    assert_eq!(
        (before.state, before.style),
        (GateState::CopyToBrowser, Some(Style::Taobao))
    );
    assert_eq!(
        decide(Scene::PrivateChat, "2022-01-10").state,
        GateState::Open
    );
    assert_eq!(
        decide(Scene::GroupChat, "2022-01-10").state,
        GateState::Open
    );
    assert_eq!(
        decide(Scene::Moments, "2022-01-10").state,
        GateState::CopyToBrowser
    );
}

#[test]
fn a_request_without_scene_uses_the_default_scene() {
    let world = World::bundled();
    let day = date("2021-10-01");
    assert_eq!(world.default_scene, Scene::PrivateChat);
    assert_eq!(
        world.decide("wechat", Some("douyin"), None, day).state,
        GateState::Open
    );
    let group = world.decide("wechat", Some("douyin"), Some(Scene::GroupChat), day);
    assert_eq!(group.state, GateState::Warning);
}

#[test]
fn bundled_world_has_a_qq_regression_after_the_deadline() {
    let world = World::bundled();
    let state = |day| world.decide("qq", Some("douyin"), None, date(day)).state;
    assert_eq!(state("2021-09-16"), GateState::Warning);
    assert_eq!(state("2021-09-17"), GateState::Open);
    assert_eq!(state("2021-09-18"), GateState::Warning);
    assert_eq!(state("2021-10-08"), GateState::Open);
}

/// Every day a rule or fault of the bundled world starts or ends, and the day before.
fn story_days(world: &World) -> Vec<NaiveDate> {
    let mut days = vec![date("2020-01-01"), date("2030-01-01")];
    for (from, until) in world.rules.iter().map(|r| (r.from, r.until)) {
        for d in [from, until].into_iter().flatten() {
            days.extend([d, d.pred_opt().unwrap()]);
        }
    }
    days
}

#[test]
fn same_owner_controls_always_open_in_the_bundled_world() {
    let world = World::bundled();
    for host in &world.platforms {
        for target in world.platforms.iter().filter(|t| t.owner == host.owner) {
            for day in story_days(&world) {
                for scene in Scene::ALL {
                    let d = world.decide(&host.id, Some(&target.id), Some(scene), day);
                    assert_eq!(
                        d.state,
                        GateState::Open,
                        "{} -> {} on {day} in {scene}",
                        host.id,
                        target.id
                    );
                }
            }
        }
    }
}

#[test]
fn everything_is_open_long_after_the_story_except_what_stays_blocked() {
    let world = World::bundled();
    let day = date("2025-01-01");
    let blocked: Vec<String> = world
        .platforms
        .iter()
        .flat_map(|h| world.platforms.iter().map(move |t| (h, t)))
        .filter(|(h, t)| {
            world.decide(&h.id, Some(&t.id), None, day).state != GateState::Open && h.id != t.id
        })
        .map(|(h, t)| format!("{}->{}", h.id, t.id))
        .collect();
    insta::assert_snapshot!(blocked.join("\n"));
}

#[test]
fn the_longest_domain_wins() {
    let world = World::bundled();
    let id = |host| world.platform_of_host(host).map(|p| p.id.as_str());
    assert_eq!(id("open.work.weixin.qq.com"), Some("wecom"));
    assert_eq!(id("mp.weixin.qq.com"), Some("wechat"));
    assert_eq!(id("c.pc.qq.com"), Some("qq"));
    assert_eq!(id("ITEM.TAOBAO.COM"), Some("taobao"));
    assert_eq!(id("nottaobao.com"), None);
    assert_eq!(id("example.com"), None);
    let url = world.platform_of_url("https://m.tb.cn/h.fkR7c2?x=1");
    assert_eq!(url.map(|p| p.id.as_str()), Some("taobao"));
}

#[test]
fn wecom_is_recognised_before_wechat() {
    let world = World::bundled();
    let host = |ua| world.host_of_user_agent(ua).map(|p| p.id.as_str());
    let wecom = "Mozilla/5.0 (Linux; Android 13) wxwork/4.1.10 MicroMessenger/7.0.1 wwmver/3.26";
    assert_eq!(host(wecom), Some("wecom"));
    let wechat = "Mozilla/5.0 (Linux; Android 13) XWEB/1160065 MMWEBSDK/20231202 MicroMessenger/8.0.47.2560(0x28002F35) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN";
    assert_eq!(host(wechat), Some("wechat"));
    let qq = "Mozilla/5.0 (Linux; Android 13) V1_AND_SQ_9.0.0_5282_YYB_D QQ/9.0.0.14110 NetType/WIFI MQQBrowser/6.2 TBS/046913";
    assert_eq!(host(qq), Some("qq"));
    let chrome = "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36";
    assert_eq!(host(chrome), None);
}

#[test]
fn faults_and_short_links_are_looked_up() {
    let world = World::bundled();
    let kind = |host, day| world.fault(host, date(day)).map(|f| f.kind);
    assert_eq!(
        kind("pages.tmall.com", "2021-09-17"),
        Some(FaultKind::Reset)
    );
    assert_eq!(
        kind("sale.jd.com", "2021-09-17"),
        Some(FaultKind::Unavailable)
    );
    assert_eq!(kind("sale.jd.com", "2021-10-01"), None);
    assert_eq!(kind("detail.tmall.com", "2021-09-17"), None);
    assert_eq!(
        world.short_link("A6Jd4KpL"),
        Some("https://item.jd.com/100012043978.html")
    );
    assert_eq!(world.short_link("nope"), None);
}

const MINIMAL: &str = r#"
[[platform]]
id = "wechat"
owner = "tencent"
name = "WeChat"
name_zh = "微信"
title = "微信"
domains = ["weixin.qq.com"]
"#;

#[test]
fn a_minimal_world_loads_with_defaults() {
    let world = World::from_toml(MINIMAL, Path::new("worlds/tiny.toml")).unwrap();
    assert_eq!(world.name, "tiny");
    assert_eq!(world.default_scene, Scene::PrivateChat);
    assert_eq!(world.platforms[0].charset, encoding_rs::UTF_8);
    let d = world.decide("wechat", Some("wechat"), None, date("2021-01-01"));
    assert_eq!(d, Decision::OPEN);
}

#[test]
fn syntax_errors_have_a_position() {
    let text = format!("{MINIMAL}\n[[rule]\nhost = \"wechat\"\n");
    insta::assert_snapshot!(problems(&text));
}

#[test]
fn unknown_keys_and_bad_enums_are_reported() {
    let text =
        format!("{MINIMAL}\n[[rule]]\nhost = \"wechat\"\ntargets = [\"*\"]\nstate = \"blocked\"\n");
    insta::assert_snapshot!(problems(&text));
    let text =
        format!("{MINIMAL}\n[[fault]]\nhost = \"a.example\"\nkind = \"down\"\nmod = \"reset\"\n");
    insta::assert_snapshot!(problems(&text));
}

#[test]
fn every_validation_problem_is_reported_at_once() {
    let text = format!(
        r#"{MINIMAL}
[[platform]]
id = "Bad-Id"
owner = "x"
name = "X"
name_zh = "X"
title = "X"
domains = ["https://x.example/", "weixin.qq.com"]
charset = "klingon"

[[rule]]
host = "douyin"
targets = ["wechat", "nobody"]
state = "warning"
from = 2022-01-01
until = 2021-01-01

[[rule]]
host = "wechat"
targets = ["*", "wechat"]
scenes = []
state = "warning"
style = "mobile"

[[rule]]
host = "wechat"
targets = ["wechat"]
state = "open"
from = 2021-09-17T10:00:00

[[short_link]]
url = "https://bit.ly/abc"
target = "not a url"

[[fault]]
host = "Slow.Example"
kind = "slow"

[[fault]]
host = "down.example"
kind = "down"
delay_ms = 5
"#
    );
    insta::assert_snapshot!(problems(&text));
}

#[test]
fn a_state_the_host_cannot_show_is_refused() {
    let text = format!(
        "{MINIMAL}\n[[platform]]\nid = \"douyin\"\nowner = \"bytedance\"\nname = \"Douyin\"\nname_zh = \"抖音\"\ntitle = \"抖音\"\ndomains = [\"douyin.com\"]\n\n[[rule]]\nhost = \"douyin\"\ntargets = [\"wechat\"]\nstate = \"stop\"\n"
    );
    let text = problems(&text);
    assert!(
        text.contains("w.toml:21:9: `douyin` cannot show `stop`"),
        "{text}"
    );
}

#[test]
fn load_names_the_missing_file() {
    let err = World::load(Path::new("/nonexistent/world.toml")).unwrap_err();
    assert!(err.to_string().contains("/nonexistent/world.toml"), "{err}");
}
