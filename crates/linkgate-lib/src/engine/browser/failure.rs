//! Chromium's network errors (`net::ERR_…`) as linkgate's failure kinds, so a browser
//! observation fails the same way an http one would: a refused connection is `connect`, a
//! certificate problem `tls`, and so on. Chromium's own list is long; the names below are the
//! ones a probe meets, and the families (`ERR_CERT_*`, `ERR_SSL_*`, `ERR_DNS_*`, `ERR_PROXY_*`,
//! `ERR_SOCKS_*`) cover the rest.

use crate::model::{Failure, FailureKind};

/// The kind of a `net::ERR_…` error text.
pub(crate) fn kind_of_net_error(text: &str) -> FailureKind {
    let name = text.trim().trim_start_matches("net::");
    match name {
        "ERR_NAME_NOT_RESOLVED" | "ERR_NAME_RESOLUTION_FAILED" => FailureKind::Dns,
        "ERR_CONNECTION_REFUSED"
        | "ERR_CONNECTION_FAILED"
        | "ERR_ADDRESS_UNREACHABLE"
        | "ERR_ADDRESS_INVALID"
        | "ERR_INTERNET_DISCONNECTED"
        | "ERR_NETWORK_CHANGED"
        | "ERR_NETWORK_ACCESS_DENIED" => FailureKind::Connect,
        // The proxy refused the connection or the tunnel: no retry reaches the site.
        "ERR_PROXY_CONNECTION_FAILED"
        | "ERR_TUNNEL_CONNECTION_FAILED"
        | "ERR_NO_SUPPORTED_PROXIES"
        | "ERR_MANDATORY_PROXY_CONFIGURATION_FAILED" => FailureKind::Proxy,
        "ERR_CONNECTION_RESET"
        | "ERR_CONNECTION_CLOSED"
        | "ERR_CONNECTION_ABORTED"
        | "ERR_EMPTY_RESPONSE"
        | "ERR_INCOMPLETE_CHUNKED_ENCODING"
        | "ERR_CONTENT_LENGTH_MISMATCH" => FailureKind::Reset,
        "ERR_TIMED_OUT" | "ERR_CONNECTION_TIMED_OUT" => FailureKind::Timeout,
        "ERR_TOO_MANY_REDIRECTS" => FailureKind::TooManyHops,
        "ERR_INVALID_URL"
        | "ERR_UNSAFE_PORT"
        | "ERR_UNSAFE_REDIRECT"
        | "ERR_INVALID_REDIRECT"
        | "ERR_DISALLOWED_URL_SCHEME"
        | "ERR_UNKNOWN_URL_SCHEME" => FailureKind::BadUrl,
        "ERR_BAD_SSL_CLIENT_AUTH_CERT" => FailureKind::Tls,
        _ if name.starts_with("ERR_CERT_") || name.starts_with("ERR_SSL_") => FailureKind::Tls,
        _ if name.starts_with("ERR_DNS_") => FailureKind::Dns,
        _ if name.starts_with("ERR_PROXY_") || name.starts_with("ERR_SOCKS_") => FailureKind::Proxy,
        _ => FailureKind::Other,
    }
}

/// The failure of a load that ended with `error` at `url`.
pub(crate) fn load_failure(url: &str, error: &str) -> Failure {
    let kind = kind_of_net_error(error);
    let hint = match kind {
        FailureKind::Tls => {
            "; if an intercepting proxy or simulator serves it, pass its CA with --ca-cert \
             and make sure it sends the CA certificate in its chain"
        }
        FailureKind::Proxy => {
            "; the proxy given with --proxy refused the connection or the tunnel: check its \
             address and that it is running"
        }
        _ if error.contains("ERR_ABORTED") => {
            " (the browser dropped the load: a download, an empty response or a blocked URL)"
        }
        _ => "",
    };
    Failure {
        kind,
        message: format!("loading {url} failed: {error}{hint}"),
    }
}

/// Chromium's error for a 4xx/5xx document without a body: not a failed load, the status
/// says what happened.
pub(crate) fn is_empty_error_status(error: &str) -> bool {
    error.contains("ERR_HTTP_RESPONSE_CODE_FAILURE")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn net_errors_map_to_the_kinds_the_http_engine_uses() {
        let cases = [
            ("net::ERR_CONNECTION_REFUSED", FailureKind::Connect),
            ("net::ERR_PROXY_CONNECTION_FAILED", FailureKind::Proxy),
            ("net::ERR_TUNNEL_CONNECTION_FAILED", FailureKind::Proxy),
            ("net::ERR_SOCKS_CONNECTION_FAILED", FailureKind::Proxy),
            ("net::ERR_PROXY_CERTIFICATE_INVALID", FailureKind::Proxy),
            ("net::ERR_NAME_NOT_RESOLVED", FailureKind::Dns),
            ("net::ERR_CERT_AUTHORITY_INVALID", FailureKind::Tls),
            ("net::ERR_SSL_PROTOCOL_ERROR", FailureKind::Tls),
            ("net::ERR_EMPTY_RESPONSE", FailureKind::Reset),
            ("net::ERR_CONNECTION_RESET", FailureKind::Reset),
            ("net::ERR_TIMED_OUT", FailureKind::Timeout),
            ("net::ERR_TOO_MANY_REDIRECTS", FailureKind::TooManyHops),
            ("net::ERR_UNSAFE_PORT", FailureKind::BadUrl),
            ("net::ERR_ABORTED", FailureKind::Other),
            ("something else", FailureKind::Other),
        ];
        for (text, kind) in cases {
            assert_eq!(kind_of_net_error(text), kind, "{text}");
        }
    }

    #[test]
    fn tls_failure_says_how_to_trust_a_proxy() {
        let f = load_failure("https://a.test/", "net::ERR_CERT_AUTHORITY_INVALID");
        assert_eq!(f.kind, FailureKind::Tls);
        assert!(f.message.contains("--ca-cert"), "{}", f.message);
        assert!(f.message.starts_with("loading https://a.test/ failed"));
    }
}
