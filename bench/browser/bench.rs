//! Benchmark of the browser engine (not a test): pages per second and peak memory of the tab
//! pool (one Chromium, a fresh browser context per page) against launching a Chromium per
//! page, at the same concurrency, on realistic pages: the bundled scenarios' contexts and
//! links, served by the platform simulator (gateways, share-link redirects in script, GBK
//! landing pages) through `--proxy` and `--ca-cert`, exactly as a real audit would run.
//!
//! Memory is PSS (proportional set size) summed over every process this benchmark started,
//! read from `/proc/*/smaps_rollup` near the moments of highest use (see `Sampler`): summing
//! RSS would count Chromium's shared pages once per process.
//!
//! Run: `bench/browser/run.sh` (or `cargo run --release --example browser_bench -- --help`).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use linkgate::catalog::Catalog;
use linkgate::engine::PageRequest;
use linkgate::engine::browser::{BrowserConfig, BrowserEngine, default_tabs};
use linkgate::sim::{SimConfig, Simulator, World};
use tokio::task::JoinSet;

struct Args {
    pages: usize,
    tabs: usize,
    modes: Vec<Mode>,
    /// Spare tabs of the pool (`BrowserConfig::spare_tabs`).
    spares: usize,
    /// Each mode is measured this many times, modes alternating, so that load from other
    /// programs falls on both alike; the report gives every round and the medians.
    rounds: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Pool,
    LaunchPerPage,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Pool => "tab pool (one browser)",
            Mode::LaunchPerPage => "a browser per page",
        }
    }
}

struct Measured {
    mode: Mode,
    /// The machine's 1-minute load average before and after.
    load: (f64, f64),
    pages: usize,
    failed: usize,
    wall: Duration,
    peak_pss_kb: u64,
    /// CPU time of every browser process, summed.
    cpu: Duration,
}

impl Measured {
    fn pages_per_second(&self) -> f64 {
        self.pages as f64 / self.wall.as_secs_f64()
    }
}

fn main() {
    let args = parse_args();
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    runtime.block_on(async {
        let sim = Simulator::start(SimConfig {
            listen: "127.0.0.1:0".parse().expect("an address"),
            world: World::bundled(),
            date: chrono::NaiveDate::from_ymd_opt(2022, 3, 1).expect("a date"),
        })
        .await
        .expect("the simulator starts");
        let requests = pages(args.pages);
        let mut results = Vec::new();
        for round in 1..=args.rounds {
            for mode in &args.modes {
                eprintln!(
                    "round {round}: {} ({} pages, {} at once)…",
                    mode.name(),
                    args.pages,
                    args.tabs
                );
                let measured = measure(*mode, &sim, &requests, &args).await;
                eprintln!(
                    "  {:.2} pages/s, peak {} MB PSS, {:.0} ms CPU a page, {} failed",
                    measured.pages_per_second(),
                    measured.peak_pss_kb / 1024,
                    measured.cpu.as_secs_f64() * 1000.0 / measured.pages as f64,
                    measured.failed
                );
                results.push(measured);
            }
        }
        sim.shutdown().await;
        print!("{}", report(&args, &results));
    });
}

fn parse_args() -> Args {
    let mut args = Args {
        pages: 80,
        tabs: default_tabs(),
        modes: vec![Mode::Pool, Mode::LaunchPerPage],
        rounds: 3,
        spares: BrowserConfig::default().spare_tabs,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .unwrap_or_else(|| usage(&format!("{flag} needs a value")))
        };
        match flag.as_str() {
            "--pages" => args.pages = value().parse().unwrap_or_else(|_| usage("--pages N")),
            "--tabs" => args.tabs = value().parse().unwrap_or_else(|_| usage("--tabs N")),
            "--rounds" => args.rounds = value().parse().unwrap_or_else(|_| usage("--rounds N")),
            "--spares" => args.spares = value().parse().unwrap_or_else(|_| usage("--spares N")),
            "--mode" => {
                args.modes = match value().as_str() {
                    "pool" => vec![Mode::Pool],
                    "launch" => vec![Mode::LaunchPerPage],
                    "both" => vec![Mode::Pool, Mode::LaunchPerPage],
                    _ => usage("--mode pool|launch|both"),
                }
            }
            _ => usage(&format!("unknown flag {flag}")),
        }
    }
    args
}

fn usage(problem: &str) -> ! {
    eprintln!(
        "{problem}\nusage: browser_bench [--pages N (80)] [--tabs N (4 per core, at most 8)] \
         [--mode pool|launch|both] [--rounds N (3)] [--spares N (2)]"
    );
    std::process::exit(2)
}

