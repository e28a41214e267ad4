//! The fault catalogue, part 2: whole runs of the real binary under faults of the machine and
//! of the user's input (docs/faults.md lists every scenario; each test here is named as its
//! row there): hostile pages through the run, the report and `verify`; a full disk at several
//! points; read-only media; `kill -9` at several points and `--resume`; two processes; damaged
//! databases; hostile globs, user agents and headers; selections that match nothing.
//!
//! A full disk and read-only media are real: a small tmpfs mounted in a private mount namespace
//! (`unshare -m`, which needs root, as the tests and CI run here), so the process sees ENOSPC
//! and EROFS from the kernel, and nothing outside the test changes.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use linkgate::model::{RunStatus, VerdictKind};
use support::cli::{self, FAST, command, linkgate, run, stderr, stdout, text};
use support::history::{database_ready, only_run, store};
use support::scenario::{Scenario, UNSCHEDULED, scenarios};
use support::site::{LANDING, gateway, site};
use support::{Reply, Server};

const BIN: &str = env!("CARGO_BIN_EXE_linkgate");

fn run_id_in(output: &Output) -> String {
    let log = stderr(output);
    log.split("run=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no run id in {log}"))
        .to_string()
}

async fn verify(dir: &Path) -> Output {
    linkgate(dir, &["verify", "--out", "reports"]).await
}

// ---- hostile pages through the whole run ------------------------------------------------

