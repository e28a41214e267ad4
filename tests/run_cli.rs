//! `linkgate run` end to end: the real binary against local servers on 127.0.0.1, with
//! scenario files written for each test. Covers the verdicts a run stores, the control logic,
//! the CSV, exit codes, interruption and resume, and the network flags.

mod support;

use std::time::Duration;

use linkgate::model::{ProbeRole, RunStatus, VerdictKind};
use support::{
    Reply, Server,
    cli::{self, command, terminate, text},
    faults,
    history::*,
    proxy::Proxy,
    scenario::*,
    site::*,
    tls,
};

fn verdict_of(
    records: &[linkgate::model::Record],
    link: &str,
    role: ProbeRole,
) -> (VerdictKind, String) {
    let r = records
        .iter()
        .find(|r| r.link_id == link && r.role == role)
        .unwrap_or_else(|| panic!("no {role} record for {link}"));
    (r.verdict.kind, r.verdict.mechanism.clone())
}

#[tokio::test]
async fn a_run_stores_opened_and_blocked_verdicts_and_writes_the_csv() {
    let site = site().await;
    let dir = tempfile::tempdir().unwrap();
    let links = [
        ("open.item", site.url("/item/open")),
        ("blocked.item", site.url("/item/blocked")),
    ];
    let root = scenarios(dir.path(), &site.url("/gw"), &links, UNSCHEDULED);
    let output = cli::run(dir.path(), &root, &[]).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let (run, records) = only_run(dir.path());
    assert_eq!(run.status, RunStatus::Completed);
    assert_eq!(records.len(), 4);
    assert_eq!(
        verdict_of(&records, "open.item", ProbeRole::Rival),
        (VerdictKind::Opened, "direct".into())
    );
    assert_eq!(
        verdict_of(&records, "blocked.item", ProbeRole::Rival),
        (VerdictKind::Blocked, "stop_page".into())
    );
    assert_eq!(
        verdict_of(&records, "blocked.item", ProbeRole::Control).0,
        VerdictKind::Opened
    );
    // The context's headers reached the gateway, the control's did not.
    let gateway_hits = site.hits("/gw");
    assert!(
        gateway_hits
            .iter()
            .all(|r| r.header("x-requested-with") == Some("com.tencent.mm"))
    );
    assert!(
        site.hits("/item/open")
            .iter()
            .any(|r| r.header("x-requested-with").is_none())
    );

    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("completed"), "{stdout}");
    assert!(stdout.contains("wechat"), "{stdout}");
    // The summary names the CSV under the --out folder as it was given (`reports`).
    let csv_path = std::path::Path::new("reports")
        .join(&run.id)
        .join("observations.csv");
    assert!(stdout.contains(&csv_path.display().to_string()), "{stdout}");
    let csv = std::fs::read_to_string(dir.path().join(&csv_path)).unwrap();
    let header = csv.trim_start_matches('\u{feff}').lines().next().unwrap();
    assert_eq!(
        header,
        "run_id,observed_at,audit,context,host_platform,scene,client,link_id,link_platform,\
         link_category,url,engine,verdict,mechanism,actor,signature,http_status,final_url,hops,\
         title,control_verdict,attempts,duration_ms,error,continue_url"
    );
    assert_eq!(csv.lines().count(), 5);
    assert!(csv.contains("商品详情"));
}

#[tokio::test]
async fn a_target_down_for_the_control_too_is_inconclusive_target_down() {
    let site = site().await;
    let down = faults::resetting().await;
    let dir = tempfile::tempdir().unwrap();
    let root = scenarios(
        dir.path(),
        &site.url("/gw"),
        &[("down.item", down.url("/item/x"))],
        UNSCHEDULED,
    );
    let output = cli::run(dir.path(), &root, &[]).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let (_, records) = only_run(dir.path());
    assert_eq!(
        verdict_of(&records, "down.item", ProbeRole::Control),
        (VerdictKind::Inconclusive, "reset".into())
    );
    assert_eq!(
        verdict_of(&records, "down.item", ProbeRole::Rival),
        (VerdictKind::Inconclusive, "target_down".into())
    );
    let rival = records.iter().find(|r| r.role == ProbeRole::Rival).unwrap();
    assert_eq!(rival.control_verdict, Some(VerdictKind::Inconclusive));
}

