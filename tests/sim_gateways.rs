//! Each gateway state through the proxy, by simulated date: the world's story as a client
//! sees it over intercepted TLS.

mod support;

use support::sim::*;

/// Where the page's controls lead (never followed: learned by running their handlers).
fn way_on(html: &str, url: &str) -> Vec<String> {
    let url = url::Url::parse(url).unwrap();
    let run = linkgate::script::run(
        linkgate::script::PageSource {
            html,
            url: &url,
            user_agent: CHROME_UA,
        },
        linkgate::script::Mode::Controls,
        &linkgate::script::Limits::default(),
    );
    assert_eq!(
        run.navigation, None,
        "a warning page does not navigate on its own"
    );
    run.controls
        .into_iter()
        .filter(|c| c.label.contains("继续"))
        .filter_map(|c| c.target)
        .collect()
}

/// Gateway pages put their continue control in a plain link or in script that waits for a
/// tap, in several forms; every form leads to the link, and none navigates on its own.
#[tokio::test]
async fn continue_controls_come_in_every_form_and_each_leads_to_the_link() {
    let sim = start("2021-09-16").await;
    let client = client(
        &sim,
        "Mozilla/5.0 (Linux; Android 13) V1_AND_SQ_9.0.0_5282_YYB_D QQ/9.0.0.14110 NetType/WIFI",
    );
    let mut forms = std::collections::BTreeSet::new();
    for n in 0..40 {
        let video = format!("https://www.douyin.com/video/70123456789012{n:05}");
        let entry = gateway("https://c.pc.qq.com/middlem.html?pfurl={url}", &video);
        let text = get(&client, &entry).await.text();
        assert_eq!(way_on(&text, &entry), [video.as_str()], "{text}");
        let form = [
            ("onclick = function", "onclick property"),
            ("addEventListener('click'", "click listener"),
            ("addEventListener('touchend'", "touchend listener"),
            ("onclick=\"", "onclick attribute"),
            ("href=\"javascript:location", "javascript: link"),
        ]
        .iter()
        .find(|(marker, _)| text.contains(marker))
        .map_or("plain link", |(_, name)| name);
        forms.insert(form);
    }
    assert_eq!(forms.len(), 6, "{forms:?}");
}

const TAOBAO_ITEM: &str = "https://item.taobao.com/item.htm?id=652781436123";

