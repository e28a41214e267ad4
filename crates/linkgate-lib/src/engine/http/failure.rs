//! Turns transport errors into `FailureKind`s. reqwest wraps hyper, which wraps io and
//! rustls errors, so the kind is found by walking the whole `source()` chain; `io::Error`
//! hides its inner error from `source()`, so it is unwrapped by hand. The message kept is
//! the full chain, which is what an analyst needs to see.
//!
//! Behind a proxy every connection is to the proxy, so a connection it refuses, or a tunnel it
//! will not open, is the proxy's failure (`proxy`), not the site's: no retry can cure it within
//! a probe, and the analyst has to fix `--proxy`, not wait for the site.

use std::error::Error;
use std::io;

use tokio_rustls::rustls;

use crate::model::{Failure, FailureKind};

/// A failure from a transport error; `proxy` is the proxy every request goes through, if any.
pub(crate) fn from_error(error: &(dyn Error + 'static), proxy: Option<&str>) -> Failure {
    let kind = kind_of(error, proxy.is_some());
    let message = match (kind, proxy) {
        (FailureKind::Proxy, Some(proxy)) => {
            format!("through the proxy {proxy}: {}", message_of(error))
        }
        _ => message_of(error),
    };
    Failure { kind, message }
}

/// What went wrong, most specific cause first: a TLS or DNS problem explains a connect error,
/// a connection refused or a tunnel not opened behind a proxy is the proxy's, and a refused
/// connection is a connect failure even if a timeout wraps it.
pub(crate) fn kind_of(error: &(dyn Error + 'static), via_proxy: bool) -> FailureKind {
    let mut seen = Seen::default();
    for e in chain(error) {
        seen.note(e);
    }
    if seen.tls {
        FailureKind::Tls
    } else if seen.dns {
        FailureKind::Dns
    } else if seen.proxy || (via_proxy && seen.refused) {
        FailureKind::Proxy
    } else if seen.refused {
        FailureKind::Connect
    } else if seen.reset {
        FailureKind::Reset
    } else if seen.timeout {
        FailureKind::Timeout
    } else if seen.connect && via_proxy {
        FailureKind::Proxy
    } else if seen.connect {
        FailureKind::Connect
    } else {
        FailureKind::Other
    }
}

#[derive(Default)]
struct Seen {
    tls: bool,
    dns: bool,
    proxy: bool,
    refused: bool,
    reset: bool,
    timeout: bool,
    connect: bool,
}

impl Seen {
    fn note(&mut self, e: &(dyn Error + 'static)) {
        if e.is::<rustls::Error>() {
            self.tls = true;
        }
        if let Some(io) = e.downcast_ref::<io::Error>() {
            match io.kind() {
                io::ErrorKind::ConnectionRefused => self.refused = true,
                io::ErrorKind::ConnectionReset
                | io::ErrorKind::ConnectionAborted
                | io::ErrorKind::BrokenPipe
                | io::ErrorKind::UnexpectedEof => self.reset = true,
                io::ErrorKind::TimedOut => self.timeout = true,
                _ => {}
            }
        }
        if let Some(h) = e.downcast_ref::<hyper::Error>() {
            // The server closed the connection before a complete response.
            if h.is_incomplete_message() {
                self.reset = true;
            }
            if h.is_timeout() {
                self.timeout = true;
            }
        }
        if let Some(r) = e.downcast_ref::<reqwest::Error>() {
            self.timeout |= r.is_timeout();
            self.connect |= r.is_connect();
        }
        // hyper-util's resolver errors are private types; their text is stable.
        let text = e.to_string();
        if text.starts_with("dns error") || text.contains("failed to lookup address") {
            self.dns = true;
        }
        // hyper-util's tunnel and SOCKS errors and reqwest's SOCKS connect error, also private.
        if text.starts_with("tunnel error")
            || text.starts_with("SOCKS error")
            || text.starts_with("error connecting to socks proxy")
        {
            self.proxy = true;
        }
    }
}

/// The error and its causes, including the errors `io::Error` wraps.
fn chain<'a>(error: &'a (dyn Error + 'static)) -> Vec<&'a (dyn Error + 'static)> {
    let mut out = Vec::new();
    let mut current = Some(error);
    while let Some(e) = current {
        out.push(e);
        if out.len() > 32 {
            break;
        }
        current = match e.downcast_ref::<io::Error>().and_then(|io| io.get_ref()) {
            Some(inner) => Some(inner as &(dyn Error + 'static)),
            None => e.source(),
        };
    }
    out
}

/// "a: b: c", without repeating a cause whose text its wrapper already includes.
fn message_of(error: &(dyn Error + 'static)) -> String {
    let mut message = String::new();
    for e in chain(error) {
        let text = e.to_string();
        if text.is_empty() || message.contains(&text) {
            continue;
        }
        if !message.is_empty() {
            message.push_str(": ");
        }
        message.push_str(&text);
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt;

    /// A wrapper like reqwest's or hyper-util's: a message and a cause.
    #[derive(Debug)]
    struct Wrap(&'static str, Box<dyn Error + Send + Sync>);

    impl fmt::Display for Wrap {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }

    impl Error for Wrap {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            Some(&*self.1)
        }
    }

    fn wrapped(e: impl Error + Send + Sync + 'static) -> Wrap {
        Wrap(
            "error sending request",
            Box::new(Wrap("client error", Box::new(e))),
        )
    }

    #[test]
    fn refused_connection_is_connect() {
        let e = wrapped(io::Error::from(io::ErrorKind::ConnectionRefused));
        assert_eq!(kind_of(&e, false), FailureKind::Connect);
    }

    #[test]
    fn refused_connection_behind_a_proxy_is_the_proxys_and_says_which() {
        let e = wrapped(io::Error::from(io::ErrorKind::ConnectionRefused));
        let failure = from_error(&e, Some("http://127.0.0.1:9"));
        assert_eq!(failure.kind, FailureKind::Proxy);
        assert!(
            failure
                .message
                .starts_with("through the proxy http://127.0.0.1:9: "),
            "{}",
            failure.message
        );
    }

    #[test]
    fn a_tunnel_the_proxy_would_not_open_is_the_proxys() {
        let e = Wrap(
            "client error (Connect)",
            Box::new(Wrap(
                "tunnel error: unsuccessful",
                Box::new(io::Error::other("x")),
            )),
        );
        assert_eq!(kind_of(&e, true), FailureKind::Proxy);
    }

    #[test]
    fn behind_a_proxy_dns_tls_and_timeouts_keep_their_kinds() {
        let tls = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let e = wrapped(io::Error::new(io::ErrorKind::InvalidData, tls));
        assert_eq!(kind_of(&e, true), FailureKind::Tls);
        let e = wrapped(io::Error::from(io::ErrorKind::TimedOut));
        assert_eq!(kind_of(&e, true), FailureKind::Timeout);
        let e = wrapped(io::Error::from(io::ErrorKind::ConnectionReset));
        assert_eq!(kind_of(&e, true), FailureKind::Reset);
    }

    #[test]
    fn reset_broken_pipe_and_eof_are_reset() {
        for kind in [
            io::ErrorKind::ConnectionReset,
            io::ErrorKind::BrokenPipe,
            io::ErrorKind::UnexpectedEof,
        ] {
            assert_eq!(
                kind_of(&wrapped(io::Error::from(kind)), false),
                FailureKind::Reset
            );
        }
    }

    #[test]
    fn rustls_error_inside_io_error_is_tls() {
        let tls = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let e = wrapped(io::Error::new(io::ErrorKind::InvalidData, tls));
        assert_eq!(kind_of(&e, false), FailureKind::Tls);
        assert!(
            from_error(&e, None)
                .message
                .contains("invalid peer certificate")
        );
    }

    #[test]
    fn resolver_failure_is_dns() {
        let e = Wrap(
            "client error (Connect)",
            Box::new(Wrap(
                "dns error",
                Box::new(io::Error::other("failed to lookup address information")),
            )),
        );
        assert_eq!(kind_of(&e, false), FailureKind::Dns);
        assert_eq!(kind_of(&e, true), FailureKind::Dns);
    }

    #[test]
    fn message_keeps_every_distinct_cause() {
        let e = wrapped(io::Error::from(io::ErrorKind::ConnectionRefused));
        assert_eq!(
            from_error(&e, None).message,
            "error sending request: client error: connection refused"
        );
    }
}
