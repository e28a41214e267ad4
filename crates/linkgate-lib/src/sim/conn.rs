//! One client connection to the proxy: plain HTTP requests in absolute form are answered
//! directly; `CONNECT host:port` is accepted, the tunnel's TLS is intercepted with a leaf
//! for the host, and the requests inside are answered the same way. Bad clients (garbage,
//! stalled headers, a CONNECT that never speaks TLS) are timed out and dropped, never panics.

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::upgrade::OnUpgrade;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::LazyConfigAcceptor;
use tokio_rustls::rustls::server::Acceptor;

use super::router;
use super::server::Shared;
use super::visit::{Answer, Reply, Visit};

/// Hosts counted one by one in the stats; beyond, they share one entry.
const PER_HOST_LIMIT: usize = 10_000;

type Body = Full<Bytes>;

/// A CONNECT accepted and waiting for its response to be sent.
struct Pending {
    upgrade: OnUpgrade,
    host: String,
}

/// Serves one accepted connection until the client leaves or misbehaves.
pub(crate) async fn serve(stream: TcpStream, peer: SocketAddr, shared: Arc<Shared>) {
    let reset = Arc::new(AtomicBool::new(false));
    let io = TokioIo::new(ConnIo {
        inner: stream,
        reset: reset.clone(),
    });
    let pending: Arc<Mutex<Option<Pending>>> = Arc::default();
    let service = {
        let (shared, reset, pending) = (shared.clone(), reset.clone(), pending.clone());
        service_fn(move |req| proxy_request(req, shared.clone(), reset.clone(), pending.clone()))
    };
    let result = http1_builder(&shared)
        .serve_connection(io, service)
        .with_upgrades()
        .await;
    finish(result, &shared, &reset, peer);
    let pending = pending.lock().unwrap_or_else(|e| e.into_inner()).take();
    if let Some(pending) = pending {
        tunnel(pending, peer, shared, reset).await;
    }
}

fn http1_builder(shared: &Shared) -> http1::Builder {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(shared.limits.header_timeout)
        .keep_alive(true);
    builder
}

/// Logs how a connection ended and counts bad clients.
fn finish(result: Result<(), hyper::Error>, shared: &Shared, reset: &AtomicBool, peer: SocketAddr) {
    match result {
        Ok(()) => {}
        Err(_) if reset.load(Ordering::Relaxed) => {
            tracing::debug!(%peer, "connection reset on purpose (site down)");
        }
        Err(e) => {
            tracing::debug!(%peer, error = %e, "client connection ended with an error");
            shared.count(|s| s.bad_clients += 1);
        }
    }
}

/// A request to the proxy itself: CONNECT, an absolute-form request, or a visit to the
/// simulator's own page.
async fn proxy_request(
    req: Request<Incoming>,
    shared: Arc<Shared>,
    reset: Arc<AtomicBool>,
    pending: Arc<Mutex<Option<Pending>>>,
) -> Result<Response<Body>, ResetConnection> {
    if req.method() == Method::CONNECT {
        let Some(host) = req.uri().host().map(normalize_host) else {
            return Ok(response(
                Reply::plain(400, "CONNECT needs host:port\n"),
                false,
            ));
        };
        let upgrade = hyper::upgrade::on(req);
        *pending.lock().unwrap_or_else(|e| e.into_inner()) = Some(Pending { upgrade, host });
        return Ok(Response::new(Body::default()));
    }
    if let (Some(scheme), Some(host)) = (req.uri().scheme_str(), req.uri().host()) {
        let scheme = if scheme == "https" { "https" } else { "http" };
        let host = normalize_host(host);
        return respond(req, scheme, &host, &shared, &reset).await;
    }
    match host_header(&req) {
        Some(host) if !is_own_host(&host) => respond(req, "http", &host, &shared, &reset).await,
        _ => Ok(home(&req, &shared)),
    }
}

/// Intercepts a CONNECT tunnel's TLS and serves the requests inside.
async fn tunnel(pending: Pending, peer: SocketAddr, shared: Arc<Shared>, reset: Arc<AtomicBool>) {
    let upgraded = match pending.upgrade.await {
        Ok(upgraded) => upgraded,
        Err(e) => {
            tracing::debug!(%peer, error = %e, "CONNECT upgrade failed");
            return;
        }
    };
    let limit = shared.limits.tls_timeout;
    let acceptor = LazyConfigAcceptor::new(Acceptor::default(), TokioIo::new(upgraded));
    let start = match tokio::time::timeout(limit, acceptor).await {
        Ok(Ok(start)) => start,
        Ok(Err(e)) => return bad_tunnel(&shared, peer, &pending.host, &e.to_string()),
        Err(_) => return bad_tunnel(&shared, peer, &pending.host, "no TLS ClientHello in time"),
    };
    let host = start
        .client_hello()
        .server_name()
        .map(normalize_host)
        .unwrap_or_else(|| pending.host.clone());
    let config = match shared.authority.server_config(&host) {
        Ok(config) => config,
        Err(e) => return bad_tunnel(&shared, peer, &host, &e.to_string()),
    };
    let tls = match tokio::time::timeout(limit, start.into_stream(config)).await {
        Ok(Ok(tls)) => tls,
        Ok(Err(e)) => return bad_tunnel(&shared, peer, &host, &e.to_string()),
        Err(_) => return bad_tunnel(&shared, peer, &host, "TLS handshake did not finish in time"),
    };
    shared.count(|s| s.tunnels += 1);
    let service = {
        let (shared, reset) = (shared.clone(), reset.clone());
        service_fn(move |req: Request<Incoming>| {
            let (shared, reset, tunnel_host) = (shared.clone(), reset.clone(), host.clone());
            async move {
                let host = host_header(&req).unwrap_or(tunnel_host);
                respond(req, "https", &host, &shared, &reset).await
            }
        })
    };
    let result = http1_builder(&shared)
        .serve_connection(TokioIo::new(tls), service)
        .await;
    finish(result, &shared, &reset, peer);
}

