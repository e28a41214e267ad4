//! The knobs of the http engine, with the defaults a polite audit uses, and the curl-style
//! `--resolve HOST:PORT:ADDR` value, parsed here so the binary and tests agree on its syntax.

use std::net::IpAddr;
use std::str::FromStr;
use std::time::Duration;

/// How the http engine talks to servers. Built once per run.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Longest wait for a TCP (and proxy) connection. Default 10 s.
    pub connect_timeout: Duration,
    /// Longest time one attempt may spend talking to servers, over all its hops (time queued
    /// for a host's politeness slot is not counted). Default 30 s.
    pub total_timeout: Duration,
    /// Most redirects (HTTP, meta refresh or script) followed after the entry URL, so an
    /// observation has at most `max_hops + 1` hops. Default 15.
    pub max_hops: usize,
    /// Most bytes of a body read (after content decoding). Default 5 MiB.
    pub body_cap: usize,
    /// Extra attempts after the first for transient failures. Default 2.
    pub retries: u32,
    /// First backoff; doubles with each retry, with jitter. Default 1 s.
    pub backoff: Duration,
    /// Longest `Retry-After` honoured; a longer one ends the probe. Default 60 s.
    pub max_retry_after: Duration,
    /// Requests in flight at once over all hosts (the frontier's slots). Default 8.
    pub concurrency: usize,
    /// Requests in flight at once to one host:port. Default 2.
    pub per_host: usize,
    /// Least time between the starts of two requests to one host:port. Default 1 s.
    pub interval: Duration,
    /// `http://`, `https://`, `socks5://` or `socks5h://` proxy for every request.
    pub proxy: Option<String>,
    /// Extra trusted root certificates (PEM bytes; a file may hold several). The system
    /// roots stay trusted.
    pub ca_certs: Vec<Vec<u8>>,
    /// Fixed addresses for host:port pairs, as curl's `--resolve`.
    pub resolve: Vec<Resolve>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            connect_timeout: Duration::from_secs(10),
            total_timeout: Duration::from_secs(30),
            max_hops: 15,
            body_cap: 5 * 1024 * 1024,
            retries: 2,
            backoff: Duration::from_secs(1),
            max_retry_after: Duration::from_secs(60),
            concurrency: 8,
            per_host: 2,
            interval: Duration::from_secs(1),
            proxy: None,
            ca_certs: Vec::new(),
            resolve: Vec::new(),
        }
    }
}

/// One `--resolve HOST:PORT:ADDR`: connections to `HOST` on `PORT` go to `ADDR` (same port),
/// whatever DNS says. Other ports of `HOST` resolve normally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolve {
    /// Lower-cased host name.
    pub host: String,
    pub port: u16,
    pub addr: IpAddr,
}

/// Why a `--resolve` value was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    #[error("--resolve `{0}` must look like HOST:PORT:ADDR, e.g. example.com:443:127.0.0.1")]
    Shape(String),
    #[error("--resolve `{input}`: the host is empty; write HOST:PORT:ADDR")]
    EmptyHost { input: String },
    #[error("--resolve `{input}`: `{port}` is not a port number (1-65535)")]
    Port { input: String, port: String },
    #[error(
        "--resolve `{input}`: `{addr}` is not one IP address; write IPv4 as 127.0.0.1 and IPv6 \
         in brackets as [::1]"
    )]
    Addr { input: String, addr: String },
}

impl FromStr for Resolve {
    type Err = ResolveError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let shape = || ResolveError::Shape(input.to_string());
        let (host, rest) = input.split_once(':').ok_or_else(shape)?;
        let (port, addr) = rest.split_once(':').ok_or_else(shape)?;
        let host = host.trim();
        if host.is_empty() {
            return Err(ResolveError::EmptyHost {
                input: input.to_string(),
            });
        }
        let port_number = port
            .trim()
            .parse::<u16>()
            .ok()
            .filter(|p| *p != 0)
            .ok_or_else(|| ResolveError::Port {
                input: input.to_string(),
                port: port.to_string(),
            })?;
        let addr_text = addr.trim();
        let bare = addr_text
            .strip_prefix('[')
            .and_then(|a| a.strip_suffix(']'))
            .unwrap_or(addr_text);
        let addr = bare.parse::<IpAddr>().map_err(|_| ResolveError::Addr {
            input: input.to_string(),
            addr: addr.to_string(),
        })?;
        Ok(Resolve {
            host: host.to_ascii_lowercase(),
            port: port_number,
            addr,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    #[test]
    fn resolve_parses_ipv4_and_lowercases_the_host() {
        let r: Resolve = "Shop.Example.com:8443:127.0.0.1".parse().unwrap();
        assert_eq!(
            r,
            Resolve {
                host: "shop.example.com".into(),
                port: 8443,
                addr: IpAddr::V4(Ipv4Addr::LOCALHOST),
            }
        );
    }

    #[test]
    fn resolve_parses_bracketed_and_bare_ipv6() {
        let r: Resolve = "a.test:443:[::1]".parse().unwrap();
        assert_eq!(r.addr, IpAddr::V6(Ipv6Addr::LOCALHOST));
        let r: Resolve = "a.test:443:::1".parse().unwrap();
        assert_eq!(r.addr, IpAddr::V6(Ipv6Addr::LOCALHOST));
    }

    #[test]
    fn resolve_errors_name_the_problem() {
        let err = |s: &str| s.parse::<Resolve>().unwrap_err().to_string();
        assert!(err("example.com").contains("HOST:PORT:ADDR"));
        assert!(err("example.com:443").contains("HOST:PORT:ADDR"));
        assert!(err(":443:127.0.0.1").contains("host is empty"));
        assert!(err("a.test:https:127.0.0.1").contains("`https` is not a port"));
        assert!(err("a.test:0:127.0.0.1").contains("not a port"));
        assert!(err("a.test:443:localhost").contains("`localhost` is not one IP address"));
    }

    #[test]
    fn defaults_match_the_documented_values() {
        let c = HttpConfig::default();
        assert_eq!(c.connect_timeout, Duration::from_secs(10));
        assert_eq!(c.total_timeout, Duration::from_secs(30));
        assert_eq!((c.max_hops, c.body_cap, c.retries), (15, 5 << 20, 2));
        assert_eq!(c.backoff, Duration::from_secs(1));
        assert_eq!(c.max_retry_after, Duration::from_secs(60));
        assert_eq!((c.per_host, c.interval), (2, Duration::from_secs(1)));
    }
}
