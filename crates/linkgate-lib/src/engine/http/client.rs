//! The reqwest clients a run shares. One client (one connection pool, one TLS setup) serves
//! every probe: building a client per probe would reload the trust store and lose connection
//! reuse, so cookies are carried per probe by the engine instead of by the client.
//!
//! reqwest's `resolve` pins a host name for every port (the port always comes from the URL),
//! while curl's `--resolve HOST:PORT:ADDR` pins one host:port. To keep curl's meaning, each
//! `--resolve` entry gets its own client with that single override, and a request uses it
//! only when its URL's host and port match; everything else uses the plain client. Entries
//! naming the proxy's host:port apply to every client, since all traffic goes through it.

use std::net::SocketAddr;

use reqwest::{Certificate, Client, Proxy, redirect};
use url::Url;

use super::config::{HttpConfig, Resolve};

/// Why the http engine could not be built.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(
        "proxy `{proxy}` is not usable: {reason}; give a URL such as http://host:3128, \
         https://host:443, socks5://host:1080 or socks5h://host:1080"
    )]
    Proxy { proxy: String, reason: String },
    #[error(
        "CA certificate #{index} is not usable: {reason}; pass a PEM file containing \
         -----BEGIN CERTIFICATE----- blocks"
    )]
    CaCert { index: usize, reason: String },
    #[error("could not build the HTTP client: {0}; check the CA certificates and proxy given")]
    Client(#[source] reqwest::Error),
}

/// The shared client and one client per `--resolve` entry.
#[derive(Debug)]
pub(crate) struct Clients {
    plain: Client,
    pinned: Vec<(Resolve, Client)>,
}

impl Clients {
    pub(crate) fn build(config: &HttpConfig) -> Result<Clients, EngineError> {
        let proxy = config.proxy.as_deref().map(proxy_of).transpose()?;
        let certs = certificates(&config.ca_certs)?;
        let proxy_pins: Vec<&Resolve> = match &config.proxy {
            Some(p) => pins_for_proxy(p, &config.resolve),
            None => Vec::new(),
        };
        let make = |extra: Option<&Resolve>| {
            let pins = proxy_pins.iter().copied().chain(extra);
            builder(config, proxy.clone(), &certs, pins)
                .build()
                .map_err(EngineError::Client)
        };
        let plain = make(None)?;
        let mut pinned: Vec<(Resolve, Client)> = Vec::new();
        for entry in &config.resolve {
            // A later entry for the same host:port replaces an earlier one.
            pinned.retain(|(r, _)| !(r.host == entry.host && r.port == entry.port));
            pinned.push((entry.clone(), make(Some(entry))?));
        }
        Ok(Clients { plain, pinned })
    }

    /// The client for a request to this URL.
    pub(crate) fn for_url(&self, url: &Url) -> &Client {
        let host = url.host_str().unwrap_or("");
        let port = url.port_or_known_default().unwrap_or(0);
        self.pinned
            .iter()
            .find(|(r, _)| r.port == port && r.host == host)
            .map(|(_, c)| c)
            .unwrap_or(&self.plain)
    }
}

fn builder<'a>(
    config: &HttpConfig,
    proxy: Option<Proxy>,
    certs: &[Certificate],
    pins: impl Iterator<Item = &'a Resolve>,
) -> reqwest::ClientBuilder {
    let mut b = Client::builder()
        .redirect(redirect::Policy::none())
        .referer(false)
        .connect_timeout(config.connect_timeout)
        .tls_certs_merge(certs.iter().cloned());
    b = match proxy {
        Some(p) => b.proxy(p),
        None => b.no_proxy(),
    };
    for pin in pins {
        // Port 0: reqwest always takes the port from the URL.
        b = b.resolve(&pin.host, SocketAddr::new(pin.addr, 0));
    }
    b
}

