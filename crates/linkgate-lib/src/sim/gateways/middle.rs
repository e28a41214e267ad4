//! Bilibili's and Baidu's middle pages (DOMAIN.md §3): `www.bilibili.com/york/link-middle-page/…`,
//! `game.bilibili.com/linkfilter/`, `tieba.baidu.com/mo/q/checkurl` and
//! `jump2.bdimg.com/safecheck/index`, all with `?url=`. DOMAIN.md records no page markers for
//! them, so the texts are the simulator's own.

use super::{Reply, Visit, World, button, decide, page, target};
use crate::sim::world::GateState;

/// How one host's middle page looks.
struct Look {
    host: &'static str,
    page_class: &'static str,
    accent: &'static str,
    warning_title: &'static str,
    warning_heading: &'static str,
    warning_desc: &'static str,
    stop_title: &'static str,
    stop_heading: &'static str,
    stop_desc: &'static str,
}

const BILIBILI: Look = Look {
    host: "bilibili",
    page_class: "link-middle-page",
    accent: "#fb7299",
    warning_title: "哔哩哔哩 - 即将离开",
    warning_heading: "即将离开哔哩哔哩",
    warning_desc: "请注意账号财产安全，谨慎访问外部网页。",
    stop_title: "哔哩哔哩",
    stop_heading: "该网页存在风险，已停止访问",
    stop_desc: "为保护你的账号和财产安全，哔哩哔哩已停止访问该网页。",
};

const BAIDU: Look = Look {
    host: "baidu",
    page_class: "safecheck",
    accent: "#3385ff",
    warning_title: "百度网址安全中心",
    warning_heading: "即将离开百度，请注意财产安全",
    warning_desc: "您即将访问的网站不属于百度，请注意保护个人信息和财产安全。",
    stop_title: "百度网址安全中心",
    stop_heading: "百度网址安全中心提醒您：该页面可能存在违法信息！",
    stop_desc: "为了保护您的上网安全，已停止访问该网页。",
};

pub fn answer(world: &World, visit: &Visit) -> Option<Reply> {
    let path = visit.path.as_str();
    let look = match visit.host.as_str() {
        "www.bilibili.com" if path.starts_with("/york/link-middle-page/") => &BILIBILI,
        "game.bilibili.com" if path.starts_with("/linkfilter") => &BILIBILI,
        "tieba.baidu.com" if path == "/mo/q/checkurl" => &BAIDU,
        "jump2.bdimg.com" if path == "/safecheck/index" => &BAIDU,
        _ => return None,
    };
    let url = match target(visit, &["url"]) {
        Ok(url) => url,
        Err(reply) => return Some(reply),
    };
    let decision = decide(world, look.host, &url, visit);
    let (title, heading, desc, action) = match decision.state {
        GateState::Warning => (
            look.warning_title,
            look.warning_heading,
            look.warning_desc,
            button("middle-page__btn", &url, "继续访问"),
        ),
        GateState::Stop => (
            look.stop_title,
            look.stop_heading,
            decision.reason.unwrap_or(look.stop_desc),
            String::new(),
        ),
        GateState::Open | GateState::AppOnlyWall | GateState::CopyToBrowser => {
            return Some(Reply::redirect(302, &url));
        }
    };
    Some(Reply::html(
        200,
        page::fill(
            include_str!("../pages/middle.html"),
            &[
                ("title", page::html(title)),
                ("accent", look.accent.to_string()),
                ("page_class", look.page_class.to_string()),
                ("heading", page::html(heading)),
                ("desc", page::html(desc)),
                ("url", page::html(&url)),
                ("button", action),
            ],
        ),
    ))
}
