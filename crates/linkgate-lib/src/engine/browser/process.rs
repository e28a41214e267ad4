//! The Chromium process: started with our own command line, its DevTools address read from
//! its stderr, killed (and its throwaway profile removed) when dropped.
//!
//! linkgate starts Chromium itself rather than through headless_chrome's `LaunchOptions`:
//! that launcher waits 30 s for a binary that exits at once and then tries ten more times,
//! always passes a `--disable-features` of its own, and stops reading stderr, so a crash
//! message is lost. Here a missing or broken binary fails in milliseconds with Chromium's
//! last words, and stderr is drained for the life of the process so Chromium never blocks
//! on a full pipe.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use url::Url;

/// Lines of Chromium's stderr kept to explain a failure.
const TAIL_LINES: usize = 30;

/// Why Chromium could not be started.
#[derive(Debug, thiserror::Error)]
pub(crate) enum LaunchError {
    #[error("no browser at {path}")]
    Missing { path: PathBuf },
    #[error("could not start {path}: {source}")]
    Spawn {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} exited ({status}) before opening its DevTools port; it said: {tail}")]
    Exited {
        path: PathBuf,
        status: String,
        tail: String,
    },
    #[error("{path} did not open its DevTools port within {waited:?}; it said: {tail}")]
    Silent {
        path: PathBuf,
        waited: Duration,
        tail: String,
    },
    #[error("could not create the profile folder {path}: {source}")]
    Profile {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// A running Chromium.
pub(crate) struct Process {
    child: Mutex<Child>,
    pub pid: u32,
    /// The browser's DevTools WebSocket.
    pub ws_url: Url,
    profile: PathBuf,
    tail: Arc<Mutex<VecDeque<String>>>,
}

/// Prefix of the profile folders linkgate creates: `linkgate-chromium-<our pid>-<n>`.
pub(crate) const PROFILE_PREFIX: &str = "linkgate-chromium-";

/// A fresh profile folder path for this process (not yet created).
pub(crate) fn new_profile_path() -> PathBuf {
    static NEXT: AtomicU32 = AtomicU32::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("{PROFILE_PREFIX}{}-{n}", std::process::id()))
}

impl Process {
    /// Starts `program` with `args` (which name `profile`) and waits up to `wait` for it
    /// to announce its DevTools address.
    pub(crate) fn start(
        program: &Path,
        args: &[String],
        profile: PathBuf,
        wait: Duration,
    ) -> Result<Process, LaunchError> {
        if !program.exists() {
            return Err(LaunchError::Missing {
                path: program.to_path_buf(),
            });
        }
        std::fs::create_dir_all(&profile).map_err(|source| LaunchError::Profile {
            path: profile.clone(),
            source,
        })?;
        // Its own process group, so that killing it takes its helpers (zygote, renderers,
        // network service) down at the same moment instead of leaving them writing into a
        // profile folder being removed.
        let spawned = Command::new(program)
            .args(args)
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(source) => {
                let _ = std::fs::remove_dir_all(&profile);
                return Err(LaunchError::Spawn {
                    path: program.to_path_buf(),
                    source,
                });
            }
        };
        let tail = Arc::new(Mutex::new(VecDeque::new()));
        let (found, announced) = mpsc::channel();
        if let Some(stderr) = child.stderr.take() {
            let tail = tail.clone();
            std::thread::spawn(move || drain(stderr, &tail, &found));
        }
        let pid = child.id();
        let mut process = Process {
            child: Mutex::new(child),
            pid,
            ws_url: Url::parse("ws://127.0.0.1/").expect("a fixed URL parses"),
            profile,
            tail,
        };
        match announced.recv_timeout(wait) {
            Ok(url) => {
                process.ws_url = url;
                Ok(process)
            }
            Err(mpsc::RecvTimeoutError::Timeout) => Err(LaunchError::Silent {
                path: program.to_path_buf(),
                waited: wait,
                tail: process.tail(),
            }),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let status = process.wait_exit(Duration::from_secs(2));
                Err(LaunchError::Exited {
                    path: program.to_path_buf(),
                    status,
                    tail: process.tail(),
                })
            }
        }
    }

    /// Whether the process is still running.
    pub(crate) fn alive(&self) -> bool {
        match self.child.lock() {
            Ok(mut child) => matches!(child.try_wait(), Ok(None)),
            Err(_) => false,
        }
    }

    /// The last lines Chromium wrote to stderr, joined.
    pub(crate) fn tail(&self) -> String {
        let lines = self.tail.lock().map(|t| t.clone()).unwrap_or_default();
        let text = lines.into_iter().collect::<Vec<_>>().join(" | ");
        if text.is_empty() {
            "(nothing)".to_string()
        } else {
            text
        }
    }

    /// Waits up to `wait` for the process to exit on its own; says how it ended.
    pub(crate) fn wait_exit(&self, wait: Duration) -> String {
        let deadline = std::time::Instant::now() + wait;
        loop {
            if let Ok(mut child) = self.child.lock()
                && let Ok(Some(status)) = child.try_wait()
            {
                return status.to_string();
            }
            if std::time::Instant::now() >= deadline {
                return "still running".to_string();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Kills the process (if it still runs) and reaps it.
    /// Kills the process and its helpers (if they still run) and reaps it.
    pub(crate) fn kill(&self) {
        if let Ok(mut child) = self.child.lock() {
            if let Ok(group) = libc::pid_t::try_from(self.pid) {
                // SAFETY: kill(2) on the process group this Chromium leads (see `start`).
                unsafe { libc::kill(-group, libc::SIGKILL) };
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
        remove_profile(&self.profile);
    }
}

/// Removes a profile folder and the socket folder Chromium made for it in the temp folder
/// (`/tmp/org.chromium.Chromium.XXXXXX`, named by the profile's `SingletonSocket` link),
/// which a killed Chromium cannot remove itself.
pub(crate) fn remove_profile(profile: &Path) {
    if let Ok(socket) = std::fs::read_link(profile.join("SingletonSocket"))
        && let Some(folder) = socket.parent()
        && folder.parent() == Some(std::env::temp_dir().as_path())
        && folder
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("org.chromium.Chromium."))
    {
        let _ = std::fs::remove_dir_all(folder);
    }
    // Helpers that were still exiting may write a last file while the folder goes.
    for _ in 0..3 {
        if std::fs::remove_dir_all(profile).is_ok() || !profile.exists() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Reads stderr to its end: keeps the last lines, and reports the DevTools address once.
fn drain(
    stderr: std::process::ChildStderr,
    tail: &Mutex<VecDeque<String>>,
    found: &mpsc::Sender<Url>,
) {
    let mut announced = false;
    for line in BufReader::new(stderr).lines() {
        let Ok(line) = line else { break };
        if !announced && let Some(url) = devtools_url(&line) {
            announced = true;
            let _ = found.send(url);
            continue;
        }
        if let Ok(mut tail) = tail.lock() {
            if tail.len() == TAIL_LINES {
                tail.pop_front();
            }
            tail.push_back(line);
        }
    }
}

/// The address in Chromium's `DevTools listening on ws://…` line.
pub(crate) fn devtools_url(line: &str) -> Option<Url> {
    let rest = line.split("DevTools listening on ").nth(1)?;
    Url::parse(rest.trim())
        .ok()
        .filter(|u| u.scheme() == "ws" || u.scheme() == "wss")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devtools_line_gives_the_websocket_url() {
        let line = "\nDevTools listening on ws://127.0.0.1:41235/devtools/browser/3f1c-77\n";
        assert_eq!(
            devtools_url(line).unwrap().as_str(),
            "ws://127.0.0.1:41235/devtools/browser/3f1c-77"
        );
        assert!(devtools_url("[1124/101500:ERROR:gpu] something").is_none());
        assert!(devtools_url("DevTools listening on nonsense").is_none());
    }

    #[test]
    fn removing_a_profile_removes_its_socket_folder_too() {
        let profile = new_profile_path();
        std::fs::create_dir_all(&profile).unwrap();
        let sockets = std::env::temp_dir().join(format!(
            "org.chromium.Chromium.linkgate-test-{}",
            std::process::id()
        ));
        std::fs::create_dir_all(&sockets).unwrap();
        std::os::unix::fs::symlink(
            sockets.join("SingletonSocket"),
            profile.join("SingletonSocket"),
        )
        .unwrap();
        remove_profile(&profile);
        assert!(!profile.exists());
        assert!(!sockets.exists());
    }

    #[test]
    fn missing_binary_fails_at_once() {
        let err = Process::start(
            Path::new("/nonexistent/chromium"),
            &[],
            new_profile_path(),
            Duration::from_secs(5),
        )
        .err()
        .unwrap();
        assert!(matches!(err, LaunchError::Missing { .. }), "{err}");
    }

    #[test]
    fn binary_that_exits_at_once_fails_quickly_with_its_words() {
        let profile = new_profile_path();
        let started = std::time::Instant::now();
        let err = Process::start(
            Path::new("/bin/sh"),
            &["-c".into(), "echo no display here >&2; exit 3".into()],
            profile.clone(),
            Duration::from_secs(20),
        )
        .err()
        .unwrap();
        assert!(started.elapsed() < Duration::from_secs(10));
        let text = err.to_string();
        assert!(
            text.contains("exited") && text.contains("no display here"),
            "{text}"
        );
        let _ = std::fs::remove_dir_all(profile);
    }

    #[test]
    fn silent_binary_is_killed_after_the_wait() {
        let profile = new_profile_path();
        let err = Process::start(
            Path::new("/bin/sleep"),
            &["30".into()],
            profile.clone(),
            Duration::from_millis(300),
        )
        .err()
        .unwrap();
        assert!(matches!(err, LaunchError::Silent { .. }), "{err}");
        assert!(!profile.exists(), "profile folder removed with the process");
    }
}
