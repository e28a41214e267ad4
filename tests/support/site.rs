//! The local site most end-to-end tests measure: a WeChat-like gateway that shows the stop
//! page for targets whose URL says `blocked` and redirects to the others, and landing pages
//! that the scenario files' `landing = '/item/'` accepts.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::server::Request;
use super::{Reply, Server};

/// WeChat's stop page, as the fixture the scenario's signature is checked against.
pub const STOP_PAGE: &str = include_str!("../../scenarios/signatures/fixtures/wechat/stop.html");

/// An item page: what an opened link lands on.
pub const LANDING: &str =
    "<html><head><title>商品详情</title></head><body><h1>宝贝</h1></body></html>";

/// The gateway: a stop page for targets whose URL says `blocked`, a 302 to the target
/// otherwise.
pub fn gateway(request: &Request) -> Reply {
    let target = request
        .path
        .split_once("url=")
        .map(|(_, rest)| rest.split('&').next().unwrap_or(""))
        .map(|encoded| {
            percent_encoding::percent_decode_str(encoded)
                .decode_utf8_lossy()
                .to_string()
        })
        .unwrap_or_default();
    if target.contains("blocked") {
        Reply::html(STOP_PAGE)
    } else {
        Reply::redirect(302, &target)
    }
}

/// A site with the gateway at `/gw` and landing pages everywhere else.
pub async fn site() -> Server {
    Server::start(|r| match r.route() {
        "/gw" => gateway(r),
        _ => Reply::html(LANDING),
    })
    .await
}

/// Like [`site`], but every landing page is new (its title and text count the requests), so
/// each run keeps evidence files of its own.
pub async fn changing_site() -> Server {
    let counter = Arc::new(AtomicUsize::new(0));
    Server::start(move |r| match r.route() {
        "/gw" => gateway(r),
        _ => {
            let n = counter.fetch_add(1, Ordering::Relaxed);
            Reply::html(&format!(
                "<html><title>商品 {n}</title><body>宝贝 {n}</body></html>"
            ))
        }
    })
    .await
}