#[tokio::test]
async fn wechat_copy_to_browser_for_taobao_then_open_after_2022_01() {
    let sim = start("2021-09-17").await;
    let client = client(&sim, WECHAT_UA);
    let entry = gateway(WECHAT_GATEWAY, TAOBAO_ITEM);

    let hop = get(&client, &entry).await;
    assert_eq!(hop.status, 302);
    let copy_url = hop.location.unwrap();
    assert!(
        copy_url.starts_with("https://support.weixin.qq.com/cgi-bin/mmsupport-bin/readtemplate?t=w_redirect_taobao&url="),
        "{copy_url}"
    );
    let page = get(&client, &copy_url).await;
    assert_eq!(page.status, 200);
    let text = page.text();
    assert!(
        text.contains("如需浏览，请长按网址复制后使用浏览器访问"),
        "{text}"
    );
    assert!(
        text.contains(r#"<body url="https://item.taobao.com/item.htm?id=652781436123">"#),
        "{text}"
    );

    sim.set_date(date("2022-01-10"));
    let hop = get(&client, &entry).await;
    assert_eq!(
        (hop.status, hop.location.as_deref()),
        (302, Some(TAOBAO_ITEM))
    );
    let landing = get(&client, TAOBAO_ITEM).await;
    assert_eq!(landing.status, 200);
}

#[tokio::test]
async fn wechat_stop_page_before_the_deadline_and_warning_in_group_chats_after() {
    let sim = start("2021-09-16").await;
    let client = client(&sim, WECHAT_UA);
    let video = "https://www.douyin.com/video/7012345678901234567";

    let hop = get(&client, &gateway(WECHAT_GATEWAY, video)).await;
    let stop_url = hop.location.unwrap();
    assert!(
        stop_url.starts_with(
            "https://weixin110.qq.com/cgi-bin/mmspamsupport-bin/newredirectconfirmcgi?main_type=2&"
        ),
        "{stop_url}"
    );
    let text = get(&client, &stop_url).await.text();
    assert!(text.contains("已停止访问该网页"), "{text}");
    assert!(
        text.contains("申请恢复访问") && text.contains("客服指引") && text.contains("查看规则")
    );
    assert!(
        !text.contains("<a class=\"weui-btn"),
        "a stop page has no continue button"
    );

    sim.set_date(date("2021-09-17"));
    let private = get(&client, &gateway(WECHAT_GATEWAY, video)).await;
    assert_eq!(private.location.as_deref(), Some(video));
    let group_gateway = format!("{WECHAT_GATEWAY}&scene=group_chat");
    let hop = get(&client, &gateway(&group_gateway, video)).await;
    let warning_url = hop.location.unwrap();
    assert!(
        warning_url.contains("main_type=1") && warning_url.ends_with("&scene=group_chat"),
        "{warning_url}"
    );
    let text = get(&client, &warning_url).await.text();
    assert!(
        text.contains("非微信官方网页") && text.contains("继续访问将转换成手机预览模式"),
        "{text}"
    );
    assert_eq!(
        way_on(&text, &warning_url),
        ["https://www.douyin.com/video/7012345678901234567"],
        "{text}"
    );
    assert!(
        text.contains(
            r#""url":"https:&#x2f;&#x2f;www.douyin.com&#x2f;video&#x2f;7012345678901234567""#
        ),
        "cgiData url is entity-encoded: {text}"
    );
}

#[tokio::test]
async fn wechat_hides_weibo_links_then_warns_then_opens() {
    let sim = start("2021-10-15").await;
    let client = client(&sim, WECHAT_UA);
    let post = "https://weibo.com/1642634100/LkQ8d0xYz";
    let entry = gateway(WECHAT_GATEWAY, post);

    let copy = get(&client, &get(&client, &entry).await.location.unwrap())
        .await
        .text();
    assert!(
        copy.contains(
            "网页包含诱导分享、关注等诱导行为内容，被多人投诉，请长按网址复制后使用浏览器访问"
        ),
        "{copy}"
    );

    sim.set_date(date("2021-11-01"));
    let warning = get(&client, &get(&client, &entry).await.location.unwrap())
        .await
        .text();
    assert!(warning.contains("非微信官方网页"), "{warning}");

    sim.set_date(date("2022-03-01"));
    assert_eq!(get(&client, &entry).await.location.as_deref(), Some(post));
}

#[tokio::test]
async fn wechat_2024_warning_page() {
    let sim = start("2024-03-01").await;
    let client = client(&sim, WECHAT_UA);
    let video = "https://www.bilibili.com/video/BV1xx411c7mD";
    let hop = get(&client, &gateway(WECHAT_GATEWAY, video)).await;
    let warning_url = hop.location.unwrap();
    let text = get(&client, &warning_url).await.text();
    assert!(
        text.contains("将要访问") && text.contains("无法确认该网页的安全性，请谨慎访问。"),
        "{text}"
    );
    assert!(
        text.contains(">继续访问<") && text.contains(">申请恢复访问</a>"),
        "{text}"
    );
    assert_eq!(way_on(&text, &warning_url), [video], "{text}");
}

#[tokio::test]
async fn qq_middle_page_warns_then_opens_then_regresses_on_its_newer_page() {
    let sim = start("2021-09-16").await;
    let client = client(
        &sim,
        "Mozilla/5.0 (Linux; Android 13) V1_AND_SQ_9.0.0_5282_YYB_D QQ/9.0.0.14110 NetType/WIFI",
    );
    let video = "https://www.douyin.com/video/7012345678901234567";
    let entry = gateway("https://c.pc.qq.com/middlem.html?pfurl={url}", video);

    let page = get(&client, &entry).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("当前网页非官方页面"));

    sim.set_date(date("2021-09-17"));
    assert_eq!(get(&client, &entry).await.location.as_deref(), Some(video));

    sim.set_date(date("2021-09-18"));
    let hop = get(&client, &entry).await;
    let newer = hop.location.unwrap();
    assert!(
        newer.starts_with("https://c.pc.qq.com/android.html?url=https%3A%2F%2Fwww.douyin.com")
            && newer.ends_with("&level=1&sublevel=0"),
        "{newer}"
    );
    assert!(
        get(&client, &newer)
            .await
            .text()
            .contains("当前网页非官方页面")
    );

    sim.set_date(date("2021-09-01"));
    let stop = get(
        &client,
        &gateway(
            "https://c.pc.qq.com/middlem.html?pfurl={url}",
            "https://render.alipay.com/p/s/i",
        ),
    )
    .await;
    assert!(stop.text().contains("已停止访问"));
}

