//! Benchmark of hostile pages (issue #12's "done when"): how long the classifier takes on
//! 1 MB pages nested as deep as the markup allows, and how much memory `linkgate run` and
//! `linkgate report` take for a run whose one page is 5 MiB of the worst kinds measured
//! before (NULs, `<p>x`, nested `<div>`).
//!
//! Run: `cargo bench --bench hostile`. Classification uses the bundled signatures at WeChat's
//! gateway URL with WeChat's stop-page words in the page, so the signatures that need the
//! parsed page run (a page whose source cannot hold a signature's words is never parsed).
//! Memory is the peak resident set of the child process, read from the kernel with wait4.
//! The run is served by a one-page HTTP server on 127.0.0.1. Results: bench/hostile/RESULTS.md.
//! Exits 1 when a target is missed: classification under 1 s, report under 150 MB.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::time::{Duration, Instant};

use linkgate::catalog::Catalog;
use linkgate::classify::{Situation, classify};
use linkgate::model::Observation;

const GATEWAY: &str =
    "https://weixin110.qq.com/cgi-bin/mmspamsupport-bin/newredirectconfirmcgi?main_type=2";
const WORDS: &str = "<h2 class=\"weui-msg__title\">已停止访问该网页</h2>";

/// `unit` repeated to about `bytes`, after WeChat's stop-page title.
fn page(unit: &str, bytes: usize) -> String {
    format!(
        "<html><head><title>已停止访问该网页</title></head><body>{}{WORDS}",
        unit.repeat(bytes / unit.len())
    )
}

fn main() {
    let mut missed = false;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let catalog = Catalog::load(&[root.join("scenarios")]).expect("the bundled scenarios load");
    println!("## Classifying 1 MB pages (bundled signatures, WeChat gateway URL)\n");
    println!("| page | verdict | best of 5 | worst of 5 |");
    println!("| --- | --- | ---: | ---: |");
    let shapes: [(&str, String); 7] = [
        ("nested `<div>`", page("<div>", 1 << 20)),
        ("nested `<span>`", page("<span>", 1 << 20)),
        ("nested `<span><a><b><i>`", page("<span><a><b><i>", 1 << 20)),
        ("nested `<table><tr><td>`", page("<table><tr><td>", 1 << 20)),
        ("`<p><b id=N></p>x` (misnested)", {
            let units: String = (0..80_000).map(|i| format!("<p><b id={i}></p>x")).collect();
            page(&units, units.len())
        }),
        ("`<p>x` (flat)", page("<p>x", 1 << 20)),
        ("plain text", page("商品详情，正品保证。", 1 << 20)),
    ];
    for (name, body) in &shapes {
        let mut observation = Observation {
            entry_url: GATEWAY.into(),
            final_url: GATEWAY.into(),
            status: Some(200),
            body: body.clone(),
            ..Observation::default()
        };
        observation.hops.clear();
        let situation = Situation {
            host: Some("wechat"),
            ..Situation::default()
        };
        let mut times = Vec::new();
        let mut verdict = String::new();
        for _ in 0..5 {
            let began = Instant::now();
            let v = classify(&observation, &situation, &catalog.signatures).verdict;
            times.push(began.elapsed());
            verdict = format!("{} / {}", v.kind, v.mechanism);
        }
        times.sort();
        let worst = times[times.len() - 1];
        missed |= worst >= Duration::from_secs(1);
        println!(
            "| {name} ({} KB) | {verdict} | {:.1} ms | {:.1} ms |",
            body.len() / 1024,
            ms(times[0]),
            ms(worst)
        );
    }

    println!("\n## Peak memory of a run with one 5 MiB page, and of its report\n");
    println!("| page | `linkgate run` | `linkgate report` |");
    println!("| --- | ---: | ---: |");
    let mut nuls = b"<title>nul</title>".to_vec();
    nuls.resize(5 << 20, 0);
    let pages: [(&str, Vec<u8>); 4] = [
        ("5 MiB of NUL", nuls),
        ("5 MiB of `<p>x`", "<p>x".repeat((5 << 20) / 4).into_bytes()),
        (
            "5 MiB of nested `<div>`",
            format!("<title>d</title>{}", "<div>".repeat((5 << 20) / 5)).into_bytes(),
        ),
        (
            "5 MiB of text",
            format!("<title>t</title><p>{}", "商品详情。".repeat((5 << 20) / 15)).into_bytes(),
        ),
    ];
    for (name, body) in pages {
        let (run_kb, report_kb) = run_and_report(body);
        missed |= report_kb >= 150 * 1024;
        println!(
            "| {name} | {:.0} MB | {:.0} MB |",
            run_kb as f64 / 1024.0,
            report_kb as f64 / 1024.0
        );
    }
    if missed {
        println!("\nA target was missed: classification under 1 s, report under 150 MB.");
        std::process::exit(1);
    }
    println!("\nTargets met: classification under 1 s, report under 150 MB.");
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Serves `body` at every path, runs linkgate on one link to it, then renders the report
/// again; the peak resident memory (KB) of each process.
fn run_and_report(body: Vec<u8>) -> (i64, i64) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let mut head = [0u8; 4096];
            let _ = stream.read(&mut head);
            let header = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(header.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("pack.toml");
    std::fs::write(&pack, pack_toml(port)).unwrap();
    let pack = pack.to_str().unwrap();
    let run_kb = peak_kb(
        dir.path(),
        &[
            "run",
            pack,
            "--out",
            "reports",
            "--interval",
            "0s",
            "--retries",
            "0",
            "-q",
        ],
    );
    let report_kb = peak_kb(
        dir.path(),
        &[
            "report",
            pack,
            "--db",
            "reports/linkgate.db",
            "--out",
            "again",
        ],
    );
    (run_kb, report_kb)
}

// wait4 reaps the child; clippy cannot see it.
#[allow(clippy::zombie_processes)]
fn peak_kb(dir: &Path, args: &[&str]) -> i64 {
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_linkgate"))
        .current_dir(dir)
        .args(args)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: the pid is this process's child, and both pointers are to live locals.
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32);
    assert_eq!(status, 0, "linkgate {args:?} failed");
    usage.ru_maxrss
}

fn pack_toml(port: u16) -> String {
    format!(
        r#"
[[platform]]
id = "wechat"
owner = "tencent"
name = "WeChat"
name_zh = "微信"

[[platform]]
id = "taobao"
owner = "alibaba"
name = "Taobao"
name_zh = "淘宝"

[[context]]
host = "wechat"
client = "android"
scenes = ["private_chat"]
user_agent = "Mozilla/5.0 MicroMessenger/8.0.47"

[[context]]
id = "neutral.android"
client = "android"
user_agent = "Mozilla/5.0 (Linux; Android 13; Pixel 7) Chrome/126.0 Mobile Safari/537.36"

[[audit]]
id = "hostile"
title = "Hostile page"
control = "neutral.android"
deadlines = [{{ date = 2021-09-17, label = "MIIT deadline" }}]

[[link]]
id = "big"
platform = "taobao"
category = "ecommerce"
url = "http://127.0.0.1:{port}/item/big"
landing = '/item/'
"#
    )
}
