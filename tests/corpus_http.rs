//! The http engine over the robustness corpus: every page is served at its own URL from a
//! local site (an intercepting proxy on 127.0.0.1), and the engine is pointed at it. A page
//! that navigates on its own is left for where it goes, as a hop made by script or refresh;
//! every other page is where the probe ends, with the verdict `linkgate classify` gives it;
//! and no continue control is ever followed (the site never sees a request for one).

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use linkgate::classify::DEFAULT_USER_AGENT;
use linkgate::engine::PageRequest;
use linkgate::engine::http::{HttpConfig, HttpEngine};
use linkgate::model::HopVia;
use support::Reply;
use support::corpus::{host_of, pages, path_of};
use support::fixtures::bundled;
use support::tunnel::TunnelSite;

/// What the site serves for any URL that is not the page being measured.
const LANDING: &str = "<html><head><meta charset=utf-8><title>落地页</title></head>\
                       <body><p>目标平台自己的内容页面。</p></body></html>";

#[tokio::test]
async fn the_http_engine_gets_every_corpus_page_right_and_follows_no_handler() {
    let pages = pages();
    let catalog = bundled();
    let mut names: Vec<String> = pages
        .iter()
        .flat_map(|p| {
            [
                Some(&p.url),
                p.navigates_to.as_ref(),
                p.continue_url.as_ref(),
            ]
            .into_iter()
            .flatten()
            .map(|u| host_of(u))
        })
        .collect();
    names.sort();
    names.dedup();
    let current: Arc<Mutex<(String, String, Vec<u8>)>> = Arc::default();
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let (serving, log) = (current.clone(), seen.clone());
    let handler = Arc::new(move |host: &str, path: &str| {
        log.lock().unwrap().push(format!("{host}{path}"));
        let page = serving.lock().unwrap();
        if page.0 == host && page.1 == path {
            Reply::bytes("text/html", page.2.clone())
        } else {
            Reply::html(LANDING)
        }
    });
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let site = TunnelSite::start(&names, handler).await;
    let engine = HttpEngine::new(HttpConfig {
        proxy: Some(site.proxy_url.clone()),
        ca_certs: vec![site.ca_pem.clone()],
        interval: Duration::ZERO,
        per_host: 8,
        retries: 0,
        ..HttpConfig::default()
    })
    .unwrap();
    let mut failures = Vec::new();
    for page in &pages {
        *current.lock().unwrap() = (host_of(&page.url), path_of(&page.url), page.bytes());
        seen.lock().unwrap().clear();
        let capture = engine
            .capture(&PageRequest {
                entry_url: page.url.clone(),
                user_agent: DEFAULT_USER_AGENT.to_string(),
                headers: Vec::new(),
                bridge: None,
            })
            .await;
        let o = &capture.observation;
        let requested = seen.lock().unwrap().clone();
        let mut wrong = Vec::new();
        if let Some(failure) = &o.failure {
            wrong.push(format!("failed: {}", failure.message));
        } else if let Some(to) = &page.navigates_to {
            let last = o.hops.last().unwrap();
            if o.final_url != *to || !matches!(last.via, HopVia::Script | HopVia::MetaRefresh) {
                wrong.push(format!(
                    "should have gone on to {to} by script or refresh; ended at {} via {}",
                    o.final_url, last.via
                ));
            }
        } else {
            if o.final_url != page.url {
                wrong.push(format!("left the page for {}", o.final_url));
            }
            let c = page.classify(&catalog, o);
            let answer = serde_json::json!({
                "verdict": c.verdict.kind.as_str(),
                "mechanism": c.verdict.mechanism,
                "signature": c.verdict.signature,
                "continue_url": c.way_on.as_ref().and_then(|w| w.target.clone()),
            });
            wrong.extend(page.mismatches(&answer));
            if let Some(way_on) = &page.continue_url {
                let followed = format!("{}{}", host_of(way_on), path_of(way_on));
                if requested.contains(&followed) {
                    wrong.push(format!("followed the continue control to {way_on}"));
                }
            }
            if !wrong.is_empty() {
                wrong.push(format!("because: {}", c.verdict.reason));
            }
        }
        if requested.len() > 1 && page.navigates_to.is_none() {
            wrong.push(format!("requested more than the page: {requested:?}"));
        }
        if !wrong.is_empty() {
            failures.push(format!(
                "{} ({}): {}",
                page.file,
                page.form,
                wrong.join("; ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} corpus pages measured wrong:\n{}",
        failures.len(),
        pages.len(),
        failures.join("\n")
    );
}
