//! Share links (DOMAIN.md §5), each resolved by its real mechanism: HTTP redirects (Douyin,
//! Kuaishou, Bilibili, Xiaohongshu), a script variable (JD's `var hrl`), a script plus a
//! Referer-gated hop (Taobao's s.click), a script redirect carrying the item id (m.tb.cn)
//! and a meta refresh or a script (Pinduoduo, whose redirect kind DOMAIN.md leaves open). A
//! code always resolves to the same item, derived from the code, so any code a scenario uses
//! works. Pages that redirect by script do it in several forms, chosen by the code: a
//! literal `location.replace('…')`, a variable, a URL put together from pieces, a timer, an
//! encoded URL decoded in script, an anchor the script clicks.

use super::page;
use super::visit::{Reply, Visit};

pub fn answer(visit: &Visit) -> Option<Reply> {
    let code = visit.code();
    if code.is_empty() {
        return None;
    }
    match visit.host.as_str() {
        "v.douyin.com" => Some(douyin(code)),
        "u.jd.com" if visit.path == "/jda" => Some(jd_jump(visit)),
        "u.jd.com" => Some(jd_union(code)),
        "s.click.taobao.com" if visit.path == "/t_js" => Some(taobao_jump(visit)),
        "s.click.taobao.com" => Some(taobao_click(visit)),
        "m.tb.cn" if code.starts_with("h.") => Some(taobao_short(code)),
        "p.pinduoduo.com" => Some(pinduoduo(code)),
        "v.kuaishou.com" => Some(kuaishou(code)),
        "b23.tv" => Some(bilibili(visit, code)),
        "xhslink.com" => Some(xiaohongshu(code)),
        _ => None,
    }
}

fn douyin(code: &str) -> Reply {
    let id = format!("7{}", page::digits(code, 18));
    let mid = format!("7{}", page::digits(&format!("{code}/mid"), 18));
    Reply::redirect(
        302,
        &format!(
            "https://www.iesdouyin.com/share/video/{id}/?region=CN&mid={mid}&titleType=title&from=web_code_link"
        ),
    )
}

/// u.jd.com/<code>: a page whose script variable `hrl` is the next hop.
fn jd_union(code: &str) -> Reply {
    let hrl = format!(
        "https://u.jd.com/jda?e=9_2_0_0_0&a=fCg9UgoiAwwDBXRf&t={}&d={}",
        page::hex_id(code, 32),
        page::component(code)
    );
    let redirect = match super::gateways::form_of(code, 3) {
        0 => "window.location.replace(hrl);",
        1 => "setTimeout(function () { location.href = hrl; }, 200);",
        _ => {
            "document.addEventListener('DOMContentLoaded', function () { window.location.replace(hrl); });"
        }
    };
    Reply::html(
        200,
        page::fill(
            include_str!("pages/jd_union.html"),
            &[("hrl", page::js(&hrl)), ("redirect", redirect.to_string())],
        ),
    )
}

/// u.jd.com/jda: 302 to the item the code stands for.
fn jd_jump(visit: &Visit) -> Reply {
    match visit.param("d").filter(|d| !d.is_empty()) {
        Some(code) => Reply::redirect(
            302,
            &format!("https://item.jd.com/100{}.html", page::digits(&code, 9)),
        ),
        None => Reply::redirect(302, "https://www.jd.com/"),
    }
}

/// s.click.taobao.com/<token>: a page whose `real_jump_address` is the gated next hop.
fn taobao_click(visit: &Visit) -> Reply {
    let jump = format!(
        "https://s.click.taobao.com/t_js?tu={}",
        page::component(&visit.url())
    );
    Reply::html(
        200,
        page::fill(
            include_str!("pages/taobao_sclick.html"),
            &[("jump", page::js(&jump))],
        ),
    )
}

