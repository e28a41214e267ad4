//! Turns transport errors into `FailureKind`s. reqwest wraps hyper, which wraps io and
//! rustls errors, so the kind is found by walking the whole `source()` chain; `io::Error`
//! hides its inner error from `source()`, so it is unwrapped by hand. The message kept is
//! the full chain, which is what an analyst needs to see.

use std::error::Error;
use std::io;

use tokio_rustls::rustls;

use crate::model::{Failure, FailureKind};

/// A failure from a transport error.
pub(crate) fn from_error(error: &(dyn Error + 'static)) -> Failure {
    Failure {
        kind: kind_of(error),
        message: message_of(error),
    }
}

/// What went wrong, most specific cause first: a TLS or DNS problem explains a connect error,
/// and a refused connection is a connect failure even if a timeout wraps it.
pub(crate) fn kind_of(error: &(dyn Error + 'static)) -> FailureKind {
    let mut seen = Seen::default();
    for e in chain(error) {
        seen.note(e);
    }
    if seen.tls {
        FailureKind::Tls
    } else if seen.dns {
        FailureKind::Dns
    } else if seen.refused {
        FailureKind::Connect
    } else if seen.reset {
        FailureKind::Reset
    } else if seen.timeout {
        FailureKind::Timeout
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
        assert_eq!(kind_of(&e), FailureKind::Connect);
    }

    #[test]
    fn reset_broken_pipe_and_eof_are_reset() {
        for kind in [
            io::ErrorKind::ConnectionReset,
            io::ErrorKind::BrokenPipe,
            io::ErrorKind::UnexpectedEof,
        ] {
            assert_eq!(kind_of(&wrapped(io::Error::from(kind))), FailureKind::Reset);
        }
    }

    #[test]
    fn rustls_error_inside_io_error_is_tls() {
        let tls = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let e = wrapped(io::Error::new(io::ErrorKind::InvalidData, tls));
        assert_eq!(kind_of(&e), FailureKind::Tls);
        assert!(from_error(&e).message.contains("invalid peer certificate"));
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
        assert_eq!(kind_of(&e), FailureKind::Dns);
    }

    #[test]
    fn message_keeps_every_distinct_cause() {
        let e = wrapped(io::Error::from(io::ErrorKind::ConnectionRefused));
        assert_eq!(
            from_error(&e).message,
            "error sending request: client error: connection refused"
        );
    }
}
