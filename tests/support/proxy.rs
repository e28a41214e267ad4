//! A tiny forward HTTP proxy: it answers absolute-form requests (`GET http://host/path`) by
//! making them itself, and counts and logs what it forwarded, so a test can prove the engine
//! really went through `--proxy`.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// A running proxy; stops when dropped.
pub struct Proxy {
    pub port: u16,
    forwarded: Arc<Mutex<Vec<String>>>,
    task: JoinHandle<()>,
}

impl Proxy {
    pub async fn start() -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let forwarded = Arc::new(Mutex::new(Vec::new()));
        let upstream = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .no_gzip()
            .no_brotli()
            .no_deflate()
            .build()
            .unwrap();
        let log = forwarded.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let log = log.clone();
                let upstream = upstream.clone();
                let service = service_fn(move |request| {
                    let log = log.clone();
                    let upstream = upstream.clone();
                    async move { Ok::<_, Infallible>(forward(&upstream, &log, request).await) }
                });
                tokio::spawn(async move {
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Proxy {
            port,
            forwarded,
            task,
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The absolute URLs forwarded, in order.
    pub fn forwarded(&self) -> Vec<String> {
        self.forwarded.lock().unwrap().clone()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn forward(
    upstream: &reqwest::Client,
    log: &Mutex<Vec<String>>,
    request: hyper::Request<Incoming>,
) -> hyper::Response<Full<Bytes>> {
    let target = request.uri().to_string();
    log.lock().unwrap().push(target.clone());
    let mut outgoing = upstream.get(&target);
    for (name, value) in request.headers() {
        if !matches!(name.as_str(), "host" | "proxy-connection" | "connection") {
            outgoing = outgoing.header(name, value);
        }
    }
    let reply = match outgoing.send().await {
        Ok(reply) => reply,
        Err(e) => {
            return hyper::Response::builder()
                .status(502)
                .body(Full::new(Bytes::from(e.to_string())))
                .unwrap();
        }
    };
    let mut response = hyper::Response::builder().status(reply.status().as_u16());
    for (name, value) in reply.headers() {
        if !matches!(name.as_str(), "connection" | "transfer-encoding") {
            response = response.header(name, value);
        }
    }
    let body = reply.bytes().await.unwrap_or_default();
    response.body(Full::new(body)).unwrap()
}
