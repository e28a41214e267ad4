//! Benchmark of a run at the audit's own politeness (issue #15): the bundled pack through the
//! platform simulator (its bundled world, plus a busy host made slow and one made unreachable,
//! so that both are on the probes' paths), measured as `linkgate run` measures, and compared
//! with the politeness bound: for
//! each host, the requests it received times the interval between two of them; the largest.
//! No schedule can beat that bound without breaking the politeness, so the ratio of the wall
//! time to it says how much of a run's time is lost to scheduling.
//!
//! Run: `cargo bench --bench politeness` (about as long as the bound, 5 to 10 minutes).
//! A second run at `--interval 0s` checks that the verdicts do not depend on the pace.
//! Results: bench/politeness/RESULTS.md. Exits 1 when the ratio is above 1.25 or a verdict
//! differs.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use linkgate::audit::{AuditClock, Measured, NoProgress, RunProgress, RunSettings, Session};
use linkgate::catalog::Catalog;
use linkgate::model::EngineKind;
use linkgate::sim::world::{Fault, FaultKind};
use linkgate::sim::{SimConfig, Simulator, World};
use linkgate::store::Store;

/// The slow host and the unreachable one the benchmark adds to the bundled world.
const SLOW: (&str, Duration) = ("item.jd.com", Duration::from_secs(3));
const UNREACHABLE: &str = "v.kuaishou.com";

fn world() -> World {
    let mut world = World::bundled();
    let fault = |host: &str, kind| Fault {
        host: host.into(),
        kind,
        from: None,
        until: None,
        note: None,
    };
    world.faults.push(fault(SLOW.0, FaultKind::Slow(SLOW.1)));
    world.faults.push(fault(UNREACHABLE, FaultKind::Reset));
    world
}

/// What one run left: its wall time, the simulator's requests per host, its verdicts.
struct Measurement {
    wall: Duration,
    per_host: BTreeMap<String, u64>,
    verdicts: HashMap<(String, String), String>,
    traffic: String,
}

async fn measure(catalog: &Arc<Catalog>, interval: Option<Duration>) -> Measurement {
    let sim = Simulator::start(SimConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        world: world(),
        date: linkgate::audit::demo::DEADLINE,
    })
    .await
    .expect("the simulator starts");
    let dir = tempfile::tempdir().unwrap();
    let mut settings = RunSettings::new(dir.path().to_path_buf());
    settings.net.proxy = Some(sim.proxy_url());
    settings.net.ca_certs = vec![sim.ca_pem().as_bytes().to_vec()];
    settings.net.interval = interval;
    let session = Session::new(settings, catalog.clone(), AuditClock::system()).unwrap();
    let quiet = |_: &BTreeMap<EngineKind, usize>| Box::new(NoProgress) as Box<dyn RunProgress>;
    let started = Instant::now();
    let measured: Measured = session
        .run_chosen(None, &CancellationToken::new(), &quiet)
        .await
        .expect("the run completes");
    let wall = started.elapsed();
    let store = Store::open(&session.settings.db).unwrap();
    let verdicts = store
        .records(&measured.outcome.run.id)
        .unwrap()
        .into_iter()
        .map(|r| {
            let key = (r.context.clone(), r.link_id.clone());
            (key, format!("{}/{}", r.verdict.kind, r.verdict.mechanism))
        })
        .collect();
    let per_host = sim.stats().per_host;
    sim.shutdown().await;
    Measurement {
        wall,
        per_host,
        verdicts,
        traffic: traffic(&measured),
    }
}

/// What the run says about its requests' waits, if it says anything.
fn traffic(measured: &Measured) -> String {
    let text = linkgate::render::console::text(&measured.outcome, measured.elapsed);
    text.lines()
        .filter(|l| l.contains("politeness") || l.contains("waiting"))
        .collect::<Vec<_>>()
        .join(" / ")
}

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let catalog = Arc::new(Catalog::load(&[root.join("scenarios")]).expect("the pack loads"));
    let audit = &catalog.audits[0];
    let interval = audit.politeness.interval.unwrap_or(Duration::from_secs(1));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    println!("## A run of the bundled pack at its own politeness, through the simulator\n");
    println!(
        "politeness: concurrency {:?}, per_host {:?}, interval {} ms\n",
        audit.politeness.concurrency,
        audit.politeness.per_host,
        interval.as_millis()
    );
    let polite = runtime.block_on(measure(&catalog, None));
    let (busiest, requests) = polite
        .per_host
        .iter()
        .max_by_key(|(_, n)| **n)
        .map(|(h, n)| (h.clone(), *n))
        .unwrap_or_default();
    let bound = interval.saturating_mul(u32::try_from(requests).unwrap_or(u32::MAX));
    let ratio = polite.wall.as_secs_f64() / bound.as_secs_f64().max(1e-9);
    let fast = runtime.block_on(measure(&catalog, Some(Duration::ZERO)));
    let differ: Vec<_> = polite
        .verdicts
        .iter()
        .filter(|(key, v)| fast.verdicts.get(*key) != Some(*v))
        .map(|((context, link), v)| {
            let other = fast.verdicts.get(&(context.clone(), link.clone()));
            format!("{context} × {link}: {v} at the audit's pace, {other:?} at 0s")
        })
        .collect();
    println!("| measure | value |");
    println!("| --- | ---: |");
    println!("| probes | {} |", polite.verdicts.len());
    println!(
        "| requests (all hosts) | {} |",
        polite.per_host.values().sum::<u64>()
    );
    println!("| busiest host | {busiest}: {requests} requests |");
    println!("| politeness bound | {:.0} s |", bound.as_secs_f64());
    println!("| wall time | {:.0} s |", polite.wall.as_secs_f64());
    println!("| **wall / bound** | **{ratio:.2}** |");
    println!(
        "| wall time at `--interval 0s` | {:.0} s |",
        fast.wall.as_secs_f64()
    );
    println!(
        "| verdicts that differ from `--interval 0s` | {} |",
        differ.len()
    );
    if !polite.traffic.is_empty() {
        println!("\nthe summary says: {}", polite.traffic);
    }
    println!("\n### Requests per host (the ten busiest)\n");
    let mut hosts: Vec<_> = polite.per_host.iter().collect();
    hosts.sort_by_key(|(h, n)| (std::cmp::Reverse(**n), (*h).clone()));
    println!("| host | requests | × interval |");
    println!("| --- | ---: | ---: |");
    for (host, n) in hosts.iter().take(10) {
        println!(
            "| {host} | {n} | {:.0} s |",
            interval.as_secs_f64() * **n as f64
        );
    }
    println!("\n### The slow and the unreachable hosts\n");
    println!("| host | fault | requests |");
    println!("| --- | --- | ---: |");
    for fault in world().faults {
        let n = polite.per_host.get(&fault.host).copied().unwrap_or(0);
        println!("| {} | {:?} | {n} |", fault.host, fault.kind);
    }
    for line in &differ {
        println!("differs: {line}");
    }
    if ratio > 1.25 || !differ.is_empty() {
        std::process::exit(1);
    }
}