/// Regression (issue #12): 20,000 nested `<div>` overflowed the stack while the report was
/// rendered, left a completed run without a seal, and `verify` failed for good.
#[tokio::test]
async fn deep_page_through_run_report_and_verify() {
    let deep = format!("<html><title>d</title><body>{}x", "<div>".repeat(20_000));
    let nested = "<span><a><b><i><table>".repeat(5_000);
    let site = Server::start(move |r| match r.route() {
        "/gw" => gateway(r),
        "/item/deep" => Reply::html(&deep),
        _ => Reply::html(&nested),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let links = [
        ("deep", site.url("/item/deep")),
        ("nested", site.url("/item/nested")),
    ];
    let root = scenarios(dir.path(), &site.url("/gw"), &links, UNSCHEDULED);
    let output = run(dir.path(), &root, &[]).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(stdout(&output).contains("manifest:"), "{}", text(&output));
    let report = linkgate(
        dir.path(),
        &[
            "report",
            root.to_str().unwrap(),
            "--db",
            "reports/linkgate.db",
        ],
    )
    .await;
    assert_eq!(report.status.code(), Some(0), "{}", text(&report));
    let checked = verify(dir.path()).await;
    assert_eq!(checked.status.code(), Some(0), "{}", text(&checked));
}

#[tokio::test]
async fn hostile_titles_in_csv_and_html() {
    let site = Server::start(|r| match r.route() {
        "/gw" => gateway(r),
        "/item/formula" => Reply::html("<title>=HYPERLINK(\"http://evil\",\"x\")</title>"),
        _ => Reply::html("<title></title><script>alert(1)</script>&lt;img onerror=x&gt;</title>"),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let links = [
        ("formula", site.url("/item/formula")),
        ("script", site.url("/item/script")),
    ];
    let root = scenarios(dir.path(), &site.url("/gw"), &links, UNSCHEDULED);
    let output = run(dir.path(), &root, &[]).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let (run, _) = only_run(dir.path());
    let folder = dir.path().join("reports").join(&run.id);
    let csv = std::fs::read_to_string(folder.join("observations.csv")).unwrap();
    assert!(
        csv.contains("'=HYPERLINK"),
        "the formula is neutralised:\n{csv}"
    );
    let mut html = String::new();
    for entry in walk(&folder) {
        if entry.extension().is_some_and(|e| e == "html") {
            html.push_str(&std::fs::read_to_string(entry).unwrap());
        }
    }
    assert!(!html.contains("<script>alert(1)"), "page text is escaped");
    assert!(!html.contains("<img onerror"), "page text is escaped");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// Peak memory of the report of a run with one 5 MiB page (a page of NULs and one of `<p>x`,
/// the two worst the issue measured at 1.0 GB and 889 MB): under 150 MB.
#[tokio::test]
async fn five_mib_page_report_memory() {
    let mut nuls = b"<title>nul</title>".to_vec();
    nuls.resize(5 << 20, 0);
    let paragraphs = "<p>x".repeat((5 << 20) / 4);
    let site = Server::start(move |r| match r.route() {
        "/gw" => gateway(r),
        "/item/nul" => Reply::bytes("text/html", nuls.clone()),
        _ => Reply::html(&paragraphs),
    })
    .await;
    for page in ["/item/nul", "/item/p"] {
        let dir = tempfile::tempdir().unwrap();
        let links = [("big", site.url(page))];
        let root = scenarios(dir.path(), &site.url("/gw"), &links, UNSCHEDULED);
        let output = run(dir.path(), &root, &[]).await;
        assert_eq!(output.status.code(), Some(0), "{}", text(&output));
        let root = root.to_str().unwrap();
        let (status, peak_kb) = peak_rss_kb(
            dir.path(),
            &[
                "report",
                root,
                "--db",
                "reports/linkgate.db",
                "--out",
                "again",
            ],
        );
        assert!(status.success());
        assert!(
            peak_kb < 150 * 1024,
            "{page}: the report peaked at {peak_kb} KB"
        );
    }
}

/// Runs linkgate to its end and reads its peak resident memory from the kernel (wait4).
// wait4 reaps the child; clippy cannot see it.
#[allow(clippy::zombie_processes)]
fn peak_rss_kb(dir: &Path, args: &[&str]) -> (std::process::ExitStatus, i64) {
    use std::os::unix::process::ExitStatusExt;
    let child = std::process::Command::new(BIN)
        .current_dir(dir)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: the pid is our child's, and both pointers are to live locals.
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32);
    (std::process::ExitStatus::from_raw(status), usage.ru_maxrss)
}

// ---- full disk and read-only media --------------------------------------------------------

/// Runs `script` with `sh` in a private mount namespace where `$MNT` is a tmpfs of `size`
/// (e.g. `4m`) inside `dir`, `$L` is linkgate and `$PACK` the scenarios; returns what the
/// script printed. `step NAME COMMAND…` runs a command and prints `NAME=<exit code>`.
async fn in_small_disk(dir: &Path, size: &str, pack: &Path, script: &str) -> String {
    let (dir, size, pack, script) = (
        dir.to_path_buf(),
        size.to_string(),
        pack.to_path_buf(),
        script.to_string(),
    );
    // The test's servers run on this thread's runtime: wait for the script elsewhere.
    tokio::task::spawn_blocking(move || in_small_disk_now(&dir, &size, &pack, &script))
        .await
        .unwrap()
}

fn in_small_disk_now(dir: &Path, size: &str, pack: &Path, script: &str) -> String {
    let mnt = dir.join("mnt");
    std::fs::create_dir_all(&mnt).unwrap();
    let full = format!(
        "set -u\nmount -t tmpfs -o size={size} linkgate-test \"$MNT\" || exit 90\n\
         step() {{ name=$1; shift; \"$@\" > \"$LOGS/$name.out\" 2>&1; echo \"$name=$?\"; }}\n\
         {script}\n"
    );
    let output = std::process::Command::new("timeout")
        .args(["300", "unshare", "-m", "sh", "-c", &full])
        .env("MNT", &mnt)
        .env("L", BIN)
        .env("PACK", pack)
        .env("LOGS", dir)
        .current_dir(dir)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success() && !said.is_empty(),
        "the private tmpfs could not be set up (unshare -m needs root): {:?}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    said
}

fn log(dir: &Path, step: &str) -> String {
    std::fs::read_to_string(dir.join(format!("{step}.out"))).unwrap_or_default()
}

fn code(said: &str, step: &str) -> Option<i32> {
    said.lines()
        .find_map(|l| l.strip_prefix(&format!("{step}=")))
        .and_then(|c| c.trim().parse().ok())
}

/// A site whose pages are 600 KB of bytes that do not compress, each different.
async fn bulky_site() -> Server {
    let pages: Vec<String> = (0..8u64)
        .map(|seed| {
            let mut x = seed * 2_654_435_761 + 1;
            let noise: String = (0..600_000)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    char::from(b'!' + (x % 90) as u8)
                })
                .collect();
            format!("<title>bulky</title><p>{noise}</p>")
        })
        .collect();
    Server::start(move |r| match r.route() {
        "/gw" => gateway(r),
        route => {
            let n = route.bytes().map(usize::from).sum::<usize>() % pages.len();
            Reply::html(&pages[n])
        }
    })
    .await
}

const RUN: &str = "$L run \"$PACK\" --out \"$MNT/reports\" --interval 0s --retries 0 --timeout 10s";

#[tokio::test]
async fn full_disk_before_the_run() {
    let site = site().await;
    let dir = tempfile::tempdir().unwrap();
    let links = [("item", site.url("/item/1"))];
    let pack = scenarios(dir.path(), &site.url("/gw"), &links, UNSCHEDULED);
    let said = in_small_disk(
        dir.path(),
        "1m",
        &pack,
        &format!("dd if=/dev/zero of=\"$MNT/filler\" bs=1k count=2000 2>/dev/null\nstep run {RUN}\nls \"$MNT\""),
    ).await;
    assert_eq!(
        code(&said, "run"),
        Some(1),
        "{said}\n{}",
        log(dir.path(), "run")
    );
    let out = log(dir.path(), "run");
    assert!(out.contains("No space left on device"), "{out}");
    assert!(!out.contains("panicked"), "{out}");
}

#[tokio::test]
async fn full_disk_while_storing_evidence_then_resume() {
    let site = bulky_site().await;
    let dir = tempfile::tempdir().unwrap();
    let links: Vec<(&str, String)> = ["a", "b", "c", "d", "e", "f"]
        .iter()
        .map(|id| (*id, site.url(&format!("/item/{id}"))))
        .collect();
    let pack = scenarios(dir.path(), &site.url("/gw"), &links, UNSCHEDULED);
    let script = format!(
        "step run {RUN} --concurrency 1\n\
         id=$(grep -o 'run=[^ ]*' \"$LOGS/run.out\" | head -1 | cut -d= -f2)\n\
         mount -o remount,size=64m \"$MNT\"\n\
         step resume {RUN} --resume \"$id\"\n\
         step verify $L verify --out \"$MNT/reports\"\n\
         find \"$MNT/reports\" -name '*.tmp' | sed 's/^/tmp: /'"
    );
    let said = in_small_disk(dir.path(), "2m", &pack, &script).await;
    let first = log(dir.path(), "run");
    assert_eq!(code(&said, "run"), Some(1), "{said}\n{first}");
    assert!(
        first.contains("No space left on device") || first.contains("disk is full"),
        "{first}"
    );
    assert!(!first.contains("panicked"), "{first}");
    assert_eq!(
        code(&said, "resume"),
        Some(0),
        "{said}\n{}",
        log(dir.path(), "resume")
    );
    assert_eq!(
        code(&said, "verify"),
        Some(0),
        "{said}\n{}",
        log(dir.path(), "verify")
    );
    assert!(!said.contains("tmp: "), "no temporary file is left: {said}");
}

#[tokio::test]
async fn full_disk_while_writing_the_run_files_then_resume() {
    let site = site().await;
    let dir = tempfile::tempdir().unwrap();
    let links = [("item", site.url("/item/1"))];
    let pack = scenarios(dir.path(), &site.url("/gw"), &links, UNSCHEDULED);
    // The history is on an ordinary disk; the run folders are on a full one.
    let db = dir.path().join("history/linkgate.db");
    let script = format!(
        "dd if=/dev/zero of=\"$MNT/filler\" bs=1k count=2000 2>/dev/null\n\
         step run {RUN} --db \"{db}\"\n\
         id=$(grep -o 'run=[^ ]*' \"$LOGS/run.out\" | head -1 | cut -d= -f2)\n\
         find \"$MNT/reports\" -name '*.tmp' | sed 's/^/tmp: /'\n\
         step verify1 $L verify --out \"$MNT/reports\" --db \"{db}\"\n\
         rm \"$MNT/filler\"\n\
         step resume {RUN} --db \"{db}\" --resume \"$id\"\n\
         step verify2 $L verify --out \"$MNT/reports\" --db \"{db}\"",
        db = db.display()
    );
    let said = in_small_disk(dir.path(), "1m", &pack, &script).await;
    let first = log(dir.path(), "run");
    assert_eq!(code(&said, "run"), Some(1), "{said}\n{first}");
    assert!(first.contains("No space left on device"), "{first}");
    assert!(
        !said.contains("tmp: "),
        "no observations.tmp is left: {said}"
    );
    let verify1 = log(dir.path(), "verify1");
    assert!(
        !verify1.contains("deleted"),
        "verify does not blame a deleted folder: {verify1}"
    );
    assert!(verify1.contains("completed, never sealed"), "{verify1}");
    assert_eq!(
        code(&said, "resume"),
        Some(0),
        "{said}\n{}",
        log(dir.path(), "resume")
    );
    assert_eq!(
        code(&said, "verify2"),
        Some(0),
        "{said}\n{}",
        log(dir.path(), "verify2")
    );
}

#[tokio::test]
async fn read_only_output() {
    let site = site().await;
    let dir = tempfile::tempdir().unwrap();
    let links = [("item", site.url("/item/1"))];
    let pack = scenarios(dir.path(), &site.url("/gw"), &links, UNSCHEDULED);
    let script = format!("mount -o remount,ro \"$MNT\"\nstep run {RUN}");
    let said = in_small_disk(dir.path(), "8m", &pack, &script).await;
    let out = log(dir.path(), "run");
    assert_eq!(code(&said, "run"), Some(1), "{said}\n{out}");
    assert!(out.contains("Read-only file system"), "{out}");
    assert!(!out.contains("panicked"), "{out}");
}

/// Regression: `verify` and `report` could not read a history on read-only media.
#[tokio::test]
async fn read_only_history_verify_and_report() {
    let site = site().await;
    let dir = tempfile::tempdir().unwrap();
    let links = [
        ("item", site.url("/item/1")),
        ("blocked", site.url("/item/blocked")),
    ];
    let pack = scenarios(dir.path(), &site.url("/gw"), &links, UNSCHEDULED);
    let script = format!(
        "step run {RUN}\nmount -o remount,ro \"$MNT\"\n\
         step verify $L verify --out \"$MNT/reports\"\n\
         step report $L report \"$PACK\" --db \"$MNT/reports/linkgate.db\" --out \"$LOGS/copy\""
    );
    let said = in_small_disk(dir.path(), "16m", &pack, &script).await;
    assert_eq!(
        code(&said, "run"),
        Some(0),
        "{said}\n{}",
        log(dir.path(), "run")
    );
    assert!(
        log(dir.path(), "run").contains("blocked 1"),
        "{}",
        log(dir.path(), "run")
    );
    assert_eq!(
        code(&said, "verify"),
        Some(0),
        "{said}\n{}",
        log(dir.path(), "verify")
    );
    assert!(log(dir.path(), "verify").contains("all is well"));
    assert_eq!(
        code(&said, "report"),
        Some(0),
        "{said}\n{}",
        log(dir.path(), "report")
    );
    assert!(dir.path().join("copy/index.html").exists());
}

// ---- kill -9 and resume --------------------------------------------------------------------

/// Starts a run against a site whose pages take `delay`, waits until `ready` holds, kills the
/// process with SIGKILL, then resumes the run and verifies the history.
async fn kill_then_resume(delay: Duration, links: usize, ready: impl Fn(&Path) -> bool) {
    let site = Server::start(move |r| match r.route() {
        "/gw" => gateway(r),
        _ => Reply::html(LANDING).delay(delay),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let ids: Vec<String> = (0..links).map(|i| format!("item{i}")).collect();
    let links: Vec<(&str, String)> = ids
        .iter()
        .map(|id| (id.as_str(), site.url(&format!("/item/{id}"))))
        .collect();
    let root = scenarios(dir.path(), &site.url("/gw"), &links, UNSCHEDULED);
    let root_arg = root.to_str().unwrap().to_string();
    let mut args = vec!["run", root_arg.as_str(), "--out", "reports"];
    args.extend(FAST);
    args.extend(["--concurrency", "2"]);
    let mut doomed = command(dir.path(), &args).spawn().unwrap();
    let began = Instant::now();
    while !ready(dir.path()) {
        if began.elapsed() > Duration::from_secs(60) {
            panic!("the moment to kill never came");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    doomed.start_kill().unwrap();
    doomed.wait().await.unwrap();
    let runs = store(dir.path()).runs().unwrap();
    assert_eq!(runs.len(), 1);
    let id = runs[0].id.clone();
    let resumed = run(dir.path(), &root, &["--resume", &id]).await;
    assert_eq!(resumed.status.code(), Some(0), "{}", text(&resumed));
    let (run, records) = only_run(dir.path());
    assert_eq!(run.status, RunStatus::Completed);
    assert_eq!(
        records.len(),
        2 * links.len(),
        "nothing lost, nothing twice"
    );
    let checked = verify(dir.path()).await;
    assert_eq!(checked.status.code(), Some(0), "{}", text(&checked));
}

#[tokio::test]
async fn kill_9_before_the_first_record() {
    kill_then_resume(Duration::from_millis(800), 4, |dir| {
        database_ready(dir)
            && store(dir)
                .runs()
                .ok()
                .and_then(|runs| runs.first().map(|r| r.id.clone()))
                .is_some_and(|id| store(dir).measured_keys(&id).is_ok_and(|k| k.is_empty()))
    })
    .await;
}

#[tokio::test]
async fn kill_9_while_measuring() {
    kill_then_resume(Duration::from_millis(200), 8, |dir| {
        database_ready(dir)
            && store(dir)
                .runs()
                .ok()
                .and_then(|runs| runs.first().map(|r| r.id.clone()))
                .is_some_and(|id| store(dir).measured_keys(&id).is_ok_and(|k| k.len() >= 3))
    })
    .await;
}

#[tokio::test]
async fn kill_9_while_writing_the_run_files() {
    // The CSV is written first, then the report, then the seal: kill once the CSV is there.
    kill_then_resume(Duration::ZERO, 40, |dir| {
        std::fs::read_dir(dir.join("reports")).is_ok_and(|entries| {
            entries
                .flatten()
                .any(|e| e.path().join("observations.csv").exists())
        })
    })
    .await;
}

/// A run that completed and died before its seal was written (the state the stack overflow
/// left): `verify` says it was never sealed instead of blaming a deleted folder, and
/// `--resume` writes its files and seals it.
#[tokio::test]
async fn completed_run_that_died_before_its_seal() {
    let site = site().await;
    let dir = tempfile::tempdir().unwrap();
    let links = [("item", site.url("/item/1"))];
    let root = scenarios(dir.path(), &site.url("/gw"), &links, UNSCHEDULED);
    let output = run(dir.path(), &root, &[]).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let id = run_id_in(&output);
    let folder = dir.path().join("reports").join(&id);
    std::fs::remove_file(folder.join("manifest.json")).unwrap();
    std::fs::remove_file(folder.join("index.html")).unwrap();
    let db = dir.path().join("reports/linkgate.db");
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute("UPDATE runs SET sealed_at = NULL", [])
        .unwrap();
    let checked = verify(dir.path()).await;
    assert_eq!(checked.status.code(), Some(0), "{}", text(&checked));
    assert!(
        stdout(&checked).contains("never sealed"),
        "{}",
        text(&checked)
    );
    let resumed = run(dir.path(), &root, &["--resume", &id]).await;
    assert_eq!(resumed.status.code(), Some(0), "{}", text(&resumed));
    assert!(folder.join("manifest.json").exists() && folder.join("index.html").exists());
    let checked = verify(dir.path()).await;
    assert!(stdout(&checked).contains("sealed, "), "{}", text(&checked));

    // A sealed run whose manifest is then deleted is still caught.
    std::fs::remove_file(folder.join("manifest.json")).unwrap();
    let checked = verify(dir.path()).await;
    assert_eq!(checked.status.code(), Some(1), "{}", text(&checked));
}

// ---- two processes, damaged databases -----------------------------------------------------

#[tokio::test]
async fn two_processes_one_audit() {
    let site = Server::start(|r| match r.route() {
        "/gw" => gateway(r),
        _ => Reply::html(LANDING).delay(Duration::from_millis(1500)),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let links = [("slow", site.url("/item/slow"))];
    let root = scenarios(dir.path(), &site.url("/gw"), &links, UNSCHEDULED);
    let (first, second) = tokio::join!(run(dir.path(), &root, &[]), async {
        tokio::time::sleep(Duration::from_millis(400)).await;
        run(dir.path(), &root, &[]).await
    });
    assert_eq!(first.status.code(), Some(0), "{}", text(&first));
    assert_eq!(second.status.code(), Some(1), "{}", text(&second));
    assert!(stderr(&second).contains("test-audit"), "{}", text(&second));
    let checked = verify(dir.path()).await;
    assert_eq!(checked.status.code(), Some(0), "{}", text(&checked));
}

async fn one_run(dir: &Path) -> PathBuf {
    let site = site().await;
    let links = [("item", site.url("/item/1"))];
    let root = scenarios(dir, &site.url("/gw"), &links, UNSCHEDULED);
    let output = run(dir, &root, &[]).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    root
}

#[tokio::test]
async fn corrupted_database() {
    let dir = tempfile::tempdir().unwrap();
    let root = one_run(dir.path()).await;
    let db = dir.path().join("reports/linkgate.db");
    let mut bytes = std::fs::read(&db).unwrap();
    let len = bytes.len();
    for b in &mut bytes[100..len] {
        *b ^= 0x5a;
    }
    std::fs::write(&db, &bytes).unwrap();
    for args in [
        vec!["verify", "--out", "reports"],
        vec![
            "report",
            root.to_str().unwrap(),
            "--db",
            "reports/linkgate.db",
        ],
    ] {
        let output = linkgate(dir.path(), &args).await;
        assert_eq!(output.status.code(), Some(1), "{}", text(&output));
        let said = stderr(&output);
        assert!(said.contains("linkgate.db"), "{said}");
        assert!(!said.contains("panicked"), "{said}");
    }
}

#[tokio::test]
async fn empty_database() {
    let dir = tempfile::tempdir().unwrap();
    let root = one_run(dir.path()).await;
    std::fs::write(dir.path().join("reports/linkgate.db"), b"").unwrap();
    for args in [
        vec!["verify", "--out", "reports"],
        vec!["run", root.to_str().unwrap(), "--out", "reports"],
    ] {
        let output = linkgate(dir.path(), &args).await;
        assert_eq!(output.status.code(), Some(1), "{}", text(&output));
        assert!(
            stderr(&output).contains("empty file (0 bytes)"),
            "{}",
            text(&output)
        );
    }
    let size = std::fs::metadata(dir.path().join("reports/linkgate.db"))
        .unwrap()
        .len();
    assert_eq!(size, 0, "the empty file is left as it was");
}

#[tokio::test]
async fn non_sqlite_database() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("reports")).unwrap();
    std::fs::write(
        dir.path().join("reports/linkgate.db"),
        "id,verdict\n".repeat(200),
    )
    .unwrap();
    let output = verify(dir.path()).await;
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let said = stderr(&output);
    assert!(said.contains("is not an SQLite database"), "{said}");
    // Regression: the message said its first clause and its cause twice.
    assert_eq!(
        said.matches("cannot open the history database").count(),
        0,
        "{said}"
    );
    assert_eq!(said.matches("file is not a database").count(), 0, "{said}");
}

// ---- hostile input ---------------------------------------------------------------------------

async fn plan_with(flags: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let links = [("taobao.item", "http://127.0.0.1:9/item/1".to_string())];
    let root = scenarios(dir.path(), "http://127.0.0.1:9/gw", &links, UNSCHEDULED);
    let mut args = vec!["plan", root.to_str().unwrap()];
    args.extend(flags);
    linkgate(dir.path(), &args).await
}

/// Regression: globset panicked (exit 101, "regex compilation shouldn't fail").
#[tokio::test]
async fn glob_nesting_in_a_selector_flag() {
    let nested = format!("{}a{}", "{".repeat(300), "}".repeat(300));
    let output = plan_with(&["--link", &nested]).await;
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    assert!(
        stderr(&output).contains("characters long"),
        "{}",
        text(&output)
    );
    let deep = format!("{}a{}", "{a,".repeat(20), "}".repeat(20));
    let output = plan_with(&["--link", &deep]).await;
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    assert!(
        stderr(&output).contains("levels are allowed"),
        "{}",
        text(&output)
    );
}

#[tokio::test]
async fn glob_wildcards_in_a_selector_flag() {
    let stars = "*".repeat(100_000);
    let output = plan_with(&["--context", &stars]).await;
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    assert!(
        stderr(&output).len() < 2_000,
        "the pattern is not echoed whole"
    );
    let output = plan_with(&["--context", &"*a".repeat(40)]).await;
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    assert!(stderr(&output).contains("wildcards"), "{}", text(&output));
}

async fn validate_written(dir: &Path, root: &Path) -> Output {
    linkgate(dir, &["validate", root.to_str().unwrap()]).await
}

/// Regression: `validate` panicked on a hostile glob in an audit's `contexts = { ids = … }`.
#[tokio::test]
async fn glob_in_an_audit_selector() {
    let dir = tempfile::tempdir().unwrap();
    let links = [("taobao.item", "http://127.0.0.1:9/item/1".to_string())];
    let root = scenarios(dir.path(), "http://127.0.0.1:9/gw", &links, UNSCHEDULED);
    let file = root.join("all.toml");
    let nested = format!("{}a{}", "{".repeat(300), "}".repeat(300));
    let written = std::fs::read_to_string(&file).unwrap().replace(
        "control = \"neutral.android\"",
        &format!("control = \"neutral.android\"\ncontexts = {{ ids = [\"{nested}\"] }}"),
    );
    std::fs::write(&file, written).unwrap();
    let output = validate_written(dir.path(), &root).await;
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    let said = stderr(&output) + &stdout(&output);
    assert!(said.contains("all.toml:"), "file, line and column: {said}");
    assert!(said.contains("characters long"), "{said}");
    assert!(!said.contains("panicked"), "{said}");
}

#[tokio::test]
async fn user_agent_with_a_control_character() {
    for ua in [
        "Mozilla/5.0\\u0000 MicroMessenger",
        "Mozilla/5.0\\nX-Evil: 1",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let links = [("taobao.item", "http://127.0.0.1:9/item/1".to_string())];
        let root = Scenario {
            user_agent: ua,
            ..Scenario::new("http://127.0.0.1:9/gw", &links)
        }
        .write(dir.path());
        let output = validate_written(dir.path(), &root).await;
        assert_eq!(output.status.code(), Some(3), "{}", text(&output));
        let said = stderr(&output) + &stdout(&output);
        assert!(said.contains("control character"), "{said}");
        assert!(said.contains("all.toml:"), "{said}");
    }
}

#[tokio::test]
async fn header_with_a_newline() {
    let dir = tempfile::tempdir().unwrap();
    let links = [("taobao.item", "http://127.0.0.1:9/item/1".to_string())];
    let root = scenarios(dir.path(), "http://127.0.0.1:9/gw", &links, UNSCHEDULED);
    let file = root.join("all.toml");
    let written = std::fs::read_to_string(&file)
        .unwrap()
        .replace("\"com.tencent.mm\"", "\"com.tencent.mm\\r\\nX-Evil: 1\"");
    std::fs::write(&file, written).unwrap();
    let output = validate_written(dir.path(), &root).await;
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    let said = stderr(&output) + &stdout(&output);
    assert!(said.contains("control character"), "{said}");
}

/// Regression: `--context 'neutral*'` selected nothing and exited 0 without a word.
#[tokio::test]
async fn selection_that_matches_nothing() {
    let output = plan_with(&["--context", "neutral*"]).await;
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    let said = stderr(&output);
    assert!(
        said.contains("--context 'neutral*' matches no context id"),
        "{said}"
    );
    assert!(said.contains("nothing would run"), "{said}");
    let dir = tempfile::tempdir().unwrap();
    let root = scenarios(dir.path(), "http://127.0.0.1:9/gw", &[], UNSCHEDULED);
    let output = cli::run(dir.path(), &root, &["--link", "nothing.*"]).await;
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    assert!(
        !dir.path().join("reports/linkgate.db").exists(),
        "no run was begun"
    );
}

#[tokio::test]
async fn selection_partly_idle() {
    let output = plan_with(&["--link", "taobao.*", "--link", "jd.*"]).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(
        stderr(&output).contains("--link 'jd.*' matches no link id"),
        "{}",
        text(&output)
    );
    assert!(stdout(&output).contains("taobao.item"));
}

#[tokio::test]
async fn blocked_and_opened_still_right_beside_hostile_pages() {
    // The faults above leave ordinary verdicts alone: a run with a deep page, a stop page and
    // a landing page gives each its own verdict.
    let deep = format!("<title>d</title>{}", "<div>".repeat(20_000));
    let site = Server::start(move |r| match r.route() {
        "/gw" => gateway(r),
        "/item/deep" => Reply::html(&deep),
        _ => Reply::html(LANDING),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let links = [
        ("deep", site.url("/item/deep")),
        ("open", site.url("/item/open")),
        ("blocked", site.url("/item/blocked")),
    ];
    let root = scenarios(dir.path(), &site.url("/gw"), &links, UNSCHEDULED);
    let output = run(dir.path(), &root, &[]).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let (_, records) = only_run(dir.path());
    let verdict = |link: &str| {
        records
            .iter()
            .find(|r| r.link_id == link && r.context.starts_with("wechat"))
            .map(|r| r.verdict.kind)
    };
    assert_eq!(verdict("open"), Some(VerdictKind::Opened));
    assert_eq!(verdict("blocked"), Some(VerdictKind::Blocked));
}
