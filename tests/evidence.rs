//! Evidence that holds up outside linkgate: manifests signed with a key kept elsewhere and
//! checked with OpenSSH's own `ssh-keygen -Y verify`; trusted timestamps from an RFC 3161
//! authority (OpenSSL's, started here) checked with `openssl ts -verify`; evidence files
//! sealed byte for byte. Every tampering case makes `verify` exit 1, naming the file and why.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::tsa::Tsa;
use support::{cli::*, history::*, scenario::*, site::*};

/// The two sealed runs' folders, oldest first.
fn run_folders(dir: &Path) -> Vec<PathBuf> {
    runs(dir)
        .into_iter()
        .map(|(r, _)| dir.join("reports").join(r.id))
        .collect()
}

async fn verify(dir: &Path, tsa: &Tsa) -> std::process::Output {
    let cert = tsa.cert.to_str().unwrap();
    linkgate(
        dir,
        &[
            "verify",
            "--out",
            "reports",
            "--trusted-key",
            "k.pub",
            "--tsa-cert",
            cert,
        ],
    )
    .await
}

/// Runs `edit`, checks that verify fails naming `file` and `why`, then puts the file back.
async fn tampered(dir: &Path, tsa: &Tsa, file: &Path, why: &str, edit: impl FnOnce(&Path)) {
    let pristine = std::fs::read(file).unwrap();
    edit(file);
    let output = verify(dir, tsa).await;
    let said = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{why}: {}", text(&output));
    let name = file.file_name().unwrap().to_str().unwrap();
    assert!(
        said.contains(name) && said.contains(why),
        "expected {name}: {why} in\n{said}"
    );
    std::fs::write(file, pristine).unwrap();
}

fn append(bytes: &'static [u8]) -> impl FnOnce(&Path) {
    move |path| {
        let mut all = std::fs::read(path).unwrap();
        all.extend_from_slice(bytes);
        std::fs::write(path, all).unwrap();
    }
}

