//! The bundled MIIT-2021 scenario pack is complete and safe to measure with: every platform,
//! host, link form and page state DOMAIN.md names is present, every link's landing pattern
//! accepts where DOMAIN.md says its share form resolves, and no signature mistakes an ordinary
//! page — an item page with an app banner, an article quoting a block page — for a block.
//! (Each signature's own fixture is classified in tests/signatures.rs.)

mod support;

use std::collections::BTreeMap;

use linkgate::classify::{Page, Situation, classify, match_signature};
use linkgate::model::{Client, ProbeRole, Scene, VerdictKind};
use linkgate::plan::{PlanOptions, plan};
use support::fixtures::{bundled, fixture_bytes, observation_of};

/// DOMAIN.md's platforms and the owner groups DOMAIN.md and DESIGN.md name.
const PLATFORMS: [(&str, &str); 15] = [
    ("wechat", "tencent"),
    ("qq", "tencent"),
    ("wecom", "tencent"),
    ("douyin", "bytedance"),
    ("kuaishou", "kuaishou"),
    ("weibo", "sina"),
    ("taobao", "alibaba"),
    ("tmall", "alibaba"),
    ("alipay", "alibaba"),
    ("dingtalk", "alibaba"),
    ("jd", "jd"),
    ("pinduoduo", "pdd"),
    ("xiaohongshu", "xingin"),
    ("bilibili", "bilibili"),
    ("baidu", "baidu"),
];

/// DOMAIN.md §2's hosts, the user-agent token that identifies each, and its gateway (§3).
const HOSTS: [(&str, &str, Option<&str>); 13] = [
    (
        "wechat",
        "MicroMessenger/",
        Some("https://mp.weixinbridge.com/mp/wapredirect?"),
    ),
    (
        "wecom",
        "wxwork/",
        Some("https://open.work.weixin.qq.com/wwopen/uriconfirm?"),
    ),
    ("qq", "QQ/", Some("https://c.pc.qq.com/")),
    ("douyin", "aweme_", None),
    ("kuaishou", "Kwai/", None),
    ("weibo", "__weibo__", Some("https://weibo.cn/sinaurl?")),
    ("taobao", "AliApp(TB/", None),
    ("tmall", "AliApp(TM/", None),
    ("alipay", "AliApp(AP/", None),
    ("dingtalk", "AliApp(DingTalk/", None),
    (
        "bilibili",
        "BiliApp/",
        Some("https://www.bilibili.com/york/link-middle-page/"),
    ),
    (
        "baidu",
        "baiduboxapp/",
        Some("https://tieba.baidu.com/mo/q/checkurl?"),
    ),
    ("xiaohongshu", "xhsdiscover/", None),
];

#[test]
fn every_platform_of_domain_md_is_present_with_owner_and_names() {
    let catalog = bundled();
    for (id, owner) in PLATFORMS {
        let platform = catalog
            .platform(id)
            .unwrap_or_else(|| panic!("platform {id} missing"));
        assert_eq!(platform.owner, owner, "owner of {id}");
        assert!(!platform.name.trim().is_empty(), "{id} has no English name");
        assert!(
            !platform.name_zh.trim().is_empty(),
            "{id} has no Chinese name"
        );
    }
    assert_eq!(catalog.platforms.len(), PLATFORMS.len());
}

#[test]
fn every_host_has_android_and_ios_contexts_with_its_user_agent_and_gateway() {
    let catalog = bundled();
    for (host, token, gateway) in HOSTS {
        for client in [Client::Android, Client::Ios] {
            let contexts: Vec<_> = catalog
                .contexts
                .iter()
                .filter(|c| c.host.as_deref() == Some(host) && c.client == client)
                .collect();
            assert!(!contexts.is_empty(), "{host} has no {client} context");
            for context in contexts {
                assert!(
                    context.user_agent.contains(token),
                    "{}: user agent lacks {token}",
                    context.id
                );
                let template = context.gateway.as_ref().map(|g| g.template.as_str());
                match (gateway, template) {
                    (Some(prefix), Some(t)) => assert!(t.starts_with(prefix), "{}", context.id),
                    (None, None) => {}
                    (want, got) => panic!("{}: gateway {got:?}, want {want:?}", context.id),
                }
            }
        }
    }
}

