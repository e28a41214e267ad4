//! Unit tests of the verdict rules and their precedence, on hand-built observations.

use super::*;
use crate::model::{Failure, FailureKind, Hop, HopVia};
use regex::Regex;
use std::path::PathBuf;

fn condition(place: Place, matcher: Matcher) -> Condition {
    Condition::new(place, Some(matcher))
}

fn signature(id: &str, verdict: VerdictKind, conditions: Vec<Condition>) -> Signature {
    Signature {
        id: id.into(),
        conditions,
        verdict,
        by_continue: false,
        mechanism: format!("{id}_mechanism"),
        actor: Actor::Host,
        hosts: PlatformFilter::default(),
        targets: PlatformFilter::default(),
        priority: 0,
        source: "test".into(),
        fixture: PathBuf::from("none"),
        fixture_url: None,
        fixture_verdict: None,
        order: 0,
    }
}

fn text_contains(id: &str, verdict: VerdictKind, needle: &str) -> Signature {
    signature(
        id,
        verdict,
        vec![condition(Place::Text, Matcher::Contains(needle.into()))],
    )
}

fn page(url: &str, status: u16, body: &str) -> Observation {
    Observation {
        entry_url: url.into(),
        hops: vec![Hop {
            url: url.into(),
            status: Some(status),
            location: None,
            via: HopVia::Start,
            elapsed_ms: 1,
        }],
        final_url: url.into(),
        status: Some(status),
        body: body.into(),
        ..Observation::default()
    }
}

fn link(id: &str, pattern: &str) -> Link {
    Link {
        id: id.into(),
        platform: "taobao".into(),
        category: crate::model::Category::Ecommerce,
        url: "https://m.tb.cn/h.fkR7c2Q".into(),
        landing: std::sync::Arc::new(Regex::new(pattern).unwrap()),
        landing_marker: None,
        note: None,
    }
}

fn landing() -> Link {
    link("taobao.item", r"^https://item\.taobao\.com/")
}

