//! Faulty sites (down by reset or 503, slow, looping) and unknown hosts, through the proxy.

mod support;

use linkgate::sim::World;
use std::path::Path;
use std::time::{Duration, Instant};
use support::sim::*;

fn has_reset(error: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::ConnectionReset
        {
            return true;
        }
        source = e.source();
    }
    false
}

#[tokio::test]
async fn a_site_that_is_down_resets_the_connection_over_https_and_http() {
    let sim = start("2021-09-17").await;
    let client = client(&sim, CHROME_UA);
    for url in [
        "https://pages.tmall.com/wow/a/act",
        "http://pages.tmall.com/",
    ] {
        let error = client.get(url).send().await.unwrap_err();
        assert!(
            has_reset(&error),
            "{url}: expected a connection reset, got {error:?}"
        );
    }
    assert_eq!(
        get(&client, "https://detail.tmall.com/item.htm?id=1")
            .await
            .status,
        200
    );
    assert_eq!(sim.stats().resets, 2);
}

#[tokio::test]
async fn a_site_answers_503_only_on_its_fault_dates() {
    let sim = start("2021-09-17").await;
    let client = client(&sim, CHROME_UA);
    let down = get(&client, "https://sale.jd.com/act/abc.html").await;
    assert_eq!(down.status, 503);
    assert!(down.text().contains("503 Service Temporarily Unavailable"));
    sim.set_date(date("2021-10-01"));
    assert_eq!(
        get(&client, "https://sale.jd.com/act/abc.html")
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn a_slow_site_answers_after_its_delay() {
    let world = World::from_toml(
        r#"
[[platform]]
id = "jd"
owner = "jd"
name = "JD.com"
name_zh = "京东"
title = "京东"
domains = ["jd.com"]

[[fault]]
host = "wqs.jd.com"
kind = "slow"
delay_ms = 700
"#,
        Path::new("slow.toml"),
    )
    .unwrap();
    let sim = start_world(world, "2021-09-17").await;
    let client = client(&sim, CHROME_UA);
    let started = Instant::now();
    assert_eq!(get(&client, "https://wqs.jd.com/item/1").await.status, 200);
    assert!(
        started.elapsed() >= Duration::from_millis(650),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_looping_site_bounces_between_a_page_and_its_login_forever() {
    let sim = start("2021-09-17").await;
    let client = client(&sim, CHROME_UA);
    let page = "https://passport.weibo.com/visitor/visitor?entry=miniblog";
    let login = get(&client, page).await.location.unwrap();
    assert!(
        login.starts_with("https://passport.weibo.com/login?url="),
        "{login}"
    );
    let back = get(&client, &login).await.location.unwrap();
    assert_eq!(back, page);
    assert_eq!(get(&client, &back).await.location.unwrap(), login);
}

#[tokio::test]
async fn unknown_hosts_get_the_simulators_502_and_nothing_leaves_the_machine() {
    let sim = start("2021-09-17").await;
    let client = client(&sim, CHROME_UA);
    for url in ["https://www.example.com/", "http://www.example.com/x"] {
        let page = get(&client, url).await;
        assert_eq!(page.status, 502, "{url}");
        let text = page.text();
        assert!(
            text.contains("www.example.com") && text.contains("never connects to the internet"),
            "{text}"
        );
    }
    let stats = sim.stats();
    assert_eq!(stats.per_host.get("www.example.com"), Some(&2));
}
