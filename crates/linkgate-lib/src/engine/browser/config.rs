//! The knobs of the browser engine, with the defaults an unattended audit on a small machine
//! needs, and where the Chromium binary is found: the `--chrome` flag, then the `CHROME`
//! environment variable, then Debian's `/usr/bin/chromium`. Chromium is never downloaded.

use std::path::PathBuf;
use std::time::Duration;

use crate::engine::http::Resolve;

/// Where Chromium is looked for when neither `--chrome` nor `CHROME` says.
pub const DEFAULT_CHROME: &str = "/usr/bin/chromium";

/// How the engine tells people to get a browser.
pub const INSTALL_HINT: &str = "install it with `apt-get install -y chromium fonts-wqy-microhei` \
     (the font renders Chinese text), or point --chrome (or the CHROME environment variable) \
     at a Chromium or Chrome binary";

/// The emulated phone screen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Viewport {
    /// CSS pixels.
    pub width: u32,
    /// CSS pixels.
    pub height: u32,
    /// Device pixels per CSS pixel; screenshots are this many times the CSS size.
    pub scale: f64,
}

impl Default for Viewport {
    /// A 6.1-inch phone (iPhone 12–15 class), the most common size among Chinese users.
    fn default() -> Self {
        Viewport {
            width: 390,
            height: 844,
            scale: 3.0,
        }
    }
}

/// When a page counts as settled after it loaded: nothing new for `quiet`, or `cap` passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settle {
    /// How long the page must stay quiet: no navigation, no request starting or ending.
    pub quiet: Duration,
    /// The longest wait for quiet after the first document committed.
    pub cap: Duration,
    /// A request in flight this long is taken for a long poll and no longer holds the page
    /// open (pages that stream or poll would otherwise never settle).
    pub long_request: Duration,
}

impl Default for Settle {
    fn default() -> Self {
        Settle {
            quiet: Duration::from_millis(500),
            cap: Duration::from_secs(5),
            long_request: Duration::from_secs(2),
        }
    }
}

/// How the browser engine runs Chromium. Built once per run.
#[derive(Debug, Clone)]
pub struct BrowserConfig {
    /// The Chromium binary; `None` means `CHROME`, else [`DEFAULT_CHROME`].
    pub chrome: Option<PathBuf>,
    /// Tabs (probes) open at once in the one browser. Default: see [`default_tabs`].
    pub tabs: usize,
    /// Fresh tabs kept open ahead of time, so a probe does not wait for one. Default 2.
    pub spare_tabs: usize,
    /// Longest time one attempt may take, from opening its tab to its screenshot. The
    /// navigation may use all that is left of it. Default 30 s.
    pub timeout: Duration,
    /// Longest time any other single step may take (opening a tab, reading the page, the
    /// screenshot, closing). A step past it is a hung tab: the tab is closed. Default 10 s.
    pub step_timeout: Duration,
    /// Longest wait for Chromium to start and open its DevTools port. Default 20 s.
    pub launch_timeout: Duration,
    pub settle: Settle,
    /// Extra attempts after a transient failure (crash, timeout, reset, 5xx). Default 2.
    pub retries: u32,
    /// Wait before the second attempt; doubles after each. A crash is retried at once, on a
    /// fresh browser. Default 1 s.
    pub backoff: Duration,
    /// Most bytes of DOM kept as the body; longer ones are cut and marked truncated.
    /// Default 5 MiB.
    pub body_cap: usize,
    pub viewport: Viewport,
    /// Probes one browser serves before it is replaced by a fresh one, which bounds the
    /// memory a long run accumulates. Default 500.
    pub recycle_after: u32,
    /// `http://`, `https://`, `socks5://` or `socks5h://` proxy for every request.
    pub proxy: Option<String>,
    /// Extra trusted CA certificates (PEM). Trusted by this browser only, by public key.
    pub ca_certs: Vec<Vec<u8>>,
    /// Fixed addresses for host:port pairs, as curl's `--resolve`.
    pub resolve: Vec<Resolve>,
    /// Chromium's sandbox. It cannot run as root, so the default is off for root and on
    /// otherwise; see README.md, "The browser engine".
    pub sandbox: bool,
}

impl Default for BrowserConfig {
    fn default() -> Self {
        BrowserConfig {
            chrome: None,
            tabs: default_tabs(),
            spare_tabs: 2,
            timeout: Duration::from_secs(30),
            step_timeout: Duration::from_secs(10),
            launch_timeout: Duration::from_secs(20),
            settle: Settle::default(),
            retries: 2,
            backoff: Duration::from_secs(1),
            body_cap: 5 * 1024 * 1024,
            viewport: Viewport::default(),
            recycle_after: 500,
            proxy: None,
            ca_certs: Vec::new(),
            resolve: Vec::new(),
            sandbox: !running_as_root(),
        }
    }
}

impl BrowserConfig {
    /// The binary to launch: the configured one, else `CHROME`, else [`DEFAULT_CHROME`].
    pub fn chrome_path(&self) -> PathBuf {
        chrome_path(
            self.chrome.clone(),
            std::env::var_os("CHROME").map(PathBuf::from),
        )
    }
}

/// Four tabs per core, at most eight: measured on 2 cores, throughput stops growing near
/// eight tabs while memory keeps growing by 60–80 MB a tab.
pub fn default_tabs() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    (4 * cores).clamp(1, 8)
}

fn chrome_path(flag: Option<PathBuf>, env: Option<PathBuf>) -> PathBuf {
    flag.or(env.filter(|p| !p.as_os_str().is_empty()))
        .unwrap_or_else(|| PathBuf::from(DEFAULT_CHROME))
}

/// Whether this process runs as root (effective uid 0), read from `/proc/self/status`.
pub fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| effective_uid(&status))
        .is_some_and(|uid| uid == 0)
}

fn effective_uid(status: &str) -> Option<u32> {
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    // Uid: real effective saved filesystem
    line.split_whitespace().nth(2)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_wins_over_env_and_env_over_default() {
        let flag = Some(PathBuf::from("/opt/chrome"));
        let env = Some(PathBuf::from("/usr/bin/google-chrome"));
        assert_eq!(chrome_path(flag, env.clone()), PathBuf::from("/opt/chrome"));
        assert_eq!(
            chrome_path(None, env),
            PathBuf::from("/usr/bin/google-chrome")
        );
        assert_eq!(chrome_path(None, None), PathBuf::from(DEFAULT_CHROME));
        assert_eq!(
            chrome_path(None, Some(PathBuf::new())),
            PathBuf::from(DEFAULT_CHROME)
        );
    }

    #[test]
    fn effective_uid_is_the_second_uid_field() {
        let status = "Name:\tlinkgate\nUid:\t1000\t0\t0\t0\nGid:\t0\t0\t0\t0\n";
        assert_eq!(effective_uid(status), Some(0));
        assert_eq!(effective_uid("Name: x\n"), None);
    }

    #[test]
    fn default_tabs_stay_between_one_and_eight() {
        let tabs = default_tabs();
        assert!((1..=8).contains(&tabs));
    }
}
