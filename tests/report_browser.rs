//! The report as a reader gets it: opened from disk in the real headless Chromium. The matrix
//! shows the expected cells, the trend chart is there, nothing is fetched but the file itself
//! (and, once a drill-down is opened, its screenshot from the evidence folder), nothing logs
//! an error, and a hostile page title is inert text.
//!
//! Needs `/usr/bin/chromium` (override with `CHROME`). Set `LINKGATE_REPORT_SHOTS=DIR` to keep
//! screenshots of the report for a person to look at.

mod support;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use headless_chrome::browser::tab::Tab;
use headless_chrome::protocol::cdp::Emulation;
use headless_chrome::protocol::cdp::Log::LogEntryLevel;
use headless_chrome::protocol::cdp::Network;
use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use headless_chrome::protocol::cdp::Runtime::ConsoleAPICalledEventTypeOption;
use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::{Browser, LaunchOptions};

use linkgate::assess::Directory;
use linkgate::audit::report::{Request, evidence_present, load, write};
use linkgate::render::html::Lang;
use linkgate::render::report::{self, Style};
use linkgate::store::Store;
use support::report::*;

/// What the page did, as Chromium reported it.
#[derive(Default, Debug)]
struct Seen {
    requests: Vec<String>,
    errors: Vec<String>,
    dialogs: Vec<String>,
}

fn browser() -> Browser {
    let chrome = std::env::var_os("CHROME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    let options = LaunchOptions::default_builder()
        .path(Some(chrome))
        .sandbox(false)
        .window_size(Some((1400, 1000)))
        .idle_browser_timeout(Duration::from_secs(300))
        .build()
        .unwrap();
    Browser::new(options).unwrap()
}

/// A tab that records requests, console errors, exceptions, log errors and dialogs.
fn watched_tab(browser: &Browser) -> (Arc<Tab>, Arc<Mutex<Seen>>) {
    let tab = browser.new_tab().unwrap();
    let seen = Arc::new(Mutex::new(Seen::default()));
    let sink = seen.clone();
    tab.add_event_listener(Arc::new(move |event: &Event| {
        let mut seen = sink.lock().unwrap();
        match event {
            Event::NetworkRequestWillBeSent(e) => seen.requests.push(e.params.request.url.clone()),
            Event::RuntimeConsoleAPICalled(e)
                if matches!(e.params.Type, ConsoleAPICalledEventTypeOption::Error) =>
            {
                seen.errors.push(format!("console: {:?}", e.params.args))
            }
            Event::RuntimeExceptionThrown(e) => seen
                .errors
                .push(format!("exception: {:?}", e.params.exception_details)),
            Event::LogEntryAdded(e) if matches!(e.params.entry.level, LogEntryLevel::Error) => {
                seen.errors.push(format!("log: {}", e.params.entry.text))
            }
            Event::PageJavascriptDialogOpening(e) => seen.dialogs.push(e.params.message.clone()),
            _ => {}
        }
    }))
    .unwrap();
    tab.call_method(Network::Enable {
        max_total_buffer_size: None,
        max_resource_buffer_size: None,
        max_post_data_size: None,
        report_direct_socket_traffic: None,
        enable_durable_messages: None,
    })
    .unwrap();
    tab.enable_log().unwrap();
    tab.enable_runtime().unwrap();
    (tab, seen)
}

/// Renders the last run's report beside the history, as `linkgate run` leaves it.
fn render(db: &Path, lang: Lang) -> PathBuf {
    let store = Store::open(db).unwrap();
    let directory = Directory::new(&platforms());
    let audit = audit("same_treatment", "en");
    let history = load(
        &store,
        &Request {
            audit: &audit,
            directory: &directory,
            run: None,
            since: None,
        },
    )
    .unwrap();
    let out = db.parent().unwrap().join(&history.run.id);
    let present = evidence_present(&store, &history.records);
    let files = report::render(
        &history,
        &directory,
        &Style {
            lang,
            evidence: &report::relative_url(&out, &store.evidence_dir().unwrap()),
            evidence_present: Some(&present),
            generator: "linkgate test",
        },
    )
    .unwrap();
    write(&out, &files).unwrap();
    out.join("index.html")
}

fn eval(tab: &Tab, js: &str) -> serde_json::Value {
    tab.evaluate(js, false)
        .unwrap()
        .value
        .unwrap_or(serde_json::Value::Null)
}

fn shot(tab: &Tab, name: &str) {
    let png = tab
        .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
        .unwrap();
    assert!(png.starts_with(b"\x89PNG"), "not a PNG");
    if let Some(dir) = std::env::var_os("LINKGATE_REPORT_SHOTS") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(Path::new(&dir).join(name), png).unwrap();
    }
}

