//! One running browser: the Chromium process and the DevTools connection to it. Dropping it
//! kills the process and removes its profile, so a run never leaves a browser behind.
//!
//! The connection's idle timeout is set to an hour: headless_chrome closes the connection
//! after that long without a message ("underlying connection is closed"), so a browser left
//! unused for half of that is replaced before it is used again (see `keeper.rs`).

use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use headless_chrome::browser::transport::Transport;

use super::cdp::Cdp;
use super::config::BrowserConfig;
use super::flags::{FlagInputs, chromium_args};
use super::process::{LaunchError, Process, new_profile_path};

/// headless_chrome's idle timeout for the connection (and its longest wait for an answer).
pub(crate) const IDLE: Duration = Duration::from_secs(3600);

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
        })
    }

    pub(crate) fn cdp(&self) -> &Cdp {
        &self.cdp
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
