//! Many processes, one PostgreSQL history: the bundled pack measured through the simulator as
//! four `--shard`s of one `--run-group` at once (one of them killed with SIGKILL and started
//! again) gives the same verdicts as one process writing an SQLite file, nothing missing or
//! doubled, sealed once and verified; and two vantages facing worlds that differ in one host's
//! behaviour are compared in the report, which marks exactly the pairs that differ.

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use linkgate::model::{RunStatus, Scene};
use linkgate::sim::world::{GateState, Rule, Targets};
use linkgate::sim::{SimConfig, Simulator, World};
use linkgate::store::{Location, Store};
use support::cli::{command, linkgate, text};
use support::pg::PgServer;

const DAY: &str = "2022-03-15";

async fn simulator(world: World) -> Simulator {
    Simulator::start(SimConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        world,
        date: DAY.parse().unwrap(),
    })
    .await
    .unwrap()
}

/// `run` through `sim` with the fast flags, its CA written into `dir`.
fn run_args(dir: &Path, sim: &Simulator, extra: &[&str]) -> Vec<String> {
    std::fs::write(dir.join("sim-ca.pem"), sim.ca_pem()).unwrap();
    let mut args: Vec<String> = [
        "run",
        "--proxy",
        &sim.proxy_url(),
        "--ca-cert",
        "sim-ca.pem",
        "--interval",
        "0s",
        "--per-host",
        "16",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

fn shard_args(i: u32, db: &str) -> Vec<String> {
    let shard = format!("{i}/4");
    let out = format!("out{i}");
    [
        "--shard",
        &shard,
        "--run-group",
        "nightly",
        "--db",
        db,
        "--out",
        &out,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// Verdict (kind/mechanism) by record key.
fn verdicts(store: &Store, run_id: &str) -> BTreeMap<String, String> {
    let records = store.records_without_bodies(run_id).unwrap();
    let by_key: BTreeMap<String, String> = records
        .iter()
        .map(|r| {
            (
                r.key(),
                format!("{}/{}", r.verdict.kind, r.verdict.mechanism),
            )
        })
        .collect();
    assert_eq!(
        by_key.len(),
        records.len(),
        "a probe stored twice in {run_id}"
    );
    by_key
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_shards_into_postgres_equal_one_sqlite_run_even_with_a_shard_killed() {
    let sim = simulator(World::bundled()).await;
    let pg = PgServer::start();
    let db = pg.database();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();

    let mut shards = Vec::new();
    for i in 0..4 {
        let args = [run_args(dir, &sim, &[]), shard_args(i, &db)].concat();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        shards.push(command(dir, &args).spawn().unwrap());
    }
    // Shard 3 is killed outright once the group has stored some records.
    let mut watcher = postgres_client(&db).await;
    wait_for_records(&mut watcher, 150).await;
    let mut killed = shards.pop().unwrap();
    assert!(
        killed.try_wait().unwrap().is_none(),
        "shard 3 was still measuring"
    );
    killed.start_kill().unwrap();
    let status = killed.wait().await.unwrap();
    assert_eq!(status.code(), None, "killed by a signal");
    for shard in shards {
        let output = shard.wait_with_output().await.unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    }
    let store = Store::open(Location::parse(&db)).unwrap();
    assert_ne!(
        store.run("nightly").unwrap().unwrap().status,
        RunStatus::Completed
    );

    // Started again, the killed shard measures what it is missing and completes the group.
    let args = [run_args(dir, &sim, &[]), shard_args(3, &db)].concat();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let resumed = linkgate(dir, &args).await;
    assert_eq!(resumed.status.code(), Some(0), "{}", text(&resumed));
    assert!(
        text(&resumed).contains("this shard completed the group and sealed the run"),
        "{}",
        text(&resumed)
    );
    let run = store.run("nightly").unwrap().unwrap();
    assert_eq!(run.status, RunStatus::Completed);
    assert_eq!(store.runs().unwrap().len(), 1, "one logical run");
    let sharded = verdicts(&store, "nightly");

    // One process, an SQLite file, the same simulated day.
    let single = linkgate(
        dir,
        &run_args(dir, &sim, &["--out", "single"])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    )
    .await;
    assert_eq!(single.status.code(), Some(0), "{}", text(&single));
    let sqlite = Store::open_to_read(dir.join("single").join("linkgate.db")).unwrap();
    let one = sqlite.runs().unwrap().pop().unwrap();
    let whole = verdicts(&sqlite, &one.id);
    assert_eq!(sharded.len(), whole.len(), "nothing missing or doubled");
    assert_eq!(sharded, whole);

    // Sealed once, by the shard that completed the group; verified from the database.
    let sealed: Vec<_> = (0..4)
        .filter(|i| dir.join(format!("out{i}/nightly/manifest.json")).exists())
        .collect();
    assert_eq!(sealed, [3]);
    let verified = linkgate(dir, &["verify", "--db", &db, "--out", "out3"]).await;
    assert_eq!(verified.status.code(), Some(0), "{}", text(&verified));
    assert!(
        text(&verified).contains("all is well"),
        "{}",
        text(&verified)
    );
    // The report reads the shared history from anywhere, its evidence written beside it.
    let report = linkgate(dir, &["report", "--db", &db, "--out", "elsewhere/nightly"]).await;
    assert_eq!(report.status.code(), Some(0), "{}", text(&report));
    assert!(dir.join("elsewhere/nightly/index.html").exists());
    assert!(
        std::fs::read_dir(dir.join("elsewhere/evidence"))
            .unwrap()
            .count()
            > 0
    );
    sim.shutdown().await;
}

async fn postgres_client(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
}

async fn wait_for_records(client: &mut tokio_postgres::Client, at_least: i64) {
    for _ in 0..600 {
        let row = client
            .query_opt("SELECT count(*) FROM observations", &[])
            .await;
        if let Ok(Some(row)) = row
            && row.get::<_, i64>(0) >= at_least
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the shards stored fewer than {at_least} records in 30 s");
}

/// A platform WeChat opens on every scene of the day in the bundled world.
fn opened_by_wechat(world: &World) -> String {
    let day = DAY.parse().unwrap();
    let scenes = Scene::ALL;
    world
        .platforms
        .iter()
        .map(|p| p.id.clone())
        .filter(|id| id != "wechat")
        .find(|id| {
            scenes
                .iter()
                .all(|s| world.decide("wechat", Some(id), Some(*s), day).state == GateState::Open)
        })
        .expect("a platform WeChat opens")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_vantages_in_one_postgres_history_differ_exactly_where_their_worlds_do() {
    let bundled = World::bundled();
    let target = opened_by_wechat(&bundled);
    let mut stricter = bundled.clone();
    stricter.rules.push(Rule {
        host: "wechat".into(),
        targets: Targets::Only(vec![target.clone()]),
        scenes: None,
        from: None,
        until: None,
        state: GateState::Stop,
        style: None,
        reason: None,
        note: Some("the second vantage's carrier".into()),
        line: 0,
    });
    let pg = PgServer::start();
    let db = pg.database();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let mut pairs = 0;
    for (world, vantage) in [(bundled, "beijing"), (stricter, "shanghai")] {
        let sim = simulator(world).await;
        let args = run_args(
            dir,
            &sim,
            &[
                "--host",
                "wechat",
                "--vantage",
                vantage,
                "--db",
                &db,
                "--out",
                vantage,
            ],
        );
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = linkgate(dir, &args).await;
        assert_eq!(output.status.code(), Some(0), "{}", text(&output));
        sim.shutdown().await;
    }
    let store = Store::open(Location::parse(&db)).unwrap();
    let runs = store.runs().unwrap();
    assert_eq!(runs.len(), 2);
    for record in store.records_without_bodies(&runs[0].id).unwrap() {
        if record.host_platform.as_deref() == Some("wechat") && record.link_platform == target {
            pairs += 1;
        }
    }
    assert!(pairs > 0, "WeChat contexts with links to {target}");
    let report = linkgate(
        dir,
        &[
            "report",
            "--db",
            &db,
            "--run",
            &runs[1].id,
            "--out",
            "report/latest",
        ],
    )
    .await;
    assert_eq!(report.status.code(), Some(0), "{}", text(&report));
    let html = std::fs::read_to_string(dir.join("report/latest/index.html")).unwrap();
    let start = html.find("id=\"vantages\"").expect("a vantages section");
    let section = &html[start..start + html[start..].find("</section>").unwrap()];
    let rows: Vec<&str> = section.split("<tr class=\"differs\">").skip(1).collect();
    assert_eq!(rows.len(), pairs, "{section}");
    let links_of_target: Vec<String> = store
        .records_without_bodies(&runs[0].id)
        .unwrap()
        .into_iter()
        .filter(|r| r.link_platform == target)
        .map(|r| r.link_id)
        .collect();
    for row in rows {
        assert!(
            links_of_target
                .iter()
                .any(|l| row.contains(&format!(">{l}<"))),
            "a differing pair outside {target}: {row}"
        );
        assert!(row.contains("blocked"), "{row}");
    }
}

/// Every command that works on a history works on a PostgreSQL one, given as `LINKGATE_DB`:
/// run, schedule, report, import, reclassify, verify, prune, triage and `run --due`.
#[tokio::test]
async fn every_history_command_works_on_postgres() {
    use support::scenario::{Timing, scenarios};
    let pg = PgServer::start();
    let db = pg.database();
    let site = support::site::site().await;
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let links = [("open.item", site.url("/item/open"))];
    let hourly = Timing {
        schedule: Some("0 * * * *"),
        timezone: "Asia/Shanghai",
    };
    let root = scenarios(dir, &site.url("/gw"), &links, hourly);
    let root = root.to_str().unwrap();
    let with_db = |args: &[&str]| {
        let mut c = command(dir, args);
        c.env("LINKGATE_DB", &db);
        c
    };
    let ok = |output: std::process::Output, what: &str| {
        assert_eq!(output.status.code(), Some(0), "{what}: {}", text(&output));
        text(&output)
    };
    let fast = ["--interval", "0s", "--per-host", "16", "--timeout", "5s"];
    let first = with_db(&[&["run", root, "--due"][..], &fast].concat())
        .output()
        .await
        .unwrap();
    let first = ok(first, "run --due");
    assert!(first.contains("history:  postgres://linkgate@"), "{first}");
    assert!(
        first.contains("evidence: in the history database"),
        "{first}"
    );
    assert!(
        !dir.join("reports/linkgate.db").exists(),
        "no SQLite file was made"
    );
    let schedule = ok(
        with_db(&["schedule", root]).output().await.unwrap(),
        "schedule",
    );
    assert!(schedule.contains("test-audit"), "{schedule}");
    let again = ok(
        with_db(&[&["run", root, "--due"][..], &fast].concat())
            .output()
            .await
            .unwrap(),
        "run --due again",
    );
    assert!(
        !again.contains("run "),
        "not due twice in one slot: {again}"
    );

    std::fs::create_dir_all(dir.join("phone")).unwrap();
    std::fs::write(dir.join("phone/live.png"), b"\x89PNG\r\n\x1a\nlive").unwrap();
    std::fs::write(
        dir.join("phone/observations.csv"),
        "context,link,verdict,mechanism,observed_at,screenshot,analyst,note\n\
         wechat.android.private_chat,open.item,blocked,stop_page,2026-11-20 10:15,live.png,Li Wei,\n",
    )
    .unwrap();
    ok(
        with_db(&["import", "phone/observations.csv", "-s", root])
            .output()
            .await
            .unwrap(),
        "import",
    );
    ok(
        with_db(&["reclassify", "-s", root]).output().await.unwrap(),
        "reclassify",
    );
    let verify = ok(with_db(&["verify"]).output().await.unwrap(), "verify");
    assert!(verify.contains("all is well"), "{verify}");
    ok(with_db(&["report", root]).output().await.unwrap(), "report");
    ok(
        with_db(&["prune", "--keep", "1", "--dry-run"])
            .output()
            .await
            .unwrap(),
        "prune",
    );
    ok(with_db(&["triage"]).output().await.unwrap(), "triage");
    let store = Store::open(Location::parse(&db)).unwrap();
    assert_eq!(
        store.runs().unwrap().len(),
        2,
        "the measured run and the imported one"
    );
}

/// Regression guard for a shared history on another machine: the connection is encrypted
/// whenever the server offers TLS, and the server's certificate is checked (against the
/// system's roots and `PGSSLROOTCERT`), so rows cannot be written through a man in the middle.
/// The server here refuses any connection that is not TLS.
#[tokio::test]
async fn a_postgres_history_is_reached_over_verified_tls() {
    let pem = support::tls::pem_files();
    let pg = PgServer::start_tls(&pem);
    let db = pg.database();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    std::fs::write(dir.join("db-ca.pem"), &pem.ca).unwrap();
    let schedule = |root_cert: Option<&str>| {
        let mut c = command(dir, &["schedule", "--db", &db]);
        match root_cert {
            Some(path) => c.env("PGSSLROOTCERT", path),
            None => c.env_remove("PGSSLROOTCERT"),
        };
        c.output()
    };
    let unverified = schedule(None).await.unwrap();
    assert_eq!(unverified.status.code(), Some(1), "{}", text(&unverified));
    assert!(
        text(&unverified).contains("cannot connect to the PostgreSQL history"),
        "{}",
        text(&unverified)
    );
    assert!(
        text(&unverified).contains("set PGSSLROOTCERT"),
        "{}",
        text(&unverified)
    );
    let trusted = schedule(Some("db-ca.pem")).await.unwrap();
    assert_eq!(trusted.status.code(), Some(0), "{}", text(&trusted));
    let missing = schedule(Some("nowhere.pem")).await.unwrap();
    assert!(
        text(&missing).contains("PGSSLROOTCERT nowhere.pem"),
        "{}",
        text(&missing)
    );
}
