//! The one browser of a run: launched on first use (after clearing what earlier runs left
//! behind), shared by every tab, replaced when it crashed, was killed, served its quota of
//! probes or sat unused long enough for its connection to time out. When it cannot be
//! started at all (no binary) the engine is unavailable for the rest of the run, and every
//! browser probe says so at once instead of trying again.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use super::chromium::{Chromium, IDLE};
use super::config::BrowserConfig;
use super::stale;

/// Launches in a row that may fail before the engine gives up for the run.
const MAX_LAUNCH_FAILURES: u32 = 2;

#[derive(Default)]
struct State {
    live: Option<Arc<Chromium>>,
    cleaned: bool,
    failures: u32,
    unavailable: Option<String>,
}

pub(crate) struct Keeper {
    config: Arc<BrowserConfig>,
    pins: Vec<String>,
    /// Never held across an await.
    state: Mutex<State>,
    /// One launch at a time; probes that need a browser wait here for it.
    launching: tokio::sync::Mutex<()>,
    pid: AtomicU32,
}

impl Keeper {
    pub(crate) fn new(config: Arc<BrowserConfig>, pins: Vec<String>) -> Keeper {
        Keeper {
            config,
            pins,
            state: Mutex::new(State::default()),
            launching: tokio::sync::Mutex::new(()),
            pid: AtomicU32::new(0),
        }
    }

    /// The browser to run the next probe in, launching one if needed; the error says why
    /// there is none.
    pub(crate) async fn browser(&self) -> Result<Arc<Chromium>, String> {
        if let Some(ready) = self.ready()? {
            return Ok(ready);
        }
        let _gate = self.launching.lock().await;
        if let Some(ready) = self.ready()? {
            return Ok(ready);
        }
        let clean = !self.lock().cleaned;
        let config = self.config.clone();
        let pins = self.pins.clone();
        let launched = tokio::task::spawn_blocking(move || {
            if clean {
                stale::clean(&std::env::temp_dir());
            }
            Chromium::launch(&config, &pins)
        })
        .await;
        let mut state = self.lock();
        state.cleaned = true;
        let failure = match launched {
            Ok(Ok(chromium)) => {
                let chromium = Arc::new(chromium);
                chromium.claim();
                state.failures = 0;
                state.live = Some(chromium.clone());
                self.pid.store(chromium.pid(), Ordering::SeqCst);
                return Ok(chromium);
            }
            Ok(Err(unlaunched)) => unlaunched,
            Err(join) => super::chromium::Unlaunched {
                message: format!("the launch thread failed: {join}"),
                permanent: false,
            },
        };
        state.failures += 1;
        let message = format!("the browser engine is unavailable: {}", failure.message);
        if failure.permanent || state.failures >= MAX_LAUNCH_FAILURES {
            state.unavailable = Some(message.clone());
        }
        Err(message)
    }

    /// The live browser if it can take another probe; retires it if not.
    fn ready(&self) -> Result<Option<Arc<Chromium>>, String> {
        let mut state = self.lock();
        if let Some(message) = &state.unavailable {
            return Err(message.clone());
        }
        let Some(live) = state.live.clone() else {
            return Ok(None);
        };
        let fresh = live.unused_for() < IDLE / 2;
        let usable = live.alive() && !live.is_broken() && fresh;
        if usable && live.claim() <= self.config.recycle_after.max(1) {
            return Ok(Some(live));
        }
        state.live = None;
        self.pid.store(0, Ordering::SeqCst);
        drop(state);
        retire(live);
        Ok(None)
    }

    /// Kills `broken` (a browser that crashed or stopped answering) so that every call
    /// still waiting on it ends, and makes the next probe launch a fresh one.
    pub(crate) async fn discard(&self, broken: Arc<Chromium>) {
        {
            let mut state = self.lock();
            if state.live.as_ref().is_some_and(|l| Arc::ptr_eq(l, &broken)) {
                state.live = None;
                self.pid.store(0, Ordering::SeqCst);
            }
        }
        let _ = tokio::task::spawn_blocking(move || {
            broken.kill();
            drop(broken);
        })
        .await;
    }

    /// The pid of the live browser.
    pub(crate) fn pid(&self) -> Option<u32> {
        Some(self.pid.load(Ordering::SeqCst)).filter(|pid| *pid != 0)
    }

    /// Kills the live browser and refuses to launch another: the run is over.
    pub(crate) fn shutdown(&self) {
        let live = {
            let mut state = self.lock();
            state.unavailable = Some("the browser engine was shut down".to_string());
            state.live.take()
        };
        self.pid.store(0, Ordering::SeqCst);
        if let Some(live) = live {
            live.kill();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A poisoned lock only means a probe panicked; the state itself stays consistent.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Lets a replaced browser finish its probes in flight; it is killed when the last one
/// lets go of it. The drop may kill a process, so it runs on a blocking thread.
pub(crate) fn retire(old: Arc<Chromium>) {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => {
            handle.spawn_blocking(move || drop(old));
        }
        Err(_) => drop(old),
    }
}
