//! The platforms' own pages: a small landing page for any path of a platform's sites (the
//! proof a link opened), the "open in the app" wall a target shows some hosts' webviews, and
//! the simulator's 502 for a host no platform owns: nothing ever leaves the machine.

use super::page;
use super::visit::{Reply, Visit};
use super::world::{GateState, SimPlatform, World};

/// A platform's page for `visit`, or its app-only wall when the world says so.
pub fn page(world: &World, platform: &SimPlatform, visit: &Visit) -> Reply {
    if let Some(host) = world.host_of_user_agent(&visit.user_agent) {
        let state = world
            .decide(&host.id, Some(&platform.id), None, visit.date)
            .state;
        if host.id != platform.id && state == GateState::AppOnlyWall {
            return app_wall(platform, host, visit);
        }
    }
    let html = page::fill(
        include_str!("pages/landing.html"),
        &[
            ("charset", platform.charset.name().to_string()),
            ("title", page::html(&platform.title)),
            ("accent", accent(&platform.id).to_string()),
            ("platform", page::html(&platform.id)),
            ("name_zh", page::html(&platform.name_zh)),
            ("name", page::html(&platform.name)),
            ("host", page::html(&visit.host)),
            ("path", page::html(&visit.path)),
            ("world", page::html(&world.name)),
            ("date", visit.date.to_string()),
        ],
    );
    Reply::html_in(200, &html, platform.charset)
}

fn app_wall(platform: &SimPlatform, host: &SimPlatform, visit: &Visit) -> Reply {
    let app_url = format!(
        "{}://open?url={}",
        platform.id,
        page::component(&visit.url())
    );
    Reply::html(
        200,
        page::fill(
            include_str!("pages/app_wall.html"),
            &[
                ("name_zh", page::html(&platform.name_zh)),
                ("host_zh", page::html(&host.name_zh)),
                ("accent", accent(&platform.id).to_string()),
                ("app_url", page::html(&app_url)),
            ],
        ),
    )
}

/// The simulator's answer for a host of no platform.
pub fn unknown_host(world: &World, visit: &Visit) -> Reply {
    let message = format!(
        "The linkgate simulator has no site {} in world {} and never connects to the internet. \
         To simulate it, add the host (or its domain) to a [[platform]]'s domains in the world file.",
        visit.host, world.name
    );
    sim_error(world, 502, "502 Bad Gateway: unknown host", &message)
}

pub fn sim_error(world: &World, status: u16, title: &str, message: &str) -> Reply {
    let mut reply = Reply::html(
        status,
        page::fill(
            include_str!("pages/sim_error.html"),
            &[
                ("title", page::html(title)),
                ("message", page::html(message)),
                ("world", page::html(&world.name)),
            ],
        ),
    );
    reply.headers.push(("x-linkgate-sim", "error".to_string()));
    reply
}

/// A brand colour, so screenshots of landing pages are told apart at a glance.
fn accent(platform: &str) -> &'static str {
    match platform {
        "wechat" | "wecom" => "#07c160",
        "qq" | "alipay" | "dingtalk" | "baidu" => "#1677ff",
        "douyin" => "#161823",
        "kuaishou" | "taobao" | "tmall" => "#ff5000",
        "weibo" => "#ff8200",
        "jd" | "pinduoduo" | "xiaohongshu" => "#e1251b",
        "bilibili" => "#fb7299",
        _ => "#333333",
    }
}
