//! The frontier, seen from the servers: at the politeness a run is given, no host ever sees
//! two requests closer than the interval or more than `per_host` at once, and a host that
//! makes requests wait (its interval, a slow answer) does not keep the other hosts waiting,
//! because a request holds a slot only while it is on the network.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use linkgate::engine::PageRequest;
use linkgate::engine::http::{HttpConfig, HttpEngine};
use support::{Reply, Server, WECHAT_UA};

fn request(url: String) -> PageRequest {
    PageRequest {
        entry_url: url,
        user_agent: WECHAT_UA.into(),
        headers: Vec::new(),
        bridge: None,
    }
}

/// Captures every URL at once through one engine; returns when all are done.
async fn capture_all(engine: &HttpEngine, urls: Vec<String>) {
    let mut tasks = tokio::task::JoinSet::new();
    for url in urls {
        let engine = engine.clone();
        tasks.spawn(async move { engine.capture(&request(url)).await });
    }
    while let Some(done) = tasks.join_next().await {
        let capture = done.unwrap();
        assert!(
            capture.observation.failure.is_none(),
            "{:?}",
            capture.observation.failure
        );
    }
}

/// The gaps between the arrivals a server saw.
fn gaps(server: &Server) -> Vec<Duration> {
    let mut at: Vec<Instant> = server.requests().iter().map(|r| r.at).collect();
    at.sort();
    at.windows(2).map(|w| w[1] - w[0]).collect()
}

#[tokio::test]
async fn hosts_get_their_interval_and_per_host_and_a_waiting_host_holds_no_slot() {
    let interval = Duration::from_millis(250);
    let slow =
        Server::start(|_| Reply::html("<p>slow</p>").delay(Duration::from_millis(600))).await;
    let paced = Server::start(|_| Reply::html("<p>fast</p>")).await;
    let engine = HttpEngine::new(HttpConfig {
        concurrency: 2,
        per_host: 2,
        interval,
        retries: 0,
        ..HttpConfig::default()
    })
    .unwrap();
    let mut urls: Vec<String> = (0..6).map(|i| slow.url(&format!("/s{i}"))).collect();
    urls.extend((0..6).map(|i| paced.url(&format!("/p{i}"))));
    let started = Instant::now();
    capture_all(&engine, urls).await;
    let took = started.elapsed();

    for (name, server) in [("slow", &slow), ("paced", &paced)] {
        assert_eq!(server.requests().len(), 6, "{name}");
        // The server sees a request a little after it starts; a millisecond of slack for that.
        for gap in gaps(server) {
            assert!(
                gap + Duration::from_millis(5) >= interval,
                "{name}: {gap:?} apart"
            );
        }
        assert!(
            server.max_in_flight() <= 2,
            "{name}: {} at once",
            server.max_in_flight()
        );
    }
    // Both hosts are served side by side: the paced host's six requests need 1.25 s of
    // intervals and the slow host's about 2.1 s (six answers of 0.6 s, two at a time, 0.25 s
    // apart), so together about 2.1 s. A request that held its slot while waiting for its
    // host's interval would make the two hosts take turns on the two slots: over 3 s.
    assert!(took < Duration::from_millis(2900), "{took:?}");
    let traffic = engine.frontier().traffic();
    assert_eq!(traffic.started, 12);
    assert_eq!(
        traffic.in_flight + traffic.waiting_for_host + traffic.waiting_for_slot,
        0
    );
    assert!(traffic.host_wait >= interval, "{traffic:?}");
}

#[tokio::test]
async fn a_slot_is_given_back_while_a_probe_backs_off_before_its_retry() {
    // One slot; a host that fails the first try of each page (503), then answers.
    let tries = Arc::new(std::sync::Mutex::new(std::collections::HashSet::new()));
    let flaky = Server::start({
        let tries = tries.clone();
        move |r| match tries.lock().unwrap().insert(r.path.clone()) {
            true => Reply::html("busy").status(503),
            false => Reply::html("<p>ok</p>"),
        }
    })
    .await;
    let other = Server::start(|_| Reply::html("<p>other</p>")).await;
    let engine = HttpEngine::new(HttpConfig {
        concurrency: 1,
        per_host: 1,
        interval: Duration::ZERO,
        retries: 1,
        backoff: Duration::from_millis(1500),
        ..HttpConfig::default()
    })
    .unwrap();
    let backing_off = tokio::spawn({
        let engine = engine.clone();
        let url = flaky.url("/x");
        async move { engine.capture(&request(url)).await }
    });
    // Once the first try has failed, the other host is served during the backoff.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    capture_all(&engine, vec![other.url("/y")]).await;
    assert!(
        started.elapsed() < Duration::from_millis(700),
        "{:?}",
        started.elapsed()
    );
    let retried = backing_off.await.unwrap();
    assert_eq!(retried.observation.attempts.len(), 2);
    assert_eq!(retried.observation.status, Some(200));
}
