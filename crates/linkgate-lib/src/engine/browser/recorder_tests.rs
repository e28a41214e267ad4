//! Chains the recorder must turn into hops, fed as the browser reports them.

use super::*;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn start(id: &str, url: &str) -> Seen {
    Seen::RequestStarted {
        id: id.into(),
        document: true,
        url: url.into(),
        redirect: None,
    }
}

fn redirected(id: &str, url: &str, status: u16, location: &str) -> Seen {
    Seen::RequestStarted {
        id: id.into(),
        document: true,
        url: url.into(),
        redirect: Some((status, Some(location.into()))),
    }
}

fn response(id: &str, status: u16) -> Seen {
    Seen::ResponseReceived {
        id: id.into(),
        document: true,
        status,
        headers: vec![("content-type".into(), "text/html".into())],
    }
}

fn committed(loader: &str, url: &str) -> Seen {
    Seen::Committed {
        loader: loader.into(),
        url: url.into(),
        error_page: false,
    }
}

fn feed(events: Vec<(u64, Seen)>) -> Recorder {
    let mut recorder = Recorder::default();
    for (at, seen) in events {
        recorder.see(seen, ms(at));
    }
    recorder
}

fn vias(recorder: &Recorder) -> Vec<(String, Option<u16>, HopVia)> {
    recorder
        .hops()
        .into_iter()
        .map(|h| (h.url, h.status, h.via))
        .collect()
}

#[test]
fn http_redirects_keep_status_location_and_timing_on_the_hop_they_leave() {
    let r = feed(vec![
        (10, start("L1", "http://a.test/s")),
        (
            40,
            redirected("L1", "http://b.test/item/1", 302, "http://b.test/item/1"),
        ),
        (90, response("L1", 200)),
        (95, committed("L1", "http://b.test/item/1")),
        (120, Seen::RequestFinished { id: "L1".into() }),
        (130, Seen::Loaded),
    ]);
    let hops = r.hops();
    assert_eq!(hops.len(), 2);
    assert_eq!(hops[0].status, Some(302));
    assert_eq!(hops[0].location.as_deref(), Some("http://b.test/item/1"));
    assert_eq!(hops[0].elapsed_ms, 40);
    assert_eq!(
        (hops[1].via, hops[1].status, hops[1].elapsed_ms),
        (HopVia::Http, Some(200), 90)
    );
    let doc = r.document().unwrap();
    assert_eq!(
        (doc.url.as_str(), doc.status),
        ("http://b.test/item/1", Some(200))
    );
    assert_eq!(doc.headers[0].0, "content-type");
}

#[test]
fn script_and_meta_refresh_navigations_are_named_by_their_reason() {
    let r = feed(vec![
        (0, start("L1", "http://gw.test/")),
        (5, response("L1", 200)),
        (6, committed("L1", "http://gw.test/")),
        (
            300,
            Seen::NavigationRequested {
                reason: NavReason::Script,
            },
        ),
        (301, start("L2", "http://shop.test/")),
        (310, response("L2", 200)),
        (311, committed("L2", "http://shop.test/")),
        (
            400,
            Seen::NavigationRequested {
                reason: NavReason::MetaRefresh,
            },
        ),
        (401, start("L3", "http://shop.test/item")),
        (410, response("L3", 404)),
        (411, committed("L3", "http://shop.test/item")),
    ]);
    assert_eq!(
        vias(&r),
        vec![
            ("http://gw.test/".into(), Some(200), HopVia::Start),
            ("http://shop.test/".into(), Some(200), HopVia::Script),
            (
                "http://shop.test/item".into(),
                Some(404),
                HopVia::MetaRefresh
            ),
        ]
    );
    assert_eq!(r.document().unwrap().status, Some(404));
}

#[test]
fn a_navigation_without_a_reported_reason_is_client() {
    let r = feed(vec![
        (0, start("L1", "http://a.test/")),
        (10, start("L2", "http://a.test/form")),
    ]);
    assert_eq!(r.hops()[1].via, HopVia::Client);
}

#[test]
fn frames_and_subresources_make_no_hops_but_count_as_activity() {
    let r = feed(vec![
        (0, start("L1", "http://a.test/")),
        (
            50,
            Seen::RequestStarted {
                id: "R7".into(),
                document: false,
                url: "http://a.test/app.js".into(),
                redirect: None,
            },
        ),
    ]);
    assert_eq!(r.hops().len(), 1);
    let activity = r.activity(ms(100), ms(2000));
    assert_eq!(activity.busy_requests, 2);
    assert_eq!(activity.last_event, ms(50));
    // After the long-request limit the script request no longer holds the page open.
    assert_eq!(r.activity(ms(2100), ms(2000)).busy_requests, 0);
}

