//! Benchmark of the report on a long history: stores a 101,010-observation history (37 runs
//! of 2,730 probes against the bundled platforms and the `miit-2021` audit) in a fresh
//! database, then times reading and assessing it, rendering the report and writing it, and
//! prints the sizes of the files a reader has to open.
//!
//! Run: `cargo bench --bench report` (optionally `-- --runs N --dir DIR`). The database goes
//! to a temporary folder (on /dev/shm when there is one: storing syncs every record, which
//! on a disk would measure the disk, not the report). Results: bench/report/RESULTS.md.

use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};

use linkgate::assess::Directory;
use linkgate::audit::report::{Request, evidence_present, load, write};
use linkgate::catalog::Catalog;
use linkgate::model::{
    Actor, Artifact, ArtifactKind, Attempt, Category, Client, EngineKind, Hop, HopVia, Observation,
    Platform, ProbeRole, Record, Run, RunStatus, Scene, StoredVerdict, VerdictKind,
};
use linkgate::render::html::Lang;
use linkgate::render::report::{self, Style};
use linkgate::store::Store;

const SCENES: [Scene; 3] = [Scene::PrivateChat, Scene::GroupChat, Scene::Moments];
const CLIENTS: [Client; 2] = [Client::Android, Client::Ios];
const CATEGORIES: [Category; 2] = [Category::Ecommerce, Category::ShortVideo];

/// A small deterministic generator, so every run of the benchmark stores the same history.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

struct Args {
    runs: usize,
    dir: Option<PathBuf>,
}

fn args() -> Args {
    let mut args = Args {
        runs: 37,
        dir: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--runs" => args.runs = it.next().and_then(|n| n.parse().ok()).unwrap_or(37),
            "--dir" => args.dir = it.next().map(PathBuf::from),
            _ => {} // cargo bench passes `--bench`
        }
    }
    args
}

fn page(title: &str, text: &str) -> String {
    // ~2 KB, about the size of a gateway's block page.
    format!(
        "<!doctype html><html><head><meta charset=utf-8><title>{title}</title>\
         <style>{}</style></head><body><div class=weui-msg><h2 class=weui-msg__title>{title}</h2>\
         <p class=weui-msg__desc>{text}</p></div><script>var cgiData = {{type: 1}};</script>\
         </body></html>",
        ".weui-msg{padding:20px}".repeat(70)
    )
}

fn verdict(dice: &mut Dice, run: usize, host: usize, link: usize) -> (VerdictKind, &'static str) {
    // Most pairs comply more often as runs go on; some keep blocking; a few regress.
    let stubborn = (host * 7 + link * 3).is_multiple_of(11);
    let complied = run * 100 / 37 > (host * 13 + link * 5) % 100;
    match (stubborn, complied, dice.below(40)) {
        (_, _, 0) => (VerdictKind::Inconclusive, "timeout"),
        (_, true, 1) => (VerdictKind::Blocked, "stop_page"),
        (true, _, _) | (_, false, 2..=20) => (VerdictKind::Blocked, "copy_to_browser"),
        (_, false, _) => (VerdictKind::Interstitial, "risk_warning"),
        _ => (VerdictKind::Opened, "direct"),
    }
}

/// One probe of the generated history.
struct Probe<'a> {
    run: &'a str,
    at: chrono::DateTime<Utc>,
    host: Option<&'a Platform>,
    scene: Option<Scene>,
    client: Client,
    target: &'a Platform,
    category: Category,
    verdict: (VerdictKind, &'static str),
}

