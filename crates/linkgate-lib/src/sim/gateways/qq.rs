//! QQ's gateway at c.pc.qq.com: the older middle pages (`middlem.html?pfurl=` and siblings)
//! and the newer `android.html` / `ios.html?url=…&level=…` (DOMAIN.md §3). Warning text
//! 当前网页非官方页面 and stop text 已停止访问 are from DOMAIN.md §4.

use super::{Reply, Visit, World, button, decide, page, target};
use crate::sim::world::{GateState, Style};

const STOP_REASON: &str = "该网页已被多人举报，含有违规内容，为维护绿色上网环境，已停止访问。";

/// Every page of c.pc.qq.com that takes a link.
const PAGES: [&str; 8] = [
    "/middlem.html",
    "/middle.html",
    "/middleb.html",
    "/middlect.html",
    "/index.html",
    "/pc.html",
    "/ios.html",
    "/android.html",
];

pub fn answer(world: &World, visit: &Visit) -> Option<Reply> {
    if visit.host != "c.pc.qq.com" || !PAGES.contains(&visit.path.as_str()) {
        return None;
    }
    let url = match target(visit, &["pfurl", "url"]) {
        Ok(url) => url,
        Err(reply) => return Some(reply),
    };
    let decision = decide(world, "qq", &url, visit);
    let stop = match decision.state {
        GateState::Warning => false,
        GateState::Stop => true,
        GateState::Open | GateState::AppOnlyWall | GateState::CopyToBrowser => {
            return Some(Reply::redirect(302, &url));
        }
    };
    // The simulator's own convention: level 1 is a warning, 2 a stop.
    let level = if stop { 2 } else { 1 };
    let newer = matches!(
        visit.path.as_str(),
        "/android.html" | "/ios.html" | "/pc.html"
    );
    if decision.style == Some(Style::Mobile) && !newer {
        let page_name = if visit.is_ios() { "ios" } else { "android" };
        let location = format!(
            "https://c.pc.qq.com/{page_name}.html?url={}&level={level}&sublevel=0",
            page::component(&url)
        );
        return Some(Reply::redirect(302, &location));
    }
    let page_class = visit.path.trim_start_matches('/').trim_end_matches(".html");
    let (title, heading, desc, action) = if stop {
        let reason = decision.reason.unwrap_or(STOP_REASON);
        ("已停止访问", "已停止访问", reason, String::new())
    } else {
        (
            "安全提示",
            "当前网页非官方页面",
            "请注意保护好个人信息和财产安全，谨慎访问。",
            button("safe-tips__btn", &url, "继续访问"),
        )
    };
    Some(Reply::html(
        200,
        page::fill(
            include_str!("../pages/qq.html"),
            &[
                ("title", page::html(title)),
                ("page_class", page::html(page_class)),
                ("level", level.to_string()),
                ("heading", page::html(heading)),
                ("desc", page::html(desc)),
                ("url", page::html(&url)),
                ("button", action),
            ],
        ),
    ))
}
