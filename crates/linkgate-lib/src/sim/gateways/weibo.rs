//! Weibo's gateways: `weibo.cn/sinaurl?u=` (the 备案 warning) and t.cn short links, which
//! redirect for links Weibo lets through and show the copy-to-browser or risk page for the
//! others (DOMAIN.md §3–5; markers `div.wrap > p.desc`, `p.link`, `.url_view_code`).

use super::{Reply, Visit, World, decide, decide_platform, page, target};
use crate::sim::world::GateState;

const COPY_TEXT: &str = "如需浏览，请长按网址复制后使用浏览器访问";
const RISK_TEXT: &str =
    "该网址可能包含欺诈、病毒或其他不良内容，为保护你的账号和财产安全，建议停止访问。";

pub fn answer(world: &World, visit: &Visit) -> Option<Reply> {
    match (visit.host.as_str(), visit.path.as_str()) {
        ("weibo.cn" | "m.weibo.cn", "/sinaurl") => Some(sinaurl(world, visit)),
        ("t.cn", _) if !visit.code().is_empty() => Some(short_link(world, visit)),
        _ => None,
    }
}

fn sinaurl(world: &World, visit: &Visit) -> Reply {
    let url = match target(visit, &["u", "toasturl"]) {
        Ok(url) => url,
        Err(reply) => return reply,
    };
    let decision = decide(world, "weibo", &url, visit);
    match decision.state {
        GateState::Open | GateState::AppOnlyWall => Reply::redirect(302, &url),
        GateState::Warning => warning(&url),
        GateState::Stop => risk(&url, decision.reason),
        GateState::CopyToBrowser => copy(&url, decision.reason),
    }
}

fn short_link(world: &World, visit: &Visit) -> Reply {
    let Some(url) = world.short_link(visit.code()) else {
        return Reply::html(
            404,
            page::fill(
                include_str!("../pages/not_found.html"),
                &[("name_zh", "微博".into())],
            ),
        );
    };
    let target = world.platform_of_url(url).map(|p| p.id.as_str());
    let decision = decide_platform(world, "weibo", target, visit);
    match decision.state {
        GateState::Open | GateState::AppOnlyWall => Reply::redirect(302, url),
        GateState::Warning => Reply::redirect(
            302,
            &format!("https://weibo.cn/sinaurl?u={}", page::component(url)),
        ),
        GateState::Stop => risk(url, decision.reason),
        GateState::CopyToBrowser => copy(url, decision.reason),
    }
}

fn warning(url: &str) -> Reply {
    Reply::html(
        200,
        page::fill(
            include_str!("../pages/weibo_sinaurl.html"),
            &[
                ("url", page::html(url)),
                ("button", super::button("m-btn", url, "继续访问")),
            ],
        ),
    )
}

fn copy(url: &str, reason: Option<&str>) -> Reply {
    Reply::html(
        200,
        page::fill(
            include_str!("../pages/weibo_copy.html"),
            &[
                ("desc", page::html(reason.unwrap_or(COPY_TEXT))),
                ("url", page::html(url)),
            ],
        ),
    )
}

fn risk(url: &str, reason: Option<&str>) -> Reply {
    Reply::html(
        200,
        page::fill(
            include_str!("../pages/weibo_risk.html"),
            &[
                ("url", page::html(url)),
                ("desc", page::html(reason.unwrap_or(RISK_TEXT))),
            ],
        ),
    )
}
