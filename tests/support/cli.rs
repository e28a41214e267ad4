//! Running the real `linkgate` binary from a test: in the test's folder, output captured,
//! with flags that suit loopback servers, a time limit so a hung process fails the test
//! instead of hanging it, and SIGTERM the way an operator or a service manager sends it.

use std::path::Path;
use std::process::Output;
use std::time::Duration;

/// The flags every test run uses: fast and loopback-friendly.
pub const FAST: [&str; 8] = [
    "--interval",
    "0s",
    "--per-host",
    "8",
    "--retries",
    "0",
    "--timeout",
    "5s",
];

/// How long a linkgate process may take before the test calls it hung. Generous: the
/// machine running the tests may be loaded, and a browser run launches Chromium.
const LIMIT: Duration = Duration::from_secs(120);

/// A `linkgate` command with `args`, in `dir`, output captured.
pub fn command(dir: &Path, args: &[&str]) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_linkgate"));
    command
        .current_dir(dir)
        .args(args)
        .env_remove("NO_COLOR")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    command
}

/// Runs `linkgate run SCENARIOS --out dir/reports` with the fast flags and `extra`.
pub async fn run(dir: &Path, scenarios: &Path, extra: &[&str]) -> Output {
    let scenarios = scenarios.to_str().unwrap();
    let mut args = vec!["run", scenarios, "--out", "reports"];
    args.extend(FAST);
    args.extend(extra);
    linkgate(dir, &args).await
}

/// Runs `linkgate ARGS` in `dir`.
pub async fn linkgate(dir: &Path, args: &[&str]) -> Output {
    let child = command(dir, args).spawn().unwrap();
    tokio::time::timeout(LIMIT, child.wait_with_output())
        .await
        .expect("linkgate finishes in time")
        .unwrap()
}

/// Sends SIGTERM to `child`; its exit code once it has stopped.
pub async fn terminate(child: &mut tokio::process::Child) -> Option<i32> {
    let pid = child.id().unwrap().to_string();
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(sent.success());
    tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("linkgate stops promptly after SIGTERM")
        .unwrap()
        .code()
}

/// Exit code, stdout and stderr, for an assertion's message.
pub fn text(output: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