#[tokio::test]
async fn a_signed_timestamped_run_holds_and_every_tampering_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let tsa = Tsa::start(&dir.join("tsa")).await;
    let site = changing_site().await;
    let links = [
        ("open.item", site.url("/item/open")),
        ("blocked.item", site.url("/item/blocked")),
    ];
    let root = scenarios(dir, &site.url("/gw"), &links, UNSCHEDULED);
    let made = linkgate(dir, &["key", "new", "k"]).await;
    assert_eq!(made.status.code(), Some(0), "{}", text(&made));
    for _ in 0..2 {
        let output = run(dir, &root, &["--sign-key", "k", "--tsa", &tsa.url()]).await;
        assert_eq!(output.status.code(), Some(0), "{}", text(&output));
        assert!(
            !stderr(&output).contains("without a timestamp"),
            "{}",
            text(&output)
        );
    }
    let output = verify(dir, &tsa).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));

    // The standard tools agree, without linkgate.
    let folders = run_folders(dir);
    let manifest = folders[1].join("manifest.json");
    let public = std::fs::read_to_string(dir.join("k.pub")).unwrap();
    std::fs::write(dir.join("allowed_signers"), format!("linkgate {public}")).unwrap();
    let ssh = Command::new("ssh-keygen")
        .args([
            "-Y",
            "verify",
            "-f",
            "allowed_signers",
            "-I",
            "linkgate",
            "-n",
            "linkgate-manifest",
            "-s",
        ])
        .arg(folders[1].join("manifest.json.sig"))
        .current_dir(dir)
        .stdin(std::fs::File::open(&manifest).unwrap())
        .output()
        .unwrap();
    assert!(
        ssh.status.success(),
        "ssh-keygen: {}",
        String::from_utf8_lossy(&ssh.stderr)
    );
    let ts = Command::new("openssl")
        .args(["ts", "-verify", "-in"])
        .arg(folders[1].join("manifest.json.tsr"))
        .arg("-data")
        .arg(&manifest)
        .arg("-CAfile")
        .arg(&tsa.ca)
        .output()
        .unwrap();
    assert!(
        ts.status.success(),
        "openssl ts: {}",
        String::from_utf8_lossy(&ts.stderr)
    );

    // A changed manifest (a byte that leaves its JSON the same): the signature and the token
    // no longer match it.
    let signature = folders[1].join("manifest.json.sig");
    let token = folders[1].join("manifest.json.tsr");
    tampered(
        dir,
        &tsa,
        &manifest,
        "the signature does not match",
        append(b"\n"),
    )
    .await;
    tampered(
        dir,
        &tsa,
        &manifest,
        "vouches for other bytes",
        append(b"\n"),
    )
    .await;
    // Another run's signature, another run's token.
    let older_sig = folders[0].join("manifest.json.sig");
    tampered(dir, &tsa, &signature, "does not match", |p| {
        std::fs::copy(&older_sig, p).unwrap();
    })
    .await;
    let older_token = folders[0].join("manifest.json.tsr");
    tampered(dir, &tsa, &token, "vouches for other bytes", |p| {
        std::fs::copy(&older_token, p).unwrap();
    })
    .await;
    // An unsigned manifest.
    tampered(dir, &tsa, &manifest, "not signed", |_| {
        std::fs::rename(&signature, dir.join("sig.away")).unwrap();
    })
    .await;
    std::fs::rename(dir.join("sig.away"), &signature).unwrap();
    // Bytes appended to a stored page: the page reads the same, the file is not the one sealed.
    let evidence = std::fs::read_dir(dir.join("reports/evidence"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".gz"))
        .expect("an evidence file");
    tampered(
        dir,
        &tsa,
        &evidence,
        "not the one sealed",
        append(b"trailing"),
    )
    .await;
    let output = verify(dir, &tsa).await;
    assert_eq!(
        output.status.code(),
        Some(0),
        "all restored: {}",
        text(&output)
    );

    // A run folder copied in from another history is named: its rows are not in this one.
    let other = tempfile::tempdir().unwrap();
    let root = scenarios(other.path(), &site.url("/gw"), &links, UNSCHEDULED);
    let output = run(
        other.path(),
        &root,
        &["--sign-key", dir.join("k").to_str().unwrap()],
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let stranger = run_folders(other.path()).remove(0);
    let copied = dir.join("reports").join(stranger.file_name().unwrap());
    let cp = Command::new("cp")
        .arg("-r")
        .arg(&stranger)
        .arg(&copied)
        .status()
        .unwrap();
    assert!(cp.success());
    let output = verify(dir, &tsa).await;
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        stdout(&output).contains("no rows for this run"),
        "{}",
        text(&output)
    );
}

#[tokio::test]
async fn a_tsa_that_does_not_answer_does_not_fail_the_run_and_the_timestamp_comes_later() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let site = site().await;
    let links = [("open.item", site.url("/item/open"))];
    let root = scenarios(dir, &site.url("/gw"), &links, UNSCHEDULED);
    let output = run(dir, &root, &["--tsa", "http://127.0.0.1:9/tsa"]).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(
        stderr(&output).contains("sealed without a timestamp"),
        "{}",
        text(&output)
    );
    let tsa = Tsa::start(&dir.join("tsa")).await;
    let cert = tsa.cert.to_str().unwrap();
    let args = ["verify", "--out", "reports", "--tsa-cert", cert];
    let check = || linkgate(dir, &args);
    let output = check().await;
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        stdout(&output).contains("no timestamp"),
        "{}",
        text(&output)
    );
    let id = only_run(dir).0.id;
    let later = linkgate(
        dir,
        &["timestamp", &id, "--tsa", &tsa.url(), "--out", "reports"],
    )
    .await;
    assert_eq!(later.status.code(), Some(0), "{}", text(&later));
    assert!(
        stdout(&later).contains("manifest.json.tsr"),
        "{}",
        text(&later)
    );
    let output = check().await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
}

/// Regression: a key file that is already there was a runtime failure (exit 1), though the
/// fix is the user's (another file name).
#[tokio::test]
async fn a_new_key_never_overwrites_one_and_says_so_as_invalid_input() {
    let dir = tempfile::tempdir().unwrap();
    let made = linkgate(dir.path(), &["key", "new", "k"]).await;
    assert_eq!(made.status.code(), Some(0), "{}", text(&made));
    let again = linkgate(dir.path(), &["key", "new", "k"]).await;
    assert_eq!(again.status.code(), Some(3), "{}", text(&again));
    assert!(
        stderr(&again).contains("k already exists"),
        "{}",
        text(&again)
    );
}