#[test]
fn a_loading_document_keeps_the_page_navigating_whatever_its_age() {
    let r = feed(vec![(0, start("L1", "http://slow.test/"))]);
    assert!(r.activity(ms(10_000), ms(2000)).navigating);
}

#[test]
fn a_requested_navigation_that_never_starts_stops_counting_after_a_grace() {
    let r = feed(vec![
        (0, start("L1", "http://a.test/")),
        (1, committed("L1", "http://a.test/")),
        (2, Seen::RequestFinished { id: "L1".into() }),
        (3, Seen::Loaded),
        (
            100,
            Seen::NavigationRequested {
                reason: NavReason::Script,
            },
        ),
    ]);
    assert!(r.activity(ms(500), ms(2000)).navigating);
    assert!(!r.activity(ms(1200), ms(2000)).navigating);
}

#[test]
fn a_scheduled_refresh_holds_the_page_until_it_is_due_or_cleared() {
    let mut r = feed(vec![(10, Seen::NavigationScheduled { delay: ms(2000) })]);
    assert!(r.activity(ms(2500), ms(2000)).navigating);
    assert!(!r.activity(ms(3100), ms(2000)).navigating);
    r.see(Seen::NavigationScheduleCleared, ms(20));
    assert!(!r.activity(ms(30), ms(2000)).navigating);
}

#[test]
fn commit_resets_the_load_event() {
    let r = feed(vec![
        (0, start("L1", "http://a.test/")),
        (1, committed("L1", "http://a.test/")),
        (2, Seen::Loaded),
        (
            3,
            Seen::NavigationRequested {
                reason: NavReason::Script,
            },
        ),
        (4, start("L2", "http://b.test/")),
        (5, committed("L2", "http://b.test/")),
    ]);
    let activity = r.activity(ms(10), ms(2000));
    assert!(activity.committed && !activity.loaded);
}

#[test]
fn a_failed_load_names_its_error_and_the_error_page_says_so() {
    let r = feed(vec![
        (0, start("L1", "http://gw.test/")),
        (5, response("L1", 200)),
        (6, committed("L1", "http://gw.test/")),
        (
            300,
            Seen::NavigationRequested {
                reason: NavReason::Script,
            },
        ),
        (301, start("L2", "http://dead.test/")),
        (
            320,
            Seen::RequestFailed {
                id: "L2".into(),
                error: "net::ERR_CONNECTION_REFUSED".into(),
            },
        ),
        (
            330,
            Seen::Committed {
                loader: "L9".into(),
                url: "chrome-error://chromewebdata/".into(),
                error_page: true,
            },
        ),
    ]);
    let doc = r.document().unwrap();
    assert!(doc.error_page);
    assert_eq!(doc.error.as_deref(), Some("net::ERR_CONNECTION_REFUSED"));
    assert_eq!(
        r.failed_hop(),
        Some(("net::ERR_CONNECTION_REFUSED".to_string(), None))
    );
    assert_eq!(r.hops()[1].status, None);
    assert!(!r.activity(ms(400), ms(2000)).navigating);
}

#[test]
fn dialogs_are_kept_with_their_kind() {
    let r = feed(vec![(
        1,
        Seen::Dialog {
            kind: "alert".into(),
            message: "请在浏览器中打开".into(),
        },
    )]);
    assert_eq!(r.dialogs(), ["alert: 请在浏览器中打开"]);
}

#[test]
fn nothing_committed_means_no_document() {
    let r = feed(vec![(0, start("L1", "http://a.test/"))]);
    assert!(r.document().is_none());
}

#[test]
fn a_load_reported_failed_twice_keeps_its_first_error() {
    let r = feed(vec![
        (0, start("L1", "http://127.0.0.1:9/")),
        (
            5,
            Seen::RequestFailed {
                id: "L1".into(),
                error: "net::ERR_CONNECTION_REFUSED".into(),
            },
        ),
        (
            6,
            Seen::RequestFailed {
                id: "L1".into(),
                error: "net::ERR_ABORTED".into(),
            },
        ),
    ]);
    assert_eq!(
        r.failed_hop(),
        Some(("net::ERR_CONNECTION_REFUSED".to_string(), None))
    );
}
