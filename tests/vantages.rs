//! Vantages compared: two runs of one day from two vantages, where the host blocks one link at
//! one vantage only. The report marks exactly that pair, with each vantage's verdict.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use support::site::{LANDING, STOP_PAGE, gateway};
use support::{Reply, Server, cli::*, history::*, scenario::*};

#[tokio::test]
async fn the_report_marks_exactly_the_pairs_whose_verdict_differs_between_vantages() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let blocking = Arc::new(AtomicBool::new(false));
    let site = Server::start({
        let blocking = blocking.clone();
        move |r| match r.route() {
            "/gw" if r.path.contains("local") && blocking.load(Ordering::SeqCst) => {
                Reply::html(STOP_PAGE)
            }
            "/gw" => gateway(r),
            _ => Reply::html(LANDING),
        }
    })
    .await;
    let links = [
        ("local.item", site.url("/item/local")),
        ("open.item", site.url("/item/open")),
        ("blocked.item", site.url("/item/blocked")),
    ];
    let root = scenarios(dir, &site.url("/gw"), &links, UNSCHEDULED);
    let first = run(dir, &root, &["--vantage", "beijing"]).await;
    assert_eq!(first.status.code(), Some(0), "{}", text(&first));
    blocking.store(true, Ordering::SeqCst);
    let second = run(dir, &root, &["--vantage", "shanghai"]).await;
    assert_eq!(second.status.code(), Some(0), "{}", text(&second));

    // The second run's report: it is written when the day already has both vantages.
    let newest = runs(dir)
        .into_iter()
        .find(|(r, _)| r.vantage == "shanghai")
        .unwrap()
        .0
        .id;
    let report =
        std::fs::read_to_string(dir.join("reports").join(newest).join("index.html")).unwrap();
    let start = report.find("id=\"vantages\"").expect("a vantages section");
    let section = &report[start..start + report[start..].find("</section>").unwrap()];
    assert!(
        section.contains("beijing") && section.contains("shanghai"),
        "{section}"
    );
    assert_eq!(section.matches("class=\"differs\"").count(), 1, "{section}");
    assert!(
        section.contains("local.item") && !section.contains("open.item"),
        "{section}"
    );
    assert!(
        section.contains("opened/") && section.contains("blocked/stop_page"),
        "{section}"
    );
}