/// s.click.taobao.com/t_js: 302 to the item only when the first page sent us here.
fn taobao_jump(visit: &Visit) -> Reply {
    let first = visit.param("tu").unwrap_or_default();
    let from_first = visit.referer.as_deref().is_some_and(|r| {
        !first.is_empty() && r.trim_end_matches('/') == first.trim_end_matches('/')
    });
    if !from_first {
        tracing::debug!(referer = ?visit.referer, "s.click hop without its first page as Referer");
        return Reply::html(
            200,
            page::fill(
                include_str!("pages/taobao_error.html"),
                &[("desc", "链接来源不正确，请从原页面重新打开。".into())],
            ),
        );
    }
    let id = format!("6{}", page::digits(&first, 11));
    Reply::redirect(
        302,
        &format!(
            "https://item.taobao.com/item.htm?id={id}&ali_trackid=2:mm_26632258_3504122_32538762"
        ),
    )
}

/// m.tb.cn/h.<code>: a page carrying the item id that redirects by script.
fn taobao_short(code: &str) -> Reply {
    let id = format!("6{}", page::digits(code, 11));
    let sk = format!("1.{}_21380790_1631840400000.Copy.1", page::hex_id(code, 24));
    let target = format!(
        "https://item.taobao.com/item.htm?id={id}&sourceType=item&ut_sk={sk}&shareurl=true"
    );
    let redirect = match super::gateways::form_of(code, 6) {
        0 => format!("location.replace('{}');", page::js(&target)),
        1 => "location.replace(url);".to_string(),
        2 => format!(
            "var sk = '{}';\nwindow.location.href = 'https://item.taobao.com/item.htm?id=' + itemId + '&sourceType=item&ut_sk=' + sk + '&shareurl=true';",
            page::js(&sk)
        ),
        3 => "setTimeout(function () { window.location.replace(url); }, 300);".to_string(),
        4 => format!(
            "window.location = decodeURIComponent('{}');",
            page::js(&page::component(&target))
        ),
        _ => "var a = document.createElement('a');\na.href = url;\ndocument.body.appendChild(a);\na.click();"
            .to_string(),
    };
    Reply::html(
        200,
        page::fill(
            include_str!("pages/taobao_mtb.html"),
            &[
                ("item_id", id),
                ("target", page::js(&target)),
                ("redirect", redirect),
            ],
        ),
    )
}

fn pinduoduo(code: &str) -> Reply {
    let (goods, share) = (page::digits(code, 12), page::hex_id(code, 16));
    let target = format!(
        "https://mobile.yangkeduo.com/goods.html?goods_id={goods}&_wv=41729&_x_share_id={share}"
    );
    let (refresh, script) = match super::gateways::form_of(code, 2) {
        0 => (
            format!(
                "<meta http-equiv=\"refresh\" content=\"0;url={}\">",
                page::html(&target)
            ),
            String::new(),
        ),
        _ => (
            String::new(),
            format!(
                "<script>\nvar goods = {{ id: '{goods}', share: '{share}' }};\n\
                 window.location.replace('https://mobile.yangkeduo.com/goods.html?goods_id=' + goods.id + '&_wv=41729&_x_share_id=' + goods.share);\n</script>"
            ),
        ),
    };
    Reply::html(
        200,
        page::fill(
            include_str!("pages/pinduoduo_share.html"),
            &[
                ("target", page::html(&target)),
                ("refresh", refresh),
                ("script", script),
            ],
        ),
    )
}

fn kuaishou(code: &str) -> Reply {
    Reply::redirect(
        302,
        &format!(
            "https://www.kuaishou.com/short-video/3x{}?shareMethod=TOKEN&shareToken={}",
            page::hex_id(code, 13),
            page::hex_id(&format!("{code}/token"), 10)
        ),
    )
}

/// b23.tv: plain HTTP is first upgraded to HTTPS, then 302 to the video.
fn bilibili(visit: &Visit, code: &str) -> Reply {
    if visit.scheme == "http" {
        return Reply::redirect(301, &format!("https://b23.tv/{code}"));
    }
    Reply::redirect(
        302,
        &format!(
            "https://www.bilibili.com/video/BV1{}?share_medium=android&share_source=copy_link",
            page::base58(code, 9)
        ),
    )
}

fn xiaohongshu(code: &str) -> Reply {
    Reply::redirect(
        302,
        &format!(
            "https://www.xiaohongshu.com/discovery/item/{}?app_platform=android&share_from_user_hidden=true&xhsshare=CopyLink",
            page::hex_id(code, 24)
        ),
    )
}
