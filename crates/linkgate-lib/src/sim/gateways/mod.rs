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

/// A warning page's "continue" control, in one of the forms real gateway pages use, chosen
/// by `seed` (the link) so the same link always gets the same page: a plain link, or a
/// button whose script waits for a tap (an `onclick` property or attribute, a click or
/// touchend listener, a `javascript:` link). Nothing navigates until the person taps.
fn button(class: &str, href: &str, text: &str) -> String {
    continue_control(class, href, text, href)
}

/// How many forms [`continue_control`] has.
pub(crate) const CONTINUE_FORMS: usize = 6;

pub(crate) fn continue_control(class: &str, href: &str, text: &str, seed: &str) -> String {
    let id = format!(
        "{}-continue",
        class.split([' ', '_']).next().unwrap_or("page")
    );
    let (attr, js) = (page::html(href), page::js(href));
    let form = form_of(seed, CONTINUE_FORMS);
    match form {
        0 => format!("<a class=\"{class}\" href=\"{attr}\">{text}</a>"),
        1 => format!(
            "<a class=\"{class}\" id=\"{id}\" href=\"javascript:;\">{text}</a>\n\
             <script>document.getElementById('{id}').onclick = function () {{ location.href = '{js}'; return false; }};</script>"
        ),
        2 => format!(
            "<button type=\"button\" class=\"{class}\" id=\"{id}\">{text}</button>\n\
             <script>document.getElementById('{id}').addEventListener('click', function (e) {{ e.preventDefault(); window.location.replace('{js}'); }});</script>"
        ),
        3 => format!(
            "<div class=\"{class}\" id=\"{id}\" data-href=\"{attr}\">{text}</div>\n\
             <script>document.getElementById('{id}').addEventListener('touchend', function () {{ window.location.href = this.getAttribute('data-href'); }});</script>"
        ),
        4 => format!(
            "<button type=\"button\" class=\"{class}\" onclick=\"location.href = this.getAttribute('data-to')\" data-to=\"{attr}\">{text}</button>"
        ),
        _ => format!(
            "<a class=\"{class}\" href=\"javascript:location.href='{}';\">{text}</a>",
            page::html(&js)
        ),
    }
}

/// A stable choice among `forms` for `seed`.
pub(crate) fn form_of(seed: &str, forms: usize) -> usize {
    let digit: usize = page::digits(seed, 2).parse().unwrap_or(0);
    digit % forms
}