#[tokio::test]
async fn fail_on_blocked_exits_2_and_bad_scenarios_exit_3() {
    let site = site().await;
    let dir = tempfile::tempdir().unwrap();
    let root = scenarios(
        dir.path(),
        &site.url("/gw"),
        &[("blocked.item", site.url("/item/blocked"))],
        UNSCHEDULED,
    );
    let output = cli::run(dir.path(), &root, &["--fail-on", "blocked,inconclusive"]).await;
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    let output = cli::run(dir.path(), &root, &["--fail-on", "opened"]).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));

    std::fs::write(root.join("broken.toml"), "[[link]]\nid = 3\n").unwrap();
    let output = cli::run(dir.path(), &root, &[]).await;
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    assert!(String::from_utf8_lossy(&output.stderr).contains("broken.toml"));
}

#[tokio::test]
async fn sigterm_stops_the_run_and_resume_measures_only_what_is_missing() {
    let site = Server::start(|r| match r.route() {
        "/gw" => gateway(r),
        _ => Reply::html(LANDING).delay(Duration::from_millis(700)),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let links: Vec<(String, String)> = (0..12)
        .map(|i| (format!("item{i:02}"), site.url(&format!("/item/{i}"))))
        .collect();
    let links: Vec<(&str, String)> = links
        .iter()
        .map(|(id, url)| (id.as_str(), url.clone()))
        .collect();
    let root = scenarios(dir.path(), &site.url("/gw"), &links, UNSCHEDULED);

    let root_arg = root.to_str().unwrap();
    let args = ["run", root_arg, "--out", "reports"];
    let slow = ["--interval", "0s", "--concurrency", "2", "--retries", "0"];
    let mut child = command(dir.path(), &[&args[..], &slow[..]].concat())
        .spawn()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(terminate(&mut child).await, Some(1));
    let (run, records) = only_run(dir.path());
    assert_eq!(run.status, RunStatus::Interrupted);
    assert!(
        !records.is_empty() && records.len() < 24,
        "{} records",
        records.len()
    );
    let before = records.len();

    let output = cli::run(
        dir.path(),
        &root,
        &["--resume", &run.id, "--concurrency", "8"],
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let (run, records) = only_run(dir.path());
    assert_eq!(run.status, RunStatus::Completed);
    assert_eq!(records.len(), 24);
    let measured_now: usize = String::from_utf8_lossy(&output.stdout)
        .split(" measured now")
        .next()
        .and_then(|s| s.rsplit(", ").next())
        .and_then(|n| n.trim().parse().ok())
        .expect("the summary says how many were measured now");
    assert!(
        measured_now <= 24 - before + 2,
        "resume re-measured too much: {measured_now}"
    );
    // Each (context, link) appears once: resume replaced, it did not duplicate.
    let mut keys: Vec<String> = records.iter().map(|r| r.key()).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 24);
}

#[tokio::test]
async fn ca_cert_and_resolve_flags_reach_the_engine() {
    let pki = tls::pki();
    let secure = Server::start_tls(|_| Reply::html(LANDING), pki.acceptor.clone()).await;
    let plain = Server::start(|_| Reply::html(LANDING)).await;
    let gw = Server::start(gateway).await;
    let resolved = format!("http://shop.linkgate.test:{}/item/r", plain.port);
    let links = [
        ("tls.item", secure.url("/item/tls")),
        ("resolved.item", resolved),
    ];

    let without = tempfile::tempdir().unwrap();
    let root = scenarios(without.path(), &gw.url("/gw"), &links, UNSCHEDULED);
    let output = cli::run(without.path(), &root, &[]).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let (_, records) = only_run(without.path());
    assert_eq!(
        verdict_of(&records, "tls.item", ProbeRole::Control),
        (VerdictKind::Inconclusive, "tls".into())
    );
    assert_eq!(
        verdict_of(&records, "resolved.item", ProbeRole::Control).0,
        VerdictKind::Inconclusive
    );

    let with = tempfile::tempdir().unwrap();
    let ca = with.path().join("ca.pem");
    std::fs::write(&ca, &pki.ca_pem).unwrap();
    let resolve = format!("shop.linkgate.test:{}:127.0.0.1", plain.port);
    let root = scenarios(with.path(), &gw.url("/gw"), &links, UNSCHEDULED);
    let output = cli::run(
        with.path(),
        &root,
        &["--ca-cert", ca.to_str().unwrap(), "--resolve", &resolve],
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let (_, records) = only_run(with.path());
    assert_eq!(
        verdict_of(&records, "tls.item", ProbeRole::Control).0,
        VerdictKind::Opened
    );
    assert_eq!(
        verdict_of(&records, "resolved.item", ProbeRole::Control).0,
        VerdictKind::Opened
    );
}

#[tokio::test]
async fn proxy_flag_sends_every_request_through_the_proxy() {
    let site = site().await;
    let proxy = Proxy::start().await;
    let dir = tempfile::tempdir().unwrap();
    let root = scenarios(
        dir.path(),
        &site.url("/gw"),
        &[("open.item", site.url("/item/open"))],
        UNSCHEDULED,
    );
    let output = cli::run(dir.path(), &root, &["--proxy", &proxy.url()]).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let (_, records) = only_run(dir.path());
    assert_eq!(
        verdict_of(&records, "open.item", ProbeRole::Rival).0,
        VerdictKind::Opened
    );
    let forwarded = proxy.forwarded();
    assert!(
        forwarded.iter().any(|u| u.contains("/gw?url=")),
        "{forwarded:?}"
    );
    assert_eq!(forwarded.len(), site.requests().len(), "{forwarded:?}");
}

/// The share-link mechanisms and the failures a real audit meets, in one run of the binary.
#[tokio::test]
async fn every_redirect_kind_and_failure_through_the_binary() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let busy_hits = Arc::new(AtomicUsize::new(0));
    let busy = busy_hits.clone();
    let gbk = encoding_rs::GBK
        .encode("<html><head><title>京东商品</title></head><body>价格</body></html>")
        .0
        .to_vec();
    let site = Server::start(move |r| match r.route() {
        "/gw" => gateway(r),
        "/chain" => Reply::redirect(302, "/chain2"),
        "/chain2" => Reply::redirect(301, "/item/chain"),
        "/meta" => Reply::html("<meta http-equiv=\"refresh\" content=\"0;url=/item/meta\">"),
        "/script" => Reply::html("<script>location.href = '/item/script';</script>"),
        "/hrl" => Reply::html("<script>var hrl='/jda?e=1';</script>"),
        "/jda" => Reply::redirect(302, "/item/hrl"),
        "/sclick" => Reply::html("<script>var real_jump_address = '/sclick2';</script>"),
        "/sclick2" if r.header("referer").is_some_and(|v| v.contains("/sclick")) => {
            Reply::redirect(302, "/item/sclick")
        }
        "/sclick2" => Reply::html("<p>bad referer</p>").status(403),
        "/item/gbk" => Reply::bytes("text/html; charset=GBK", gbk.clone()),
        "/item/huge" => Reply::html(&format!("<title>big</title>{}", "x".repeat(2_000_000))),
        "/loop" => Reply::redirect(302, "/loop"),
        "/busy" if busy.fetch_add(1, Ordering::SeqCst) == 0 => Reply::html("slow down")
            .status(429)
            .header("retry-after", "1"),
        "/busy" => Reply::redirect(302, "/item/busy"),
        _ => Reply::html(LANDING).delay(Duration::from_millis(50)),
    })
    .await;
    let silent = faults::silent().await;
    let reset = faults::resetting().await;
    let links = [
        ("chain", site.url("/chain")),
        ("meta", site.url("/meta")),
        ("script", site.url("/script")),
        ("hrl", site.url("/hrl")),
        ("sclick", site.url("/sclick")),
        ("gbk", site.url("/item/gbk")),
        ("huge", site.url("/item/huge")),
        ("loop", site.url("/loop")),
        ("busy", site.url("/busy")),
        ("silent", silent.url("/item/x")),
        ("reset", reset.url("/item/x")),
    ];
    let dir = tempfile::tempdir().unwrap();
    let root = scenarios(dir.path(), &site.url("/gw"), &links, UNSCHEDULED);
    let flags = [
        "--per-host",
        "2",
        "--concurrency",
        "8",
        "--timeout",
        "2s",
        "--retries",
        "1",
        "--body-cap",
        "100000",
    ];
    let root_arg = root.to_str().unwrap();
    let args = ["run", root_arg, "--out", "reports", "--interval", "0s"];
    let output = cli::linkgate(dir.path(), &[&args[..], &flags[..]].concat()).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let (_, records) = only_run(dir.path());
    let control = |link: &str| {
        records
            .iter()
            .find(|r| r.link_id == link && r.role == ProbeRole::Control)
            .unwrap()
            .clone()
    };
    for link in [
        "chain", "meta", "script", "hrl", "sclick", "gbk", "huge", "busy",
    ] {
        let r = control(link);
        assert_eq!(
            r.verdict.kind,
            VerdictKind::Opened,
            "{link}: {}",
            r.verdict.reason
        );
    }
    let via = |link: &str| {
        control(link)
            .observation
            .hops
            .iter()
            .map(|h| h.via.as_str())
            .collect::<Vec<_>>()
            .join(",")
    };
    assert_eq!(via("chain"), "start,http,http");
    assert_eq!(via("meta"), "start,meta_refresh");
    assert_eq!(via("script"), "start,script");
    assert_eq!(via("hrl"), "start,script,http");
    assert_eq!(via("sclick"), "start,script,http");
    assert_eq!(control("gbk").observation.charset.as_deref(), Some("GBK"));
    assert!(control("gbk").observation.body.contains("京东商品"));
    assert!(control("huge").observation.truncated);
    let busy = control("busy");
    assert!(
        busy.observation.attempts.len() >= 2,
        "{:?}",
        busy.observation.attempts
    );
    assert!(busy.observation.attempts[0].wait_ms.unwrap_or(0) >= 1000);
    assert_eq!(control("loop").verdict.mechanism, "redirect_loop");
    assert_eq!(control("silent").verdict.mechanism, "timeout");
    assert_eq!(control("reset").verdict.mechanism, "reset");
    assert_eq!(
        control("silent").observation.attempts.len(),
        2,
        "a timeout is retried once"
    );
    for link in ["loop", "silent", "reset"] {
        let rival = records
            .iter()
            .find(|r| r.link_id == link && r.role == ProbeRole::Rival)
            .unwrap();
        assert_eq!(rival.verdict.mechanism, "target_down", "{link}");
    }
    assert!(
        site.max_in_flight() <= 2,
        "per-host limit: {} in flight",
        site.max_in_flight()
    );
    let csv = std::fs::read_to_string(
        dir.path()
            .join("reports")
            .join(&records[0].run_id)
            .join("observations.csv"),
    )
    .unwrap();
    assert!(
        csv.contains("meta_refresh 200"),
        "hops column shows how each hop was made"
    );
    assert!(csv.contains("京东商品"));
}