fn record(probe: &Probe<'_>, dice: &mut Dice) -> (Record, Artifact) {
    let (kind, mechanism) = probe.verdict;
    let link = format!("{}.{}", probe.target.id, probe.category.as_str());
    let context = match (probe.host, probe.scene) {
        (Some(h), Some(s)) => format!("{}.{}.{}", h.id, probe.client, s),
        _ => format!("neutral.{}", probe.client),
    };
    let role = match probe.host {
        None => ProbeRole::Control,
        Some(h) if h.owner == probe.target.owner => ProbeRole::SameOwner,
        Some(_) => ProbeRole::Rival,
    };
    let body = page(mechanism, &format!("{context} {link} {}", dice.next()));
    let artifact = Artifact::new(ArtifactKind::Body, body.clone().into_bytes());
    let url = format!("https://{}.example/{link}", probe.target.id);
    let hop = |url: String, status, via, location| Hop {
        url,
        status: Some(status),
        location,
        via,
        elapsed_ms: 40,
    };
    let observation = Observation {
        engine: EngineKind::Http,
        entry_url: url.clone(),
        hops: vec![
            hop(
                url.clone(),
                302,
                HopVia::Start,
                Some(format!("{url}/landing")),
            ),
            hop(format!("{url}/landing"), 200, HopVia::Http, None),
        ],
        final_url: format!("{url}/landing"),
        status: Some(200),
        body,
        body_sha256: Some(artifact.sha256.clone()),
        attempts: vec![Attempt {
            number: 1,
            started_at: probe.at,
            duration_ms: 90,
            status: Some(200),
            failure: None,
            wait_ms: None,
        }],
        duration_ms: 90,
        ..Observation::default()
    };
    let record = Record {
        run_id: probe.run.to_string(),
        observed_at: probe.at,
        audit: "miit-2021".into(),
        context,
        host_platform: probe.host.map(|h| h.id.clone()),
        scene: probe.scene,
        client: probe.client,
        link_id: link,
        link_platform: probe.target.id.clone(),
        link_category: probe.category,
        url,
        role,
        observation,
        verdict: StoredVerdict {
            kind,
            mechanism: mechanism.into(),
            actor: if kind == VerdictKind::Opened {
                Actor::None
            } else {
                Actor::Host
            },
            signature: Some(format!("bench.{mechanism}")),
            reason: "benchmark".into(),
        },
        control_verdict: probe.host.map(|_| VerdictKind::Opened),
    };
    (record, artifact)
}

/// The probes of run `r`: every host × scene × client × target × category, plus controls.
fn probes<'a>(platforms: &'a [Platform], r: usize, id: &'a str, dice: &mut Dice) -> Vec<Probe<'a>> {
    let at = Utc.with_ymd_and_hms(2021, 9, 1, 3, 0, 0).unwrap() + Duration::days(3 * r as i64);
    let mut out = Vec::new();
    for (l, target) in platforms.iter().enumerate() {
        for category in CATEGORIES {
            let probe = |host, scene, client, verdict| Probe {
                run: id,
                at,
                host,
                scene,
                client,
                target,
                category,
                verdict,
            };
            out.push(probe(
                None,
                None,
                Client::Android,
                (VerdictKind::Opened, "direct"),
            ));
            for (h, host) in platforms.iter().enumerate() {
                for scene in SCENES {
                    for client in CLIENTS {
                        let verdict = verdict(dice, r, h, l);
                        out.push(probe(Some(host), Some(scene), client, verdict));
                    }
                }
            }
        }
    }
    out
}

/// Stores the history; returns the number of observations stored.
fn store_history(db: &Path, catalog: &Catalog, runs: usize) -> usize {
    let mut store = Store::open(db).expect("open the benchmark database");
    let mut dice = Dice(0x9E37_79B9_7F4A_7C15);
    let mut stored = 0;
    for r in 0..runs {
        let id = format!("bench-{r:03}");
        let probes = probes(&catalog.platforms, r, &id, &mut dice);
        let run = Run {
            id: id.clone(),
            started_at: probes[0].at,
            ended_at: Some(probes[0].at),
            status: RunStatus::Completed,
            tool_version: "bench".into(),
            vantage: "bench".into(),
            audits: vec!["miit-2021".into()],
            scenario_files: Vec::new(),
            simulated: true,
        };
        store.begin_run(&run).expect("store the run");
        // Evidence files only for the run shown: the report reads no other run's files.
        let keep_evidence = r + 1 == runs;
        for probe in &probes {
            let (record, artifact) = record(probe, &mut dice);
            let artifacts = if keep_evidence {
                vec![artifact]
            } else {
                Vec::new()
            };
            store.record(&record, &artifacts).expect("store a record");
            stored += 1;
        }
    }
    stored
}

/// Seconds Chromium takes to load and lay out `page` from disk; `None` without Chromium.
fn open_in_chromium(page: &Path) -> Option<f64> {
    use headless_chrome::{Browser, LaunchOptions};
    let chrome = PathBuf::from("/usr/bin/chromium");
    if !chrome.exists() {
        return None;
    }
    let options = LaunchOptions::default_builder()
        .path(Some(chrome))
        .sandbox(false)
        .build()
        .ok()?;
    let browser = Browser::new(options).ok()?;
    let tab = browser.new_tab().ok()?;
    let t = Instant::now();
    tab.navigate_to(&format!("file://{}", page.display()))
        .ok()?;
    tab.wait_until_navigated().ok()?;
    // Forces layout of the whole page, which is what a reader waits for.
    tab.evaluate("document.body.getBoundingClientRect().height", false)
        .ok()?;
    Some(t.elapsed().as_secs_f64())
}

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

