//! Chromium's command line, built from the config as plain strings so that every flag can be
//! checked by a test. It starts from headless_chrome's own defaults (the flags Puppeteer
//! uses), drops the ones that would make a probe unlike a phone's WebView, and adds what an
//! audit needs: no background traffic, the proxy, the pinned CA and `--resolve` overrides.
//!
//! Chromium reads only the last `--disable-features` and the last `--host-resolver-rules`
//! it is given, so each of those is one merged flag.

use std::net::IpAddr;
use std::path::Path;

use headless_chrome::browser::DEFAULT_ARGS;

use crate::engine::http::Resolve;

/// headless_chrome defaults left out: `--enable-automation` marks the browser as automated
/// (see `AutomationControlled` below); popups stay blocked so a page cannot open tabs nobody
/// watches.
const DROPPED_DEFAULTS: [&str; 2] = ["--enable-automation", "--disable-popup-blocking"];

/// Flags that stop Chromium talking to Google on its own (measured: with only the first
/// ones it still looked up accounts.google.com and update servers).
const QUIET: [&str; 9] = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-domain-reliability",
    "--disable-sync",
    "--disable-quic",
    "--no-pings",
    "--no-default-browser-check",
    "--no-first-run",
    "--mute-audio",
];

/// Features switched off on top of headless_chrome's: translation, optimisation hints and
/// media routing all fetch from Google, and every window (so every browser context) would
/// preload the omnibox popup's WebUI in a renderer of its own: measured here, those
/// renderers cost more CPU than the probed pages.
const DISABLED_FEATURES: [&str; 7] = [
    "WebUIOmniboxPopup",
    "WebUIOmniboxAimPopup",
    "Translate",
    "OptimizationHints",
    "MediaRouter",
    "DialMediaRouteProvider",
    "AutofillServerCommunication",
];

/// Hosts that still get looked up with every flag above; mapped to "not found".
const SILENCED_HOSTS: [&str; 4] = [
    "accounts.google.com",
    "update.googleapis.com",
    "clients2.google.com",
    "*.gvt1.com",
];

/// What the command line is built from.
#[derive(Debug, Clone)]
pub(crate) struct FlagInputs<'a> {
    pub profile: &'a Path,
    pub proxy: Option<&'a str>,
    /// Base64 SHA-256 of each trusted CA's SubjectPublicKeyInfo.
    pub pins: &'a [String],
    pub resolve: &'a [Resolve],
    pub sandbox: bool,
}

/// Every argument Chromium is started with.
pub(crate) fn chromium_args(inputs: &FlagInputs<'_>) -> Vec<String> {
    let mut disabled: Vec<String> = Vec::new();
    let mut args = vec![
        "--headless".to_string(),
        "--remote-debugging-port=0".to_string(),
        format!("--user-data-dir={}", inputs.profile.display()),
        "--disable-gpu".to_string(),
        "--hide-scrollbars".to_string(),
        // Remote debugging makes `navigator.webdriver` true, which a WebView never is and
        // anti-bot pages read (measured: true without this flag, false with it).
        "--disable-blink-features=AutomationControlled".to_string(),
        // Chromium reloads a page that failed to load (refused, reset, …) a second later, and
        // a WebView does not; the reload's own failure would replace the real one.
        "--disable-auto-reload".to_string(),
        // A phone's WebView keeps a page and the sites it redirects to in one process; so
        // does this, which saves a renderer per cross-site hop. Probes stay apart: Chromium
        // never shares a renderer between two browser contexts.
        "--disable-site-isolation-trials".to_string(),
    ];
    for flag in DEFAULT_ARGS {
        if let Some(features) = flag.strip_prefix("--disable-features=") {
            disabled.extend(features.split(',').map(str::to_string));
        } else if !DROPPED_DEFAULTS.contains(&flag) {
            push_once(&mut args, flag);
        }
    }
    for flag in QUIET {
        push_once(&mut args, flag);
    }
    for feature in DISABLED_FEATURES {
        if !disabled.iter().any(|d| d == feature) {
            disabled.push(feature.to_string());
        }
    }
    args.push(format!("--disable-features={}", disabled.join(",")));
    args.push(format!(
        "--host-resolver-rules={}",
        resolver_rules(inputs.resolve)
    ));
    if let Some(proxy) = inputs.proxy {
        args.push(format!("--proxy-server={}", chromium_proxy(proxy)));
        // Chromium sends loopback addresses around a proxy unless told not to; the http
        // engine sends everything through it, and so must this one.
        args.push("--proxy-bypass-list=<-loopback>".to_string());
    }
    if !inputs.pins.is_empty() {
        args.push(format!(
            "--ignore-certificate-errors-spki-list={}",
            inputs.pins.join(",")
        ));
    }
    if !inputs.sandbox {
        args.push("--no-sandbox".to_string());
        args.push("--disable-setuid-sandbox".to_string());
    }
    args
}