#[test]
fn hosts_have_the_scenes_the_issue_names() {
    let catalog = bundled();
    let scenes_of = |host: &str| -> Vec<Scene> {
        let mut scenes: Vec<Scene> = catalog
            .contexts
            .iter()
            .filter(|c| c.host.as_deref() == Some(host))
            .filter_map(|c| c.scene)
            .collect();
        scenes.sort();
        scenes.dedup();
        scenes
    };
    use Scene::*;
    assert_eq!(scenes_of("wechat"), [PrivateChat, GroupChat, Moments]);
    assert_eq!(scenes_of("qq"), [PrivateChat, GroupChat]);
    assert_eq!(scenes_of("weibo"), [PrivateChat, Moments]);
    let short_video = [PrivateChat, GroupChat, LiveRoom, VideoDescription];
    assert_eq!(scenes_of("douyin"), short_video);
    assert_eq!(scenes_of("kuaishou"), short_video);
    for (host, _, _) in HOSTS {
        assert!(!scenes_of(host).is_empty(), "{host} has no scene");
    }
}

#[test]
fn neutral_contexts_carry_no_in_app_token() {
    let catalog = bundled();
    let neutral: Vec<_> = catalog.contexts.iter().filter(|c| c.is_neutral()).collect();
    assert!(neutral.len() >= 2, "a neutral android and ios context");
    for context in neutral {
        for (host, token, _) in HOSTS {
            assert!(
                !context.user_agent.contains(token),
                "{} looks like {host}",
                context.id
            );
        }
        assert!(
            context.headers.is_empty(),
            "{} sends in-app headers",
            context.id
        );
    }
}

/// Where DOMAIN.md §5 says each share-link host resolves (or a URL of that shape).
const RESOLVES_TO: [(&str, &str); 9] = [
    (
        "v.douyin.com",
        "https://www.iesdouyin.com/share/video/7008915032432086303/",
    ),
    ("u.jd.com", "https://item.jd.com/100012043978.html"),
    (
        "s.click.taobao.com",
        "https://item.taobao.com/item.htm?id=652371046213",
    ),
    (
        "m.tb.cn",
        "https://item.taobao.com/item.htm?id=652371046213",
    ),
    (
        "p.pinduoduo.com",
        "https://mobile.yangkeduo.com/goods.html?goods_id=228765190345",
    ),
    ("t.cn", "https://weibo.com/1642634100/LkQ8d0xYz"),
    ("b23.tv", "https://www.bilibili.com/video/BV1xx411c7mD"),
    (
        "xhslink.com",
        "https://www.xiaohongshu.com/discovery/item/6151c2a90000000021038b5e",
    ),
    (
        "v.kuaishou.com",
        "https://v.m.chenzhongtech.com/fw/photo/3xk9m2pq7wbn4ea",
    ),
];

/// The short-link host DOMAIN.md §5 gives each platform that has one.
const SHORT_HOSTS: [(&str, &[&str]); 8] = [
    ("taobao", &["m.tb.cn", "s.click.taobao.com"]),
    ("jd", &["u.jd.com"]),
    ("douyin", &["v.douyin.com"]),
    ("pinduoduo", &["p.pinduoduo.com"]),
    ("kuaishou", &["v.kuaishou.com"]),
    ("weibo", &["t.cn"]),
    ("bilibili", &["b23.tv"]),
    ("xiaohongshu", &["xhslink.com"]),
];

fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default()
}

#[test]
fn every_platform_has_a_share_link_and_a_landing_link() {
    let catalog = bundled();
    for (platform, _) in PLATFORMS {
        let links: Vec<_> = catalog
            .links
            .iter()
            .filter(|l| l.platform == platform)
            .collect();
        let shares: Vec<_> = links.iter().filter(|l| l.id.contains(".share")).collect();
        let landings: Vec<_> = links.iter().filter(|l| !l.id.contains(".share")).collect();
        assert!(!shares.is_empty(), "{platform} has no share link");
        assert!(!landings.is_empty(), "{platform} has no landing link");
        for link in landings {
            assert!(
                link.lands_on(&link.url),
                "{} is not on its own landing",
                link.id
            );
        }
        if let Some((_, hosts)) = SHORT_HOSTS.iter().find(|(p, _)| *p == platform) {
            assert!(
                shares
                    .iter()
                    .any(|l| hosts.contains(&host_of(&l.url).as_str())),
                "{platform} has no share link on {hosts:?} (DOMAIN.md §5)"
            );
        }
    }
}