/// Every bundled (context, link) pair as the page request a run would make, repeated to `n`.
fn pages(n: usize) -> Vec<PageRequest> {
    let catalog = Catalog::load(&[concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios")])
        .expect("the bundled scenarios load");
    let mut all = Vec::new();
    for link in &catalog.links {
        for context in &catalog.contexts {
            all.push(PageRequest {
                entry_url: context.entry_url(&link.url),
                user_agent: context.user_agent.clone(),
                headers: context.headers.clone(),
                bridge: context.bridge.clone(),
            });
        }
    }
    // Interleave so each slice of the run mixes hosts and links.
    let stride = 7919 % all.len().max(1);
    (0..n)
        .map(|i| all[(i * stride.max(1)) % all.len()].clone())
        .collect()
}

fn config(sim: &Simulator, tabs: usize) -> BrowserConfig {
    BrowserConfig {
        tabs,
        proxy: Some(sim.proxy_url()),
        ca_certs: vec![sim.ca_pem().as_bytes().to_vec()],
        retries: 0,
        ..BrowserConfig::default()
    }
}

async fn measure(mode: Mode, sim: &Simulator, requests: &[PageRequest], args: &Args) -> Measured {
    let load_before = load_average();
    let sampler = Sampler::start();
    let started = Instant::now();
    let failed = match mode {
        Mode::Pool => pool(sim, requests, args.tabs, args.spares).await,
        Mode::LaunchPerPage => launch_per_page(sim, requests, args.tabs).await,
    };
    let wall = started.elapsed();
    let (peak_pss_kb, cpu) = sampler.stop();
    Measured {
        mode,
        load: (load_before, load_average()),
        pages: requests.len(),
        failed,
        wall,
        peak_pss_kb,
        cpu,
    }
}

/// One engine, `tabs` probes at once; the browser launch is part of the time.
async fn pool(sim: &Simulator, requests: &[PageRequest], tabs: usize, spares: usize) -> usize {
    let config = BrowserConfig {
        spare_tabs: spares,
        ..config(sim, tabs)
    };
    let engine = Arc::new(BrowserEngine::new(config).expect("engine"));
    run_all(requests, tabs, move |request| {
        let engine = engine.clone();
        async move { engine.capture(&request).await }
    })
    .await
}

/// `tabs` probes at once, each in a browser launched for it and closed after it.
async fn launch_per_page(sim: &Simulator, requests: &[PageRequest], tabs: usize) -> usize {
    let config = BrowserConfig {
        spare_tabs: 0,
        ..config(sim, 1)
    };
    run_all(requests, tabs, move |request| {
        let config = config.clone();
        async move {
            let engine = BrowserEngine::new(config).expect("engine");
            let capture = engine.capture(&request).await;
            let _ = tokio::task::spawn_blocking(move || drop(engine)).await;
            capture
        }
    })
    .await
}

/// Runs every request with at most `at_once` in flight; returns how many failed.
async fn run_all<F, Fut>(requests: &[PageRequest], at_once: usize, probe: F) -> usize
where
    F: Fn(PageRequest) -> Fut,
    Fut: std::future::Future<Output = linkgate::engine::Capture> + Send + 'static,
{
    let mut queue = requests.iter().cloned();
    let mut running = JoinSet::new();
    let mut failed = 0;
    let mut reasons: HashMap<String, usize> = HashMap::new();
    loop {
        while running.len() < at_once {
            match queue.next() {
                Some(request) => {
                    running.spawn(probe(request));
                }
                None => break,
            }
        }
        let Some(done) = running.join_next().await else {
            break;
        };
        let capture = done.expect("a probe task");
        if let Some(failure) = capture.observation.failure {
            failed += 1;
            *reasons.entry(failure.kind.to_string()).or_default() += 1;
        }
    }
    if !reasons.is_empty() {
        eprintln!("  failures by kind: {reasons:?}");
    }
    failed
}

/// Samples every descendant of this process until stopped: keeps the peak of their summed
/// PSS, and the last CPU time seen of each (processes that end between two samples lose at
/// most one period of CPU time each).
///
/// Reading `smaps_rollup` walks a process's page tables, which for Chromium's huge address
/// space costs a millisecond or more: reading it for every process every 50 ms took a fifth
/// of a core and slowed what was measured. So each period reads only the cheap resident size
/// (`statm`), and PSS is read when that total reaches a new high (where the PSS peak lies)
/// and every tenth period.
struct Sampler {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<(u64, Duration)>,
}

/// How often the processes are looked at.
const PERIOD: Duration = Duration::from_millis(50);

impl Sampler {
    fn start() -> Sampler {
        let stop = Arc::new(AtomicBool::new(false));
        let thread = std::thread::spawn({
            let stop = stop.clone();
            move || {
                let mut peak_pss = 0;
                let mut peak_rss = 0;
                let mut ticks: HashMap<u32, u64> = HashMap::new();
                for period in 0u64.. {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let pids = descendants(std::process::id());
                    let rss: u64 = pids.iter().map(|p| rss_pages(*p)).sum();
                    if rss > peak_rss || period % 10 == 0 {
                        peak_rss = peak_rss.max(rss);
                        peak_pss = peak_pss.max(pids.iter().map(|p| pss_kb(*p)).sum::<u64>());
                    }
                    for pid in pids {
                        if let Some(t) = cpu_ticks(pid) {
                            ticks.insert(pid, t);
                        }
                    }
                    std::thread::sleep(PERIOD);
                }
                // SAFETY: sysconf has no preconditions.
                let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
                let cpu = Duration::from_secs_f64(ticks.values().sum::<u64>() as f64 / hz);
                (peak_pss, cpu)
            }
        });
        Sampler { stop, thread }
    }

    fn stop(self) -> (u64, Duration) {
        self.stop.store(true, Ordering::SeqCst);
        self.thread.join().unwrap_or_default()
    }
}

/// Resident pages of a process (second field of `statm`).
fn rss_pages(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/statm"))
        .ok()
        .and_then(|statm| statm.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0)
}

/// utime + stime of a process, in clock ticks.
fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat[stat.rfind(')')? + 2..].split_whitespace().collect();
    // Fields after the name start at field 3 (state): utime is field 14, stime 15.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

/// Every process whose chain of parents leads to `root` (not `root` itself).
fn descendants(root: u32) -> Vec<u32> {
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        if let Some(ppid) = parent_of(pid) {
            children.entry(ppid).or_default().push(pid);
        }
    }
    let mut out = Vec::new();
    let mut todo = vec![root];
    while let Some(pid) = todo.pop() {
        for child in children.get(&pid).into_iter().flatten() {
            out.push(*child);
            todo.push(*child);
        }
    }
    out
}

fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may hold spaces: fields start after the last ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    rest.split_whitespace().nth(1)?.parse().ok()
}