fn bad_tunnel(shared: &Shared, peer: SocketAddr, host: &str, why: &str) {
    tracing::debug!(%peer, host, why, "CONNECT tunnel dropped");
    shared.count(|s| s.bad_clients += 1);
}

/// Answers one request to a simulated site.
async fn respond(
    req: Request<Incoming>,
    scheme: &'static str,
    host: &str,
    shared: &Shared,
    reset: &AtomicBool,
) -> Result<Response<Body>, ResetConnection> {
    let header = |name| {
        req.headers()
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    };
    let visit = Visit {
        scheme,
        host: host.to_string(),
        path: req.uri().path().to_string(),
        query: req.uri().query().map(String::from),
        user_agent: header(header::USER_AGENT).unwrap_or_default(),
        referer: header(header::REFERER),
        date: shared.date(),
    };
    shared.count(|s| {
        s.requests += 1;
        let known = s.per_host.contains_key(&visit.host);
        let key = if known || s.per_host.len() < PER_HOST_LIMIT {
            visit.host.clone()
        } else {
            "(other hosts)".to_string()
        };
        *s.per_host.entry(key).or_default() += 1;
    });
    let head = req.method() == Method::HEAD;
    match router::answer(&shared.world, &visit).await {
        Answer::Reply(reply) => {
            tracing::debug!(method = %req.method(), url = %visit.url(), status = reply.status, "answered");
            Ok(response(reply, head))
        }
        Answer::Reset => {
            tracing::debug!(url = %visit.url(), "resetting the connection");
            reset.store(true, Ordering::Relaxed);
            shared.count(|s| s.resets += 1);
            Err(ResetConnection)
        }
    }
}

/// The simulator's own page (`/`) and its CA (`/ca.pem`), for a browser pointed at it.
fn home(req: &Request<Incoming>, shared: &Shared) -> Response<Body> {
    let reply = if req.uri().path() == "/ca.pem" {
        let mut reply = Reply::plain(200, shared.authority.ca_pem());
        reply.headers = vec![("content-type", "application/x-pem-file".to_string())];
        reply
    } else {
        Reply::html(
            200,
            super::page::fill(
                include_str!("pages/sim_home.html"),
                &[
                    ("world", super::page::html(&shared.world.name)),
                    ("date", shared.date().to_string()),
                    ("proxy", super::page::html(&shared.proxy_url)),
                ],
            ),
        )
    };
    response(reply, req.method() == Method::HEAD)
}

fn response(reply: Reply, head: bool) -> Response<Body> {
    let body = if head {
        Bytes::new()
    } else {
        Bytes::from(reply.body)
    };
    let mut response = Response::new(Full::new(body));
    *response.status_mut() =
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    for (name, value) in reply.headers {
        headers.append(name, header_value(&value));
    }
    headers.insert(header::VIA, HeaderValue::from_static("1.1 linkgate-sim"));
    response
}

/// A header value, with control characters percent-encoded (a link may carry them).
fn header_value(value: &str) -> HeaderValue {
    HeaderValue::from_str(value)
        .or_else(|_| HeaderValue::from_bytes(value.as_bytes()))
        .unwrap_or_else(|_| {
            let cleaned: String = value
                .chars()
                .map(|c| {
                    if c.is_control() {
                        format!("%{:02X}", u32::from(c) & 0xff)
                    } else {
                        c.to_string()
                    }
                })
                .collect();
            HeaderValue::from_bytes(cleaned.as_bytes())
                .unwrap_or_else(|_| HeaderValue::from_static(""))
        })
}

fn host_header(req: &Request<Incoming>) -> Option<String> {
    let value = req.headers().get(header::HOST)?.to_str().ok()?;
    let authority: hyper::http::uri::Authority = value.parse().ok()?;
    Some(normalize_host(authority.host()))
}

fn normalize_host(host: &str) -> String {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

/// Whether a Host header names the simulator itself rather than a simulated site.
fn is_own_host(host: &str) -> bool {
    host == "localhost" || host.parse::<IpAddr>().is_ok()
}

/// The service's error: the connection is to be reset.
#[derive(Debug)]
struct ResetConnection;

impl std::fmt::Display for ResetConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("site is down: connection reset by the simulator")
    }
}

impl std::error::Error for ResetConnection {}

/// The client's TCP stream, able to end in a reset (RST) instead of a clean close: once
/// `reset` is set, every further operation fails and dropping it aborts the connection.
struct ConnIo {
    inner: TcpStream,
    reset: Arc<AtomicBool>,
}

impl ConnIo {
    fn check(&self) -> std::io::Result<()> {
        if self.reset.load(Ordering::Relaxed) {
            Err(std::io::ErrorKind::ConnectionReset.into())
        } else {
            Ok(())
        }
    }
}

impl AsyncRead for ConnIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        this.check()?;
        Pin::new(&mut this.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for ConnIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        this.check()?;
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        this.check()?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        this.check()?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

impl Drop for ConnIo {
    fn drop(&mut self) {
        if self.reset.load(Ordering::Relaxed) {
            // SO_LINGER 0: closing now sends RST, which is what a site that is down does.
            if let Err(e) = self.inner.set_zero_linger() {
                tracing::debug!(error = %e, "could not arm the connection reset");
            }
        }
    }
}