#[test]
fn the_report_opens_from_disk_in_chromium_and_stays_inert() {
    let dir = tempfile::tempdir().unwrap();
    let db = store_history(dir.path());
    let index = render(&db, Lang::En);
    let url = format!("file://{}", index.display());
    let browser = browser();
    let (tab, seen) = watched_tab(&browser);
    tab.navigate_to(&url)
        .unwrap()
        .wait_until_navigated()
        .unwrap();

    // The matrix: 8 host contexts × 5 link platforms, each cell readable without colour.
    assert_eq!(
        eval(
            &tab,
            "document.querySelectorAll('table.matrix td a').length"
        ),
        40
    );
    let cell = |context: &str, platform: &str| {
        let js = format!(
            "[...document.querySelectorAll('table.matrix td a')].find(a => a.title.startsWith('{context} × {platform}:')).innerText"
        );
        eval(&tab, &js).as_str().unwrap().replace('\n', " ")
    };
    let moments = cell("wechat.android.moments", "taobao");
    assert!(
        moments.contains("✗ blocked") && moments.contains("copy_to_browser"),
        "{moments}"
    );
    let group = cell("wechat.android.group_chat", "taobao");
    assert!(group.contains("▲") && group.contains("✓ opened"), "{group}");
    let live = cell("douyin.android.live_room", "taobao");
    assert!(
        live.contains("✗ interstitial") && live.contains("selective"),
        "{live}"
    );
    let same = cell("wechat.android.group_chat", "qq");
    assert!(same.contains("◇✓"), "{same}");
    let headline = eval(&tab, "document.getElementById('verdict').innerText");
    assert_eq!(
        headline,
        "12 of 47 rival pairs still non-compliant, 61 days past the deadline; 2 could not be judged"
    );
    assert!(
        eval(&tab, "document.body.innerText")
            .as_str()
            .unwrap()
            .contains("SIMULATED RUN")
    );

    // The trend: an inline SVG with a line per host platform and the deadline.
    let lines = eval(
        &tab,
        "document.querySelectorAll('#trend figure svg polyline').length",
    );
    assert!(lines.as_u64().unwrap() >= 4, "{lines}");
    assert!(
        eval(&tab, "document.querySelector('#trend svg').textContent")
            .as_str()
            .unwrap()
            .contains("Deadline 2021-09-17")
    );
    shot(&tab, "index.png");
    for section in ["overview", "trend", "changes"] {
        eval(
            &tab,
            &format!("document.getElementById('{section}').scrollIntoView(); 1"),
        );
        shot(&tab, &format!("{section}.png"));
    }

    // Nothing fetched but the page itself.
    {
        let seen = seen.lock().unwrap();
        assert_eq!(seen.requests, std::slice::from_ref(&url), "requests");
        assert!(seen.errors.is_empty(), "{:?}", seen.errors);
    }

    // A link to a cell's drill-down opens it; the hostile page's title and text are shown
    // as text, run nothing and load nothing.
    let anchor = eval(
        &tab,
        "[...document.querySelectorAll('table.matrix td a')].find(a => a.title.startsWith('weibo.android.private_chat × jd:')).getAttribute('href')",
    );
    let anchor = anchor.as_str().unwrap().to_string();
    tab.navigate_to(&format!("{url}{anchor}")).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let body = eval(
        &tab,
        &format!("document.getElementById('{}').innerText", &anchor[1..]),
    );
    let body = body.as_str().unwrap();
    assert!(body.contains(HOSTILE_TITLE), "{body}");
    assert!(body.contains(HOSTILE_TEXT), "{body}");
    assert!(body.contains("javascript:alert(2)"));
    let opened = eval(
        &tab,
        &format!(
            "document.getElementById('{}').closest('details').open",
            &anchor[1..]
        ),
    );
    assert_eq!(opened, true, "following the link opens the drill-down");
    assert_eq!(
        eval(
            &tab,
            "document.querySelectorAll('script, img[src=\"x\"]').length"
        ),
        0
    );
    assert_eq!(
        eval(
            &tab,
            "document.querySelectorAll('a[href^=\"javascript:\"]').length"
        ),
        0
    );
    shot(&tab, "drill-down.png");

    // Opening every drill-down and scrolling to the screenshot (images load lazily) loads it
    // from the evidence folder, and nothing else is fetched.
    eval(
        &tab,
        "document.querySelectorAll('details').forEach(d => d.open = true); 1",
    );
    eval(
        &tab,
        "document.querySelector('img.shot').scrollIntoView(); 1",
    );
    let loaded = (0..50)
        .map(|_| {
            std::thread::sleep(Duration::from_millis(100));
            eval(&tab, "document.querySelector('img.shot').complete && document.querySelector('img.shot').naturalWidth")
        })
        .find(|v| v == 1)
        .unwrap_or(serde_json::Value::Null);
    assert_eq!(
        loaded,
        1,
        "the screenshot loads: {:?}",
        seen.lock().unwrap()
    );
    let seen = seen.lock().unwrap();
    let evidence = format!("file://{}/", dir.path().join("reports/evidence").display());
    for request in &seen.requests {
        assert!(
            request.starts_with(&url) || request.starts_with(&evidence),
            "{request}"
        );
    }
    assert!(
        seen.requests
            .iter()
            .any(|r| r.starts_with(&evidence) && r.ends_with(".png"))
    );
    assert!(seen.errors.is_empty(), "{:?}", seen.errors);
    assert!(seen.dialogs.is_empty(), "{:?}", seen.dialogs);
}

