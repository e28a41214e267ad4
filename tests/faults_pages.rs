//! The fault catalogue, part 1: hostile servers and hostile pages (docs/faults.md lists every
//! scenario; each test here is named as its row there). A server that lies, stalls, floods or
//! breaks the protocol ends in an observation that says so, within the time and memory the
//! settings allow; a page built to break the parser is classified as `inconclusive` /
//! `page_too_complex` with the limit named. Nothing here may panic, hang or grow without bound.

mod support;

use std::io::Write as _;
use std::time::{Duration, Instant};

use linkgate::classify::{Situation, classify};
use linkgate::engine::http::{HttpConfig, HttpEngine};
use linkgate::engine::{Capture, PageRequest};
use linkgate::model::{FailureKind, Observation, VerdictKind};
use support::faults::{Step, scripted};
use support::fixtures::{bundled, observation_of};
use support::{Reply, Server};

const UA: &str = support::WECHAT_UA;

fn config() -> HttpConfig {
    HttpConfig {
        connect_timeout: Duration::from_secs(2),
        total_timeout: Duration::from_secs(3),
        retries: 0,
        per_host: 8,
        interval: Duration::ZERO,
        body_cap: 1 << 20,
        ..HttpConfig::default()
    }
}

async fn capture(url: &str) -> Capture {
    capture_with(config(), url).await
}

async fn capture_with(config: HttpConfig, url: &str) -> Capture {
    let request = PageRequest {
        entry_url: url.to_string(),
        user_agent: UA.to_string(),
        headers: Vec::new(),
        bridge: None,
    };
    let engine = HttpEngine::new(config).unwrap();
    // Whatever the server does, the capture ends well within the attempt's budget.
    tokio::time::timeout(Duration::from_secs(20), engine.capture(&request))
        .await
        .expect("the capture ends within its timeout")
}

fn failure(c: &Capture) -> Option<FailureKind> {
    c.observation.failure.as_ref().map(|f| f.kind)
}

/// The capture failed with `kind`, its message saying `words`, and kept no body.
fn assert_failed(c: &Capture, kind: FailureKind, words: &str) {
    let failure = c.observation.failure.as_ref();
    assert_eq!(failure.map(|f| f.kind), Some(kind), "{failure:?}");
    let message = &failure.unwrap().message;
    assert!(message.contains(words), "{message}");
}

/// A page fetched whole: no failure, cut at the cap when it is longer.
fn assert_page_capped(c: &Capture, cap: usize) {
    let o = &c.observation;
    assert_eq!(o.failure, None, "{:?}", o.failure);
    assert!(o.body.len() <= cap, "{} > {cap}", o.body.len());
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn deflate(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
        encoder.write_all(bytes).unwrap();
    }
    out
}

/// 64 MiB of zeros after a tiny page: a bomb some hundred kilobytes long on the wire.
fn bomb_payload() -> Vec<u8> {
    let mut page = b"<html><title>bomb</title><body>".to_vec();
    page.resize(64 << 20, 0);
    page
}

async fn bomb(encoding: &str, compressed: Vec<u8>) {
    let encoding = encoding.to_string();
    let server = Server::start(move |_| {
        Reply::bytes("text/html", compressed.clone()).header("content-encoding", &encoding)
    })
    .await;
    let c = capture(&server.url("/bomb")).await;
    assert_page_capped(&c, 1 << 20);
    assert!(c.observation.truncated, "a bomb is cut at the body cap");
}

#[tokio::test]
async fn gzip_bomb() {
    bomb("gzip", gzip(&bomb_payload())).await;
}

#[tokio::test]
async fn deflate_bomb() {
    bomb("deflate", deflate(&bomb_payload())).await;
}

#[tokio::test]
async fn brotli_bomb() {
    bomb("br", brotli(&bomb_payload())).await;
}

#[tokio::test]
async fn endless_body() {
    let server = scripted(vec![
        Step::text("HTTP/1.1 200 OK\r\ncontent-type: text/html\r\n\r\n<title>e</title>"),
        Step::Endless(b"<p>again and again</p>".repeat(100)),
    ])
    .await;
    let c = capture(&server.url("/endless")).await;
    assert_page_capped(&c, 1 << 20);
    assert!(c.observation.truncated);
}

