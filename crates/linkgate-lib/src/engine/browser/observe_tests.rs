//! How attempts become observations: which page is final, what counts as a failure, and
//! what is kept as evidence.

use super::*;
use crate::engine::browser::probe::PageRead;
use crate::engine::browser::recorder::Document;
use crate::model::{Hop, HopVia};

fn hop(url: &str, status: Option<u16>) -> Hop {
    Hop {
        url: url.into(),
        status,
        location: None,
        via: HopVia::Start,
        elapsed_ms: 1,
    }
}

fn document(url: &str, status: u16, error_page: bool) -> Document {
    Document {
        url: url.into(),
        error_page,
        status: Some(status),
        headers: vec![("content-type".into(), "text/html".into())],
        error: None,
    }
}

fn page(url: &str) -> PageRead {
    PageRead {
        url: url.into(),
        charset: "UTF-8".into(),
        text: "已停止访问该网页".into(),
        html: "<html><body>已停止访问该网页</body></html>".into(),
    }
}

fn request() -> PageRequest {
    PageRequest {
        entry_url: "http://gw.test/?url=x".into(),
        user_agent: "ua".into(),
        headers: Vec::new(),
        bridge: None,
    }
}

#[test]
fn a_read_page_is_final_at_the_url_it_reports() {
    let probed = Probed {
        hops: vec![hop("http://gw.test/?url=x", Some(200))],
        document: Some(document("http://gw.test/?url=x", 200, false)),
        page: Some(page("http://gw.test/?url=x#stop")),
        ..Probed::default()
    };
    let landing = landing(&probed, "http://gw.test/?url=x");
    assert_eq!(landing.url, "http://gw.test/?url=x#stop");
    assert_eq!(landing.status, Some(200));
    assert!(landing.readable && landing.failure.is_none());
}

#[test]
fn a_navigation_refused_before_commit_is_a_connect_failure() {
    let probed = Probed {
        hops: vec![hop("http://127.0.0.1:9/", None)],
        navigate_error: Some("net::ERR_CONNECTION_REFUSED".into()),
        ..Probed::default()
    };
    let landing = landing(&probed, "http://127.0.0.1:9/");
    let failure = landing.failure.unwrap();
    assert_eq!(failure.kind, FailureKind::Connect);
    assert!(failure.message.contains("http://127.0.0.1:9/"));
    assert_eq!(landing.url, "");
}

#[test]
fn an_error_page_after_a_script_redirect_fails_with_the_redirect_error() {
    let probed = Probed {
        hops: vec![
            hop("http://gw.test/", Some(200)),
            hop("https://dead.test/", None),
        ],
        document: Some(document("chrome-error://chromewebdata/", 200, true)),
        failed_hop: Some(("net::ERR_NAME_NOT_RESOLVED".into(), None)),
        page: Some(page("chrome-error://chromewebdata/")),
        ..Probed::default()
    };
    let landing = landing(&probed, "http://gw.test/");
    assert_eq!(landing.failure.unwrap().kind, FailureKind::Dns);
    assert!(
        !landing.readable,
        "Chromium's own error page is not evidence of the server"
    );
}

#[test]
fn an_empty_404_is_a_status_not_a_failure() {
    let probed = Probed {
        hops: vec![hop("http://a.test/gone", Some(404))],
        document: Some(document("chrome-error://chromewebdata/", 404, true)),
        failed_hop: Some(("net::ERR_HTTP_RESPONSE_CODE_FAILURE".into(), Some(404))),
        ..Probed::default()
    };
    let landing = landing(&probed, "http://a.test/gone");
    assert_eq!((landing.status, landing.failure), (Some(404), None));
    assert_eq!(landing.url, "http://a.test/gone");
}

#[test]
fn a_5xx_final_page_is_an_http_status_failure_with_its_page() {
    let probed = Probed {
        hops: vec![hop("http://a.test/", Some(503))],
        document: Some(document("http://a.test/", 503, false)),
        page: Some(page("http://a.test/")),
        ..Probed::default()
    };
    let landing = landing(&probed, "http://a.test/");
    assert_eq!(landing.failure.unwrap().kind, FailureKind::HttpStatus);
    assert!(landing.readable);
}

#[test]
fn the_dom_and_screenshot_are_kept_by_hash() {
    let probed = Probed {
        hops: vec![hop("http://gw.test/?url=x", Some(200))],
        document: Some(document("http://gw.test/?url=x", 200, false)),
        page: Some(page("http://gw.test/?url=x")),
        screenshot: Some(b"\x89PNG\r\n\x1a\nfake".to_vec()),
        dialogs: vec!["alert: hi".into()],
        ..Probed::default()
    };
    let capture = finished(&request(), probed, Vec::new(), Utc::now(), 5, 1 << 20);
    let o = &capture.observation;
    assert_eq!(o.engine, EngineKind::Browser);
    assert_eq!(o.rendered_text.as_deref(), Some("已停止访问该网页"));
    assert_eq!(o.charset.as_deref(), Some("UTF-8"));
    assert_eq!(o.dialogs, ["alert: hi"]);
    let kinds: Vec<ArtifactKind> = capture.artifacts.iter().map(|a| a.kind).collect();
    assert_eq!(kinds, [ArtifactKind::Body, ArtifactKind::Screenshot]);
    assert_eq!(o.body_sha256.as_ref(), Some(&capture.artifacts[0].sha256));
    assert_eq!(
        o.screenshot_sha256.as_ref(),
        Some(&capture.artifacts[1].sha256)
    );
}

#[test]
fn a_long_dom_is_cut_on_a_character_boundary() {
    let (text, truncated) = capped("已停止".to_string(), 4);
    assert_eq!((text.as_str(), truncated), ("已", true));
    let (text, truncated) = capped("abc".to_string(), 4);
    assert_eq!((text.as_str(), truncated), ("abc", false));
}

#[test]
fn a_load_that_shows_nothing_and_reports_no_error_is_a_timeout() {
    let probed = Probed {
        hops: vec![hop("http://a.test/", None)],
        ..Probed::default()
    };
    let landing = landing(&probed, "http://a.test/");
    assert_eq!(landing.failure.unwrap().kind, FailureKind::Timeout);
}