#[test]
fn the_chinese_report_prints_with_its_colours() {
    let dir = tempfile::tempdir().unwrap();
    let db = store_history(dir.path());
    let index = render(&db, Lang::Zh);
    let browser = browser();
    let (tab, seen) = watched_tab(&browser);
    tab.navigate_to(&format!("file://{}", index.display()))
        .unwrap()
        .wait_until_navigated()
        .unwrap();
    let headline = eval(&tab, "document.getElementById('verdict').innerText");
    assert_eq!(
        headline,
        "47 个竞争对手组合中仍有 12 个不合规，已过截止日期 61 天；另有 2 个无法判断"
    );
    assert_eq!(eval(&tab, "document.documentElement.lang"), "zh-CN");
    shot(&tab, "index-zh.png");
    tab.call_method(Emulation::SetEmulatedMedia {
        media: Some("print".into()),
        features: None,
    })
    .unwrap();
    // Printing keeps the cells' colours and drops the on-screen-only parts.
    let background = eval(
        &tab,
        "getComputedStyle(document.querySelector('table.matrix td.nc')).printColorAdjust",
    );
    assert_eq!(background, "exact");
    shot(&tab, "print-zh.png");
    let seen = seen.lock().unwrap();
    assert!(seen.errors.is_empty(), "{:?}", seen.errors);
    assert_eq!(seen.requests.len(), 1, "{:?}", seen.requests);
}
