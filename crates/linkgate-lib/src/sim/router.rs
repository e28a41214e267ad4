//! Decides the answer to one visit: first the site's fault (down, slow, looping), then the
//! gateways, the share links, the platforms' landing pages, and finally the simulator's 502.

use super::visit::{Answer, Reply, Visit};
use super::world::{FaultKind, World};
use super::{gateways, landing, page, share};

/// The answer to `visit`; only a slow fault makes this wait.
pub async fn answer(world: &World, visit: &Visit) -> Answer {
    if let Some(fault) = world.fault(&visit.host, visit.date) {
        tracing::debug!(host = %visit.host, kind = ?fault.kind, "fault");
        match fault.kind {
            FaultKind::Reset => return Answer::Reset,
            FaultKind::Unavailable => {
                return Answer::Reply(Reply::html(
                    503,
                    include_str!("pages/fault_503.html").to_string(),
                ));
            }
            FaultKind::RedirectLoop => return Answer::Reply(redirect_loop(visit)),
            FaultKind::Slow(delay) => tokio::time::sleep(delay).await,
        }
    }
    Answer::Reply(route(world, visit))
}

/// The page for `visit` on a healthy site. Pure: the date is in the visit.
pub fn route(world: &World, visit: &Visit) -> Reply {
    // Browsers ask every site for its icon; no share code or page is called that.
    if visit.path == "/favicon.ico" {
        return Reply::plain(404, "");
    }
    if let Some(reply) = gateways::answer(world, visit) {
        return reply;
    }
    if let Some(reply) = share::answer(visit) {
        return reply;
    }
    match world.platform_of_host(&visit.host) {
        Some(platform) => landing::page(world, platform, visit),
        None => landing::unknown_host(world, visit),
    }
}

/// A login bounce that never ends: every page sends to `/login?url=<page>`, which sends back.
fn redirect_loop(visit: &Visit) -> Reply {
    if visit.path != "/login" {
        let location = format!(
            "https://{}/login?url={}",
            visit.host,
            page::component(&visit.url())
        );
        return Reply::redirect(302, &location);
    }
    let back = visit
        .param("url")
        .filter(|u| url::Url::parse(u).is_ok_and(|p| p.host_str() == Some(visit.host.as_str())))
        .unwrap_or_else(|| format!("https://{}/", visit.host));
    Reply::redirect(302, &back)
}
