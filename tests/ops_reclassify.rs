//! `linkgate reclassify`: after a signature is added, stored observations get the verdicts the
//! new signature set gives, with the control pairing of a run; the history records which set
//! produced them; the CSV is written again and sealed as an amendment, and the chain verifies.

mod support;

use linkgate::manifest::{EntryKind, Manifest};
use linkgate::model::{ProbeRole, VerdictKind};
use support::{Reply, Server, cli::*, fixtures::fixture, history::*, scenario::*, site::*};

const WARNING_PAGE: &str = include_str!("../scenarios/signatures/fixtures/wechat/warning.html");

#[tokio::test]
async fn reclassify_after_a_signature_change_updates_verdicts_csv_and_seal() {
    let site = Server::start(|r| match r.route() {
        "/gw" if r.path.contains("warn") => Reply::html(WARNING_PAGE),
        "/gw" => gateway(r),
        _ => Reply::html(LANDING),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let links = [
        ("warn.item", site.url("/item/warn")),
        ("open.item", site.url("/item/open")),
    ];
    let root = scenarios(dir.path(), &site.url("/gw"), &links, UNSCHEDULED);
    let output = run(dir.path(), &root, &[]).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let (run_record, records) = runs(dir.path()).remove(0);
    let warned = records
        .iter()
        .find(|r| r.link_id == "warn.item" && r.role == ProbeRole::Rival)
        .unwrap();
    // No signature knows WeChat's warning page yet: a gateway page nobody recognises.
    assert_eq!(warned.verdict.kind, VerdictKind::Inconclusive);
    assert_eq!(warned.verdict.mechanism, "unrecognized_page");

    // Nothing changes with the same signatures.
    let root_arg = root.to_str().unwrap();
    let output = linkgate(dir.path(), &["reclassify", "-s", root_arg]).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(
        stdout(&output).contains("0 of 4 verdicts changed"),
        "{}",
        text(&output)
    );

    write_signature(
        &root,
        "warning.toml",
        "wechat.warning",
        "interstitial",
        "risk_warning",
        "非微信官方网页",
        &fixture("wechat/warning.html"),
    );
    let output = linkgate(dir.path(), &["reclassify", "-s", root_arg, "--dry-run"]).await;
    assert!(
        stdout(&output).contains("1 of 4 verdicts changed"),
        "{}",
        text(&output)
    );
    assert!(stdout(&output).contains("nothing was written"));
    let output = linkgate(dir.path(), &["reclassify", "-s", root_arg]).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let said = stdout(&output);
    assert!(said.contains("1 of 4 verdicts changed"), "{said}");
    assert!(
        said.contains(
            "test-audit|wechat.android.private_chat|warn.item: inconclusive/unrecognized_page (-) \
             -> interstitial/risk_warning (wechat.warning)"
        ),
        "{said}"
    );

    let records = store(dir.path()).records(&run_record.id).unwrap();
    let warned = records
        .iter()
        .find(|r| r.link_id == "warn.item" && r.role == ProbeRole::Rival)
        .unwrap();
    assert_eq!(warned.verdict.kind, VerdictKind::Interstitial);
    assert_eq!(warned.control_verdict, Some(VerdictKind::Opened));
    // The observation is untouched: only its verdict was recomputed.
    assert_eq!(warned.observation.body, WARNING_PAGE);

    // Every recomputed verdict names the signature set that made it.
    let catalog = linkgate::catalog::Catalog::load(&[&root]).unwrap();
    let set = linkgate::reclassify::signature_set(&catalog.files);
    let conn = rusqlite::Connection::open(dir.path().join("reports/linkgate.db")).unwrap();
    let sets: Vec<Option<String>> = conn
        .prepare("SELECT signature_set FROM verdicts")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(sets, vec![Some(set.clone()); 4]);

    let folder = dir.path().join("reports").join(&run_record.id);
    let csv = std::fs::read_to_string(folder.join("observations.csv")).unwrap();
    assert!(csv.contains("interstitial,risk_warning"), "{csv}");
    let amendments: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("amendment-"))
        .collect();
    assert_eq!(
        amendments,
        ["amendment-2.json"],
        "one amendment, for the one real change"
    );
    let amendment: Manifest =
        serde_json::from_slice(&std::fs::read(folder.join(&amendments[0])).unwrap()).unwrap();
    assert_eq!(amendment.kind, EntryKind::Reclassify);
    assert_eq!(amendment.signature_set.as_deref(), Some(set.as_str()));
    assert_eq!(amendment.previous.unwrap().sequence, 1);

    let output = linkgate(dir.path(), &["verify"]).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(
        stdout(&output).contains("1 amendment(s)"),
        "{}",
        text(&output)
    );
}
