//! The browser engine: measures a probe in the system Chromium, driven over the DevTools
//! protocol with headless_chrome, the way the host app's WebView would show the link: a
//! phone's screen and user agent, the context's headers, its JS bridge stubs, scripts run.
//! It sees what the http engine cannot (script-computed redirects, gateway pages that render
//! their verdict in script), records every navigation as a hop, and keeps the DOM and a
//! screenshot as evidence.
//!
//! One Chromium serves the whole run, with a bounded pool of tabs; every probe gets a fresh
//! isolated browser context. headless_chrome is blocking, so each attempt runs on a blocking
//! thread behind a semaphore the size of the pool, never on the async workers. Building the
//! engine launches nothing and fails only on bad settings; measuring never fails: a missing
//! browser, a hung tab or a crash is an observation with a `failure`, and a crashed browser
//! is replaced and the probe tried again.

mod cdp;
mod chromium;
mod config;
mod events;
mod failure;
mod flags;
mod keeper;
mod observe;
mod probe;
mod process;
mod recorder;
mod settle;
mod spki;
mod stale;
mod tab;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use tokio::sync::Semaphore;
use url::Url;

pub use config::{BrowserConfig, DEFAULT_CHROME, INSTALL_HINT, Settle, Viewport, default_tabs};

use crate::engine::frontier::Frontier;
use crate::engine::retry::{self, Limits, Tried};
use crate::engine::{Capture, PageRequest, entry_url, host_key, millis};
use crate::model::{Failure, FailureKind};
use keeper::Keeper;

/// The longest wait between two tries of a probe (backoff doubles up to it).
const MAX_BACKOFF: Duration = Duration::from_secs(60);
use probe::Probed;

/// Why the browser engine could not be built.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(
        "CA certificate #{index} is not usable: it {reason}; pass a PEM file containing \
         -----BEGIN CERTIFICATE----- blocks"
    )]
    CaCert { index: usize, reason: String },
    #[error(
        "proxy `{proxy}` is not usable by Chromium: {reason}; give a URL such as \
         http://host:3128, https://host:443, socks5://host:1080 or socks5h://host:1080"
    )]
    Proxy { proxy: String, reason: String },
    #[error("the browser engine needs at least one tab; use --tabs 1 or more")]
    NoTabs,
}

struct Shared {
    config: Arc<BrowserConfig>,
    keeper: Keeper,
    tabs: Semaphore,
    /// Where a probe waits for its entry host's turn and a slot before it takes a tab; the
    /// browser's own follow-up requests are not gated (Chromium makes them).
    frontier: Option<Arc<Frontier>>,
}

/// The browser engine of a run. Dropping it kills its browser.
pub struct BrowserEngine {
    shared: Arc<Shared>,
}

impl BrowserEngine {
    /// Checks the settings; Chromium is launched by the first probe that needs it.
    pub fn new(config: BrowserConfig) -> Result<BrowserEngine, EngineError> {
        BrowserEngine::build(config, None)
    }

    /// An engine whose probes wait for their entry host's turn and a slot in `frontier`
    /// before they take a tab, as the http engine's requests do.
    pub fn sharing(
        config: BrowserConfig,
        frontier: Arc<Frontier>,
    ) -> Result<BrowserEngine, EngineError> {
        BrowserEngine::build(config, Some(frontier))
    }

    fn build(
        config: BrowserConfig,
        frontier: Option<Arc<Frontier>>,
    ) -> Result<BrowserEngine, EngineError> {
        if config.tabs == 0 {
            return Err(EngineError::NoTabs);
        }
        if let Some(proxy) = &config.proxy {
            check_proxy(proxy)?;
        }
        let mut pins = Vec::new();
        for (i, pem) in config.ca_certs.iter().enumerate() {
            let found = spki::pins_of_pem(pem).map_err(|e| EngineError::CaCert {
                index: i + 1,
                reason: e.to_string(),
            })?;
            pins.extend(found);
        }
        let tabs = Semaphore::new(config.tabs);
        let config = Arc::new(config);
        Ok(BrowserEngine {
            shared: Arc::new(Shared {
                keeper: Keeper::new(config.clone(), pins),
                config,
                tabs,
                frontier,
            }),
        })
    }

