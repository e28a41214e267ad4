//! The hosts' link-checking gateways (DOMAIN.md §3): each answers a tap on a link with a
//! redirect to it, or with one of its interstitial pages, as the world decides for the
//! (host, target, scene, date) of the request.

mod middle;
mod qq;
mod wechat;
mod wecom;
mod weibo;

use super::page;
use super::visit::{Reply, Visit};
use super::world::{Decision, World};
use crate::model::Scene;

/// The gateway page for `visit`, or `None` when it is no gateway's.
pub fn answer(world: &World, visit: &Visit) -> Option<Reply> {
    wechat::answer(world, visit)
        .or_else(|| wecom::answer(world, visit))
        .or_else(|| qq::answer(world, visit))
        .or_else(|| weibo::answer(world, visit))
        .or_else(|| middle::answer(world, visit))
}

/// The target of a tap, checked: gateways only ever send users to web pages.
fn target(visit: &Visit, params: &[&str]) -> Result<String, Reply> {
    let Some(url) = params.iter().find_map(|p| visit.param(p)) else {
        return Err(bad_request(&format!(
            "this gateway needs the link in its `{}` parameter",
            params.join("` or `")
        )));
    };
    match url::Url::parse(&url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(url),
        _ => Err(bad_request("the link must be an http(s) URL")),
    }
}

/// What the world decides for a tap through `host`'s gateway on `target`.
fn decide<'w>(world: &'w World, host: &str, target: &str, visit: &Visit) -> Decision<'w> {
    let target = world.platform_of_url(target).map(|p| p.id.as_str());
    decide_platform(world, host, target, visit)
}

fn decide_platform<'w>(
    world: &'w World,
    host: &str,
    target: Option<&str>,
    visit: &Visit,
) -> Decision<'w> {
    let scene = visit.param("scene").and_then(|s| Scene::parse(&s));
    let decision = world.decide(host, target, scene, visit.date);
    tracing::debug!(
        host,
        target = target.unwrap_or("-"),
        state = %decision.state,
        rule_line = decision.rule.map(|r| r.line),
        "gateway decision"
    );
    decision
}

fn bad_request(message: &str) -> Reply {
    Reply::html(
        400,
        page::fill(
            include_str!("../pages/sim_error.html"),
            &[
                ("title", "400 Bad Request".into()),
                ("message", page::html(message)),
                ("world", String::new()),
            ],
        ),
    )
}

/// A "continue" button of a warning page.
fn button(class: &str, href: &str, text: &str) -> String {
    format!(
        "<a class=\"{class}\" href=\"{}\">{text}</a>",
        page::html(href)
    )
}
