//! A site that answers for any host name: an HTTP proxy that accepts `CONNECT host:443`,
//! terminates TLS with a leaf (signed by a test CA) for the names it was given, and answers
//! each request with a closure that sees the host and the path. With `--proxy` and
//! `--ca-cert`, the engine then reaches `https://c.pc.qq.com/…` on 127.0.0.1.

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::Reply;
use super::tls::pki_for;

/// What the site is asked: the host (without port) and the path with its query.
pub type Handler = dyn Fn(&str, &str) -> Reply + Send + Sync;

/// A running tunnel site; stops when dropped.
pub struct TunnelSite {
    pub proxy_url: String,
    pub ca_pem: Vec<u8>,
    task: JoinHandle<()>,
}

impl TunnelSite {
    pub async fn start(names: &[&str], handler: Arc<Handler>) -> TunnelSite {
        let pki = pki_for(names);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let acceptor = pki.acceptor.clone();
        let task = tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                let handler = handler.clone();
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut byte = [0u8; 1];
                    while !head.ends_with(b"\r\n\r\n") {
                        if stream.read(&mut byte).await.unwrap_or(0) == 0 {
                            return;
                        }
                        head.push(byte[0]);
                    }
                    let head = String::from_utf8_lossy(&head).to_string();
                    let Some(target) = head.strip_prefix("CONNECT ") else {
                        return;
                    };
                    let host = target
                        .split([' ', ':'])
                        .next()
                        .unwrap_or("")
                        .to_ascii_lowercase();
                    if stream
                        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                        .await
                        .is_err()
                    {
                        return;
                    }
                    let Ok(tls) = acceptor.accept(stream).await else {
                        return;
                    };
                    let service =
                        service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                            let path = request
                                .uri()
                                .path_and_query()
                                .map(|p| p.as_str().to_string())
                                .unwrap_or_default();
                            let reply = handler(&host, &path);
                            let mut response = hyper::Response::builder().status(reply.status);
                            for (name, value) in &reply.headers {
                                response = response.header(name, value);
                            }
                            let response =
                                response.body(Full::new(Bytes::from(reply.body))).unwrap();
                            async move { Ok::<_, Infallible>(response) }
                        });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(tls), service)
                        .await;
                });
            }
        });
        TunnelSite {
            proxy_url: format!("http://127.0.0.1:{port}"),
            ca_pem: pki.ca_pem,
            task,
        }
    }
}

impl Drop for TunnelSite {
    fn drop(&mut self) {
        self.task.abort();
    }
}
