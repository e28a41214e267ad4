//! The pack travels with the binary: in a folder without `scenarios/`, the built binary (run
//! with that folder as its working directory, as an installed one would be) validates, plans,
//! classifies and runs the demo with the pack compiled into it, and says so once; a
//! `scenarios/` folder there, or a path given, wins; `linkgate init` writes the pack out; and
//! a copy of `scenarios/` outside the repository is a complete pack on its own.

mod support;

use std::path::Path;
use std::process::Output;

use linkgate::catalog::{Catalog, Tree, bundle};
use linkgate::classify::{Situation, classify};
use support::fixtures::observation_of;

/// The notice, with as many files as the pack holds when the tests are built.
fn notice() -> String {
    let n = Catalog::load_bundled().unwrap().files.len();
    format!("using the bundled pack miit-2021 ({n} files)")
}

fn scenario_files() -> usize {
    Catalog::load_bundled().unwrap().files.len()
}

fn linkgate(dir: &Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_linkgate"))
        .current_dir(dir)
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .unwrap()
}

fn ok(output: &Output) -> (String, String) {
    let text = support::cli::text(output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

fn repo_scenarios() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios"))
}

#[test]
fn in_an_empty_folder_validate_plan_and_classify_use_the_bundled_pack_and_say_so_once() {
    let dir = tempfile::tempdir().unwrap();
    let (stdout, stderr) = ok(&linkgate(dir.path(), &["validate"]));
    assert!(stdout.starts_with("ok: 15 platforms"), "{stdout}");
    assert!(
        stdout.contains(&format!("({} files)", scenario_files())),
        "{stdout}"
    );
    assert_eq!(stderr.matches(&notice()).count(), 1, "{stderr}");

    let (stdout, stderr) = ok(&linkgate(dir.path(), &["plan", "--json"]));
    assert!(stdout.contains("\"role\": \"control\""), "{stdout}");
    assert_eq!(stderr.matches(&notice()).count(), 1, "{stderr}");

    // A bundled fixture page, saved where an analyst would have saved it.
    let catalog = Catalog::load_bundled().unwrap();
    let stop = catalog.signature("wechat.stop").unwrap();
    std::fs::write(
        dir.path().join("page.html"),
        catalog.fixture_page(stop).unwrap(),
    )
    .unwrap();
    let url = stop.fixture_url.as_deref().unwrap();
    let (stdout, stderr) = ok(&linkgate(
        dir.path(),
        &["classify", "page.html", "--url", url, "--host", "wechat"],
    ));
    assert!(stdout.contains("blocked"), "{stdout}");
    assert!(stdout.contains("wechat.stop"), "{stdout}");
    assert_eq!(stderr.matches(&notice()).count(), 1, "{stderr}");
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(
        left.len(),
        1,
        "only the page saved: nothing written beside it"
    );
}

#[test]
fn in_an_empty_folder_the_demo_runs_the_bundled_pack_and_records_its_hashes() {
    let dir = tempfile::tempdir().unwrap();
    let (stdout, stderr) = ok(&linkgate(dir.path(), &["demo", "--date", "2022-03-15"]));
    assert!(stdout.contains("(simulated)"), "{stdout}");
    assert_eq!(stderr.matches(&notice()).count(), 1, "{stderr}");
    let store = linkgate::store::Store::open(dir.path().join("reports/demo/linkgate.db")).unwrap();
    let runs = store.runs().unwrap();
    assert_eq!(runs.len(), 1);
    let files = &runs[0].scenario_files;
    assert_eq!(files.len(), scenario_files());
    for file in files {
        let inside = file.path.strip_prefix("<bundled>/").unwrap_or_else(|| {
            panic!("{} should be named as a bundled file", file.path);
        });
        let bytes = bundle::file(inside).unwrap();
        assert_eq!(file.sha256, sha256(bytes), "{}", file.path);
    }
}

#[test]
fn a_scenarios_folder_in_the_working_directory_or_a_path_given_wins() {
    let dir = tempfile::tempdir().unwrap();
    // A pack of its own: the bundled one without its links to Alibaba's platforms.
    copy_dir(repo_scenarios(), &dir.path().join("scenarios"));
    std::fs::remove_file(dir.path().join("scenarios/links/alibaba.toml")).unwrap();
    let (stdout, stderr) = ok(&linkgate(dir.path(), &["validate"]));
    let one_less = format!("({} files)", scenario_files() - 1);
    assert!(stdout.contains(&one_less), "{stdout}");
    assert!(!stderr.contains("bundled"), "{stderr}");

    let given = tempfile::tempdir().unwrap();
    copy_dir(&repo_scenarios().join("signatures"), given.path());
    let output = linkgate(dir.path(), &["validate", given.path().to_str().unwrap()]);
    let text = support::cli::text(&output);
    // Signatures alone name platforms they do not declare: the path given was read, not the
    // folder in the working directory nor the bundled pack.
    assert_eq!(output.status.code(), Some(3), "{text}");
    assert!(text.contains(given.path().to_str().unwrap()), "{text}");
    assert!(!text.contains("bundled"), "{text}");
}

#[test]
fn a_copy_of_the_scenarios_folder_outside_the_repository_validates() {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("my-pack");
    copy_dir(repo_scenarios(), &pack);
    let elsewhere = tempfile::tempdir().unwrap();
    let (stdout, stderr) = ok(&linkgate(
        elsewhere.path(),
        &["validate", pack.to_str().unwrap()],
    ));
    assert!(stdout.starts_with("ok: "), "{stdout}");
    assert!(
        stdout.contains(&format!("({} files)", scenario_files())),
        "{stdout}"
    );
    assert!(!stderr.contains("bundled"), "{stderr}");
    // And the copy says the same as the pack it was copied from.
    let copy = Catalog::load(&[&pack]).unwrap();
    let original = Catalog::load(&[repo_scenarios()]).unwrap();
    let ids = |c: &Catalog| {
        c.signatures
            .iter()
            .map(|s| s.id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&copy), ids(&original));
}

#[test]
fn init_writes_the_pack_out_refuses_to_overwrite_and_forces_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let (stdout, _) = ok(&linkgate(dir.path(), &["init"]));
    let wrote = format!(
        "wrote the bundled pack into scenarios: {} files",
        bundle::files().len()
    );
    assert!(stdout.contains(&wrote), "{stdout}");
    let written = Catalog::load(&[dir.path().join("scenarios")]).unwrap();
    assert_eq!(written.files.len(), scenario_files());
    for file in bundle::files() {
        let on_disk = std::fs::read(dir.path().join("scenarios").join(file.path)).unwrap();
        assert_eq!(on_disk, file.bytes, "{}", file.path);
    }
    // Now the folder's pack is used, not the bundled one.
    let (_, stderr) = ok(&linkgate(dir.path(), &["validate"]));
    assert!(!stderr.contains("bundled"), "{stderr}");

    let edited = dir.path().join("scenarios/audits.toml");
    std::fs::write(&edited, "# mine\n").unwrap();
    let output = linkgate(dir.path(), &["init"]);
    let text = support::cli::text(&output);
    assert_eq!(output.status.code(), Some(3), "{text}");
    assert!(text.contains("nothing was written"), "{text}");
    assert!(text.contains("--force"), "{text}");
    assert_eq!(std::fs::read_to_string(&edited).unwrap(), "# mine\n");

    let (stdout, _) = ok(&linkgate(dir.path(), &["init", "--force"]));
    assert!(stdout.contains("overwritten"), "{stdout}");
    assert_eq!(
        std::fs::read(&edited).unwrap(),
        bundle::file("audits.toml").unwrap()
    );

    let (stdout, _) = ok(&linkgate(dir.path(), &["init", "elsewhere"]));
    assert!(stdout.contains("linkgate validate elsewhere"), "{stdout}");
    ok(&linkgate(dir.path(), &["validate", "elsewhere"]));
}