    /// Measures one probe. Never fails: problems are recorded in the observation.
    pub async fn capture(&self, request: &PageRequest) -> Capture {
        let started_at = Utc::now();
        let clock = Instant::now();
        if let Err(failure) = entry_url(&request.entry_url) {
            return Capture::not_started(
                crate::model::EngineKind::Browser,
                request,
                failure,
                started_at,
            );
        }
        let config = &self.shared.config;
        let limits = Limits {
            retries: config.retries,
            backoff: config.backoff,
            max_retry_after: MAX_BACKOFF,
        };
        let (tried, attempts) = retry::with_retries(limits, (), |_, ()| async move {
            let probed = self.attempt(request).await;
            let (status, failure) = match &probed {
                Ok(probed) => {
                    let landing = observe::landing(probed, &request.entry_url);
                    (landing.status, landing.failure)
                }
                Err(message) => {
                    let kind = FailureKind::EngineUnavailable;
                    (
                        None,
                        Some(Failure {
                            kind,
                            message: message.clone(),
                        }),
                    )
                }
            };
            let tried = Tried {
                value: probed,
                status,
                failure,
                retry_after: None,
            };
            (tried, ())
        })
        .await;
        let last = match tried.value {
            // No browser at all on the first try: the probe never started.
            Err(message) if attempts.len() == 1 => {
                let failure = Failure {
                    kind: FailureKind::EngineUnavailable,
                    message,
                };
                return Capture::not_started(
                    crate::model::EngineKind::Browser,
                    request,
                    failure,
                    started_at,
                );
            }
            Err(message) => Probed {
                failure: Some(Failure {
                    kind: FailureKind::EngineUnavailable,
                    message,
                }),
                ..Probed::default()
            },
            Ok(probed) => probed,
        };
        let elapsed = millis(clock.elapsed());
        observe::finished(
            request,
            last,
            attempts,
            started_at,
            elapsed,
            config.body_cap,
        )
    }

    /// The pid of the running Chromium, if one runs (for diagnostics and tests).
    pub fn browser_pid(&self) -> Option<u32> {
        self.shared.keeper.pid()
    }

    pub fn config(&self) -> &BrowserConfig {
        &self.shared.config
    }

    /// One attempt in a tab of the pool; the error says why there is no browser.
    async fn attempt(&self, request: &PageRequest) -> Result<Probed, String> {
        let _turn = match (&self.shared.frontier, entry_url(&request.entry_url)) {
            (Some(frontier), Ok(url)) => Some(frontier.enter(&host_key(&url)).await),
            _ => None,
        };
        let _tab = self
            .shared
            .tabs
            .acquire()
            .await
            .map_err(|_| "the browser engine was shut down".to_string())?;
        let chromium = self.shared.keeper.browser().await?;
        let config = self.shared.config.clone();
        let limit = config.timeout + 4 * config.step_timeout + Duration::from_secs(10);
        let blocking = tokio::task::spawn_blocking({
            let chromium = chromium.clone();
            let request = request.clone();
            move || probe::run(&chromium, &request, &config)
        });
        let probed = match tokio::time::timeout(limit, blocking).await {
            Ok(Ok(probed)) => probed,
            Ok(Err(join)) => broken(
                FailureKind::Other,
                format!("the probe thread failed: {join}"),
            ),
            Err(_) => broken(
                FailureKind::Timeout,
                format!(
                    "the browser stopped answering for {} s; it was restarted",
                    limit.as_secs()
                ),
            ),
        };
        if probed.broken {
            self.shared.keeper.discard(chromium).await;
        } else {
            keeper::retire(chromium);
        }
        Ok(probed)
    }
}

impl Drop for BrowserEngine {
    fn drop(&mut self) {
        self.shared.keeper.shutdown();
    }
}

fn broken(kind: FailureKind, message: String) -> Probed {
    Probed {
        failure: Some(Failure { kind, message }),
        broken: true,
        ..Probed::default()
    }
}

fn check_proxy(proxy: &str) -> Result<(), EngineError> {
    let bad = |reason: &str| EngineError::Proxy {
        proxy: proxy.to_string(),
        reason: reason.to_string(),
    };
    let url = Url::parse(proxy).map_err(|e| bad(&e.to_string()))?;
    if !matches!(
        url.scheme(),
        "http" | "https" | "socks4" | "socks5" | "socks5h"
    ) {
        return Err(bad(
            "its scheme is not http, https, socks4, socks5 or socks5h",
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("it names no host"));
    }
    if !url.username().is_empty() {
        return Err(bad(
            "Chromium cannot take proxy credentials on its command line",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_settings_are_refused_with_the_fix() {
        let err = |config: BrowserConfig| BrowserEngine::new(config).err().unwrap().to_string();
        let text = err(BrowserConfig {
            ca_certs: vec![b"hello".to_vec()],
            ..BrowserConfig::default()
        });
        assert!(
            text.contains("CA certificate #1") && text.contains("BEGIN CERTIFICATE"),
            "{text}"
        );
        let text = err(BrowserConfig {
            proxy: Some("ftp://proxy:21".into()),
            ..BrowserConfig::default()
        });
        assert!(text.contains("ftp://proxy:21"), "{text}");
        let text = err(BrowserConfig {
            tabs: 0,
            ..BrowserConfig::default()
        });
        assert!(text.contains("--tabs"), "{text}");
    }

    #[test]
    fn only_http_and_https_entry_urls_are_loaded() {
        assert!(entry_url("https://a.test/x").is_ok());
        let failure = entry_url("javascript:alert(1)").unwrap_err();
        assert_eq!(failure.kind, FailureKind::BadUrl);
        assert!(entry_url("not a url").is_err());
    }
}