fn push_once(args: &mut Vec<String>, flag: &str) {
    if !args.iter().any(|a| a == flag) {
        args.push(flag.to_string());
    }
}

/// `MAP host:port addr` for each `--resolve` (the last one for a host:port wins, so it comes
/// first: Chromium applies the first rule that matches), then the silenced hosts.
pub(crate) fn resolver_rules(resolve: &[Resolve]) -> String {
    let mut rules: Vec<String> = Vec::new();
    let mut seen: Vec<(&str, u16)> = Vec::new();
    for entry in resolve.iter().rev() {
        if seen.contains(&(entry.host.as_str(), entry.port)) {
            continue;
        }
        seen.push((entry.host.as_str(), entry.port));
        let addr = match entry.addr {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => format!("[{v6}]"),
        };
        rules.push(format!("MAP {}:{} {addr}", entry.host, entry.port));
    }
    rules.extend(SILENCED_HOSTS.iter().map(|h| format!("MAP {h} ~NOTFOUND")));
    rules.join(", ")
}

/// Chromium's spelling of a proxy URL: its `socks5://` already resolves names at the proxy,
/// which is what `socks5h://` means elsewhere.
fn chromium_proxy(proxy: &str) -> String {
    match proxy.strip_prefix("socks5h://") {
        Some(rest) => format!("socks5://{rest}"),
        None => proxy.trim_end_matches('/').to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn inputs<'a>(profile: &'a Path, resolve: &'a [Resolve], pins: &'a [String]) -> FlagInputs<'a> {
        FlagInputs {
            profile,
            proxy: None,
            pins,
            resolve,
            sandbox: false,
        }
    }

    fn count(args: &[String], prefix: &str) -> usize {
        args.iter().filter(|a| a.starts_with(prefix)).count()
    }

    #[test]
    fn one_merged_disable_features_flag_keeps_headless_chrome_features() {
        let profile = PathBuf::from("/tmp/p");
        let args = chromium_args(&inputs(&profile, &[], &[]));
        assert_eq!(count(&args, "--disable-features="), 1);
        let flag = args
            .iter()
            .find(|a| a.starts_with("--disable-features="))
            .unwrap();
        for feature in [
            "TranslateUI",
            "BlinkGenPropertyTrees",
            "Translate",
            "MediaRouter",
        ] {
            assert!(
                flag.split(['=', ',']).any(|f| f == feature),
                "{feature} in {flag}"
            );
        }
    }

    #[test]
    fn automation_marker_and_popups_are_left_out_and_certificate_errors_are_not_ignored() {
        let profile = PathBuf::from("/tmp/p");
        let args = chromium_args(&inputs(&profile, &[], &[]));
        for absent in [
            "--enable-automation",
            "--disable-popup-blocking",
            "--ignore-certificate-errors",
        ] {
            assert!(!args.iter().any(|a| a == absent), "{absent} present");
        }
        assert_eq!(count(&args, "--no-first-run"), 1);
        assert!(args.contains(&"--no-sandbox".to_string()));
        assert!(args.contains(&"--user-data-dir=/tmp/p".to_string()));
        assert!(args.contains(&"--disable-auto-reload".to_string()));
    }

    #[test]
    fn resolve_entries_come_before_the_silenced_hosts_and_the_last_one_wins() {
        let resolve: Vec<Resolve> = [
            "a.test:443:10.0.0.1",
            "b.test:80:[::1]",
            "a.test:443:127.0.0.1",
        ]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
        assert_eq!(
            resolver_rules(&resolve),
            "MAP a.test:443 127.0.0.1, MAP b.test:80 [::1], MAP accounts.google.com ~NOTFOUND, \
             MAP update.googleapis.com ~NOTFOUND, MAP clients2.google.com ~NOTFOUND, \
             MAP *.gvt1.com ~NOTFOUND"
        );
    }

    #[test]
    fn proxy_goes_everywhere_and_pins_are_one_list() {
        let profile = PathBuf::from("/tmp/p");
        let pins = vec!["AAA=".to_string(), "BBB=".to_string()];
        let mut input = inputs(&profile, &[], &pins);
        input.proxy = Some("socks5h://127.0.0.1:1080");
        input.sandbox = true;
        let args = chromium_args(&input);
        assert!(args.contains(&"--proxy-server=socks5://127.0.0.1:1080".to_string()));
        assert!(args.contains(&"--proxy-bypass-list=<-loopback>".to_string()));
        assert!(args.contains(&"--ignore-certificate-errors-spki-list=AAA=,BBB=".to_string()));
        assert!(!args.contains(&"--no-sandbox".to_string()));
        assert_eq!(count(&args, "--host-resolver-rules="), 1);
    }
}