#[test]
fn share_links_land_where_domain_md_says_they_resolve() {
    let catalog = bundled();
    for link in &catalog.links {
        let host = host_of(&link.url);
        if let Some((_, resolved)) = RESOLVES_TO.iter().find(|(h, _)| *h == host) {
            assert!(
                link.lands_on(resolved),
                "{}: {resolved} not accepted",
                link.id
            );
            assert!(
                !link.lands_on(&link.url),
                "{}: the short link itself is not a landing",
                link.id
            );
        }
    }
    let kuaishou = catalog.link("kuaishou.video.share").unwrap();
    assert!(kuaishou.lands_on("https://www.kuaishou.com/short-video/3xk9m2pq7wbn4ea"));
}

#[test]
fn no_gateway_page_counts_as_a_landing() {
    let catalog = bundled();
    for context in catalog.contexts.iter().filter(|c| c.gateway.is_some()) {
        for link in &catalog.links {
            let entry = context.entry_url(&link.url);
            assert!(
                !link.lands_on(&entry),
                "{} lands on {}'s gateway",
                link.id,
                context.id
            );
        }
    }
}

#[test]
fn every_signature_has_a_tagged_source_and_an_existing_fixture() {
    for signature in &bundled().signatures {
        let tagged = ["[solid", "[single", "[uncertain", "[gap"]
            .iter()
            .any(|tag| signature.source.contains(tag));
        assert!(tagged, "{}: source without a DOMAIN.md tag", signature.id);
        assert!(signature.fixture.is_file(), "{}: no fixture", signature.id);
    }
}

/// Ordinary pages: (fixture, URL it is served at, the link it is the landing of).
const ORDINARY: [(&str, &str, &str); 6] = [
    (
        "landing/taobao-item.html",
        "https://item.taobao.com/item.htm?id=652371046213",
        "taobao.item",
    ),
    (
        "landing/jd-item.html",
        "https://item.jd.com/100012043978.html",
        "jd.item",
    ),
    (
        "landing/news-quoting-block.html",
        "https://new.qq.com/rain/a/20210917A0AB3C00",
        "qq.article",
    ),
    (
        "landing/wechat-article-quoting.html",
        "https://mp.weixin.qq.com/s/Xk3vq9P2mQ7rT1bWcN4yZA",
        "wechat.article.share",
    ),
    (
        "landing/weibo-post-quoting.html",
        "https://m.weibo.cn/status/4681436389757061",
        "weibo.status",
    ),
    (
        "landing/douyin-share.html",
        "https://www.iesdouyin.com/share/video/7008915032432086303/",
        "douyin.video.share",
    ),
];

#[test]
fn ordinary_pages_match_no_signature_at_all() {
    let catalog = bundled();
    let mut false_blocks = Vec::new();
    for (path, url, _) in ORDINARY {
        let observation = observation_of(url, &fixture_bytes(path));
        let page = Page::parse(&observation.body, None);
        for signature in &catalog.signatures {
            if let Some(m) = match_signature(signature, &observation, &page) {
                false_blocks.push(format!(
                    "{path}: {} ({})",
                    m.signature,
                    m.evidence.join("; ")
                ));
            }
        }
    }
    assert!(
        false_blocks.is_empty(),
        "false blocks:\n{}",
        false_blocks.join("\n")
    );
}

#[test]
fn ordinary_pages_are_opened_in_every_host_context() {
    let catalog = bundled();
    for (path, url, link_id) in ORDINARY {
        let link = catalog.link(link_id).unwrap();
        let observation = observation_of(url, &fixture_bytes(path));
        let landing = [link];
        for context in &catalog.contexts {
            let situation = Situation {
                host: context.host.as_deref(),
                gateway: context.gateway.as_ref(),
                target: Some(&link.platform),
                landing: &landing,
                user_agent: Some(&context.user_agent),
            };
            let verdict = classify(&observation, &situation, &catalog.signatures).verdict;
            assert_eq!(
                verdict.kind,
                VerdictKind::Opened,
                "{path} in {}: {}",
                context.id,
                verdict.reason
            );
        }
    }
}

