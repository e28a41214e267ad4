//! Share links resolve by their real mechanism through the proxy, landing pages (some in
//! GBK) prove the target was reached, and targets can wall off a host's webview.

mod support;

use regex::Regex;
use support::sim::*;

/// The first quoted string assigned by `pattern` (e.g. `var hrl=`) in a page.
fn script_target(page: &str, pattern: &str) -> String {
    let re = Regex::new(&format!(r#"{pattern}\s*'([^']+)'"#)).unwrap();
    let captured = re
        .captures(page)
        .unwrap_or_else(|| panic!("no {pattern} in {page}"));
    captured[1].replace("\\/", "/")
}

#[tokio::test]
async fn douyin_share_link_302s_to_the_iesdouyin_video() {
    let sim = start("2021-09-17").await;
    let client = client(&sim, CHROME_UA);
    let hop = get(&client, "https://v.douyin.com/iRNBho6u/").await;
    assert_eq!(hop.status, 302);
    let video = hop.location.unwrap();
    let re = Regex::new(r"^https://www\.iesdouyin\.com/share/video/7\d{18}/\?").unwrap();
    assert!(re.is_match(&video), "{video}");
    let again = get(&client, "https://v.douyin.com/iRNBho6u/").await;
    assert_eq!(
        again.location.as_deref(),
        Some(video.as_str()),
        "a code always names the same video"
    );
    let landing = get(&client, &video).await;
    assert_eq!(landing.status, 200);
    assert!(landing.text().contains("抖音-记录美好生活"));
}

#[tokio::test]
async fn jd_union_link_goes_through_var_hrl_then_302_to_the_item() {
    let sim = start("2021-09-17").await;
    let client = client(&sim, CHROME_UA);
    let first = get(&client, "https://u.jd.com/Ab3dEfG").await;
    assert_eq!(first.status, 200);
    let hrl = script_target(&first.text(), "var hrl=");
    assert!(hrl.starts_with("https://u.jd.com/jda?"), "{hrl}");
    let second = get_with(&client, &hrl, Some("https://u.jd.com/Ab3dEfG")).await;
    assert_eq!(second.status, 302);
    let item = second.location.unwrap();
    assert!(
        Regex::new(r"^https://item\.jd\.com/100\d{9}\.html$")
            .unwrap()
            .is_match(&item),
        "{item}"
    );
}

#[tokio::test]
async fn taobao_s_click_jumps_only_with_the_first_page_as_referer() {
    let sim = start("2021-09-17").await;
    let client = client(&sim, CHROME_UA);
    let first_url = "https://s.click.taobao.com/t?e=m%3D2%26s%3DAbCdEf";
    let first = get(&client, first_url).await;
    assert_eq!(first.status, 200);
    let jump = script_target(&first.text(), "real_jump_address =");
    assert!(
        jump.starts_with("https://s.click.taobao.com/t_js?tu="),
        "{jump}"
    );

    let without = get(&client, &jump).await;
    assert_eq!((without.status, without.location.as_deref()), (200, None));
    assert!(without.text().contains("链接已失效"));
    let wrong = get_with(&client, &jump, Some("https://s.click.taobao.com/t?e=other")).await;
    assert_eq!(wrong.location, None);

    let with = get_with(&client, &jump, Some(first_url)).await;
    assert_eq!(with.status, 302);
    let item = with.location.unwrap();
    assert!(
        item.starts_with("https://item.taobao.com/item.htm?id=6"),
        "{item}"
    );
}

#[tokio::test]
async fn m_tb_cn_page_carries_the_item_id_and_redirects_by_script_in_every_form() {
    let sim = start("2021-09-17").await;
    let client = client(&sim, CHROME_UA);
    let mut forms = std::collections::BTreeSet::new();
    let item_id = Regex::new(r"id=(\d+)").unwrap();
    for n in 0..40 {
        let url = format!("https://m.tb.cn/h.fkR7c{n:02}?tk=abc");
        let page = get(&client, &url).await;
        assert_eq!(page.status, 200);
        let text = page.text();
        let target = navigates_to(&text, &url);
        let id = item_id.captures(&target).unwrap()[1].to_string();
        assert!(text.contains(&format!("data-item-id=\"{id}\"")), "{text}");
        assert!(target.contains("&shareurl=true"), "{target}");
        forms.insert(redirect_form(&text));
        let item = get(&client, &target).await;
        assert_eq!(item.status, 200);
    }
    assert_eq!(forms.len(), 6, "{forms:?}");
}

/// Which way a share page's script computes its redirect.
fn redirect_form(text: &str) -> &'static str {
    [
        ("a.click()", "an anchor clicked by script"),
        ("setTimeout(", "a timer"),
        ("decodeURIComponent(", "a decoded URL"),
        ("' + itemId + '", "a URL put together"),
        ("location.replace(url)", "a variable"),
        ("location.replace('", "a literal"),
    ]
    .iter()
    .find(|(marker, _)| text.contains(marker))
    .map_or("unknown", |(_, form)| form)
}

/// Where a page navigates on its own, as the engines read it (its scripts run, its refresh).
fn navigates_to(text: &str, url: &str) -> String {
    let url = url::Url::parse(url).unwrap();
    let run = linkgate::script::run(
        linkgate::script::PageSource {
            html: text,
            url: &url,
            user_agent: CHROME_UA,
        },
        linkgate::script::Mode::Load,
        &linkgate::script::Limits::default(),
    );
    let refresh = linkgate::script::refresh_navigation(&run, &url);
    run.navigation
        .or(refresh)
        .unwrap_or_else(|| panic!("the page does not navigate: {text}"))
        .url
}

#[tokio::test]
async fn pinduoduo_share_link_is_a_meta_refresh_or_a_script() {
    let sim = start("2021-09-17").await;
    let client = client(&sim, CHROME_UA);
    let mut kinds = std::collections::BTreeSet::new();
    for code in [
        "Xy12AbCd", "Tq5Zr2Kd", "Ab34CdEf", "Zz99YyXx", "Mn01OpQr", "Gh56IjKl",
    ] {
        let url = format!("https://p.pinduoduo.com/{code}");
        let text = get(&client, &url).await.text();
        kinds.insert(text.contains("http-equiv=\"refresh\""));
        let target = navigates_to(&text, &url);
        assert!(
            target.starts_with("https://mobile.yangkeduo.com/goods.html?goods_id="),
            "{target}"
        );
        assert_eq!(get(&client, &target).await.status, 200);
    }
    assert_eq!(kinds.len(), 2, "both forms occur");
}

#[tokio::test]
async fn kuaishou_xiaohongshu_and_b23_links_redirect() {
    let sim = start("2021-09-17").await;
    let client = client(&sim, CHROME_UA);
    let ks = get(&client, "https://v.kuaishou.com/5xZ9Qp")
        .await
        .location
        .unwrap();
    assert!(
        ks.starts_with("https://www.kuaishou.com/short-video/3x"),
        "{ks}"
    );
    let xhs = get(&client, "https://xhslink.com/a/Bc7dEf")
        .await
        .location
        .unwrap();
    assert!(
        Regex::new(r"^https://www\.xiaohongshu\.com/discovery/item/[0-9a-f]{24}\?")
            .unwrap()
            .is_match(&xhs),
        "{xhs}"
    );

    let plain = get(&client, "http://b23.tv/Qw3rTy").await;
    assert_eq!(
        (plain.status, plain.location.as_deref()),
        (301, Some("https://b23.tv/Qw3rTy"))
    );
    let video = get(&client, "https://b23.tv/Qw3rTy")
        .await
        .location
        .unwrap();
    assert!(
        Regex::new(r"^https://www\.bilibili\.com/video/BV1[1-9A-HJ-NP-Za-km-z]{9}\?")
            .unwrap()
            .is_match(&video),
        "{video}"
    );
    assert_eq!(get(&client, &video).await.status, 200);
}

#[tokio::test]
async fn gbk_landing_page_is_declared_and_encoded_in_gbk() {
    let sim = start("2021-09-17").await;
    let client = client(&sim, CHROME_UA);
    let page = get(&client, "https://item.taobao.com/item.htm?id=652781436123").await;
    assert_eq!(page.content_type.as_deref(), Some("text/html; charset=GBK"));
    assert!(
        std::str::from_utf8(&page.body).is_err(),
        "GBK bytes are not UTF-8"
    );
    let decoded = linkgate::charset::decode(&page.body, page.content_type.as_deref(), None);
    assert_eq!(decoded.charset, "GBK");
    assert!(
        decoded.text.contains("<title>淘宝网 - 淘！我喜欢</title>"),
        "{}",
        decoded.text
    );
    assert!(decoded.text.contains(r#"<meta charset="GBK">"#));

    let utf8 = get(&client, "https://www.douyin.com/video/1").await;
    assert_eq!(
        utf8.content_type.as_deref(),
        Some("text/html; charset=UTF-8")
    );
}

#[tokio::test]
async fn a_target_walls_off_a_host_webview_but_not_a_plain_browser() {
    let sim = start("2021-09-01").await;
    let item = "https://item.taobao.com/item.htm?id=1";
    let in_douyin = get(&client(&sim, DOUYIN_UA), item).await.text();
    assert!(
        in_douyin.contains("请在淘宝App中打开")
            && in_douyin.contains("当前页面暂不支持在抖音中浏览"),
        "{in_douyin}"
    );
    let in_chrome = get(&client(&sim, CHROME_UA), item).await;
    let decoded =
        linkgate::charset::decode(&in_chrome.body, in_chrome.content_type.as_deref(), None);
    assert!(!decoded.text.contains("App中打开"));
    sim.set_date(date("2021-09-17"));
    let after = get(&client(&sim, DOUYIN_UA), item).await.text();
    assert!(!after.contains("App中打开"), "the wall ends with its rule");
}

#[tokio::test]
async fn wechat_gateway_opens_xiaohongshu_whose_page_walls_wechat() {
    let sim = start("2022-01-01").await;
    let client = client(&sim, WECHAT_UA);
    let note = "https://www.xiaohongshu.com/discovery/item/64f0c0ffee";
    let hop = get(&client, &gateway(WECHAT_GATEWAY, note)).await;
    assert_eq!(
        hop.location.as_deref(),
        Some(note),
        "the host lets it through"
    );
    assert!(
        get(&client, note)
            .await
            .text()
            .contains("请在小红书App中打开"),
        "the target walls it"
    );
}
