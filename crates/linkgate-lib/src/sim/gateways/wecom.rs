//! WeCom's gateway, `open.work.weixin.qq.com/wwopen/uriconfirm?uri=`: a confirm page whose
//! button comes back with `err_type=continue_visit` (DOMAIN.md §3). The page text is the
//! simulator's own: DOMAIN.md records no markers for it.

use super::{Reply, Visit, World, button, decide, page, target};
use crate::sim::world::GateState;

const CONFIRM: &str = "https://open.work.weixin.qq.com/wwopen/uriconfirm";
const STOP_REASON: &str = "该网页可能包含违规内容，为维护绿色上网环境，已停止访问。";

pub fn answer(world: &World, visit: &Visit) -> Option<Reply> {
    if (visit.host.as_str(), visit.path.as_str())
        != ("open.work.weixin.qq.com", "/wwopen/uriconfirm")
    {
        return None;
    }
    let uri = match target(visit, &["uri"]) {
        Ok(uri) => uri,
        Err(reply) => return Some(reply),
    };
    let decision = decide(world, "wecom", &uri, visit);
    let confirmed = visit.param("err_type").as_deref() == Some("continue_visit");
    let (heading, desc, action) = match decision.state {
        GateState::Warning if confirmed => return Some(Reply::redirect(302, &uri)),
        GateState::Warning => {
            let href = format!(
                "{CONFIRM}?uri={}&err_type=continue_visit",
                page::component(&uri)
            );
            (
                "即将访问外部网页",
                "该网页不是企业微信官方网页，请注意保护个人信息和财产安全。",
                button("uri_confirm_btn", &href, "继续访问"),
            )
        }
        GateState::Stop => (
            "已停止访问该网页",
            decision.reason.unwrap_or(STOP_REASON),
            String::new(),
        ),
        GateState::Open | GateState::AppOnlyWall | GateState::CopyToBrowser => {
            return Some(Reply::redirect(302, &uri));
        }
    };
    Some(Reply::html(
        200,
        page::fill(
            include_str!("../pages/wecom.html"),
            &[
                ("heading", page::html(heading)),
                ("url", page::html(&uri)),
                ("desc", page::html(desc)),
                ("button", action),
            ],
        ),
    ))
}