#[tokio::test]
async fn weibo_t_cn_redirects_own_links_and_copies_outside_ones_until_the_deadline() {
    let sim = start("2021-09-01").await;
    let client = client(&sim, CHROME_UA);

    let own = get(&client, "https://t.cn/A6Wb1kQx").await;
    assert_eq!(
        (own.status, own.location.as_deref()),
        (302, Some("https://weibo.com/1642634100/LkQ8d0xYz"))
    );

    let copy = get(&client, "https://t.cn/A6Tb3xYz").await;
    assert_eq!(copy.status, 200);
    let text = copy.text();
    assert!(
        text.contains(r#"<div class="wrap">"#)
            && text.contains(r#"<p class="desc">如需浏览，请长按网址复制后使用浏览器访问</p>"#),
        "{text}"
    );
    assert!(
        text.contains(r#"<p class="link">https://item.taobao.com/item.htm?id=652781436123</p>"#),
        "{text}"
    );

    let risk = get(&client, "https://t.cn/A6Pd7RtU").await.text();
    assert!(risk.contains("警告：访问的网址可能存在风险") && risk.contains(r#"<div class="url_view_code">https://mobile.yangkeduo.com/goods.html?goods_id=228765190345</div>"#), "{risk}");

    assert_eq!(get(&client, "https://t.cn/NoSuchCode").await.status, 404);

    sim.set_date(date("2021-09-17"));
    let opened = get(&client, "https://t.cn/A6Tb3xYz").await;
    assert_eq!(
        opened.location.as_deref(),
        Some("https://item.taobao.com/item.htm?id=652781436123")
    );
}

#[tokio::test]
async fn weibo_sinaurl_shows_the_beian_warning_for_tencent_links() {
    let sim = start("2021-10-01").await;
    let client = client(&sim, CHROME_UA);
    let page = get(
        &client,
        &gateway(
            "https://weibo.cn/sinaurl?u={url}",
            "https://mp.weixin.qq.com/s/abc",
        ),
    )
    .await;
    let text = page.text();
    assert!(
        text.contains("此页面未在微博完成域名备案，可能存在内容风险") && text.contains("将要访问"),
        "{text}"
    );
    assert!(text.contains("https://mp.weixin.qq.com/s/abc"));
    sim.set_date(date("2021-12-01"));
    let hop = get(
        &client,
        &gateway(
            "https://weibo.cn/sinaurl?u={url}",
            "https://mp.weixin.qq.com/s/abc",
        ),
    )
    .await;
    assert_eq!(hop.status, 302);
}

#[tokio::test]
async fn wecom_confirm_page_continues_with_err_type() {
    let sim = start("2021-09-01").await;
    let client = client(
        &sim,
        "Mozilla/5.0 (Linux; Android 13) wxwork/4.1.10 MicroMessenger/7.0.1 wwmver/3.26",
    );
    let item = "https://detail.tmall.com/item.htm?id=1";
    let page = get(
        &client,
        &gateway(
            "https://open.work.weixin.qq.com/wwopen/uriconfirm?uri={url}",
            item,
        ),
    )
    .await;
    let text = page.text();
    assert!(text.contains("即将访问外部网页"), "{text}");
    let continue_url = "https://open.work.weixin.qq.com/wwopen/uriconfirm?uri=https%3A%2F%2Fdetail.tmall.com%2Fitem.htm%3Fid%3D1&err_type=continue_visit";
    let entry = gateway(
        "https://open.work.weixin.qq.com/wwopen/uriconfirm?uri={url}",
        item,
    );
    assert_eq!(way_on(&text, &entry), [continue_url], "{text}");
    let confirmed = get(&client, continue_url).await;
    assert_eq!(confirmed.location.as_deref(), Some(item));
}

#[tokio::test]
async fn bilibili_and_baidu_middle_pages() {
    let sim = start("2021-09-01").await;
    let client = client(&sim, CHROME_UA);
    let item = "https://item.jd.com/100012043978.html";
    let bili = get(
        &client,
        &gateway(
            "https://www.bilibili.com/york/link-middle-page/pc?url={url}",
            item,
        ),
    )
    .await;
    assert!(bili.text().contains("即将离开哔哩哔哩"));
    let own = get(
        &client,
        &gateway(
            "https://www.bilibili.com/york/link-middle-page/pc?url={url}",
            "https://www.bilibili.com/video/BV1xx",
        ),
    )
    .await;
    assert_eq!(own.status, 302, "Bilibili's own links pass its middle page");

    let tieba = get(
        &client,
        &gateway("https://tieba.baidu.com/mo/q/checkurl?url={url}", item),
    )
    .await;
    assert!(tieba.text().contains("即将离开百度"));
    let stop = get(
        &client,
        &gateway(
            "https://tieba.baidu.com/mo/q/checkurl?url={url}",
            "https://www.douyin.com/video/1",
        ),
    )
    .await;
    assert!(stop.text().contains("百度网址安全中心提醒您"));
    sim.set_date(date("2021-09-17"));
    let open = get(
        &client,
        &gateway("https://tieba.baidu.com/mo/q/checkurl?url={url}", item),
    )
    .await;
    assert_eq!(open.location.as_deref(), Some(item));
}

#[tokio::test]
async fn a_gateway_without_its_parameter_answers_400() {
    let sim = start("2021-09-01").await;
    let client = client(&sim, CHROME_UA);
    let page = get(&client, "https://mp.weixinbridge.com/mp/wapredirect").await;
    assert_eq!(page.status, 400);
    assert!(page.text().contains("`url`"));
    let js = get(
        &client,
        "https://mp.weixinbridge.com/mp/wapredirect?url=javascript%3Aalert(1)",
    )
    .await;
    assert_eq!((js.status, js.location), (400, None));
}
