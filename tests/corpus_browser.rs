//! The browser engine over the robustness corpus, served at each page's own URL from a local
//! site through an intercepting proxy: Chromium runs the pages for real. A page that
//! navigates on its own ends where the corpus says; every other page gets its expected
//! verdict from the classifier reading the rendered page, and never a false `opened`.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use linkgate::classify::DEFAULT_USER_AGENT;
use linkgate::engine::PageRequest;
use linkgate::engine::browser::{BrowserConfig, BrowserEngine, Settle};
use support::Reply;
use support::corpus::{host_of, pages, path_of};
use support::fixtures::bundled;
use support::tunnel::TunnelSite;

const LANDING: &str = "<html><head><meta charset=utf-8><title>落地页</title></head>\
                       <body><p>目标平台自己的内容页面。</p></body></html>";

/// Pages a real browser leaves differently here, and why: it stays on them, which is never a
/// false `opened`.
const STAYS_IN_THE_BROWSER: [(&str, &str); 2] = [
    (
        "share-jd-hrl-only.html",
        "its navigating script is loaded from another site, which no test reaches",
    ),
    (
        "share-mtb-settimeout.html",
        "the browser engine reads a page after 500 ms of quiet (README, the settle rule), \
         before this page's 1.2 s timer fires; the http engine follows timers due within 5 s",
    ),
];

#[tokio::test]
async fn the_browser_engine_gets_every_corpus_page_right() {
    let pages = pages();
    let catalog = bundled();
    let mut names: Vec<String> = pages
        .iter()
        .flat_map(|p| {
            [Some(&p.url), p.navigates_to.as_ref()]
                .into_iter()
                .flatten()
        })
        .map(|u| host_of(u))
        .collect();
    names.sort();
    names.dedup();
    let current: Arc<Mutex<(String, String, Vec<u8>)>> = Arc::default();
    let serving = current.clone();
    let handler = Arc::new(move |host: &str, path: &str| {
        let page = serving.lock().unwrap();
        if page.0 == host && page.1 == path {
            Reply::bytes("text/html", page.2.clone())
        } else {
            Reply::html(LANDING)
        }
    });
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let site = TunnelSite::start(&names, handler).await;
    let engine = BrowserEngine::new(BrowserConfig {
        tabs: 1,
        timeout: Duration::from_secs(15),
        step_timeout: Duration::from_secs(8),
        retries: 0,
        settle: Settle {
            quiet: Duration::from_millis(500),
            cap: Duration::from_secs(5),
            long_request: Duration::from_secs(2),
        },
        proxy: Some(site.proxy_url.clone()),
        ca_certs: vec![site.ca_pem.clone()],
        ..BrowserConfig::default()
    })
    .unwrap();
    let mut failures = Vec::new();
    for page in &pages {
        *current.lock().unwrap() = (host_of(&page.url), path_of(&page.url), page.bytes());
        let capture = engine
            .capture(&PageRequest {
                entry_url: page.url.clone(),
                user_agent: DEFAULT_USER_AGENT.to_string(),
                headers: Vec::new(),
                bridge: None,
            })
            .await;
        let o = &capture.observation;
        let c = page.classify(&catalog, o);
        let mut wrong = Vec::new();
        let stays = STAYS_IN_THE_BROWSER.iter().any(|(f, _)| *f == page.file);
        if stays {
            if o.final_url != page.url || c.verdict.kind.as_str() == "opened" {
                wrong.push(format!(
                    "expected to stay on the page, not opened; ended at {} as {}",
                    o.final_url, c.verdict.kind
                ));
            }
        } else if let Some(to) = &page.navigates_to {
            if o.final_url != *to {
                wrong.push(format!(
                    "should have gone on to {to}; ended at {}",
                    o.final_url
                ));
            }
        } else if c.verdict.kind.as_str() != page.verdict {
            wrong.push(format!(
                "verdict {} / {}, want {} ({})",
                c.verdict.kind, c.verdict.mechanism, page.verdict, c.verdict.reason
            ));
        }
        if page.verdict != "opened"
            && page.navigates_to.is_none()
            && c.verdict.kind.as_str() == "opened"
        {
            wrong.push("FALSE OPENED".to_string());
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
    drop(engine);
    assert!(
        failures.is_empty(),
        "{} of {} corpus pages measured wrong by the browser engine:\n{}",
        failures.len(),
        pages.len(),
        failures.join("\n")
    );
}