fn proxy_of(text: &str) -> Result<Proxy, EngineError> {
    let error = |reason: String| EngineError::Proxy {
        proxy: text.to_string(),
        reason,
    };
    let url = Url::parse(text).map_err(|e| error(e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https" | "socks5" | "socks5h") {
        return Err(error(format!("scheme `{}` is not supported", url.scheme())));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(error("it names no host".to_string()));
    }
    Proxy::all(url.as_str()).map_err(|e| error(e.to_string()))
}

fn certificates(pems: &[Vec<u8>]) -> Result<Vec<Certificate>, EngineError> {
    let mut all = Vec::new();
    for (i, pem) in pems.iter().enumerate() {
        let error = |reason: String| EngineError::CaCert {
            index: i + 1,
            reason,
        };
        let certs = Certificate::from_pem_bundle(pem).map_err(|e| error(e.to_string()))?;
        if certs.is_empty() {
            return Err(error("no certificate found in it".to_string()));
        }
        all.extend(certs);
    }
    Ok(all)
}

/// `--resolve` entries that name the proxy itself.
fn pins_for_proxy<'a>(proxy: &str, resolve: &'a [Resolve]) -> Vec<&'a Resolve> {
    let Ok(url) = Url::parse(proxy) else {
        return Vec::new();
    };
    let host = url.host_str().unwrap_or("");
    let port = url.port_or_known_default().or(match url.scheme() {
        "socks5" | "socks5h" => Some(1080),
        _ => None,
    });
    resolve
        .iter()
        .filter(|r| r.host == host && Some(r.port) == port)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> HttpConfig {
        HttpConfig::default()
    }

    #[test]
    fn bad_proxy_urls_are_rejected_with_the_fix() {
        for bad in ["not a url", "ftp://proxy:21", "http://"] {
            let c = HttpConfig {
                proxy: Some(bad.to_string()),
                ..config()
            };
            let err = Clients::build(&c).unwrap_err().to_string();
            assert!(err.contains(bad), "{err}");
            assert!(err.contains("socks5h://"), "{err}");
        }
    }

    #[test]
    fn supported_proxy_schemes_build() {
        for ok in [
            "http://127.0.0.1:3128",
            "https://proxy.test:443",
            "socks5://127.0.0.1:1080",
            "socks5h://127.0.0.1:1080",
        ] {
            let c = HttpConfig {
                proxy: Some(ok.to_string()),
                ..config()
            };
            assert!(Clients::build(&c).is_ok(), "{ok}");
        }
    }

    #[test]
    fn pem_without_certificates_is_rejected() {
        let c = HttpConfig {
            ca_certs: vec![b"hello".to_vec()],
            ..config()
        };
        let err = Clients::build(&c).unwrap_err().to_string();
        assert!(err.contains("CA certificate #1"), "{err}");
    }

    #[test]
    fn pinned_client_is_chosen_only_for_its_host_and_port() {
        let c = HttpConfig {
            resolve: vec![
                "a.test:8080:127.0.0.1".parse().unwrap(),
                "a.test:443:127.0.0.2".parse().unwrap(),
            ],
            ..config()
        };
        let clients = Clients::build(&c).unwrap();
        let pick = |u: &str| {
            let url = Url::parse(u).unwrap();
            let chosen = clients.for_url(&url) as *const Client;
            clients
                .pinned
                .iter()
                .find(|(_, c)| std::ptr::eq(c, chosen))
                .map(|(r, _)| r.addr.to_string())
        };
        assert_eq!(pick("http://a.test:8080/x").as_deref(), Some("127.0.0.1"));
        assert_eq!(pick("https://A.test/").as_deref(), Some("127.0.0.2"));
        assert_eq!(pick("http://a.test/"), None);
        assert_eq!(pick("http://b.test:8080/"), None);
    }

    #[test]
    fn resolve_entries_for_the_proxy_apply_everywhere() {
        let resolve: Vec<Resolve> = vec![
            "proxy.test:3128:127.0.0.1".parse().unwrap(),
            "proxy.test:80:127.0.0.1".parse().unwrap(),
            "s.test:1080:127.0.0.1".parse().unwrap(),
        ];
        let hosts = |p: &str| {
            pins_for_proxy(p, &resolve)
                .iter()
                .map(|r| format!("{}:{}", r.host, r.port))
                .collect::<Vec<_>>()
        };
        assert_eq!(hosts("http://proxy.test:3128"), ["proxy.test:3128"]);
        assert_eq!(hosts("socks5h://s.test"), ["s.test:1080"]);
    }
}
