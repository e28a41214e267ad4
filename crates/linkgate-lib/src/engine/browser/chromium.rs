//! One running browser: the Chromium process and the DevTools connection to it. Dropping it
//! kills the process and removes its profile, so a run never leaves a browser behind.
//!
//! The connection's idle timeout is set to an hour: headless_chrome closes the connection
//! after that long without a message ("underlying connection is closed"), so a browser left
//! unused for half of that is replaced before it is used again (see `keeper.rs`).
//!
//! Each DevTools call through headless_chrome's transport waits up to 100 ms for its turn on
//! the socket, and opening and closing a tab takes five of them in a row. So a few tabs are
//! kept open ahead of time (`spare_tabs`) and used tabs are closed in the background: the
//! probe only waits for the calls that depend on it. A background open or close that fails
//! for want of an answer marks the browser broken, and the keeper replaces it.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use headless_chrome::browser::transport::Transport;

use super::cdp::{CallError, Cdp};
use super::config::{BrowserConfig, Viewport};
use super::flags::{FlagInputs, chromium_args};
use super::process::{LaunchError, Process, new_profile_path};
use super::tab::Tab;

/// headless_chrome's idle timeout for the connection (and its longest wait for an answer).
pub(crate) const IDLE: Duration = Duration::from_secs(3600);

/// Screenshots taken at once. A phone-sized screenshot at device scale 3 is a 12 MB bitmap,
/// copied and encoded in the browser; measured here, screenshots taken by every tab at once
/// were a sixth of the pool's peak memory, while two at a time keep up with eight tabs.
const SHOTS_AT_ONCE: usize = 2;

/// Why no browser could be started.
#[derive(Debug, Clone)]
pub(crate) struct Unlaunched {
    pub message: String,
    /// Trying again cannot help (no binary, not executable).
    pub permanent: bool,
}

pub(crate) struct Chromium {
    process: Process,
    cdp: Cdp,
    served: AtomicU32,
    last_used: Mutex<Instant>,
    viewport: Viewport,
    step_timeout: Duration,
    spare_tabs: usize,
    spares: Mutex<Vec<Tab>>,
    opening: AtomicUsize,
    broken: AtomicBool,
    shots: Gate,
}

/// A counting gate: at most `limit` holders at once.
pub(crate) struct Gate {
    used: Mutex<usize>,
    freed: Condvar,
    limit: usize,
}

/// Leave to pass the gate; gives it back when dropped.
pub(crate) struct Pass<'g>(&'g Gate);

impl Gate {
    pub(crate) fn new(limit: usize) -> Gate {
        Gate {
            used: Mutex::new(0),
            freed: Condvar::new(),
            limit: limit.max(1),
        }
    }

    /// Waits for a place until `deadline`; `None` if none came free in time.
    pub(crate) fn enter(&self, deadline: Instant) -> Option<Pass<'_>> {
        let mut used = self.used.lock().ok()?;
        while *used >= self.limit {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            used = self.freed.wait_timeout(used, left).ok()?.0;
        }
        *used += 1;
        Some(Pass(self))
    }
}

impl Drop for Pass<'_> {
    fn drop(&mut self) {
        if let Ok(mut used) = self.0.used.lock() {
            *used -= 1;
        }
        self.0.freed.notify_one();
    }
}

impl Chromium {
    /// Starts Chromium as `config` says, trusting the CA keys `pins`.
    pub(crate) fn launch(config: &BrowserConfig, pins: &[String]) -> Result<Chromium, Unlaunched> {
        let path = config.chrome_path();
        let profile = new_profile_path();
        let args = chromium_args(&FlagInputs {
            profile: &profile,
            proxy: config.proxy.as_deref(),
            pins,
            resolve: &config.resolve,
            sandbox: config.sandbox,
        });
        let process =
            Process::start(&path, &args, profile, config.launch_timeout).map_err(|e| {
                Unlaunched {
                    permanent: matches!(e, LaunchError::Missing { .. } | LaunchError::Spawn { .. }),
                    message: launch_message(&e),
                }
            })?;
        let transport = Transport::new(process.ws_url.clone(), Some(process.pid), IDLE, None)
            .map_err(|e| Unlaunched {
                permanent: false,
                message: format!(
                    "Chromium started but its DevTools port {} refused the connection: {e}",
                    process.ws_url
                ),
            })?;
        Ok(Chromium {
            process,
            cdp: Cdp::new(transport),
            served: AtomicU32::new(0),
            last_used: Mutex::new(Instant::now()),
            viewport: config.viewport,
            step_timeout: config.step_timeout,
            spare_tabs: config.spare_tabs,
            spares: Mutex::new(Vec::new()),
            opening: AtomicUsize::new(0),
            broken: AtomicBool::new(false),
            shots: Gate::new(SHOTS_AT_ONCE),
        })
    }