fn situation<'a>(landing: &'a [&'a Link]) -> Situation<'a> {
    Situation {
        host: Some("wechat"),
        gateway: None,
        target: Some("taobao"),
        landing,
        user_agent: None,
    }
}

#[test]
fn landing_page_with_2xx_and_no_match_is_opened() {
    let re = landing();
    let re = [&re];
    let obs = page(
        "https://item.taobao.com/item.htm?id=1",
        200,
        "<title>宝贝详情</title><p>商品</p>",
    );
    let c = classify(
        &obs,
        &situation(&re),
        &[text_contains("x", VerdictKind::Blocked, "停止")],
    );
    assert_eq!(c.verdict.kind, VerdictKind::Opened);
    assert_eq!(c.verdict.mechanism, "direct");
    assert_eq!(c.verdict.signature.as_deref(), Some("landing:taobao.item"));
}

#[test]
fn never_opened_without_landing_proof() {
    let re = landing();
    let re = [&re];
    let obs = page(
        "https://elsewhere.example/",
        200,
        "<p>a perfectly fine page</p>",
    );
    let c = classify(&obs, &situation(&re), &[]);
    assert_eq!(c.verdict.kind, VerdictKind::Inconclusive);
    assert_eq!(c.verdict.mechanism, "unrecognized_page");
}

#[test]
fn never_opened_without_a_landing_pattern() {
    let obs = page("https://item.taobao.com/item.htm", 200, "<p>商品</p>");
    let c = classify(&obs, &Situation::default(), &[]);
    assert_eq!(c.verdict.kind, VerdictKind::Inconclusive);
}

#[test]
fn landing_with_error_status_is_target_error() {
    let re = landing();
    let re = [&re];
    let obs = page("https://item.taobao.com/item.htm", 404, "<p>not found</p>");
    let c = classify(&obs, &situation(&re), &[]);
    assert_eq!(
        (c.verdict.kind, c.verdict.mechanism.as_str()),
        (VerdictKind::Inconclusive, "target_error")
    );
    assert_eq!(c.verdict.actor, Actor::Target);
}

#[test]
fn a_gateway_page_is_never_opened_even_on_the_landing_pattern() {
    let everything = link("any", ".*");
    let everything = [&everything];
    let gateway = Gateway {
        template: "https://weixin110.qq.com/cgi-bin/check?url={url}".into(),
    };
    let obs = page(
        "https://weixin110.qq.com/cgi-bin/check?url=x",
        200,
        "<p>?</p>",
    );
    let s = Situation {
        gateway: Some(&gateway),
        landing: &everything,
        ..situation(&everything)
    };
    let c = classify(&obs, &s, &[]);
    assert_eq!(c.verdict.kind, VerdictKind::Inconclusive);
    assert_eq!(c.verdict.actor, Actor::Host);
}

#[test]
fn a_block_signature_beats_the_landing_pattern() {
    let re = landing();
    let re = [&re];
    let obs = page(
        "https://item.taobao.com/item.htm",
        200,
        "<p>已停止访问该网页</p>",
    );
    let c = classify(
        &obs,
        &situation(&re),
        &[text_contains("stop", VerdictKind::Blocked, "已停止访问")],
    );
    assert_eq!(c.verdict.kind, VerdictKind::Blocked);
    assert_eq!(c.verdict.signature.as_deref(), Some("stop"));
}

#[test]
fn precedence_most_severe_verdict_first() {
    let re = landing();
    let re = [&re];
    let obs = page("https://x.example/", 200, "<p>继续访问 已停止访问</p>");
    let mut warn = text_contains("warn", VerdictKind::Interstitial, "继续访问");
    warn.priority = 100;
    let mut stop = text_contains("stop", VerdictKind::Blocked, "已停止访问");
    stop.order = 1;
    let c = classify(&obs, &situation(&re), &[warn, stop]);
    assert_eq!(c.verdict.signature.as_deref(), Some("stop"));
    assert_eq!(c.matches.len(), 2);
    assert_eq!(c.matches[0].signature, "stop");
}

#[test]
fn precedence_priority_then_load_order() {
    let re = landing();
    let re = [&re];
    let obs = page("https://x.example/", 200, "<p>继续访问</p>");
    let first = text_contains("first", VerdictKind::Interstitial, "继续");
    let mut second = text_contains("second", VerdictKind::Interstitial, "访问");
    second.order = 1;
    let c = classify(&obs, &situation(&re), &[first.clone(), second.clone()]);
    assert_eq!(c.verdict.signature.as_deref(), Some("first"));
    second.priority = 1;
    let c = classify(&obs, &situation(&re), &[first, second]);
    assert_eq!(c.verdict.signature.as_deref(), Some("second"));
}

#[test]
fn all_conditions_must_hold() {
    let re = landing();
    let re = [&re];
    let sig = signature(
        "both",
        VerdictKind::Blocked,
        vec![
            condition(
                Place::FinalUrl,
                Matcher::Prefix("https://weixin110.qq.com/".into()),
            ),
            condition(Place::Text, Matcher::Contains("已停止访问".into())),
        ],
    );
    let elsewhere = page("https://x.example/", 200, "<p>已停止访问</p>");
    assert_eq!(
        classify(&elsewhere, &situation(&re), std::slice::from_ref(&sig))
            .verdict
            .kind,
        VerdictKind::Inconclusive
    );
    let gateway = page("https://weixin110.qq.com/cgi", 200, "<p>已停止访问</p>");
    assert_eq!(
        classify(&gateway, &situation(&re), &[sig]).verdict.kind,
        VerdictKind::Blocked
    );
}

#[test]
fn host_and_target_filters_limit_where_a_signature_applies() {
    let re = landing();
    let re = [&re];
    let obs = page("https://x.example/", 200, "<p>已停止访问</p>");
    let mut sig = text_contains("qq.stop", VerdictKind::Blocked, "已停止访问");
    sig.hosts = PlatformFilter(vec!["qq".into()]);
    assert_eq!(
        classify(&obs, &situation(&re), &[sig.clone()]).verdict.kind,
        VerdictKind::Inconclusive
    );
    sig.hosts = PlatformFilter(vec!["wechat".into()]);
    sig.targets = PlatformFilter(vec!["jd".into()]);
    assert_eq!(
        classify(&obs, &situation(&re), &[sig.clone()]).verdict.kind,
        VerdictKind::Inconclusive
    );
    sig.targets = PlatformFilter(vec!["taobao".into()]);
    assert_eq!(
        classify(&obs, &situation(&re), &[sig]).verdict.kind,
        VerdictKind::Blocked
    );
}

#[test]
fn a_failed_observation_is_inconclusive_with_its_failure_kind() {
    let re = landing();
    let re = [&re];
    let mut obs = page("https://item.taobao.com/", 200, "<p>已停止访问</p>");
    obs.failure = Some(Failure {
        kind: FailureKind::RedirectLoop,
        message: "loop".into(),
    });
    let c = classify(
        &obs,
        &situation(&re),
        &[text_contains("s", VerdictKind::Blocked, "已停止")],
    );
    assert_eq!(
        (c.verdict.kind, c.verdict.mechanism.as_str()),
        (VerdictKind::Inconclusive, "redirect_loop")
    );
}

#[test]
fn hop_url_status_header_title_selector_and_body_places() {
    let re = landing();
    let re = [&re];
    let mut obs = page("https://mp.weixinbridge.com/mp/wapredirect?url=x", 302, "");
    obs.hops[0].location = Some("https://weixin110.qq.com/cgi-bin/x".into());
    obs.hops.push(Hop {
        url: "https://weixin110.qq.com/cgi-bin/x".into(),
        status: Some(200),
        location: None,
        via: HopVia::Http,
        elapsed_ms: 2,
    });
    obs.final_url = "https://weixin110.qq.com/cgi-bin/x".into();
    obs.status = Some(200);
    obs.headers = vec![("content-type".into(), "text/html".into())];
    obs.body = "<title>微信</title><h2 class='weui-msg__title'>已停止访问该网页</h2>\
                <script>var cgiData = {type: 2};</script>"
        .into();
    let selector = |css: &str| {
        Place::Selector(SelectorPlace {
            source: css.into(),
            selector: scraper::Selector::parse(css).unwrap(),
        })
    };
    let holds = |c: Condition| {
        let sig = signature("s", VerdictKind::Blocked, vec![c]);
        classify(&obs, &situation(&re), &[sig]).verdict.kind == VerdictKind::Blocked
    };
    assert!(holds(condition(
        Place::HopUrl,
        Matcher::Prefix("https://mp.weixinbridge.com/".into())
    )));
    assert!(holds(condition(
        Place::Status,
        Matcher::Exact("200".into())
    )));
    assert!(holds(condition(
        Place::Header("Location".into()),
        Matcher::Contains("weixin110".into())
    )));
    assert!(holds(condition(
        Place::Header("Content-Type".into()),
        Matcher::Prefix("text/html".into())
    )));
    assert!(holds(condition(
        Place::Title,
        Matcher::Exact("微信".into())
    )));
    assert!(holds(condition(
        Place::Body,
        Matcher::Regex(Regex::new(r"cgiData = \{type: 2").unwrap())
    )));
    assert!(!holds(condition(
        Place::Text,
        Matcher::Contains("cgiData".into())
    )));
    assert!(holds(Condition::new(selector(".weui-msg__title"), None)));
    assert!(holds(condition(
        selector("h2"),
        Matcher::Contains("停止".into())
    )));
    assert!(!holds(condition(
        selector("h2"),
        Matcher::Contains("继续".into())
    )));
    assert!(!holds(Condition::new(selector(".absent"), None)));
}

fn selector_contains(css: &str, needle: &str) -> Signature {
    signature(
        "broad",
        VerdictKind::Blocked,
        vec![Condition::new(
            Place::Selector(SelectorPlace {
                source: css.into(),
                selector: scraper::Selector::parse(css).unwrap(),
            }),
            Some(Matcher::Contains(needle.into())),
        )],
    )
}

/// A broad selector on an ordinary page reads each nested element's text (its descendants'
/// too): within the budget, the page is read and judged as usual.
#[test]
fn a_broad_selector_on_a_nested_ordinary_page_is_read_whole() {
    let re = landing();
    let re = [&re];
    let text = "商品详情，正品保证。".repeat(5_000);
    // The words are in the page (its title), so the condition is checked, not ruled out.
    let body = format!(
        "<title>已停止访问</title>{}<p>{text}</p>",
        "<div>".repeat(40)
    );
    let obs = page("https://item.taobao.com/item.htm?id=1", 200, &body);
    let result = classify(
        &obs,
        &situation(&re),
        &[selector_contains("div", "已停止访问")],
    );
    assert_eq!(
        result.verdict.kind,
        VerdictKind::Opened,
        "{}",
        result.verdict.reason
    );
}

/// On a page built to make a selector read the same text once per ancestor, the condition
/// stops at its budget and the page is `page_too_complex`, naming the limit.
#[test]
fn a_selector_that_would_read_too_much_text_is_page_too_complex() {
    let re = landing();
    let re = [&re];
    let text = "字".repeat(200_000);
    let body = format!(
        "<title>已停止访问</title>{}<p>{text}</p>",
        "<div>".repeat(500)
    );
    let obs = page("https://item.taobao.com/item.htm?id=1", 200, &body);
    let result = classify(
        &obs,
        &situation(&re),
        &[selector_contains("div", "已停止访问")],
    );
    assert_eq!(result.verdict.mechanism, Mechanism::PAGE_TOO_COMPLEX);
    assert!(
        result.verdict.reason.contains("`selector_text`"),
        "{}",
        result.verdict.reason
    );
}

#[test]
fn an_empty_200_on_the_landing_pattern_is_not_opened() {
    let re = landing();
    let re = [&re];
    for body in [
        "",
        "<html><head><title></title></head><body>\n</body></html>",
        "<html><body><div id=app></div><script>var x = '商品详情页面很长的文字';</script></body></html>",
        "<p>ok</p>",
    ] {
        let obs = page("https://item.taobao.com/item.htm?id=1", 200, body);
        let v = classify(&obs, &situation(&re), &[]).verdict;
        assert_eq!(
            (v.kind, v.mechanism.as_str()),
            (VerdictKind::Inconclusive, "empty_page"),
            "{body}"
        );
    }
    let obs = page(
        "https://item.taobao.com/item.htm?id=1",
        200,
        "<body><p>这是一段足够长的商品描述文字</p></body>",
    );
    assert_eq!(
        classify(&obs, &situation(&re), &[]).verdict.kind,
        VerdictKind::Opened
    );
}

#[test]
fn a_landing_marker_is_the_proof_when_a_link_gives_one() {
    let mut l = landing();
    l.landing_marker = Some(std::sync::Arc::new(
        Regex::new(r#""itemId":\s*"\d+""#).unwrap(),
    ));
    let links = [&l];
    let spa = page(
        "https://item.taobao.com/item.htm?id=1",
        200,
        r#"<div id=app></div><script>var d = {"itemId": "652371046213"};</script>"#,
    );
    assert_eq!(
        classify(&spa, &situation(&links), &[]).verdict.kind,
        VerdictKind::Opened
    );
    let titled = page(
        "https://item.taobao.com/item.htm?id=1",
        200,
        "<title>淘宝</title>",
    );
    let v = classify(&titled, &situation(&links), &[]).verdict;
    assert_eq!(v.kind, VerdictKind::Inconclusive);
    assert!(v.reason.contains("landing marker"), "{}", v.reason);
}

#[test]
fn a_page_whose_scripts_were_undecided_is_never_opened() {
    let re = landing();
    let re = [&re];
    let mut obs = page(
        "https://item.taobao.com/item.htm?id=1",
        200,
        "<title>宝贝</title><p>商品详情</p>",
    );
    obs.script_undecided = Some("script 1 threw".into());
    let v = classify(&obs, &situation(&re), &[]).verdict;
    assert_eq!(
        (v.kind, v.mechanism.as_str()),
        (VerdictKind::Inconclusive, "script_undecided")
    );
}

fn by_continue(id: &str) -> Signature {
    let mut s = signature(
        id,
        VerdictKind::Blocked,
        vec![condition(
            Place::FinalUrl,
            Matcher::Prefix("https://c.pc.qq.com/".into()),
        )],
    );
    s.by_continue = true;
    s
}

/// `body` at `url`, classified by a `by_continue` signature: the page decides.
fn read_by_page(url: &str, body: &str) -> Classification {
    classify(
        &page(url, 200, body),
        &Situation::default(),
        &[by_continue("qq.page")],
    )
}

#[test]
fn a_gateway_page_is_an_interstitial_when_it_offers_a_way_on_and_a_block_when_not() {
    let url = "https://c.pc.qq.com/middlem.html?pfurl=https%3A%2F%2Fm.tb.cn%2Fh.fkR7c2Q";
    let with = [
        "<a href='https://m.tb.cn/h.fkR7c2Q'>继续访问</a>",
        "<a id=c href='javascript:;'>好</a><script>document.getElementById('c').onclick = function(){ location.href = decodeURIComponent(location.search.split('pfurl=')[1]); };</script>",
        "<p class=url>https://m.tb.cn/h.fkR7c2Q</p><button class=go>前往</button><script>$('.go').on('click', function(){ location.replace($('.url').text()); });</script>",
    ];
    for body in with {
        let c = read_by_page(url, body);
        assert_eq!(
            c.verdict.kind,
            VerdictKind::Interstitial,
            "{body}: {}",
            c.verdict.reason
        );
        assert!(
            c.verdict.reason.contains("offers a way on"),
            "{}",
            c.verdict.reason
        );
        assert_eq!(
            c.way_on.and_then(|w| w.target).as_deref(),
            Some("https://m.tb.cn/h.fkR7c2Q")
        );
    }
    let without = [
        "<p>已停止访问该网页</p><a href='https://kf.qq.com/'>申诉</a><a href='javascript:history.back()'>返回</a>",
        "<button id=b>继续访问</button><script>document.getElementById('b').onclick = function(){ WeixinJSBridge.call('closeWindow'); };</script>",
    ];
    for body in without {
        let c = read_by_page(url, body);
        assert_eq!(
            c.verdict.kind,
            VerdictKind::Blocked,
            "{body}: {}",
            c.verdict.reason
        );
        assert!(
            c.verdict.reason.contains("offers no way on"),
            "{}",
            c.verdict.reason
        );
    }
    let unreadable = "<button id=b>继续访问</button><script>document.getElementById('b').onclick = function(){ location.href = Lib.target(); };</script>";
    let c = read_by_page(url, unreadable);
    assert_eq!(
        (c.verdict.kind, c.verdict.mechanism.as_str()),
        (VerdictKind::Inconclusive, "script_undecided")
    );
}