#[test]
fn gbk_landing_pages_are_decoded_as_gbk() {
    for path in ["landing/taobao-item.html", "landing/jd-item.html"] {
        let bytes = fixture_bytes(path);
        assert!(
            std::str::from_utf8(&bytes).is_err(),
            "{path} is meant to be GBK"
        );
        assert_eq!(
            observation_of("https://x.invalid/", &bytes)
                .charset
                .as_deref(),
            Some("GBK")
        );
    }
}

#[test]
fn a_second_wall_wording_is_recognised_as_the_targets_wall() {
    let catalog = bundled();
    let observation = observation_of(
        "https://item.taobao.com/item.htm?id=652371046213",
        &fixture_bytes("target/app-only-wall-taobao.html"),
    );
    let situation = Situation {
        host: Some("douyin"),
        target: Some("taobao"),
        ..Situation::default()
    };
    let verdict = classify(&observation, &situation, &catalog.signatures).verdict;
    assert_eq!(
        (
            verdict.kind,
            verdict.mechanism.as_str(),
            verdict.signature.as_deref()
        ),
        (
            VerdictKind::Blocked,
            "app_only_wall",
            Some("target.app_only_wall")
        )
    );
}

#[test]
fn the_miit_audit_measures_every_host_context_against_every_link_with_controls() {
    let catalog = bundled();
    let audit = catalog.audit("miit-2021").expect("the miit-2021 audit");
    assert_eq!(audit.deadlines[0].date.to_string(), "2021-09-17");
    assert_eq!(audit.policy, "same_treatment");
    assert!(catalog.context(&audit.control).unwrap().is_neutral());
    let options = PlanOptions {
        audit: Some("miit-2021".into()),
        ..PlanOptions::default()
    };
    let probes = plan(&catalog, &options).unwrap();
    let host_contexts = catalog.contexts.iter().filter(|c| !c.is_neutral()).count();
    let links = catalog.links.len();
    assert_eq!(probes.len(), links * (host_contexts + 1));
    let controls = probes
        .iter()
        .filter(|p| p.role == ProbeRole::Control)
        .count();
    assert_eq!(controls, links);
    let same = |context: &str, link: &str| {
        probes
            .iter()
            .find(|p| p.context == context && p.link == link)
            .map(|p| p.role)
    };
    assert_eq!(
        same("wechat.android.group_chat", "qq.article"),
        Some(ProbeRole::SameOwner)
    );
    assert_eq!(
        same("wechat.android.group_chat", "taobao.item"),
        Some(ProbeRole::Rival)
    );
    assert_eq!(
        same("douyin.ios.live_room", "douyin.shop.item"),
        Some(ProbeRole::SameOwner)
    );
}

#[test]
fn the_miit_audit_plan_by_host_and_role() {
    let catalog = bundled();
    let options = PlanOptions {
        audit: Some("miit-2021".into()),
        ..PlanOptions::default()
    };
    let mut rows: BTreeMap<String, [usize; 3]> = BTreeMap::new();
    for probe in plan(&catalog, &options).unwrap() {
        let context = catalog.context(&probe.context).unwrap();
        let host = context.host.clone().unwrap_or_else(|| context.id.clone());
        let slot = match probe.role {
            ProbeRole::Rival => 0,
            ProbeRole::SameOwner => 1,
            ProbeRole::Control => 2,
        };
        rows.entry(host).or_default()[slot] += 1;
    }
    let mut table = String::from("host             rival  same_owner  control\n");
    for (host, [rival, same, control]) in &rows {
        table.push_str(&format!(
            "{host:<16} {rival:>5}  {same:>10}  {control:>7}\n"
        ));
    }
    insta::assert_snapshot!(table);
}

/// The tests' one WeChat user agent is the bundled pack's, so a test of the engines or the
/// simulator sends what an audit sends.
#[test]
fn the_tests_wechat_user_agent_is_the_packs() {
    let catalog = linkgate::catalog::Catalog::load_bundled().unwrap();
    let context = catalog.context("wechat.android.private_chat").unwrap();
    assert_eq!(context.user_agent, support::WECHAT_UA);
}
