//! Clearing what earlier runs left behind. A linkgate killed with SIGKILL (or a second
//! Ctrl-C) cannot stop its Chromium: the browser lives on as an orphan and its profile folder
//! stays in the temp folder, as do headless_chrome's `rust-headless-chrome-profile*` folders
//! from other tools. Before the first launch of a run, such leftovers are removed.
//!
//! Nothing in use is touched, because other programs on the machine may be running browsers
//! right now. A Chromium profile holds a `SingletonLock` symlink naming the pid that owns it
//! (`hostname-pid`); a folder is stale when that pid is gone. A linkgate folder also names
//! the linkgate that made it (`linkgate-chromium-<pid>-<n>`): when that linkgate is gone but
//! its Chromium still runs (checked by its command line naming the folder), the orphan is
//! killed.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::process::PROFILE_PREFIX;

/// headless_chrome's profile folders.
const HEADLESS_CHROME_PREFIX: &str = "rust-headless-chrome-profile";

/// A folder without a lock younger than this may be a browser starting right now.
const UNLOCKED_GRACE: Duration = Duration::from_secs(600);

/// What a cleaning pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Cleaned {
    pub removed: Vec<PathBuf>,
    pub killed: Vec<u32>,
}

/// Removes stale profile folders in `tmp` and kills orphaned linkgate browsers.
pub(crate) fn clean(tmp: &Path) -> Cleaned {
    let mut cleaned = Cleaned::default();
    let Ok(entries) = std::fs::read_dir(tmp) else {
        return cleaned;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        let verdict = if let Some(rest) = name.strip_prefix(PROFILE_PREFIX) {
            ours(&path, rest)
        } else if name.starts_with(HEADLESS_CHROME_PREFIX) {
            theirs(&path)
        } else {
            continue;
        };
        match verdict {
            Verdict::Keep => {}
            Verdict::Remove => remove(&path, &mut cleaned),
            Verdict::KillAndRemove(pid) => {
                // SAFETY: kill(2) with a pid read from the lock and checked to be a browser
                // on this very profile folder; no memory is shared with it.
                if unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) } == 0 {
                    cleaned.killed.push(pid);
                    std::thread::sleep(Duration::from_millis(100));
                }
                remove(&path, &mut cleaned);
            }
        }
    }
    cleaned
}

enum Verdict {
    Keep,
    Remove,
    KillAndRemove(u32),
}

/// A linkgate folder: kept while the linkgate that made it runs.
fn ours(path: &Path, rest: &str) -> Verdict {
    let owner = rest.split('-').next().and_then(|p| p.parse::<u32>().ok());
    if owner.is_some_and(|pid| pid == std::process::id() || alive(pid)) {
        return Verdict::Keep;
    }
    match lock_pid(path) {
        Some(pid) if alive(pid) && cmdline_names(pid, path) => Verdict::KillAndRemove(pid),
        _ => Verdict::Remove,
    }
}

/// Another tool's folder: removed only when its browser is gone.
fn theirs(path: &Path) -> Verdict {
    match lock_pid(path) {
        Some(pid) if alive(pid) => Verdict::Keep,
        Some(_) => Verdict::Remove,
        None if older_than(path, UNLOCKED_GRACE) => Verdict::Remove,
        None => Verdict::Keep,
    }
}

fn remove(path: &Path, cleaned: &mut Cleaned) {
    super::process::remove_profile(path);
    if !path.exists() {
        cleaned.removed.push(path.to_path_buf());
    }
}

/// The pid in a profile's `SingletonLock` (`hostname-pid`).
fn lock_pid(profile: &Path) -> Option<u32> {
    let target = std::fs::read_link(profile.join("SingletonLock")).ok()?;
    pid_of_lock(&target.to_string_lossy())
}

pub(crate) fn pid_of_lock(target: &str) -> Option<u32> {
    target.rsplit('-').next()?.parse().ok()
}

fn alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

/// Whether process `pid` was started with `profile` on its command line (so a reused pid
/// is never mistaken for the browser).
fn cmdline_names(pid: u32, profile: &Path) -> bool {
    let Ok(cmdline) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
        return false;
    };
    let wanted = format!("--user-data-dir={}", profile.display());
    cmdline
        .split(|b| *b == 0)
        .any(|arg| arg == wanted.as_bytes())
}

fn older_than(path: &Path, age: Duration) -> bool {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| SystemTime::now().duration_since(t).ok())
        .is_some_and(|elapsed| elapsed > age)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_names_host_and_pid() {
        assert_eq!(pid_of_lock("build-box-12345"), Some(12345));
        assert_eq!(pid_of_lock("nohyphen"), None);
    }

    #[test]
    fn stale_folders_go_and_live_ones_stay() {
        let tmp = tempfile::tempdir().unwrap();
        // A linkgate folder whose linkgate (pid 0x7fff_fff0, never a real pid) is gone.
        let dead_owner = tmp.path().join(format!("{PROFILE_PREFIX}2147483632-1"));
        std::fs::create_dir(&dead_owner).unwrap();
        // Ours, from this very process: in use.
        let mine = tmp
            .path()
            .join(format!("{PROFILE_PREFIX}{}-9", std::process::id()));
        std::fs::create_dir(&mine).unwrap();
        // Another tool's, locked by a live process (this one) and by a dead one.
        let live = tmp.path().join(format!("{HEADLESS_CHROME_PREFIX}live"));
        std::fs::create_dir(&live).unwrap();
        let lock = format!("host-{}", std::process::id());
        std::os::unix::fs::symlink(&lock, live.join("SingletonLock")).unwrap();
        let dead = tmp.path().join(format!("{HEADLESS_CHROME_PREFIX}dead"));
        std::fs::create_dir(&dead).unwrap();
        std::os::unix::fs::symlink("host-2147483632", dead.join("SingletonLock")).unwrap();
        // Another tool's, no lock yet and fresh: maybe starting right now.
        let fresh = tmp.path().join(format!("{HEADLESS_CHROME_PREFIX}fresh"));
        std::fs::create_dir(&fresh).unwrap();
        let unrelated = tmp.path().join("something-else");
        std::fs::create_dir(&unrelated).unwrap();

        let cleaned = clean(tmp.path());

        let mut removed = cleaned.removed.clone();
        removed.sort();
        let mut expected = vec![dead_owner, dead];
        expected.sort();
        assert_eq!(removed, expected);
        assert!(cleaned.killed.is_empty());
        for kept in [mine, live, fresh, unrelated] {
            assert!(kept.exists(), "{} kept", kept.display());
        }
    }
}