#[test]
fn the_bundled_pack_is_the_repository_pack_read_from_the_binary() {
    let bundled = Catalog::load_bundled().unwrap();
    let on_disk = Catalog::load(&[repo_scenarios()]).unwrap();
    assert_eq!(bundled.tree, Tree::Bundled);
    let ids = |c: &Catalog| {
        c.signatures
            .iter()
            .map(|s| s.id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids(&bundled),
        ids(&on_disk),
        "same signatures in the same order"
    );
    let files = |c: &Catalog, root: &str| {
        c.files
            .iter()
            .map(|f| {
                (
                    f.path.strip_prefix(root).unwrap().to_string(),
                    f.sha256.clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    let disk_root = format!("{}/", repo_scenarios().display());
    assert_eq!(files(&bundled, "<bundled>/"), files(&on_disk, &disk_root));
}

#[test]
fn every_bundled_signature_classifies_its_bundled_fixture_page() {
    let catalog = Catalog::load_bundled().unwrap();
    for signature in &catalog.signatures {
        assert!(
            signature.fixture.starts_with("<bundled>/signatures/"),
            "{}",
            signature.fixture.display()
        );
        let bytes = catalog.fixture_page(signature).unwrap();
        let url = signature
            .fixture_url
            .clone()
            .unwrap_or_else(|| "https://fixture.linkgate.invalid/page".to_string());
        let situation = Situation {
            host: signature.hosts.0.first().map(String::as_str),
            target: signature.targets.0.first().map(String::as_str),
            ..Situation::default()
        };
        let verdict = classify(
            &observation_of(&url, &bytes),
            &situation,
            &catalog.signatures,
        );
        assert_eq!(
            verdict.verdict.signature.as_deref(),
            Some(signature.id.as_str()),
            "{}: {}",
            signature.id,
            verdict.verdict.reason
        );
    }
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// A run from an empty folder with the bundled pack, through the simulator: it passes the
/// preflight, completes, and its manifest names the bundled files with their hashes.
#[tokio::test]
async fn a_sealed_run_of_the_bundled_pack_records_its_files_in_the_manifest() {
    use linkgate::sim::{SimConfig, Simulator, World};
    let sim = Simulator::start(SimConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        world: World::bundled(),
        date: chrono::NaiveDate::from_ymd_opt(2022, 3, 15).unwrap(),
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("sim-ca.pem");
    std::fs::write(&ca, sim.ca_pem()).unwrap();
    let proxy = sim.proxy_url();
    let args = [
        "run",
        "--proxy",
        &proxy,
        "--ca-cert",
        "sim-ca.pem",
        "--host",
        "wechat",
        "--target",
        "taobao",
        "--interval",
        "0s",
        "--per-host",
        "16",
    ];
    let output = support::cli::linkgate(dir.path(), &args).await;
    let (stdout, stderr) = ok(&output);
    assert_eq!(stderr.matches(&notice()).count(), 1, "{stderr}");
    let manifest = stdout
        .lines()
        .find_map(|l| l.strip_prefix("manifest: "))
        .unwrap_or_else(|| panic!("no manifest:\n{stdout}"));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join(manifest.trim())).unwrap()).unwrap();
    let files = manifest["run"]["scenario_files"].as_array().unwrap();
    assert_eq!(files.len(), scenario_files());
    for file in files {
        let path = file["path"].as_str().unwrap();
        let inside = path.strip_prefix("<bundled>/").unwrap();
        assert_eq!(
            file["sha256"],
            sha256(bundle::file(inside).unwrap()),
            "{path}"
        );
    }
    sim.shutdown().await;
}
