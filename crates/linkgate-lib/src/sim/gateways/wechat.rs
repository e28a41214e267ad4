//! WeChat's gateways: `mp.weixinbridge.com/mp/wapredirect` (the public check articles use),
//! its weixin110 interstitials (warning, stop, copy-to-browser) and the copy-to-browser page
//! for Alibaba links at support.weixin.qq.com. Markers from DOMAIN.md §3–4.

use super::{Reply, Visit, World, button, decide, page, target};
use crate::sim::world::{GateState, Style};

const WEIXIN110: &str = "https://weixin110.qq.com/cgi-bin/mmspamsupport-bin/newredirectconfirmcgi";
const TAOBAO_COPY: &str = "https://support.weixin.qq.com/cgi-bin/mmsupport-bin/readtemplate";
const STOP_REASON: &str =
    "网页包含诱导分享、诱导关注内容，被多人投诉，为维护绿色上网环境，已停止访问该网页。";
const COPY_TEXT: &str = "如需浏览，请长按网址复制后使用浏览器访问";

/// Which interstitial WeChat shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Warning(Style),
    Stop,
    /// Copy-to-browser text on a weixin110 page.
    Copy,
    /// Copy-to-browser page for Alibaba links on support.weixin.qq.com.
    CopyTaobao,
}

impl Kind {
    /// `main_type` and `evil_type` of its weixin110 URL. main_type is WeChat's (1 warning,
    /// 2 stop); the evil_type values are the simulator's own.
    fn types(self) -> (u8, u8) {
        match self {
            Kind::Warning(_) => (1, 0),
            Kind::Stop => (2, 20),
            Kind::Copy | Kind::CopyTaobao => (2, 53),
        }
    }
}

pub fn answer(world: &World, visit: &Visit) -> Option<Reply> {
    let taobao_template = visit.param("t").as_deref() == Some("w_redirect_taobao");
    match (visit.host.as_str(), visit.path.as_str()) {
        ("mp.weixinbridge.com", "/mp/wapredirect") => Some(bridge(world, visit)),
        ("weixin110.qq.com", "/cgi-bin/mmspamsupport-bin/newredirectconfirmcgi") => {
            Some(weixin110(world, visit))
        }
        (
            "support.weixin.qq.com" | "szsupport.weixin.qq.com",
            "/cgi-bin/mmsupport-bin/readtemplate",
        ) if taobao_template => Some(taobao_copy(visit)),
        _ => None,
    }
}

/// The public check: 302 to the link when open, else 302 to the interstitial.
fn bridge(world: &World, visit: &Visit) -> Reply {
    let url = match target(visit, &["url"]) {
        Ok(url) => url,
        Err(reply) => return reply,
    };
    let Some((kind, _)) = interstitial(world, &url, visit) else {
        return Reply::redirect(302, &url);
    };
    let encoded = page::component(&url);
    if kind == Kind::CopyTaobao {
        let location = format!("{TAOBAO_COPY}?t=w_redirect_taobao&url={encoded}&lang=zh_CN");
        return Reply::redirect(302, &location);
    }
    let (main_type, evil_type) = kind.types();
    let scene = visit
        .param("scene")
        .map(|s| format!("&scene={}", page::component(&s)))
        .unwrap_or_default();
    let location = format!(
        "{WEIXIN110}?main_type={main_type}&evil_type={evil_type}&source=2&url={encoded}{scene}"
    );
    Reply::redirect(302, &location)
}

/// What WeChat shows for `url` today, and the world's reason text; `None` when it opens.
fn interstitial(world: &World, url: &str, visit: &Visit) -> Option<(Kind, Option<String>)> {
    let decision = decide(world, "wechat", url, visit);
    let reason = decision.reason.map(String::from);
    let kind = match decision.state {
        GateState::Open | GateState::AppOnlyWall => return None,
        GateState::Warning => Kind::Warning(decision.style.unwrap_or(Style::Classic)),
        GateState::Stop => Kind::Stop,
        GateState::CopyToBrowser => {
            let alibaba = world
                .platform_of_url(url)
                .is_some_and(|p| p.owner == "alibaba");
            match decision.style {
                Some(Style::Taobao) => Kind::CopyTaobao,
                Some(_) => Kind::Copy,
                None if alibaba => Kind::CopyTaobao,
                None => Kind::Copy,
            }
        }
    };
    Some((kind, reason))
}