fn main() {
    let args = args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let catalog = Catalog::load(&[root.join("scenarios")]).expect("load the bundled scenarios");
    let audit = catalog
        .audit("miit-2021")
        .expect("the bundled audit")
        .clone();
    let shm = Path::new("/dev/shm");
    let tmp = match &args.dir {
        Some(dir) => tempfile::tempdir_in(dir),
        None if shm.is_dir() => tempfile::tempdir_in(shm),
        None => tempfile::tempdir(),
    }
    .expect("make a temporary folder");
    let db = tmp.path().join("reports").join("linkgate.db");

    let t = Instant::now();
    let observations = store_history(&db, &catalog, args.runs);
    let storing = t.elapsed();

    let directory = Directory::new(&catalog.platforms);
    let store = Store::open(&db).expect("reopen the database");
    // The store's part of loading: every record of every run, bodies decompressed.
    let t = Instant::now();
    for run in store.runs().expect("list runs") {
        std::hint::black_box(store.records(&run.id).expect("read records"));
    }
    let reading = t.elapsed();
    // What the report reads of the runs it only judges: every record without its body.
    let t = Instant::now();
    for run in store.runs().expect("list runs") {
        std::hint::black_box(store.records_without_bodies(&run.id).expect("read records"));
    }
    let reading_skip = t.elapsed();
    let t = Instant::now();
    let history = load(
        &store,
        &Request {
            audit: &audit,
            directory: &directory,
            run: None,
            since: None,
        },
    )
    .expect("load the history");
    let loading = t.elapsed();

    let out = tmp.path().join("reports").join(&history.run.id);
    let t = Instant::now();
    let present = evidence_present(&store, &history.records);
    let files = report::render(
        &history,
        &directory,
        &Style {
            lang: Lang::Zh,
            evidence: &report::relative_url(&out, &store.evidence_dir().unwrap()),
            evidence_present: Some(&present),
            generator: "linkgate bench",
        },
    )
    .expect("render the report");
    let rendering = t.elapsed();
    let t = Instant::now();
    let written = write(&out, &files).expect("write the report");
    let writing = t.elapsed();

    let side: Vec<&PathBuf> = written
        .iter()
        .filter(|p| p.starts_with(out.join("details")))
        .collect();
    let side_total: u64 = side.iter().map(|p| size(p)).sum();
    let side_max = side.iter().map(|p| size(p)).max().unwrap_or(0);
    let kib = |b: u64| format!("{:.0} KiB", b as f64 / 1024.0);
    let opening = open_in_chromium(&out.join("index.html"));
    let opening_side = side.first().and_then(|p| open_in_chromium(p));
    println!("| what | value |");
    println!("| --- | --- |");
    println!(
        "| observations in the history | {observations} in {} runs |",
        args.runs
    );
    println!(
        "| observations in the run shown | {} |",
        history.records.len()
    );
    println!(
        "| cells / rival+same-owner pairs shown | {} / {} |",
        history.assessment.cells.len(),
        history.assessment.pairs.len()
    );
    println!(
        "| storing the history (setup, not the report) | {:.1} s |",
        storing.as_secs_f64()
    );
    println!(
        "| reading + judging + assessing | {:.2} s (the store alone reads every record in {:.2} s with bodies, {:.2} s without) |",
        loading.as_secs_f64(),
        reading.as_secs_f64(),
        reading_skip.as_secs_f64()
    );
    println!(
        "| rendering (HTML, chart, CSV, JSON) | {:.2} s |",
        rendering.as_secs_f64()
    );
    println!("| writing | {:.2} s |", writing.as_secs_f64());
    println!("| index.html | {} |", kib(size(&out.join("index.html"))));
    println!(
        "| side pages | {} files, {} in all, largest {} |",
        side.len(),
        kib(side_total),
        kib(side_max)
    );
    println!("| summary.csv | {} |", kib(size(&out.join("summary.csv"))));
    println!(
        "| summary.json | {} |",
        kib(size(&out.join("summary.json")))
    );
    println!("| database | {} |", kib(size(&db)));
    let seconds = |s: Option<f64>| s.map_or("no Chromium".to_string(), |s| format!("{s:.2} s"));
    println!(
        "| opening in Chromium (load + layout) | index.html {}, a side page {} |",
        seconds(opening),
        seconds(opening_side)
    );
}
