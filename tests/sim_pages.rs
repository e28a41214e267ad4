//! Every interstitial page the simulator serves, rendered without a network (`page_for`)
//! and pinned as snapshots: the pages signature authors write against.

mod support;

use linkgate::sim::{Reply, Visit, World, page_for};
use support::sim::*;

fn page(url: &str, user_agent: &str, day: &str) -> Reply {
    let visit = Visit::from_url(url, user_agent, date(day)).unwrap();
    page_for(&World::bundled(), &visit)
}

fn html(url: &str, user_agent: &str, day: &str) -> String {
    let reply = page(url, user_agent, day);
    assert_eq!(reply.status, 200, "{url} on {day}: {reply:?}");
    let content_type = reply.header("content-type");
    linkgate::charset::decode(&reply.body, content_type, None).text
}

fn wechat(target: &str, day: &str) -> String {
    let hop = page(&gateway(WECHAT_GATEWAY, target), WECHAT_UA, day);
    assert_eq!(hop.status, 302);
    html(hop.header("location").unwrap(), WECHAT_UA, day)
}

#[test]
fn wechat_warning_classic() {
    insta::assert_snapshot!(wechat(
        "https://weibo.com/1642634100/LkQ8d0xYz",
        "2021-12-01"
    ));
}

#[test]
fn wechat_warning_2024() {
    insta::assert_snapshot!(wechat(
        "https://www.bilibili.com/video/BV1xx411c7mD",
        "2024-03-01"
    ));
}

#[test]
fn wechat_stop() {
    insta::assert_snapshot!(wechat("https://v.douyin.com/iRNBho6u/", "2021-09-16"));
}

#[test]
fn wechat_copy_to_browser_weixin110() {
    insta::assert_snapshot!(wechat(
        "https://weibo.com/1642634100/LkQ8d0xYz",
        "2021-10-15"
    ));
}

#[test]
fn wechat_copy_to_browser_taobao() {
    insta::assert_snapshot!(wechat("https://m.tb.cn/h.fkR7c2", "2021-09-17"));
}

#[test]
fn wecom_confirm() {
    let url = gateway(
        "https://open.work.weixin.qq.com/wwopen/uriconfirm?uri={url}",
        "https://detail.tmall.com/item.htm?id=1",
    );
    insta::assert_snapshot!(html(&url, CHROME_UA, "2021-09-01"));
}

#[test]
fn qq_middlem_warning_and_stop() {
    let warning = gateway(
        "https://c.pc.qq.com/middlem.html?pfurl={url}",
        "https://m.tb.cn/h.x",
    );
    insta::assert_snapshot!("qq_warning", html(&warning, CHROME_UA, "2021-09-01"));
    let stop = gateway(
        "https://c.pc.qq.com/middlem.html?pfurl={url}",
        "https://ds.alipay.com/x",
    );
    insta::assert_snapshot!("qq_stop", html(&stop, CHROME_UA, "2021-09-01"));
}

#[test]
fn qq_newer_page_for_ios() {
    let url = "https://c.pc.qq.com/ios.html?url=https%3A%2F%2Fwww.douyin.com%2Fvideo%2F1&level=1&sublevel=0";
    insta::assert_snapshot!(html(
        url,
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) QQ/9.0.0 V1_IPH_SQ_9.0.0",
        "2021-09-20"
    ));
}

#[test]
fn weibo_pages() {
    let sinaurl = gateway(
        "https://weibo.cn/sinaurl?u={url}",
        "https://mp.weixin.qq.com/s/abc",
    );
    insta::assert_snapshot!("weibo_sinaurl", html(&sinaurl, CHROME_UA, "2021-10-01"));
    insta::assert_snapshot!(
        "weibo_copy",
        html("https://t.cn/A6Dy9QwE", CHROME_UA, "2021-09-01")
    );
    insta::assert_snapshot!(
        "weibo_risk",
        html("https://t.cn/A6Pd7RtU", CHROME_UA, "2021-09-01")
    );
}

#[test]
fn bilibili_and_baidu_middle_pages() {
    let item = "https://item.jd.com/100012043978.html";
    let bili = gateway(
        "https://www.bilibili.com/york/link-middle-page/pc?url={url}",
        item,
    );
    insta::assert_snapshot!("bilibili_warning", html(&bili, CHROME_UA, "2021-09-01"));
    let tieba = gateway(
        "https://tieba.baidu.com/mo/q/checkurl?url={url}",
        "https://www.douyin.com/video/1",
    );
    insta::assert_snapshot!("baidu_stop", html(&tieba, CHROME_UA, "2021-09-01"));
}

#[test]
fn landing_app_wall_and_unknown_host() {
    insta::assert_snapshot!(
        "landing_jd_gbk",
        html(
            "https://item.jd.com/100012043978.html",
            CHROME_UA,
            "2021-09-17"
        )
    );
    insta::assert_snapshot!(
        "app_wall",
        html(
            "https://detail.tmall.com/item.htm?id=1",
            DOUYIN_UA,
            "2021-09-01"
        )
    );
    let unknown = page("https://www.example.com/", CHROME_UA, "2021-09-17");
    assert_eq!(unknown.status, 502);
    insta::assert_snapshot!("unknown_host", String::from_utf8(unknown.body).unwrap());
}

#[test]
fn favicon_requests_are_not_share_codes() {
    assert_eq!(
        page(
            "https://p.pinduoduo.com/favicon.ico",
            CHROME_UA,
            "2021-09-17"
        )
        .status,
        404
    );
}

#[test]
fn crafted_urls_stay_inside_their_page() {
    let evil = "https://www.douyin.com/'\"><script>alert(1)</script>";
    let text = wechat(evil, "2021-09-16");
    assert!(!text.contains("<script>alert(1)"), "{text}");
    assert!(!text.contains("'\"><"), "{text}");
}