/// A weixin110 page. The server knows its own verdict, so the world decides; a URL the world
/// would open still shows what its `main_type` says, as a stale link would.
fn weixin110(world: &World, visit: &Visit) -> Reply {
    let url = match target(visit, &["url"]) {
        Ok(url) => url,
        Err(reply) => return reply,
    };
    let (kind, reason) = match interstitial(world, &url, visit) {
        Some((Kind::CopyTaobao, reason)) => (Kind::Copy, reason),
        Some(found) => found,
        None if visit.param("main_type").as_deref() == Some("1") => {
            (Kind::Warning(Style::Classic), None)
        }
        None => (Kind::Stop, None),
    };
    Reply::html(200, weixin110_page(kind, &url, reason.as_deref()))
}

fn weixin110_page(kind: Kind, url: &str, reason: Option<&str>) -> String {
    let continue_button = button("weui-btn weui-btn_primary", url, "继续访问");
    let appeal = "<a class=\"weui-btn weui-btn_default\" href=\"javascript:;\">申请恢复访问</a>";
    let (heading, desc, buttons, footer, cgi_type, color) = match kind {
        Kind::Warning(Style::Y2024) => (
            "将要访问".to_string(),
            "无法确认该网页的安全性，请谨慎访问。".to_string(),
            format!("{continue_button}{appeal}"),
            String::new(),
            "warning",
            "#fa9d3b",
        ),
        Kind::Warning(_) => (
            "非微信官方网页".to_string(),
            "你将要访问的网页不是微信官方网页，继续访问将转换成手机预览模式。".to_string(),
            continue_button,
            String::new(),
            "warning",
            "#fa9d3b",
        ),
        Kind::Stop => (
            "已停止访问该网页".to_string(),
            reason.unwrap_or(STOP_REASON).to_string(),
            String::new(),
            ["申请恢复访问", "客服指引", "查看规则"]
                .map(|t| format!("<a class=\"weui-footer__link\" href=\"javascript:;\">{t}</a>"))
                .join(""),
            "stop",
            "#fa5151",
        ),
        Kind::Copy | Kind::CopyTaobao => (
            COPY_TEXT.to_string(),
            reason.unwrap_or_default().to_string(),
            String::new(),
            String::new(),
            "copy",
            "#10aeff",
        ),
    };
    let (main_type, evil_type) = kind.types();
    let cgi_btns = if buttons.contains("继续访问") {
        format!(
            "{{\"text\":\"继续访问\",\"url\":\"{}\"}}",
            page::entities(url)
        )
    } else {
        String::new()
    };
    page::fill(
        include_str!("../pages/weixin110.html"),
        &[
            ("title", page::html(&heading)),
            ("icon_color", color.to_string()),
            ("cgi_type", cgi_type.to_string()),
            ("cgi_title", page::js(&heading)),
            ("cgi_desc", page::js(&desc)),
            ("cgi_url", page::entities(url)),
            ("main_type", main_type.to_string()),
            ("evil_type", evil_type.to_string()),
            ("cgi_btns", cgi_btns),
            ("heading", page::html(&heading)),
            ("desc", page::html(&desc)),
            (
                "url_block",
                format!("<p class=\"weui-msg__url\">{}</p>", page::html(url)),
            ),
            ("buttons", buttons),
            ("footer_links", footer),
        ],
    )
}

/// The copy-to-browser page WeChat shows for Alibaba links; the link is also in `<body url>`.
fn taobao_copy(visit: &Visit) -> Reply {
    let url = visit.param("url").unwrap_or_default();
    Reply::html(
        200,
        page::fill(
            include_str!("../pages/wechat_taobao.html"),
            &[("url_attr", page::html(&url)), ("url", page::html(&url))],
        ),
    )
}