    /// A tab for the next probe: one opened ahead of time if there is one, else a new one.
    /// Then tops the spare tabs up in the background.
    pub(crate) fn tab(self: &Arc<Self>, deadline: Instant) -> Result<Tab, CallError> {
        let spare = self.spares.lock().ok().and_then(|mut spares| spares.pop());
        let tab = match spare {
            Some(tab) => tab,
            None => Tab::open(&self.cdp, &self.viewport, deadline)?,
        };
        self.top_up();
        Ok(tab)
    }

    /// Starts opening spare tabs until `spare_tabs` are open or being opened.
    pub(crate) fn top_up(self: &Arc<Self>) {
        loop {
            let spares = self.spares.lock().map_or(usize::MAX, |s| s.len());
            let opening = self.opening.fetch_add(1, Ordering::SeqCst);
            if spares.saturating_add(opening) >= self.spare_tabs || self.is_broken() {
                self.opening.fetch_sub(1, Ordering::SeqCst);
                return;
            }
            let me = self.clone();
            let spawned = std::thread::Builder::new()
                .name("spare-tab".into())
                .stack_size(256 * 1024)
                .spawn(move || me.open_spare());
            if spawned.is_err() {
                self.opening.fetch_sub(1, Ordering::SeqCst);
                return;
            }
        }
    }

    fn open_spare(&self) {
        let opened = Tab::open(
            &self.cdp,
            &self.viewport,
            Instant::now() + self.step_timeout,
        );
        match opened {
            Ok(tab) => {
                if let Ok(mut spares) = self.spares.lock() {
                    spares.push(tab);
                }
            }
            Err(CallError::Remote(_)) => {}
            Err(CallError::Late | CallError::Closed) => self.broken.store(true, Ordering::SeqCst),
        }
        self.opening.fetch_sub(1, Ordering::SeqCst);
    }

    /// Closes a used tab (and its browser context) in the background.
    pub(crate) fn close_later(self: &Arc<Self>, tab: Tab) {
        let deadline = Instant::now() + self.step_timeout;
        let me = self.clone();
        let spawned = std::thread::Builder::new()
            .name("close-tab".into())
            .stack_size(256 * 1024)
            .spawn(move || match tab.close(deadline) {
                Ok(()) | Err(CallError::Remote(_)) => {}
                Err(CallError::Late | CallError::Closed) => {
                    me.broken.store(true, Ordering::SeqCst);
                }
            });
        if spawned.is_err() {
            // The tab was dropped unclosed; a fresh browser frees what it held.
            self.broken.store(true, Ordering::SeqCst);
        }
    }

    /// Leave to take a screenshot (see `SHOTS_AT_ONCE`).
    pub(crate) fn screenshot_pass(&self, deadline: Instant) -> Option<Pass<'_>> {
        self.shots.enter(deadline)
    }

    /// A tab could not be opened or closed in time: the browser should be replaced.
    pub(crate) fn is_broken(&self) -> bool {
        self.broken.load(Ordering::SeqCst)
    }

    pub(crate) fn pid(&self) -> u32 {
        self.process.pid
    }

    pub(crate) fn alive(&self) -> bool {
        self.process.alive()
    }

    /// Chromium's last words on stderr.
    pub(crate) fn tail(&self) -> String {
        self.process.tail()
    }

    /// Counts one more probe served; returns how many it has served, this one included.
    pub(crate) fn claim(&self) -> u32 {
        if let Ok(mut last) = self.last_used.lock() {
            *last = Instant::now();
        }
        self.served.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// How long since a probe last started on it.
    pub(crate) fn unused_for(&self) -> Duration {
        self.last_used
            .lock()
            .map(|last| last.elapsed())
            .unwrap_or(Duration::MAX)
    }

    /// Kills the process now; calls in flight end with `Closed`.
    pub(crate) fn kill(&self) {
        self.process.kill();
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        self.process.kill();
        self.cdp.shutdown();
    }
}

/// What to tell a user whose browser would not start.
fn launch_message(error: &LaunchError) -> String {
    match error {
        LaunchError::Missing { .. } => {
            format!("{error}; {}", super::config::INSTALL_HINT)
        }
        LaunchError::Exited { .. } | LaunchError::Silent { .. } => format!(
            "{error}; check that this Chromium runs on its own (`chromium --headless \
             --no-sandbox --dump-dom about:blank`), and that it is not run as root with the \
             sandbox on"
        ),
        LaunchError::Spawn { .. } | LaunchError::Profile { .. } => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gate_lets_limit_holders_through_and_the_next_one_when_one_leaves() {
        let gate = Gate::new(2);
        let soon = || Instant::now() + Duration::from_millis(50);
        let a = gate.enter(soon()).unwrap();
        let _b = gate.enter(soon()).unwrap();
        assert!(
            gate.enter(soon()).is_none(),
            "a third holder waits past its deadline"
        );
        drop(a);
        assert!(gate.enter(soon()).is_some());
    }
}