fn pss_kb(pid: u32) -> u64 {
    let Ok(rollup) = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")) else {
        return 0;
    };
    rollup
        .lines()
        .find_map(|line| line.strip_prefix("Pss:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next()?.parse().ok())
        .unwrap_or(f64::NAN)
}

fn chromium_version() -> String {
    let chrome = BrowserConfig::default().chrome_path();
    std::process::Command::new(&chrome)
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| format!("{} (version unknown)", chrome.display()))
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

fn report(args: &Args, results: &[Measured]) -> String {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut out = format!(
        "Measured with `bench/browser/run.sh` ({} pages a round, {} probes at once, {} rounds) \
         on {cores} cores, {}, release build. Pages: every bundled context × link, through \
         the platform simulator (`--proxy`, `--ca-cert`), screenshots on.\n\n",
        args.pages,
        args.tabs,
        args.rounds,
        chromium_version()
    );
    out.push_str(
        "| round | mode | pages | failed | wall time | pages/s | peak PSS | CPU a page | load before → after |\n\
         | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n",
    );
    let per_round = args.modes.len().max(1);
    for (i, m) in results.iter().enumerate() {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {:.1} s | {:.2} | {} MB | {:.0} ms | {:.1} → {:.1} |\n",
            i / per_round + 1,
            m.mode.name(),
            m.pages,
            m.failed,
            m.wall.as_secs_f64(),
            m.pages_per_second(),
            m.peak_pss_kb / 1024,
            m.cpu.as_secs_f64() * 1000.0 / m.pages as f64,
            m.load.0,
            m.load.1
        ));
    }
    let of = |mode: Mode| -> Vec<&Measured> { results.iter().filter(|m| m.mode == mode).collect() };
    let (pool, launch) = (of(Mode::Pool), of(Mode::LaunchPerPage));
    if pool.is_empty() || launch.is_empty() {
        return out;
    }
    let speed = |ms: &[&Measured]| median(ms.iter().map(|m| m.pages_per_second()).collect());
    let memory =
        |ms: &[&Measured]| median(ms.iter().map(|m| m.peak_pss_kb as f64 / 1024.0).collect());
    let (pool_speed, launch_speed) = (speed(&pool), speed(&launch));
    let (pool_memory, launch_memory) = (memory(&pool), memory(&launch));
    let verdict = |ok: bool| if ok { "met" } else { "**not met**" };
    out.push_str(&format!(
        "\nMedians: the pool {pool_speed:.2} pages/s and {pool_memory:.0} MB; a browser per \
         page {launch_speed:.2} pages/s and {launch_memory:.0} MB.\n\n\
         | target | measured | |\n| --- | --- | --- |\n\
         | pool ≥ 4 pages/s | {pool_speed:.2} pages/s | {} |\n\
         | pool ≥ 2× a browser per page | {:.1}× | {} |\n\
         | pool < half the peak memory of a browser per page | {:.0} % | {} |\n",
        verdict(pool_speed >= 4.0),
        pool_speed / launch_speed,
        verdict(pool_speed >= 2.0 * launch_speed),
        100.0 * pool_memory / launch_memory,
        verdict(pool_memory < launch_memory / 2.0),
    ));
    out
}
