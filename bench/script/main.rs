//! Benchmark of running pages' scripts (`linkgate::script`): what the http engine pays per
//! page to learn where a page navigates on its own, and what the classifier pays to read a
//! gateway page's controls. Pages: the robustness corpus (tests/fixtures/corpus/), the
//! pack's signature fixtures, and a 40 KB landing page with inline scripts like those of the
//! run benchmark (bench/README.md). Also the one-off cost of a QuickJS runtime and of a
//! context, which is why the runtime is built once per thread and the context per page.
//!
//! Run: `cargo bench --bench script` (optionally `-- --rounds N`). Results: bench/script/RESULTS.md.

use std::path::Path;
use std::time::{Duration, Instant};

use url::Url;

use linkgate::script::{self, Limits, Mode, PageSource};

const UA: &str = "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) \
                  Chrome/126.0.0.0 Mobile Safari/537.36 MicroMessenger/8.0.47";

struct Page {
    name: String,
    url: Url,
    html: String,
}

fn corpus_pages() -> Vec<Page> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let toml: toml::Table = toml::from_str(
        &std::fs::read_to_string(root.join("tests/fixtures/corpus/corpus.toml")).unwrap(),
    )
    .unwrap();
    toml["page"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let file = p["file"].as_str().unwrap();
            let bytes = std::fs::read(root.join("tests/fixtures/corpus").join(file)).unwrap();
            Page {
                name: file.to_string(),
                url: Url::parse(p["url"].as_str().unwrap()).unwrap(),
                html: linkgate::charset::decode(&bytes, None, None).text,
            }
        })
        .collect()
}

/// A landing page of about 40 KB: Chinese text, inline CSS, a config object and a script that
/// reads `window.location` and binds a buy button, as item pages do.
fn landing_page() -> Page {
    let mut html = String::from(
        "<!DOCTYPE html><html><head><meta charset=utf-8><title>商品详情 - 淘宝网</title>\
         <style>body{margin:0;font:14px sans-serif}.item{padding:12px}.price{color:#f40}</style>\
         <script>var g_config = {itemId: '652371046213', shopId: '57301367', from: location.href};</script>\
         </head><body><div class=item><h1>无线蓝牙耳机 降噪运动款</h1><p class=price>￥129.00</p>\
         <a class=buy href='https://buy.taobao.com/auction/buy_now.jhtml?id=652371046213'>立即购买</a></div>",
    );
    while html.len() < 40_000 {
        html.push_str(
            "<div class=desc><p>这款耳机采用人体工学设计，佩戴舒适，续航长达三十小时，支持快速充电与蓝牙五点三连接。</p>\
             <ul><li>规格：标准版</li><li>颜色：黑色</li><li>保修：一年</li></ul></div>",
        );
    }
    html.push_str(
        "<script>document.querySelector('.buy').addEventListener('click', function (e) { e.preventDefault(); \
         location.href = this.href + '&from=' + encodeURIComponent(g_config.from); });</script></body></html>",
    );
    Page {
        name: "landing-40kb.html".into(),
        url: Url::parse("https://item.taobao.com/item.htm?id=652371046213").unwrap(),
        html,
    }
}

fn time_per_page(pages: &[Page], rounds: u32, mode: Mode) -> (Duration, Vec<(String, Duration)>) {
    let limits = Limits::default();
    let mut each = Vec::new();
    let started = Instant::now();
    for page in pages {
        let one = Instant::now();
        for _ in 0..rounds {
            let run = script::run(
                PageSource {
                    html: &page.html,
                    url: &page.url,
                    user_agent: UA,
                },
                mode,
                &limits,
            );
            std::hint::black_box(run);
        }
        each.push((page.name.clone(), one.elapsed() / rounds));
    }
    (started.elapsed() / (rounds * pages.len() as u32), each)
}

/// Mean over all pages, then median and 95th percentile over the pages that finish within
/// the budget (a page that loops forever costs the whole budget and is shown apart).
fn summary(each: &[(String, Duration)], mean: Duration) -> String {
    let mut finished: Vec<Duration> = each
        .iter()
        .map(|(_, d)| *d)
        .filter(|d| *d < Duration::from_millis(100))
        .collect();
    finished.sort();
    let at = |q: f64| finished[((finished.len() - 1) as f64 * q) as usize].as_secs_f64() * 1e6;
    let finished_mean =
        finished.iter().sum::<Duration>().as_secs_f64() * 1e6 / finished.len() as f64;
    format!(
        "mean {:.0} µs over all {} pages; over the {} that finish: mean {:.0} µs, median {:.0} µs, p95 {:.0} µs",
        mean.as_secs_f64() * 1e6,
        each.len(),
        finished.len(),
        finished_mean,
        at(0.5),
        at(0.95)
    )
}

fn main() {
    let rounds: u32 = std::env::args()
        .skip_while(|a| a != "--rounds")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(20);
    let mut pages = corpus_pages();
    pages.push(landing_page());
    let ran = pages
        .iter()
        .filter(|p| {
            script::run(
                PageSource {
                    html: &p.html,
                    url: &p.url,
                    user_agent: UA,
                },
                Mode::Load,
                &Limits::default(),
            )
            .ran
        })
        .count();

    // One-off costs, measured apart: a runtime, and a context on a warm runtime.
    let built = Instant::now();
    let runtime = rquickjs::Runtime::new().unwrap();
    let runtime_cost = built.elapsed();
    let made = Instant::now();
    for _ in 0..100 {
        std::hint::black_box(rquickjs::Context::full(&runtime).unwrap());
    }
    let context_cost = made.elapsed() / 100;

    let (load, load_each) = time_per_page(&pages, rounds, Mode::Load);
    let (controls, controls_each) = time_per_page(&pages, rounds, Mode::Controls);
    let mut slowest: Vec<_> = controls_each.clone();
    slowest.sort_by_key(|(_, d)| std::cmp::Reverse(*d));

    println!(
        "pages: {} ({} whose scripts run in the load mode), {rounds} rounds each",
        pages.len(),
        ran
    );
    println!(
        "QuickJS runtime, built once per thread: {:.0} µs",
        runtime_cost.as_secs_f64() * 1e6
    );
    println!(
        "QuickJS context, one per page:          {:.0} µs",
        context_cost.as_secs_f64() * 1e6
    );
    println!(
        "load mode (the http engine, every HTML page):   {}",
        summary(&load_each, load)
    );
    println!(
        "controls mode (the classifier, gateway pages):  {}",
        summary(&controls_each, controls)
    );
    let landing = load_each
        .iter()
        .find(|(n, _)| n == "landing-40kb.html")
        .unwrap()
        .1;
    println!(
        "the 40 KB landing page, load mode:               {:.0} µs",
        landing.as_secs_f64() * 1e6
    );
    println!("slowest pages in controls mode:");
    for (name, d) in slowest.iter().take(5) {
        println!("  {name}: {:.0} µs", d.as_secs_f64() * 1e6);
    }
}