#[tokio::test]
async fn trickled_body() {
    let server = scripted(vec![
        Step::text("HTTP/1.1 200 OK\r\ncontent-type: text/html\r\n\r\n"),
        Step::Trickle(b"<p>slow</p>".to_vec(), Duration::from_millis(50)),
    ])
    .await;
    let began = Instant::now();
    let c = capture(&server.url("/trickle")).await;
    assert_eq!(failure(&c), Some(FailureKind::Timeout));
    let message = &c.observation.failure.as_ref().unwrap().message;
    assert!(
        message.contains("timed out waiting for the body"),
        "{message}"
    );
    assert!(began.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn slow_headers() {
    let server = scripted(vec![Step::Trickle(
        b"HTTP/1.1 200 OK\r\nx-slow: ".to_vec(),
        Duration::from_millis(100),
    )])
    .await;
    let c = capture(&server.url("/slow")).await;
    assert_eq!(failure(&c), Some(FailureKind::Timeout));
    let message = &c.observation.failure.as_ref().unwrap().message;
    assert!(
        message.contains("timed out waiting for a response"),
        "{message}"
    );
}

#[tokio::test]
async fn redirect_loop() {
    let server = Server::start(|r| match r.route() {
        "/a" => Reply::redirect(302, "/b"),
        _ => Reply::redirect(302, "/a"),
    })
    .await;
    let c = capture(&server.url("/a")).await;
    assert_eq!(failure(&c), Some(FailureKind::RedirectLoop));
}

#[tokio::test]
async fn refresh_loop() {
    let server = Server::start(|r| match r.route() {
        "/a" => Reply::html("<meta http-equiv=refresh content='0;url=/b'>"),
        _ => Reply::html("<meta http-equiv=refresh content='0;url=/a'>"),
    })
    .await;
    let c = capture(&server.url("/a")).await;
    assert_eq!(failure(&c), Some(FailureKind::RedirectLoop));
}

#[tokio::test]
async fn script_loop() {
    let server = Server::start(|r| match r.route() {
        "/a" => Reply::html("<script>location.href = '/b';</script>"),
        _ => Reply::html("<script>location.replace('/a');</script>"),
    })
    .await;
    let c = capture(&server.url("/a")).await;
    assert_failed(&c, FailureKind::RedirectLoop, "redirect loop");
}

#[tokio::test]
async fn long_chain() {
    let server = Server::start(|r| {
        let n: u32 = r.route().trim_start_matches("/r/").parse().unwrap_or(0);
        Reply::redirect(302, &format!("/r/{}", n + 1))
    })
    .await;
    let c = capture(&server.url("/r/0")).await;
    assert_eq!(failure(&c), Some(FailureKind::TooManyHops));
    assert_eq!(c.observation.hops.len(), config().max_hops + 1);
}

#[tokio::test]
async fn huge_headers() {
    let server = scripted(vec![
        Step::text("HTTP/1.1 200 OK\r\nx-huge: "),
        Step::Send(vec![b'a'; 4 << 20]),
        Step::text("\r\n\r\n<p>never read</p>"),
    ])
    .await;
    let c = capture(&server.url("/huge")).await;
    assert_failed(&c, FailureKind::Other, "message head is too large");
    assert!(c.observation.body.is_empty());
}

#[tokio::test]
async fn malformed_status_line() {
    let server = scripted(vec![Step::text(
        "HTTP/1.1 two hundred OK\r\ncontent-length: 2\r\n\r\nhi",
    )])
    .await;
    let c = capture(&server.url("/bad")).await;
    assert_failed(&c, FailureKind::Other, "invalid HTTP status-code");
}

#[tokio::test]
async fn http_0_9_response() {
    let server = scripted(vec![Step::text(
        "<html><title>0.9</title>no status line</html>",
    )])
    .await;
    let c = capture(&server.url("/old")).await;
    assert_failed(&c, FailureKind::Other, "invalid HTTP version");
}

#[tokio::test]
async fn reset_before_response() {
    let server = scripted(vec![Step::Reset]).await;
    let c = capture(&server.url("/reset")).await;
    assert_failed(&c, FailureKind::Reset, "reset");
}

#[tokio::test]
async fn reset_in_headers() {
    let server = scripted(vec![
        Step::text("HTTP/1.1 200 OK\r\ncontent-ty"),
        Step::Reset,
    ])
    .await;
    let c = capture(&server.url("/reset")).await;
    assert_failed(&c, FailureKind::Reset, "reset");
}

#[tokio::test]
async fn reset_in_body() {
    let server = scripted(vec![
        Step::text("HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: 100000\r\n\r\n"),
        Step::Send(b"<title>half</title>".repeat(10)),
        Step::Pause(Duration::from_millis(50)),
        Step::Reset,
    ])
    .await;
    let c = capture(&server.url("/reset")).await;
    assert_failed(&c, FailureKind::Reset, "reset");
}

#[tokio::test]
async fn charset_lie() {
    // Declared UTF-8, sent as GBK: the page is decoded without a panic, the raw bytes kept.
    let gbk = encoding_rs::GBK
        .encode("<html><title>已停止访问该网页</title><body>京东</body></html>")
        .0
        .to_vec();
    let raw = gbk.clone();
    let server =
        Server::start(move |_| Reply::bytes("text/html; charset=utf-8", raw.clone())).await;
    let c = capture(&server.url("/lie")).await;
    assert_eq!(failure(&c), None);
    assert_eq!(c.artifacts[0].bytes, gbk, "the raw bytes are the evidence");
    assert!(!c.observation.body.is_empty());
}

#[tokio::test]
async fn nul_bytes() {
    let mut body = b"<title>nul</title>".to_vec();
    body.resize(5 << 20, 0);
    let server = Server::start(move |_| Reply::bytes("text/html", body.clone())).await;
    let c = capture_with(
        HttpConfig {
            body_cap: 5 << 20,
            ..config()
        },
        &server.url("/item/nul"),
    )
    .await;
    assert_eq!(failure(&c), None);
    let verdict = classify_page(&c.observation.body).kind;
    assert_ne!(verdict, VerdictKind::Blocked);
}

#[tokio::test]
async fn ten_mb_single_line() {
    let line = format!(
        "<title>已停止访问该网页</title>{}",
        "一行".repeat((5 << 20) / 3)
    );
    let server = Server::start(move |_| Reply::html(&line)).await;
    let c = capture_with(
        HttpConfig {
            body_cap: 10 << 20,
            ..config()
        },
        &server.url("/item/line"),
    )
    .await;
    assert_eq!(failure(&c), None);
    assert!(c.observation.body.len() > 9 << 20);
    assert!(!c.observation.body.contains('\n'));
    classify_page(&c.observation.body);
}

/// Classifies `body` as the final page of a WeChat probe on WeChat's gateway with the bundled
/// signatures. The body carries the stop page's words, so the signatures that read the parsed
/// page run.
fn classify_page(body: &str) -> linkgate::model::Verdict {
    let catalog = bundled();
    let mut observation: Observation = observation_of(
        "https://weixin110.qq.com/cgi-bin/mmspamsupport-bin/newredirectconfirmcgi?main_type=2",
        b"",
    );
    observation.body = body.to_string();
    let situation = Situation {
        host: Some("wechat"),
        ..Situation::default()
    };
    classify(&observation, &situation, &catalog.signatures).verdict
}

/// `open` then `close` nested `depth` times around the WeChat stop page's words.
fn deep_page(open: &str, depth: usize) -> String {
    format!(
        "<html><head><title>已停止访问该网页</title></head><body>{}<h2 class=\"weui-msg__title\">已停止访问该网页</h2>",
        open.repeat(depth)
    )
}

fn assert_too_complex(body: &str) {
    let verdict = classify_page(body);
    assert_eq!(
        (verdict.kind, verdict.mechanism.as_str()),
        (VerdictKind::Inconclusive, "page_too_complex"),
        "{}",
        verdict.reason
    );
    assert!(
        verdict.reason.contains("parse limit `"),
        "{}",
        verdict.reason
    );
}

#[test]
fn deep_nesting_div() {
    assert_too_complex(&deep_page("<div>", 20_000));
}

#[test]
fn deep_nesting_span() {
    assert_too_complex(&deep_page("<span>", 20_000));
}

#[test]
fn deep_nesting_formatting() {
    assert_too_complex(&deep_page("<span><a><b><i>", 5_000));
}

#[test]
fn deep_nesting_table() {
    assert_too_complex(&deep_page("<table><tr><td>", 10_000));
}

#[test]
fn deep_nesting_misnested_formatting() {
    // Formatting elements left open by a closed paragraph are reopened at every text: the
    // tree builder's list of them is what grows.
    let body = (0..20_000)
        .map(|i| format!("<p><b id={i}></p>x"))
        .collect::<String>();
    assert_too_complex(&deep_page(&body, 1));
}

#[test]
fn deep_nesting_within_the_limits_is_read() {
    // 400 levels is deep for a real page but within the limit: the page is read whole.
    let verdict = classify_page(&deep_page("<div>", 400));
    assert_ne!(verdict.mechanism, "page_too_complex", "{}", verdict.reason);
}

#[tokio::test]
async fn deep_page_through_the_engine() {
    let page = deep_page("<div>", 20_000);
    let server = Server::start(move |_| Reply::html(&page)).await;
    let c = capture(&server.url("/deep")).await;
    assert_eq!(failure(&c), None);
    assert_too_complex(&c.observation.body);
}
